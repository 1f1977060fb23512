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
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, repeat
from pathlib import Path

import numpy as np

from samen.understanding.text import RunTable, fold, is_letter_char
from samen.understanding.text import emoji as find_emoji

__all__ = ["LABELS", "SentimentResult", "classify", "classify_many", "featurize", "label_many"]

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

# Each pattern starts with a look-ahead for the characters a match can start with: the same
# matches, found faster (the engine skips other positions without trying each alternative).
_EMOTICON_POS = re.compile(r"(?=[:;=x<^(])(?:[:;=]-?[)\]pPdD]|\bx[dD]\b|<3|\^\^|\(:)")
# Every emoticon above holds one of these: a cheap test before the two patterns.
_MAY_BE_EMOTICON = re.compile(r"[;=<^]|:(?!//)|x[dD]")
# ":/" is a frown, but "://" is a link.
_EMOTICON_NEG = re.compile(r"(?=[:;=)D])(?:[:;=]'?-?[(\[\\]|[:;=]'?-?/(?!/)|\):|D:)")
# Emoji polarity is learnt from data (each emoji is a feature); this short list only gives the
# transfer head, which sees no per-emoji features, the common faces and hands.
_EMOJI_POS = frozenset("😀😁😂😃😄😅😆😉😊😋😍😘🥰😎🤗🤩👍👏🙌💪🎉🥳❤💕💖💙💚💛🧡💜🌹🌞✨🙏☺🙂")
_EMOJI_NEG = frozenset("😠😡🤬😤😢😭😞😔😟😕🙁☹😩😫😒🙄🤮🤢💔👎😱😨😰😥😓🤦")

_EMOJI_MODIFIERS = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
_TOKEN_RE = re.compile(r"https?://\S+|www\.\S+|@\w[\w.@-]*|[^\W\d_]+(?:'[^\W\d_]+)?|[!?]")


def _marks_apart(ch: str) -> str:
    return f" {ch} " if ch in "!?" else ch


def _plain_token_char(ch: str) -> bool:
    return is_letter_char(ch) or ch in "'!?"


# For a text without links and mentions: letters and ``'`` stay, ``!`` and ``?`` become
# tokens of their own between spaces, the rest becomes a space.
_PLAIN_TOKENS = RunTable(_marks_apart, _plain_token_char)
# ASCII text in one ``bytes.translate``: "!" and "?" stay and get their spaces afterwards.
_PLAIN_TOKENS_ASCII = RunTable(str, _plain_token_char).ascii_bytes()


def _tokens(folded: str) -> list[str]:
    """``_TOKEN_RE.findall(folded)``, at half the cost for most posts.

    Without "@", "://" and "www." a text has no link or mention, so its tokens are its runs
    of letters and ``'`` (cut by the pattern where a run holds an apostrophe that does not
    join two words) and each "!" and "?": a translation and a split give those without
    trying the pattern's alternatives at every character. tests/understanding/
    test_batch_paths.py checks both ways agree."""
    if "@" in folded or "://" in folded or "www." in folded:
        return _TOKEN_RE.findall(folded)
    if folded.isascii():
        cut = folded.encode("ascii").translate(_PLAIN_TOKENS_ASCII)
        if b"!" in cut or b"?" in cut:
            cut = cut.replace(b"!", b" ! ").replace(b"?", b" ? ")
        spaced = cut.decode("ascii")
    else:
        spaced = folded.translate(_PLAIN_TOKENS)
    if "'" not in spaced:
        return spaced.split()
    out: list[str] = []
    for piece in spaced.split():
        if "'" in piece:
            out += _TOKEN_RE.findall(piece)
        else:
            out.append(piece)
    return out


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


def _h_raw(s: str) -> int:
    return zlib.crc32(s.encode("utf-8", "surrogatepass"))


_START_HEAD = "b:<s> "


_GRAM_CRC0 = zlib.crc32(b"c:")  # crc32(b"c:" + gram) == crc32(gram, _GRAM_CRC0)


def _word_feature_iter(word: str, negated: bool) -> Iterable[int]:
    """:func:`_word_features` as an iterator of hashes, masked or not (the caller masks):
    for an ASCII word every character 3..5-gram is a byte slice hashed by C-level ``map``."""
    if not word.isascii():
        return _word_features(word, negated)
    first = (_h(("n:" if negated else "w:") + word),)
    padded = f"<{word}>".encode()
    size = len(padded)
    if size <= 3:
        return first
    grams = (
        map(padded.__getitem__, map(slice, range(size - n + 1), range(n, size + 1)))
        for n in (3, 4, 5)
    )
    return chain(first, map(zlib.crc32, chain.from_iterable(grams), repeat(_GRAM_CRC0)))


