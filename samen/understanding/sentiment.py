"""How the writer of a post feels: negative, neutral or positive, with a confidence.

Method (the model card, docs/model-card-sentiment.md, says more): a multinomial logistic
regression over hashed features, weights shipped in ``data/sentiment.npz`` and rebuilt by
``scripts/train_sentiment.py``. Features:

- words and word pairs, folded, with a "negated" mark on the three words after a negator
  (niet, geen, pas, not, nicht ...);
- character 3- to 5-grams inside words, so related word forms and related languages share
  evidence (Dutch "slecht" and German "schlecht");
- emoji and emoticons;
- open lexicons (pattern's Dutch/French/English lexicons, public domain; VADER, MIT) and our own
  word lists: summed positive and negative polarity, flipped under negation;
- surface signals: links, mentions, "!" and "?".

There is no licensed Dutch training data, so a language the model was not trained on (Dutch
among them) is scored by a second "transfer" head that uses only the language-independent
features above (lexicon polarity, emoji, emoticons, surface), trained on all the other
languages; Dutch then relies on the Dutch lexicons.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from samen.understanding.text import emoji as find_emoji
from samen.understanding.text import fold

__all__ = ["LABELS", "SentimentResult", "classify", "classify_many", "featurize"]

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
N_BUCKETS = 1 << 18
_DATA = Path(__file__).with_name("data")

# Dense, language-independent features live after the hashed buckets, at fixed places.
DENSE = (
    "lex_pos",
    "lex_neg",
    "lex_pos_any",
    "lex_neg_any",
    "emo_pos",
    "emo_neg",
    "url",
    "mention",
    "exclaim",
    "question",
    "shout",
    "short",
    "long",
    "bias_transfer",
    "net_strong_neg",
    "net_neg",
    "net_zero",
    "net_pos",
    "net_strong_pos",
)
_D = {name: N_BUCKETS + i for i, name in enumerate(DENSE)}
# Language-independent sparse features (emoji, cross-language concepts) get their own small
# hashed space after the dense ones, so the transfer head can use them too.
N_SHARED = 1 << 12
_SHARED0 = N_BUCKETS + len(DENSE)
N_FEATURES = _SHARED0 + N_SHARED

NEGATORS = frozenset(
    {
        # nl
        "niet", "geen", "nooit", "niets", "niemand", "nergens", "noch",
        # fr
        "ne", "pas", "jamais", "rien", "aucun", "aucune", "personne", "sans", "ni",
        # en ("t" is what is left of "don't", "can't" after tokenising)
        "not", "no", "never", "nothing", "nobody", "none", "nor", "cannot", "t", "without",
        # de
        "nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals",
        "nichts", "ohne", "weder",  # "niemand" is Dutch too
    }
)  # fmt: skip
# Scope of a negation: the next few words, as in "niet echt goed".
NEG_SCOPE = 3

_EMOTICON_POS = re.compile(r"(?:[:;=]-?[)\]pPdD]|\bx[dD]\b|<3|\^\^|\(:)")
_EMOTICON_NEG = re.compile(r"(?:[:;=]'?-?[(\[/\\]|\):|D:)")
# Emoji polarity is learnt from data (each emoji is a feature); this short list only gives the
# transfer head, which sees no per-emoji features, the common faces and hands.
_EMOJI_POS = frozenset("😀😁😂😃😄😅😆😉😊😋😍😘🥰😎🤗🤩👍👏🙌💪🎉🥳❤💕💖💙💚💛🧡💜🌹🌞✨🙏☺🙂")
_EMOJI_NEG = frozenset("😠😡🤬😤😢😭😞😔😟😕🙁☹😩😫😒🙄🤮🤢💔👎😱😨😰😥😓🤦")

_EMOJI_MODIFIERS = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
_TOKEN_RE = re.compile(r"https?://\S+|www\.\S+|@\w[\w.@-]*|[^\W\d_]+(?:'[^\W\d_]+)?|[!?]")


def _h(s: str) -> int:
    return zlib.crc32(s.encode("utf-8", "surrogatepass")) & (N_BUCKETS - 1)


def _hs(s: str) -> int:
    return _SHARED0 + (zlib.crc32(s.encode("utf-8", "surrogatepass")) & (N_SHARED - 1))


@lru_cache(maxsize=1)
def _concepts() -> dict[str, dict[str, str]]:
    """Language -> folded word -> concept name, from ``data/lexicon/concepts.tsv``."""
    table: dict[str, dict[str, str]] = {lang: {} for lang in ("nl", "fr", "en", "de")}
    text = (_DATA / "lexicon" / "concepts.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        concept, *columns = line.split("\t")
        for lang, words in zip(("nl", "fr", "en", "de"), columns, strict=True):
            for word in words.split():
                table[lang].setdefault(fold(word), concept)
    return table


@lru_cache(maxsize=8)
def _concept_map(lang: str | None) -> dict[str, str]:
    table = _concepts()
    if lang in table:
        return table[lang]
    merged: dict[str, str] = {}
    for words in table.values():
        for word, concept in words.items():
            merged.setdefault(word, concept)
    return merged


@lru_cache(maxsize=200_000)
def _word_features(word: str, negated: bool) -> tuple[int, ...]:
    """The hashed features of one folded word: itself and its character 3..5-grams."""
    mark = "n:" if negated else "w:"
    feats = [_h(mark + word)]
    padded = f"<{word}>"
    if len(padded) > 3:
        for n in (3, 4, 5):
            for i in range(len(padded) - n + 1):
                feats.append(_h("c:" + padded[i : i + n]))
    return tuple(feats)


@lru_cache(maxsize=200_000)
def _pair_feature(a: str, b: str) -> int:
    return _h(f"b:{a} {b}")


@lru_cache(maxsize=8)
def _lexicon(lang: str | None) -> dict[str, float]:
    """Folded word -> polarity in [-1, 1] for ``lang`` (all languages when None)."""
    langs = ("nl", "fr", "en", "de") if lang is None else (lang,)
    lex: dict[str, float] = {}
    folder = _DATA / "lexicon"
    for code in langs:
        path = folder / f"{code}.tsv"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                word, _, pol = line.partition("\t")
                if pol:
                    lex[word] = float(pol)
    for line in (folder / "own.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line:
            continue
        code, word, pol = line.split("\t")
        if code in langs:
            lex[word] = float(pol)  # our own words win: they were chosen for posts
    return lex


def featurize(text: str, lang: str | None) -> tuple[list[int], list[float]]:
    """Indices and values of the features of ``text`` (see the module docstring)."""
    folded = fold(text)
    known = lang if lang in ("nl", "fr", "en", "de") else None
    lex = _lexicon(known)
    concepts = _concept_map(known)
    sparse: list[int] = []
    shared: list[int] = []
    dense = dict.fromkeys(DENSE, 0.0)
    neg = 0
    prev = "<s>"
    words = 0
    shout = 0
    for tok in _TOKEN_RE.findall(folded):
        c = tok[0]
        if c in "!?":
            dense["exclaim" if c == "!" else "question"] += 1.0
            neg = 0
            continue
        if c == "@":
            dense["mention"] = 1.0
            continue
        if tok.startswith(("http", "www.")):
            dense["url"] = 1.0
            continue
        words += 1
        negated = neg > 0
        sparse.extend(_word_features(tok, negated))
        sparse.append(_pair_feature(prev, tok))
        prev = tok
        concept = concepts.get(tok)
        if concept is not None:
            shared.append(_hs(("kn:" if negated else "k:") + concept))
        pol = lex.get(tok)
        if pol is not None:
            if negated:
                pol = -pol * 0.7
            if pol > 0:
                dense["lex_pos"] += pol
            else:
                dense["lex_neg"] -= pol
        if tok in NEGATORS:
            neg = NEG_SCOPE
        elif neg:
            neg -= 1
    if words:
        for w in text.split():
            if len(w) > 3 and w.isupper() and w.isalpha():
                shout += 1
    for e in find_emoji(text):
        shared.append(
            _hs("e:" + e.rstrip("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"))
        )
        if e[0] in _EMOJI_POS:
            dense["emo_pos"] += 1.0
        elif e[0] in _EMOJI_NEG:
            dense["emo_neg"] += 1.0
    dense["emo_pos"] += len(_EMOTICON_POS.findall(text))
    dense["emo_neg"] += len(_EMOTICON_NEG.findall(text))
    net = dense["lex_pos"] - dense["lex_neg"]
    if net <= -1.0:
        dense["net_strong_neg"] = 1.0
    elif net < 0:
        dense["net_neg"] = 1.0
    elif net == 0:
        dense["net_zero"] = 1.0
    elif net < 1.0:
        dense["net_pos"] = 1.0
    else:
        dense["net_strong_pos"] = 1.0
    dense["lex_pos_any"] = 1.0 if dense["lex_pos"] > 0 else 0.0
    dense["lex_neg_any"] = 1.0 if dense["lex_neg"] > 0 else 0.0
    for key in ("lex_pos", "lex_neg", "emo_pos", "emo_neg", "exclaim", "question"):
        dense[key] = math.log1p(dense[key])
    dense["shout"] = 1.0 if shout else 0.0
    dense["short"] = 1.0 if words < 6 else 0.0
    dense["long"] = 1.0 if words > 25 else 0.0
    dense["bias_transfer"] = 1.0
    scale = 1.0 / math.sqrt(len(sparse)) if sparse else 0.0
    idx = sparse + [_D[k] for k in DENSE if dense[k]] + shared
    vals = [scale] * len(sparse) + [dense[k] for k in DENSE if dense[k]] + [1.0] * len(shared)
    return idx, vals


@dataclass(slots=True, frozen=True)
class SentimentResult:
    """A label, the model's probability for it, and which head decided ("full"/"transfer")."""

    label: str
    confidence: float
    head: str


