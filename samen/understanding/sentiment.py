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
# Every emoticon above holds one of these: a cheap test before the two patterns.
_MAY_BE_EMOTICON = re.compile(r"[;=<^]|:(?!//)|x[dD]")
# ":/" is a frown, but "://" is a link.
_EMOTICON_NEG = re.compile(r"(?:[:;=]'?-?[(\[\\]|[:;=]'?-?/(?!/)|\):|D:)")
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


@lru_cache(maxsize=50_000)
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


# Per language: folded word -> (concept feature, negated concept feature, polarity, negator);
# one look-up per word instead of three. Bounded like the other caches.
_TokInfo = tuple[int, int, float, bool]
_TOKINFO: dict[str | None, dict[str, _TokInfo]] = {}
_PLAIN: _TokInfo = (-1, -1, 0.0, False)


def _token_info(tok: str, known: str | None) -> _TokInfo:
    table = _TOKINFO.get(known)
    if table is None:
        table = _TOKINFO[known] = {}
    info = table.get(tok)
    if info is None:
        concept = _concept_map(known).get(tok)
        pol = _lexicon(known).get(tok, 0.0)
        negator = tok in NEGATORS
        if concept is None and not pol and not negator:
            info = _PLAIN
        else:
            k = _hs("k:" + concept) if concept is not None else -1
            kn = _hs("kn:" + concept) if concept is not None else -1
            info = (k, kn, pol, negator)
        if len(table) >= 300_000:
            table.clear()
        table[tok] = info
    return info


# A whole whitespace-separated word of 4+ letters in capitals ("SCHANDALIG").
_SHOUT_RE = re.compile(r"(?<!\S)[^\W\d_]{4,}(?!\S)")


def _parts(
    text: str, lang: str | None
) -> tuple[list[tuple[str, bool]], dict[str, float], list[int]]:
    """Words (with their negation mark), dense feature values and shared sparse features."""
    folded = fold(text)
    known = lang if lang in ("nl", "fr", "en", "de") else None
    words: list[tuple[str, bool]] = []
    shared: list[int] = []
    dense = dict.fromkeys(DENSE, 0.0)
    neg = 0
    lex_pos = lex_neg = 0.0
    for tok in _TOKEN_RE.findall(folded):
        c = tok[0]
        if c in "!?":
            dense["exclaim" if c == "!" else "question"] += 1.0
            neg = 0
            continue
        if c == "@":
            dense["mention"] = 1.0
            continue
        if c in "hw" and tok.startswith(("http", "www.")):
            dense["url"] = 1.0
            continue
        negated = neg > 0
        words.append((tok, negated))
        info = _token_info(tok, known)
        if info is _PLAIN:
            if neg:
                neg -= 1
            continue
        k, kn, pol, negator = info
        if k >= 0:
            shared.append(kn if negated else k)
        if pol:
            if negated:
                pol = -pol * 0.7
            if pol > 0:
                lex_pos += pol
            else:
                lex_neg -= pol
        if negator:
            neg = NEG_SCOPE
        elif neg:
            neg -= 1
    if words and not text.islower():
        for m in _SHOUT_RE.finditer(text):
            if m.group().isupper() and m.group().isalpha():
                dense["shout"] = 1.0
                break
    if not text.isascii():
        for e in find_emoji(text):
            shared.append(_hs("e:" + e.rstrip(_EMOJI_MODIFIERS)))
            if e[0] in _EMOJI_POS:
                dense["emo_pos"] += 1.0
            elif e[0] in _EMOJI_NEG:
                dense["emo_neg"] += 1.0
    if _MAY_BE_EMOTICON.search(text):
        dense["emo_pos"] += len(_EMOTICON_POS.findall(text))
        dense["emo_neg"] += len(_EMOTICON_NEG.findall(text))
    net = lex_pos - lex_neg
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
    dense["lex_pos_any"] = 1.0 if lex_pos > 0 else 0.0
    dense["lex_neg_any"] = 1.0 if lex_neg > 0 else 0.0
    dense["lex_pos"] = math.log1p(lex_pos)
    dense["lex_neg"] = math.log1p(lex_neg)
    for key in ("emo_pos", "emo_neg", "exclaim", "question"):
        if dense[key]:
            dense[key] = math.log1p(dense[key])
    dense["short"] = 1.0 if len(words) < 6 else 0.0
    dense["long"] = 1.0 if len(words) > 25 else 0.0
    dense["bias_transfer"] = 1.0
    return words, dense, shared


def featurize(text: str, lang: str | None) -> tuple[list[int], list[float]]:
    """Indices and values of the features of ``text`` (see the module docstring); used for
    training. :func:`classify` computes the same scores without building this list."""
    words, dense, shared = _parts(text, lang)
    sparse: list[int] = []
    prev = "<s>"
    for tok, negated in words:
        sparse.extend(_word_features(tok, negated))
        sparse.append(_pair_feature(prev, tok))
        prev = tok
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


Vec = tuple[float, float, float]