def _crc_table() -> np.ndarray:
    """zlib's CRC-32 table (reflected polynomial 0xEDB88320), one entry per byte value."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table


_CRC_TABLE = _crc_table()
_GRAM_STATE0 = np.uint32(_GRAM_CRC0 ^ 0xFFFFFFFF)  # zlib's register after b"c:"


def _feature_hashes(keys: Sequence[tuple[str, bool]], counts: Sequence[int]) -> np.ndarray:
    """The features of :func:`_word_features` for many (word, negated) keys, one word after
    the other (``counts[j]`` each), unmasked for the n-grams (the caller masks). The
    character 3..5-grams of the ASCII words are hashed together with numpy, one byte
    position at a time, by zlib's own table-driven CRC-32: the same numbers as
    ``zlib.crc32(gram, crc32(b"c:"))`` (tests/understanding/test_batch_paths.py)."""
    starts = np.zeros(len(keys), np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    flat = np.empty(int(sum(counts)), np.int64)
    firsts: list[int] = []
    padded: list[bytes] = []
    blocks: list[int] = []
    for j, (word, negated) in enumerate(keys):
        if word.isascii():
            firsts.append(_h(("n:" if negated else "w:") + word))
            if len(word) > 1:  # "<w>" and shorter have no n-gram
                padded.append(f"<{word}>".encode())
                blocks.append(j)
        else:
            feats = _word_features(word, negated)
            firsts.append(feats[0])
            flat[starts[j] + 1 : starts[j] + len(feats)] = feats[1:]
    flat[starts] = firsts
    if not padded:
        return flat
    sizes = np.fromiter(map(len, padded), np.int64, len(padded))
    buf = np.frombuffer(b"".join(padded), np.uint8)
    offsets = np.zeros(len(padded), np.int64)
    np.cumsum(sizes[:-1], out=offsets[1:])
    at = starts[blocks] + 1  # where each word's next n-gram block starts in ``flat``
    table = _CRC_TABLE
    for n in (3, 4, 5):
        per_word = np.maximum(sizes - n + 1, 0)
        total = int(per_word.sum())
        if total:
            word_of = np.repeat(np.arange(len(padded)), per_word)
            i = np.arange(total) - np.repeat(np.cumsum(per_word) - per_word, per_word)
            pos = offsets[word_of] + i
            crc = np.full(total, _GRAM_STATE0, np.uint32)
            for k in range(n):
                crc = table[(crc ^ buf[pos + k]) & 0xFF] ^ (crc >> 8)
            flat[at[word_of] + i] = crc ^ np.uint32(0xFFFFFFFF)
        at = at + per_word
    return flat


def _pair_feature(a: str, b: str) -> int:
    return _h(f"b:{a} {b}")


_LONG_VOWELS = ("aa", "ee", "oo", "uu")
_VOWEL_PAIRS = ("aa", "ee", "oo", "uu", "ie", "ij", "ei", "ui", "ou", "au", "eu", "oe")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
# Inflected forms that are mostly another word: "waarde" (value), "wijze" (manner), "ware"
# (were), "enige" (some, only), "linkse" (left-wing).
_OTHER_WORDS = frozenset({"waarde", "wijze", "ware", "enige", "linkse"})


def _dutch_e_form(adj: str) -> str | None:
    """The attributive (inflected) form of a folded Dutch adjective, by the spelling rules:
    "slecht" -> "slechte", "groot" -> "grote", "boos" -> "boze", "lief" -> "lieve",
    "dik" -> "dikke", "mooi" -> "mooie"; None for words that take no "-e" ("tevreden")
    or are not a plain word."""
    if len(adj) < 2 or not adj.isalpha() or not adj.isascii() or adj.endswith(("e", "en")):
        return None
    last = adj[-1]
    if last in "aiouy":  # "mooi", "blij", "vrij": only "-e"
        return adj + "e"
    stem = adj
    if adj[-3:-1] in _LONG_VOWELS:  # "groot" -> "grot-", "naar" -> "nar-"
        stem = adj[:-2] + adj[-1]
    if adj[-3:-1] in _VOWEL_PAIRS and last in "fs":  # "lief" -> "liev-", "boos" -> "boz-"
        stem = stem[:-1] + ("v" if last == "f" else "z")
    elif (  # one syllable with a short vowel before one consonant: "dik" -> "dikk-"
        stem is adj
        and len(_VOWEL_RUN.findall(adj)) == 1
        and adj[-2] in "aeiou"
        and (len(adj) < 3 or adj[-3] not in "aeiou")
        and last not in "aeiouwxyj"
    ):
        stem = adj + last
    form = stem + "e"
    return None if form in _OTHER_WORDS else form


@lru_cache(maxsize=8)
def _lexicon(lang: str | None) -> dict[str, float]:
    """Folded word -> polarity in [-1, 1] for ``lang`` (all languages when None)."""
    langs = ("nl", "fr", "en", "de") if lang is None else (lang,)
    lex: dict[str, float] = {}
    folder = _DATA / "lexicon"
    for code in langs:
        path = folder / f"{code}.tsv"
        if path.exists():
            found: dict[str, float] = {}
            for line in path.read_text(encoding="utf-8").splitlines():
                word, _, pol = line.partition("\t")
                if pol:
                    found[word] = float(pol)
            if code == "nl":  # pattern lists Dutch adjectives bare: add "slechte", "grote"
                for bare, value in list(found.items()):
                    form = _dutch_e_form(bare)
                    if form is not None and form not in found:
                        found[form] = value
            lex.update(found)
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
_CAPS4_RE = re.compile(r"[A-Z]{4}")
# An ASCII text's bytes with every capital made "A" and every other byte "." : the text holds
# four capitals in a row (what _CAPS4_RE finds) exactly when this holds b"AAAA", and
# ``bytes.translate`` with a substring test costs a fraction of the regex scan.
_CAPITALS = bytes(65 if 65 <= b <= 90 else 46 for b in range(256))


def featurize(text: str, lang: str | None) -> tuple[list[int], list[float]]:
    """Indices and values of the features of ``text`` (see the module docstring); used for
    training. :func:`classify` computes the same scores without building this list."""
    words: list[tuple[str, bool]] = []
    dense_values, shared, _ = _one_pass(text, fold(text), lang, False, [], [], words)
    dense = dict(zip(DENSE, dense_values, strict=True))
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

    __slots__ = (
        "dense_rows",
        "full",
        "full_bias",
        "rows",
        "trained_languages",
        "transfer_bias",
        "trows",
    )

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
        # The dense rows (DENSE order) of the transfer head [0] and the full head [1], as
        # float64 (exactly the floats of ``trows`` and ``rows``), for the batch path.
        d = len(DENSE)
        self.dense_rows = np.stack(
            [transfer[:d], self.full[N_BUCKETS : N_BUCKETS + d].astype(np.float64)]
        )


_weights: _Weights | None = None


def _get_weights() -> _Weights:
    global _weights
    if _weights is None:
        _weights = _Weights(_DATA / "sentiment.npz")
        clear_caches()
    return _weights


# Full head, per word: its hashed features summed once into a row of _WV (plus how many
# features there are), so a batch of posts is scored with one gather and one sum. Per word
# pair: its hashed bucket. Plain dicts (cheaper per look-up than lru_cache), emptied between
# batches when they grow past _CACHE_MAX, so a long stream cannot exhaust memory and a row
# never changes while a batch uses it.
_WORD_ROW: dict[str, tuple[int, int]] = {}
_PAIR_BUCKET: dict[str, int] = {}
_CACHE_MAX = 300_000
_WV: np.ndarray = np.zeros((0, 3))
_WV_TUPLES: list[Vec] = []  # the same rows as Python floats, for a batch of one post
_PAIR_VEC: dict[int, Vec] = {}  # bucket -> its full-head row as Python floats
_WV_LOCK = threading.Lock()  # a new word may grow _WV: one thread at a time


def _trim_caches() -> None:
    """Empty the word and pair caches when full; only called between batches."""
    if (
        len(_WORD_ROW) >= _CACHE_MAX
        or len(_PAIR_BUCKET) >= _CACHE_MAX
        or len(_vocab.tokens) >= _CACHE_MAX
        or _vocab.pairs.size >= _CACHE_MAX
    ):
        clear_caches()


def clear_caches() -> None:
    """Forget every cached word and pair (for benchmarks of a cold stream). Not while a
    batch is being scored in another thread."""
    global _vocab
    with _WV_LOCK:
        _vocab = _Vocab()
        _WORD_ROW.clear()
        _PAIR_BUCKET.clear()
        _WV_TUPLES.clear()
        _PAIR_VEC.clear()


def _word_row(word: str, negated: bool) -> tuple[int, int]:
    """Row in ``_WV`` of a word's summed full-head weights, and its number of features."""
    hit = _WORD_ROW.get(("\x01" + word) if negated else word)
    return hit if hit is not None else _add_word_rows([(word, negated)])[0]