class _Weights:
    __slots__ = ("full", "full_bias", "trained_languages", "transfer", "transfer_bias")

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.full = data["full"].astype(np.float32)
            self.full_bias = data["full_bias"].astype(np.float32)
            self.transfer = data["transfer"].astype(np.float32)
            self.transfer_bias = data["transfer_bias"].astype(np.float32)
            self.trained_languages = frozenset(str(x) for x in data["trained_languages"])


_weights: _Weights | None = None


def _get_weights() -> _Weights:
    global _weights
    if _weights is None:
        _weights = _Weights(_DATA / "sentiment.npz")
    return _weights


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.exp(z - z.max())
    return z / z.sum()


def classify(text: str, lang: str | None = None) -> SentimentResult:
    """Sentiment of ``text`` written in ``lang`` (a detected or tagged language, or None)."""
    w = _get_weights()
    idx, vals = featurize(text, lang)
    if lang in w.trained_languages:
        head, table, bias = "full", w.full, w.full_bias
    else:
        head, table, bias = "transfer", w.transfer, w.transfer_bias
        keep = [k for k, i in enumerate(idx) if i >= N_BUCKETS]
        idx = [idx[k] for k in keep]
        vals = [vals[k] for k in keep]
        idx = [i - N_BUCKETS for i in idx]
    z = np.asarray(vals, dtype=np.float32) @ table[idx] + bias if idx else bias.copy()
    p = _softmax(z)
    best = int(p.argmax())
    return SentimentResult(LABELS[best], float(p[best]), head)


def classify_many(
    texts: Iterable[str], langs: Sequence[str | None] | None = None
) -> list[SentimentResult]:
    """:func:`classify` for many texts (``langs`` aligned with ``texts``, or all None)."""
    items = list(texts)
    languages = list(langs) if langs is not None else [None] * len(items)
    return [classify(t, lang) for t, lang in zip(items, languages, strict=True)]