class _Weights:
    """Both heads, with the dense and shared rows as plain floats for the per-post path."""

    __slots__ = ("full", "full_bias", "rows", "trained_languages", "transfer_bias", "trows")

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.full = data["full"].astype(np.float32)
            self.full_bias: Vec = tuple(float(x) for x in data["full_bias"])  # type: ignore[assignment]
            transfer = data["transfer"].astype(np.float64)
            self.transfer_bias: Vec = tuple(float(x) for x in data["transfer_bias"])  # type: ignore[assignment]
            self.trained_languages = frozenset(str(x) for x in data["trained_languages"])
        # Rows past the hashed buckets (dense + shared), for each head, as Python tuples.
        self.rows: list[Vec] = [tuple(map(float, r)) for r in self.full[N_BUCKETS:]]  # type: ignore[misc]
        self.trows: list[Vec] = [tuple(map(float, r)) for r in transfer]  # type: ignore[misc]


_weights: _Weights | None = None


def _get_weights() -> _Weights:
    global _weights
    if _weights is None:
        _weights = _Weights(_DATA / "sentiment.npz")
        _WORD_CACHE.clear()
        _PAIR_CACHE.clear()
    return _weights


# Per-word and per-pair sums of full-head weights. Plain dicts (cheaper per look-up than
# lru_cache), emptied when they grow past _CACHE_MAX so a long stream cannot exhaust memory.
_WORD_CACHE: dict[str, tuple[float, float, float, int]] = {}
_PAIR_CACHE: dict[str, Vec] = {}
_CACHE_MAX = 300_000


def _word_vec(word: str, negated: bool) -> tuple[float, float, float, int]:
    """Summed full-head weights of a word's hashed features, and how many there are."""
    key = ("\x01" + word) if negated else word
    hit = _WORD_CACHE.get(key)
    if hit is None:
        feats = _word_features(word, negated)
        v = _get_weights().full[list(feats)].sum(axis=0, dtype=np.float64)
        hit = (float(v[0]), float(v[1]), float(v[2]), len(feats))
        if len(_WORD_CACHE) >= _CACHE_MAX:
            _WORD_CACHE.clear()
        _WORD_CACHE[key] = hit
    return hit


def _pair_vec(a: str, b: str) -> Vec:
    key = a + "\x00" + b
    hit = _PAIR_CACHE.get(key)
    if hit is None:
        r = _get_weights().full[_pair_feature(a, b)]
        hit = (float(r[0]), float(r[1]), float(r[2]))
        if len(_PAIR_CACHE) >= _CACHE_MAX:
            _PAIR_CACHE.clear()
        _PAIR_CACHE[key] = hit
    return hit


def scores(text: str, lang: str | None = None) -> tuple[Vec, str]:
    """Raw class scores (logits) and the head used; the same numbers as the dot product of
    :func:`featurize` with the weights, computed per word from cached sums."""
    w = _get_weights()
    words, dense, shared = _parts(text, lang)
    if lang in w.trained_languages:
        head, rows, base, (z0, z1, z2) = "full", w.rows, N_BUCKETS, w.full_bias
        s0 = s1 = s2 = 0.0
        n = 0
        prev = "<s>"
        for tok, negated in words:
            a0, a1, a2, k = _word_vec(tok, negated)
            b0, b1, b2 = _pair_vec(prev, tok)
            s0 += a0 + b0
            s1 += a1 + b1
            s2 += a2 + b2
            n += k + 1
            prev = tok
        if n:
            scale = 1.0 / math.sqrt(n)
            z0 += s0 * scale
            z1 += s1 * scale
            z2 += s2 * scale
    else:
        head, rows, base, (z0, z1, z2) = "transfer", w.trows, N_BUCKETS, w.transfer_bias
    for i, name in enumerate(DENSE):
        v = dense[name]
        if v:
            r0, r1, r2 = rows[i]
            z0 += v * r0
            z1 += v * r1
            z2 += v * r2
    for j in shared:
        r0, r1, r2 = rows[j - base]
        z0 += r0
        z1 += r1
        z2 += r2
    return (z0, z1, z2), head


def classify(text: str, lang: str | None = None) -> SentimentResult:
    """Sentiment of ``text`` written in ``lang`` (a detected or tagged language, or None)."""
    (z0, z1, z2), head = scores(text, lang)
    top = max(z0, z1, z2)
    e0, e1, e2 = math.exp(z0 - top), math.exp(z1 - top), math.exp(z2 - top)
    total = e0 + e1 + e2
    if e0 >= e1 and e0 >= e2:
        return SentimentResult(LABELS[0], e0 / total, head)
    if e1 >= e2:
        return SentimentResult(LABELS[1], e1 / total, head)
    return SentimentResult(LABELS[2], e2 / total, head)


def classify_many(
    texts: Iterable[str], langs: Sequence[str | None] | None = None
) -> list[SentimentResult]:
    """:func:`classify` for many texts (``langs`` aligned with ``texts``, or all None)."""
    items = list(texts)
    languages = list(langs) if langs is not None else [None] * len(items)
    return [classify(t, lang) for t, lang in zip(items, languages, strict=True)]