def _add_word_rows(keys: Sequence[tuple[str, bool]]) -> list[tuple[int, int]]:
    """Rows in ``_WV`` (and feature counts) of many (word, negated) keys, the new ones summed
    with one ``np.add.reduceat``: the same sums, to the last bit, as one word at a time."""
    global _WV
    full = _get_weights().full
    with _WV_LOCK:
        names = [("\x01" + w) if neg else w for w, neg in keys]
        first: dict[str, int] = {}
        for k, name in enumerate(names):
            if name not in _WORD_ROW and name not in first:
                first[name] = k
        new = list(first.values())
        if len(new) == 1:  # one word (one post at a time): numpy's batch calls cost more
            k = new[0]
            one = _word_features(*keys[k])
            row = len(_WORD_ROW)
            if _WV.shape[0] <= row:
                grown = np.zeros((max(4096, 2 * row), 3))
                grown[: _WV.shape[0]] = _WV
                _WV = grown
            v = _WV[row] = full[list(one)].sum(axis=0, dtype=np.float64)
            del _WV_TUPLES[row:]
            _WV_TUPLES.append((float(v[0]), float(v[1]), float(v[2])))
            _WORD_ROW[names[k]] = (row, len(one))
        elif new:
            counts = [_n_word_features(keys[k][0]) for k in new]
            starts = np.zeros(len(new), np.int64)
            np.cumsum(counts[:-1], out=starts[1:])
            flat = _feature_hashes([keys[k] for k in new], counts)
            flat &= N_BUCKETS - 1
            sums = np.add.reduceat(full[flat], starts, axis=0, dtype=np.float64)
            base = len(_WORD_ROW)
            top = base + len(new)
            if _WV.shape[0] < top:
                grown = np.zeros((max(4096, 2 * top), 3))
                grown[: _WV.shape[0]] = _WV
                _WV = grown
            _WV[base:top] = sums
            del _WV_TUPLES[base:]  # row == len(_WORD_ROW): the two stay aligned
            _WV_TUPLES.extend(map(tuple, sums.tolist()))  # type: ignore[arg-type]
            for j, (k, n) in enumerate(zip(new, counts, strict=True)):
                _WORD_ROW[names[k]] = (base + j, n)
        return [_WORD_ROW[name] for name in names]


_Pass = tuple[tuple[float, ...], list[int], int]


def _extras(
    text: str, n_words: int, shared: list[int], found_emoji: list[str] | None = None
) -> tuple[float, float, float]:
    """Shouting, and emoji and emoticon counts (positive, negative) of a post; each emoji's
    shared feature is appended to ``shared``. ``found_emoji`` is ``text.emoji(text)`` when
    the caller has it."""
    shout = 0.0
    # An ASCII post can only shout with four capitals in a row: test that first.
    if (
        n_words
        and not text.islower()
        and (not text.isascii() or b"AAAA" in text.encode().translate(_CAPITALS))
    ):
        # What _SHOUT_RE finds and the test below keeps are exactly the whitespace-separated
        # words of 4+ letters in capitals, so splitting on whitespace finds the same.
        for word in text.split():
            if len(word) >= 4 and word.isupper() and word.isalpha():
                shout = 1.0
                break
    emo_pos = emo_neg = 0.0
    if not text.isascii():
        for e in find_emoji(text) if found_emoji is None else found_emoji:
            shared.append(_hs("e:" + e.rstrip(_EMOJI_MODIFIERS)))
            if e[0] in _EMOJI_POS:
                emo_pos += 1.0
            elif e[0] in _EMOJI_NEG:
                emo_neg += 1.0
    if (  # _MAY_BE_EMOTICON.search(text), with substring tests
        ";" in text
        or "=" in text
        or "<" in text
        or "^" in text
        or "xd" in text
        or "xD" in text
        or text.count(":") > text.count("://")
    ):
        emo_pos += len(_EMOTICON_POS.findall(text))
        emo_neg += len(_EMOTICON_NEG.findall(text))
    return shout, emo_pos, emo_neg


def _dense(
    lex_pos: float,
    lex_neg: float,
    emo_pos: float,
    emo_neg: float,
    url: float,
    mention: float,
    exclaim: float,
    question: float,
    shout: float,
    n_words: int,
) -> tuple[float, ...]:
    """The dense features, in DENSE order."""
    net = lex_pos - lex_neg
    return (
        math.log1p(lex_pos),
        math.log1p(lex_neg),
        1.0 if lex_pos > 0 else 0.0,
        1.0 if lex_neg > 0 else 0.0,
        math.log1p(emo_pos) if emo_pos else 0.0,
        math.log1p(emo_neg) if emo_neg else 0.0,
        url,
        mention,
        math.log1p(exclaim) if exclaim else 0.0,
        math.log1p(question) if question else 0.0,
        shout,
        1.0 if n_words < 6 else 0.0,
        1.0 if n_words > 25 else 0.0,
        1.0,
        1.0 if net <= -1.0 else 0.0,
        1.0 if -1.0 < net < 0 else 0.0,
        1.0 if net == 0 else 0.0,
        1.0 if 0 < net < 1.0 else 0.0,
        1.0 if net >= 1.0 else 0.0,
    )


def _one_pass(
    text: str,
    folded: str,
    lang: str | None,
    full: bool,
    rows: list[int],
    pairs: list[int],
    words: list[tuple[str, bool]] | None = None,
) -> _Pass:
    """One pass over the tokens of one post: the dense features (DENSE order) and the shared
    features, and, for the full head, each word's row in ``_WV`` and its pair's bucket
    appended to ``rows`` and ``pairs``, with their feature count. ``words``, when given,
    receives each word with its negation mark (for :func:`featurize`). The reference for
    :func:`_batch_passes`, and the path of batches too small for numpy."""
    known = lang if lang in _KNOWN else None
    table = _TOKINFO.get(known)
    if table is None:
        table = _TOKINFO[known] = {}
    word_rows = _WORD_ROW
    pair_buckets = _PAIR_BUCKET
    shared: list[int] = []
    n_words = 0
    neg = 0
    lex_pos = lex_neg = 0.0
    exclaim = question = url = mention = 0.0
    n = 0
    prev = "<s>"
    for tok in _tokens(folded):
        c = tok[0]
        if c in "!?":
            if c == "!":
                exclaim += 1.0
            else:
                question += 1.0
            neg = 0
            continue
        if c == "@":
            mention = 1.0
            continue
        if c in "hw" and tok.startswith(("http", "www.")):
            url = 1.0
            continue
        n_words += 1
        negated = neg > 0
        if words is not None:
            words.append((tok, negated))
        if full:
            hit = word_rows.get(("\x01" + tok) if negated else tok)
            if hit is None:
                hit = _word_row(tok, negated)
            rows.append(hit[0])
            n += hit[1] + 1
            key = prev + "\x00" + tok
            bucket = pair_buckets.get(key)
            if bucket is None:
                bucket = pair_buckets[key] = _pair_feature(prev, tok)
            pairs.append(bucket)
            prev = tok
        info = table.get(tok)
        if info is None:
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
    shout, emo_pos, emo_neg = _extras(text, n_words, shared)
    dense = _dense(
        lex_pos, lex_neg, emo_pos, emo_neg, url, mention, exclaim, question, shout, n_words
    )
    return dense, shared, n


# --- the batch path: every token of a batch at once -------------------------------------------

_LANG_SLOT = {"nl": 0, "fr": 1, "en": 2, "de": 3}  # any other language: slot 4 (all lexicons)
_WORD, _EXCLAIM, _QUESTION, _MENTION, _URL, _SEPARATOR = range(6)


class _Vocab:
    """Every folded token seen, with what the models need of it, in arrays indexed by a token
    id, so a batch's tokens are looked up with numpy instead of a dictionary each: kind
    (word, "!", "?", mention, link), negator, feature count, full-head rows in ``_WV``
    (plain and negated, -1 until needed), and per language slot the lexicon polarity and
    the shared concept features (plain and negated)."""

    __slots__ = (
        "concept",
        "heads",
        "ids",
        "kind",
        "negator",
        "nfeat",
        "pairs",
        "pol",
        "row",
        "tokens",
    )
    kind: np.ndarray
    negator: np.ndarray
    nfeat: np.ndarray
    row: np.ndarray
    pol: np.ndarray
    concept: np.ndarray

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.tokens: list[str] = []
        # Per token id + 1: "b:<token> ", the start of a pair feature's name ("<s>" first).
        self.heads: list[str] = [_START_HEAD]
        self.pairs = _IntTable()  # (previous id + 1) << 32 | id -> bucket
        self._alloc(1024)
        # Id 0: the NUL that separates the posts of a batch (see _batch_logits).
        self.ids["\x00"] = 0
        self.tokens.append("\x00")
        self.heads.append("b:\x00 ")
        self.kind[0] = _SEPARATOR

    def _alloc(self, size: int) -> None:
        old = len(self.tokens)
        kind = np.zeros(size, np.int8)
        negator = np.zeros(size, bool)
        nfeat = np.zeros(size, np.int64)
        row = np.full((2, size), -1, np.int64)
        pol = np.zeros((5, size))
        concept = np.full((2, 5, size), -1, np.int64)
        if old:
            kind[:old] = self.kind[:old]
            negator[:old] = self.negator[:old]
            nfeat[:old] = self.nfeat[:old]
            row[:, :old] = self.row[:, :old]
            pol[:, :old] = self.pol[:, :old]
            concept[:, :, :old] = self.concept[:, :, :old]
        self.kind, self.negator, self.nfeat = kind, negator, nfeat
        self.row, self.pol, self.concept = row, pol, concept

    def add(self, tokens: Iterable[str]) -> None:
        new = [t for t in dict.fromkeys(tokens) if t not in self.ids]
        if not new:
            return
        base = len(self.tokens)
        top = base + len(new)
        if top > len(self.kind):
            self._alloc(max(2 * len(self.kind), top))
        kinds: list[int] = []
        words: list[int] = []
        for j, tok in enumerate(new):
            c = tok[0]
            if c in "!?":
                kinds.append(_EXCLAIM if c == "!" else _QUESTION)
            elif c == "@":
                kinds.append(_MENTION)
            elif c in "hw" and tok.startswith(("http", "www.")):
                kinds.append(_URL)
            else:
                kinds.append(_WORD)
                words.append(j)
        self.kind[base:top] = kinds
        self.ids.update(zip(new, range(base, top), strict=True))
        self.tokens += new
        self.heads += ["b:" + tok + " " for tok in new]
        if not words:
            return
        at = np.array(words, np.int64) + base
        names = [new[j] for j in words]
        self.nfeat[at] = [_n_word_features(w) for w in names]
        self.negator[at] = [w in NEGATORS for w in names]
        for slot, known in enumerate(("nl", "fr", "en", "de", None)):
            # What _token_info gives, for all the words at once.
            lex = _lexicon(known)
            self.pol[slot, at] = [lex.get(w, 0.0) for w in names]
            concepts = _concept_map(known)
            for j, concept in enumerate(map(concepts.get, names)):
                if concept is not None:
                    self.concept[0, slot, at[j]] = _hs("k:" + concept)
                    self.concept[1, slot, at[j]] = _hs("kn:" + concept)


class _IntTable:
    """int64 key -> int64 value (-1: none), looked up and filled a whole array at a time:
    open addressing with linear probing, kept under a third full (it is emptied with the
    word caches before it holds _CACHE_MAX keys)."""

    __slots__ = ("bits", "keys", "mask", "size", "values")
    _MIX = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, bits: int = 20) -> None:
        self.keys = np.full(1 << bits, -1, np.int64)
        self.values = np.full(1 << bits, -1, np.int64)
        self.mask = (1 << bits) - 1
        self.size = 0
        self.bits = bits

    def _home(self, keys: np.ndarray) -> np.ndarray:
        mixed = keys.view(np.uint64) * self._MIX
        return (mixed >> np.uint64(64 - self.bits)).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        out = np.full(len(keys), -1, np.int64)
        at = np.arange(len(keys))
        slot = self._home(keys)
        while at.size:
            held = self.keys[slot]
            same = held == keys
            out[at[same]] = self.values[slot[same]]
            go_on = (held != -1) & ~same
            at, keys, slot = at[go_on], keys[go_on], (slot[go_on] + 1) & self.mask
        return out

    def put(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Insert keys that are not in the table yet (repeats among them are fine)."""
        keys, first = np.unique(keys, return_index=True)
        values = values[first]
        slot = self._home(keys)
        while keys.size:
            free = self.keys[slot] == -1
            # Of several keys wanting one free slot, the first takes it; the rest probe on.
            _, winner = np.unique(np.where(free, slot, -1), return_index=True)
            take = np.zeros(keys.size, bool)
            take[winner] = True
            take &= free
            self.keys[slot[take]] = keys[take]
            self.values[slot[take]] = values[take]
            self.size += int(take.sum())
            keys, values, slot = keys[~take], values[~take], (slot[~take] + 1) & self.mask


def _n_word_features(word: str) -> int:
    """``len(_word_features(word, ...))`` without hashing anything."""
    size = len(word) + 2  # "<word>": 3-, 4- and 5-grams number 3 * size - 9 from size 4 on
    return 1 + 3 * size - 9 if size > 3 else 1


_vocab = _Vocab()


def _batch_logits(
    texts: Sequence[str],
    folded: Sequence[str],
    langs: Sequence[str | None],
    w: _Weights,
    found_emoji: Sequence[list[str]] | None = None,
    words_out: list[list[str]] | None = None,
) -> tuple[list[list[float]], list[bool]]:
    """The logits :func:`scores` gives for each post of a batch, and whether the full head
    gave them, computed on all the batch's tokens at once with numpy. Every float is made by
    the same operations, in the same order, as the per-post path (:func:`_one_pass` and the
    loop of :func:`scores_many`), so the results are the same to the last bit: sums along a
    post are sequential (``np.add.at``, ``np.add.reduceat`` along axis 0, or Python), and
    elementwise numpy arithmetic rounds as Python's floats do. ``found_emoji[i]``, when
    given, is ``text.emoji(texts[i])`` (the caller has it already). ``words_out``, when
    given, receives each post's word tokens (no links, mentions, "!" or "?")."""
    vocab = _vocab
    count = len(texts)
    flat: list[str] = []
    for i, f in enumerate(folded):  # a NUL token between two posts (no text gives a lone NUL)
        if i:
            flat.append("\x00")
        flat += _tokens(f)
    found = list(map(vocab.ids.get, flat))
    if None in found:
        with _WV_LOCK:
            vocab.add(flat)
        found = list(map(vocab.ids.__getitem__, flat))
    ids = np.fromiter(found, np.int64, len(flat))  # type: ignore[arg-type]
    kind = vocab.kind[ids]
    if words_out is not None:
        words_flat = list(compress(flat, (kind == _WORD).tolist()))
    sep = kind == _SEPARATOR
    post = np.cumsum(sep)
    keep = ~sep
    ids, kind, post = ids[keep], kind[keep], post[keep]
    exclaim = np.bincount(post[kind == _EXCLAIM], minlength=count)
    question = np.bincount(post[kind == _QUESTION], minlength=count)
    mention = np.bincount(post[kind == _MENTION], minlength=count)
    url = np.bincount(post[kind == _URL], minlength=count)
    # Negation: a word is negated when one of the NEG_SCOPE words before it in the same post
    # is a negator, with no "!" or "?" in between (they end the scope).
    resets = np.cumsum((kind == _EXCLAIM) | (kind == _QUESTION))
    is_word = kind == _WORD
    w_ids = ids[is_word]
    w_post = post[is_word]
    w_reset = resets[is_word]
    n_words_a = np.bincount(w_post, minlength=count)
    n_words = n_words_a.tolist()
    if words_out is not None:
        end = 0
        for n in n_words:
            words_out.append(words_flat[end : end + n])
            end += n
    negator = vocab.negator[w_ids]
    negated = np.zeros(len(w_ids), bool)
    for d in range(1, NEG_SCOPE + 1):
        if len(w_ids) > d:
            negated[d:] |= (
                negator[:-d] & (w_post[:-d] == w_post[d:]) & (w_reset[:-d] == w_reset[d:])
            )
    neg_i = negated.astype(np.int64)
    slot = np.array([_LANG_SLOT.get(lang, 4) for lang in langs], np.int64)[w_post]  # type: ignore[arg-type]
    pol = vocab.pol[slot, w_ids]
    pol = np.where(negated, -pol * 0.7, pol)
    concept = vocab.concept[neg_i, slot, w_ids]
    # Lexicon polarity summed per post in token order (np.add.at adds one after the other);
    # ``a - v`` and ``a + (-v)`` are the same float.
    lex_pos = np.zeros(count)
    lex_neg = np.zeros(count)
    at = np.flatnonzero(pol)
    if at.size:
        values = pol[at]
        owners = w_post[at]
        up = values > 0
        np.add.at(lex_pos, owners[up], values[up])
        down = ~up
        np.add.at(lex_neg, owners[down], -values[down])
    shared: list[list[int]] = [[] for _ in range(count)]
    at = np.flatnonzero(concept >= 0)
    for p, k in zip(w_post[at].tolist(), concept[at].tolist(), strict=True):
        shared[p].append(k)
    # Full head: each word's row and its pair's bucket, and the feature count per post.
    is_full = [lang in w.trained_languages for lang in langs]
    full_a = np.array(is_full, bool)
    sel = full_a[w_post]
    f_ids = w_ids[sel]
    f_neg = neg_i[sel]
    f_post = w_post[sel]
    rows = vocab.row[f_neg, f_ids]
    if rows.size and rows.min() < 0:
        need = np.unique((f_ids * 2 + f_neg)[rows < 0]).tolist()
        tokens = vocab.tokens
        added = _add_word_rows([(tokens[k >> 1], bool(k & 1)) for k in need])
        need_a = np.array(need, np.int64)
        vocab.row[need_a & 1, need_a >> 1] = [r for r, _ in added]
        rows = vocab.row[f_neg, f_ids]
    n_feats = np.bincount(f_post, weights=vocab.nfeat[f_ids] + 1, minlength=count)
    prev = np.full(len(f_ids), -1, np.int64)
    if len(f_ids) > 1:
        same = f_post[1:] == f_post[:-1]
        prev[1:][same] = f_ids[:-1][same]
    keys = ((prev + 1) << 32) | f_ids
    buckets = vocab.pairs.get(keys)
    miss = np.flatnonzero(buckets < 0)
    if miss.size:
        # New pairs: their names "b:<previous> <token>" hashed as _pair_feature does.
        names = map(
            str.__add__,
            map(vocab.heads.__getitem__, (prev[miss] + 1).tolist()),
            map(vocab.tokens.__getitem__, f_ids[miss].tolist()),
        )
        hashed = np.fromiter(map(_h_raw, names), np.int64, miss.size) & (N_BUCKETS - 1)
        buckets[miss] = hashed
        vocab.pairs.put(keys[miss], hashed)
    # Shouting, emoji and emoticons: per post in Python (string tests).
    shout = np.zeros(count)
    emo_pos = np.zeros(count)
    emo_neg = np.zeros(count)
    for i, text in enumerate(texts):
        s, ep, en = _extras(
            text, n_words[i], shared[i], None if found_emoji is None else found_emoji[i]
        )
        if s or ep or en:
            shout[i] = s
            emo_pos[i] = ep
            emo_neg[i] = en
    # The dense features (DENSE order), one column each, as _dense makes them.
    dense = np.zeros((count, len(DENSE)))
    for col, values in ((0, lex_pos), (1, lex_neg), (4, emo_pos), (5, emo_neg),
                        (8, exclaim), (9, question)):  # fmt: skip
        at = np.flatnonzero(values)
        if at.size:
            dense[at, col] = list(map(math.log1p, values[at].tolist()))
    dense[:, 2] = lex_pos > 0
    dense[:, 3] = lex_neg > 0
    dense[:, 6] = url > 0
    dense[:, 7] = mention > 0
    dense[:, 10] = shout
    dense[:, 11] = n_words_a < 6
    dense[:, 12] = n_words_a > 25
    dense[:, 13] = 1.0
    net = lex_pos - lex_neg
    dense[:, 14] = net <= -1.0
    dense[:, 15] = (net > -1.0) & (net < 0)
    dense[:, 16] = net == 0
    dense[:, 17] = (net > 0) & (net < 1.0)
    dense[:, 18] = net >= 1.0
    # Logits: the head's bias, plus (full head) the scaled sum of word and pair rows, plus
    # each non-zero dense feature times its row, in DENSE order, plus the shared rows.
    z = np.where(full_a[:, None], np.array(w.full_bias), np.array(w.transfer_bias))
    if rows.size:
        # word row + pair row per token (as float64), then each post's tokens summed in order.
        per_token = _WV[rows] + w.full[buckets].astype(np.float64)
        starts = np.searchsorted(f_post, np.unique(f_post))
        sums = np.add.reduceat(per_token, starts, axis=0)
        owners = f_post[starts]
        scale = 1.0 / np.sqrt(n_feats[owners])
        z[owners] += sums * scale[:, None]
    table = w.dense_rows[full_a.astype(np.int64)]  # (post, feature, class)
    for col in range(len(DENSE)):
        values = dense[:, col]
        at = np.flatnonzero(values)
        if at.size == count:
            z += values[:, None] * table[:, col]
        elif at.size:
            z[at] += values[at, None] * table[at, col]
    out = z.tolist()
    for i, more in enumerate(shared):
        if more:
            zi = out[i]
            rows_of = w.rows if is_full[i] else w.trows
            for j in more:
                r0, r1, r2 = rows_of[j - N_BUCKETS]
                zi[0] += r0
                zi[1] += r1
                zi[2] += r2
    return out, is_full


# Posts in a batch from which numpy over all its tokens pays; fewer take the per-post path.
_NUMPY_FROM = 8


def _logits_many(
    texts: Sequence[str],
    langs: Sequence[str | None],
    folded: Sequence[str],
    found_emoji: Sequence[list[str]] | None = None,
    words_out: list[list[str]] | None = None,
) -> Sequence[tuple[Sequence[float], str]]:
    """Each post's logits and head, by :func:`_batch_logits` from ``_NUMPY_FROM`` posts on
    (``found_emoji`` and ``words_out`` as there) and by :func:`_scores_few` below that (which
    takes neither: ``words_out`` then stays empty)."""
    w = _weights if _weights is not None else _get_weights()
    _trim_caches()
    if len(texts) < _NUMPY_FROM:
        return _scores_few(texts, folded, langs, w)
    logits, full = _batch_logits(texts, folded, langs, w, found_emoji, words_out)
    return [(z, "full" if f else "transfer") for z, f in zip(logits, full, strict=True)]


def scores_many(
    texts: Sequence[str], langs: Sequence[str | None], folded: Sequence[str] | None = None
) -> list[tuple[Vec, str]]:
    """:func:`scores` for a batch of posts, with numpy over all the batch's tokens at once
    (:func:`_batch_logits`), giving each post the same logits, to the last bit, whatever
    batch it is in."""
    if folded is None:
        folded = [fold(t) for t in texts]
    return [((z0, z1, z2), head) for (z0, z1, z2), head in _logits_many(texts, langs, folded)]


def _scores_few(
    texts: Sequence[str], folded: Sequence[str], langs: Sequence[str | None], w: _Weights
) -> list[tuple[Vec, str]]:
    """The per-post path (:func:`_one_pass`), for batches too small to pay for numpy; the
    reference for :func:`_batch_logits`."""
    trained = w.trained_languages
    rows: list[int] = []
    pairs: list[int] = []
    starts: list[int] = []
    passes: list[tuple[bool, _Pass]] = []
    for text, f, lang in zip(texts, folded, langs, strict=True):
        full = lang in trained
        before = len(rows)
        found = _one_pass(text, f, lang, full, rows, pairs)
        if len(rows) > before:
            starts.append(before)
        passes.append((full, found))
    # Too few posts to pay for numpy: the sums in token order, in Python.
    sums = _sums_in_python(rows, pairs, starts, w) if rows else []
    out: list[tuple[Vec, str]] = []
    at = 0
    for full, (dense, shared, n) in passes:
        if full:
            head, table, (z0, z1, z2) = "full", w.rows, w.full_bias
            if n:
                s0, s1, s2 = sums[at]
                at += 1
                scale = 1.0 / math.sqrt(n)
                z0 += s0 * scale
                z1 += s1 * scale
                z2 += s2 * scale
        else:
            head, table, (z0, z1, z2) = "transfer", w.trows, w.transfer_bias
        # The non-zero dense features, in order (the table goes on with the shared rows).
        for v, (r0, r1, r2) in compress(zip(dense, table, strict=False), dense):
            z0 += v * r0
            z1 += v * r1
            z2 += v * r2
        for j in shared:
            r0, r1, r2 = table[j - N_BUCKETS]
            z0 += r0
            z1 += r1
            z2 += r2
        out.append(((z0, z1, z2), head))
    return out


def _sums_in_python(rows: list[int], pairs: list[int], starts: list[int], w: _Weights) -> list[Vec]:
    """What ``np.add.reduceat`` gives in :func:`scores_many`, token by token (as the
    batch does, each token's word row plus pair row, added in order)."""
    out: list[Vec] = []
    ends = [*starts[1:], len(rows)]
    wv = _WV_TUPLES
    pv = _PAIR_VEC
    for start, end in zip(starts, ends, strict=True):
        s0 = s1 = s2 = 0.0
        for t in range(start, end):
            a0, a1, a2 = wv[rows[t]]
            bucket = pairs[t]
            b = pv.get(bucket)
            if b is None:
                r = w.full[bucket]
                b = pv[bucket] = (float(r[0]), float(r[1]), float(r[2]))
            s0 += a0 + b[0]
            s1 += a1 + b[1]
            s2 += a2 + b[2]
        out.append((s0, s1, s2))
    return out


def scores(text: str, lang: str | None = None, *, folded: str | None = None) -> tuple[Vec, str]:
    """Raw class scores (logits) and the head used; the same numbers as the dot product of
    :func:`featurize` with the weights, computed from cached per-word sums.
    ``folded`` is ``fold(text)`` when the caller already has it."""
    return scores_many([text], [lang], None if folded is None else [folded])[0]


_KNOWN = frozenset(("nl", "fr", "en", "de"))


def _label_of(z: Sequence[float]) -> tuple[str, float]:
    """The label with the highest probability, and that probability (softmax with
    ``math.exp``: numpy's ``exp`` may differ in the last bit)."""
    z0, z1, z2 = z
    top = max(z0, z1, z2)
    e0, e1, e2 = math.exp(z0 - top), math.exp(z1 - top), math.exp(z2 - top)
    total = e0 + e1 + e2
    if e0 >= e1 and e0 >= e2:
        return LABELS[0], e0 / total
    if e1 >= e2:
        return LABELS[1], e1 / total
    return LABELS[2], e2 / total


def _label(z: Vec, head: str) -> SentimentResult:
    label, confidence = _label_of(z)
    return SentimentResult(label, confidence, head)


def classify(text: str, lang: str | None = None, *, folded: str | None = None) -> SentimentResult:
    """Sentiment of ``text`` written in ``lang`` (a detected or tagged language, or None).
    ``folded`` is ``fold(text)`` when the caller already has it (saves a pass)."""
    return _label(*scores(text, lang, folded=folded))


def classify_many(
    texts: Iterable[str],
    langs: Sequence[str | None] | None = None,
    *,
    folded: Sequence[str] | None = None,
) -> list[SentimentResult]:
    """:func:`classify` for many texts (``langs`` aligned with ``texts``, or all None), with
    the same results, scored as one batch."""
    items = list(texts)
    languages = list(langs) if langs is not None else [None] * len(items)
    return [_label(z, head) for z, head in scores_many(items, languages, folded)]


def label_many(
    texts: Sequence[str],
    langs: Sequence[str | None],
    *,
    folded: Sequence[str],
    found_emoji: Sequence[list[str]] | None = None,
    words_out: list[list[str]] | None = None,
) -> list[tuple[str, float]]:
    """(label, confidence) of :func:`classify_many`, without the result objects, for the
    enrichment of a batch. ``found_emoji[i]``, when given, is ``text.emoji(texts[i])``.
    ``words_out``, when given and the batch has ``_NUMPY_FROM`` posts or more, receives each
    post's word tokens (no links, mentions, "!" or "?"); it stays empty for a smaller batch."""
    return [_label_of(z) for z, _head in _logits_many(texts, langs, folded, found_emoji,
                                                      words_out)]
