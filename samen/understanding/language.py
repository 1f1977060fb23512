"""Which language a post is written in, among the organisation's languages.

Method (see docs/understanding.md): a naive Bayes model over byte n-grams (2 to 6 bytes),
with the features and weights of py3langid's model (BSD-3-Clause, rebuilt by
``scripts/build_language_model.py``) kept for a dozen European languages. A post is
scored word by word, plus a whole-word bonus from wordfreq's word lists (data CC BY-SA 4.0,
ADR 0108; read only when the model file is built) for short posts; each word's score is
cached, so a stream of posts mostly costs one dictionary look-up per word.

Before scoring, links, mentions, hashtags, emoji, digits and punctuation are removed: they
say nothing about the language and fool detectors on short posts. When too few letters
remain, or the best language is not clearly ahead, or it is not one of the organisation's
languages, the answer is ``None`` (unknown): a wrong language sends a post to the wrong
team, an unknown one only asks a person to look.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

from samen.understanding.text import letter_words

__all__ = [
    "DEFAULT_LANGUAGES",
    "LanguageGuess",
    "detect",
    "detect_many",
    "guess",
    "guess_many",
    "normalize_tag",
]

DEFAULT_LANGUAGES: tuple[str, ...] = ("nl", "fr", "en", "de")

# Fewer letters than this is no evidence ("ok", "lol", "jaaa").
MIN_LETTERS = 3
# Probability the winner needs (after length-calibrated softmax over the model's languages).
MIN_CONFIDENCE = 0.4
# Below this many letters only the allowed languages compete: on two or three words a
# neighbour language wins by chance far more often than the post is really in it.
MIN_LETTERS_FOR_NEIGHBOURS = 20
# A post whose source tagged it with a language we do not serve must convince us more.
MIN_CONFIDENCE_AGAINST_TAG = 0.9

_DATA = Path(__file__).with_name("data") / "language.npz"


@dataclass(slots=True, frozen=True)
class LanguageGuess:
    """A detected language (None = unknown), the probability behind it, and where it came from
    ("tag": the source said so; "model": detected; "none": too little evidence)."""

    language: str | None
    confidence: float
    method: str


# Weight of the whole-word frequency bonus against the byte n-gram evidence. Chosen on the
# single-word set and on Spanish/Italian/Portuguese tweets (which must stay unknown), not on
# the word pairs (ADR 0100; checked again for wordfreq's larger lists in ADR 0108).
WORD_WEIGHT = 2.0


class _Model:
    __slots__ = (
        "features",
        "languages",
        "max_len",
        "priors",
        "slot_ids",
        "slot_keys",
        "weights",
        "word_bonus",
        "word_row",
    )

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.languages: tuple[str, ...] = tuple(str(x) for x in data["languages"])
            blob = data["grams"].tobytes()
            lengths = data["lengths"].tolist()
            self.weights = data["weights"].astype(np.float64)
            self.priors = data["priors"].astype(np.float64)
            words = data["words"].tobytes().decode("utf-8").split("\n")
            # float16 as stored (half the memory of float32): a row is widened when a new
            # word is scored, which the word cache makes rare.
            self.word_bonus: np.ndarray = data["word_bonus"]
        if len(words) != len(self.word_bonus):
            raise ValueError("language model: words and word_bonus differ in length")
        self.word_row: dict[str, int] = {w: i for i, w in enumerate(words)}
        features: dict[bytes, int] = {}
        pos = 0
        for i, n in enumerate(lengths):
            features[blob[pos : pos + n]] = i
            pos += n
        self.features = features
        self.max_len = max(lengths)
        if self.max_len > 7 or b"\x00" in blob:
            raise ValueError("language model: n-grams must be 1-7 bytes without NUL")
        self.slot_keys, self.slot_ids = _hash_table(features)

    def bonus(self, word: str) -> np.ndarray | None:
        """The whole-word bonus of ``word`` per language (None: in no word list). Keyed by
        ``str.casefold``, as the build script keyed wordfreq's lists ("Straße" → "strasse")."""
        row = self.word_row.get(word.casefold())
        if row is None:
            return None
        return self.word_bonus[row].astype(np.float64) * WORD_WEIGHT


# Byte n-grams as int64 keys: the bytes little-endian, the length in the top byte. An
# open-addressing table of those keys lets numpy look up every n-gram of a batch of words at
# once (the same ids as ``features.get``).
_SLOT_BITS = 18
_SLOTS = 1 << _SLOT_BITS
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _slot(keys: np.ndarray) -> np.ndarray:
    """Home slot of each key (Fibonacci hashing: the top bits of key × odd constant)."""
    return ((keys.view(np.uint64) * _MIX) >> np.uint64(64 - _SLOT_BITS)).astype(np.int64)


def _hash_table(features: dict[bytes, int]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array(
        [int.from_bytes(f, "little") | (len(f) << 56) for f in features], dtype=np.int64
    )
    slot_keys = np.full(_SLOTS, -1, np.int64)
    slot_ids = np.full(_SLOTS, -1, np.int64)
    for s, key, fid in zip(_slot(keys).tolist(), keys.tolist(), features.values(), strict=True):
        while slot_keys[s] != -1:  # linear probing; the table is less than half full
            s = (s + 1) & (_SLOTS - 1)
        slot_keys[s] = key
        slot_ids[s] = fid
    return slot_keys, slot_ids


def _lookup(m: _Model, keys: np.ndarray) -> np.ndarray:
    """Feature id of each n-gram key, -1 for none."""
    out = np.full(len(keys), -1, np.int64)
    at = np.arange(len(keys))
    slot = _slot(keys)
    while at.size:
        found = m.slot_keys[slot]
        same = found == keys
        out[at[same]] = m.slot_ids[slot[same]]
        go_on = (found != -1) & ~same
        at, keys, slot = at[go_on], keys[go_on], (slot[go_on] + 1) & (_SLOTS - 1)
    return out


_model: _Model | None = None


def _get_model() -> _Model:
    global _model
    if _model is None:
        with _MODEL_LOCK:
            if _model is None:
                _model = _Model(_DATA)
    return _model


_MODEL_LOCK = threading.Lock()


# word -> (row in _ROWS holding its summed log-likelihoods, or -1 when no feature; bytes).
# One row per known word lets a post be scored with a single numpy gather-and-sum. A plain
# dict (cheaper than lru_cache), emptied between posts once it reaches _CACHE_MAX, so memory
# stays bounded (and a row never changes while a post or batch uses it).
_CACHE: dict[str, tuple[int, int]] = {}
_CACHE_MAX = 200_000
_ROWS: np.ndarray = np.zeros((0, 0))


_LOCK = threading.Lock()  # a new word grows _ROWS: one thread at a time (hits need no lock)


def _trim_cache() -> None:
    """Empty the word cache when full. Only called before a post or a batch is scored, never
    while one is: rows are reused after emptying, so a row taken earlier would change."""
    if len(_CACHE) >= _CACHE_MAX:
        with _LOCK:
            _CACHE.clear()


# Fewer new words than this are scored one by one in Python (one post at a time).
_FEW_WORDS = 16


def _add_word(word: str, m: _Model) -> None:
    """:func:`_add_words` for one word: the n-grams looked up one by one in the model's
    dictionary, in the same order, so the row is the same to the last bit. Call with
    ``_LOCK`` held."""
    global _ROWS
    data = (" " + (word.lower() if word.isupper() else word) + " ").encode("utf-8", "surrogatepass")
    feats = m.features
    idx: list[int] = []
    size = len(data)
    for n in range(2, m.max_len + 1):
        for start in range(size - n + 1):
            f = feats.get(data[start : start + n])
            if f is not None:
                idx.append(f)
    row = -1
    bonus = m.bonus(word)
    if idx or bonus is not None:
        row = len(_CACHE)
        width = m.weights.shape[1]
        if _ROWS.shape[0] <= row or _ROWS.shape[1] != width:
            grown = np.zeros((max(1024, 2 * row), width))
            if _ROWS.shape[1] == width:
                grown[: _ROWS.shape[0]] = _ROWS
            _ROWS = grown
        _ROWS[row] = m.weights[idx].sum(axis=0) if idx else 0.0
        if bonus is not None:
            _ROWS[row] += bonus
    _CACHE[word] = (row, size - 1)


def _add_words(words: Iterable[str]) -> None:
    """Score many new words at once. Their padded bytes are joined by NUL (no feature holds
    a NUL byte, so no n-gram found spans two words); every n-gram of the joined bytes is
    looked up at once in a numpy hash table, and each word's feature rows are added up with
    one ``np.add.reduceat``, in the order a word-by-word loop would add them (n, then
    position), so each row is the same to the last bit as one summed on its own."""
    global _ROWS
    m = _get_model()
    with _LOCK:
        new = [w for w in dict.fromkeys(words) if w not in _CACHE]
        if len(new) < _FEW_WORDS:
            for w in new:  # numpy's cost per call would outweigh the work
                _add_word(w, m)
            return
        datas = [
            (" " + (w.lower() if w.isupper() else w) + " ").encode("utf-8", "surrogatepass")
            for w in new
        ]
        blob = np.frombuffer(b"\x00".join(datas), np.uint8).astype(np.int64)
        size = len(blob)
        sizes = np.fromiter(map(len, datas), np.int64, len(datas))
        offsets = np.zeros(len(datas), np.int64)
        np.cumsum(sizes[:-1] + 1, out=offsets[1:])
        at: list[np.ndarray] = []
        ids: list[np.ndarray] = []
        key = blob
        for n in range(2, m.max_len + 1):
            count = size - n + 1
            if count <= 0:
                break
            key = key[:count] | (blob[n - 1 : n - 1 + count] << (8 * (n - 1)))
            found = _lookup(m, key | (n << 56))
            where = np.flatnonzero(found >= 0)
            at.append(where)
            ids.append(found[where])
        pos = np.concatenate(at)
        fid = np.concatenate(ids)
        owner = np.searchsorted(offsets, pos, side="right") - 1
        order = np.argsort(owner, kind="stable")  # per word: n ascending, then position
        owner = owner[order]
        fid = fid[order]
        first = np.searchsorted(owner, np.arange(len(new)))
        counts = np.diff(np.append(first, len(owner)))
        word_row = m.word_row
        at_row = [word_row.get(w.casefold()) for w in new]
        base = len(_CACHE)
        rows: list[int] = []
        for k, (w, b) in enumerate(zip(new, at_row, strict=True)):
            row = base + k if counts[k] or b is not None else -1
            rows.append(row)
            _CACHE[w] = (row, len(datas[k]) - 1)
        width = m.weights.shape[1]
        top = base + len(new)
        if _ROWS.shape[0] < top or _ROWS.shape[1] != width:
            grown = np.zeros((max(1024, 2 * top), width))
            if _ROWS.shape[1] == width:
                grown[: _ROWS.shape[0]] = _ROWS
            _ROWS = grown
        block = _ROWS[base:top]  # a view: writes go to _ROWS
        block[:] = 0.0
        hit = np.flatnonzero(counts)
        if hit.size:
            block[hit] = np.add.reduceat(m.weights[fid], first[hit], axis=0)
        with_bonus = [k for k, b in enumerate(at_row) if b is not None]
        if with_bonus:
            # The same float16 -> float64 widening and product as Model.bonus, row by row.
            rows16 = m.word_bonus[[b for b in at_row if b is not None]]
            block[with_bonus] += rows16.astype(np.float64) * WORD_WEIGHT


@lru_cache(maxsize=64)
def _indices(allowed: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Model columns of the allowed languages, and of all languages."""
    m = _get_model()
    ours = tuple(i for i, lang in enumerate(m.languages) if lang in allowed)
    return ours, tuple(range(len(m.languages)))


def normalize_tag(tag: str | None) -> str | None:
    """``"nl-BE"``, ``"NL"``, ``"nl_NL"`` → ``"nl"``; empty or malformed → None."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if 2 <= len(base) <= 3 and base.isalpha() and base.isascii() else None


# normalize_tag, kept per tag as the source sent it: a stream uses a handful of tags.
# Bounded, so a stream of made-up tags cannot grow it without end.
_tag_of = lru_cache(maxsize=1024)(normalize_tag)


def _rows_of(text: str) -> tuple[list[int], int, int] | None:
    """Cached rows of the post's words in ``_ROWS``, its byte count and its letter count;
    None when there is too little to go on."""
    words = letter_words(text)
    letters = sum(map(len, words))
    if letters < MIN_LETTERS:
        return None
    found = list(map(_CACHE.get, words))
    if None in found:
        _add_words([w for w, h in zip(words, found, strict=True) if h is None])
    hits = list(map(_CACHE.__getitem__, words))
    rows = [row for row, _ in hits if row >= 0]
    if not rows:
        return None
    return rows, sum(size for _, size in hits), letters


def _scores(text: str) -> tuple[np.ndarray, int, int] | None:
    _trim_cache()
    found = _rows_of(text)
    if found is None:
        return None
    rows, nbytes, letters = found
    return _get_model().priors + _ROWS[rows].sum(axis=0), nbytes, letters


def guess(
    text: str,
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    tag: str | None = None,
) -> LanguageGuess:
    """Detect the language of ``text`` among ``languages``, honouring the source's ``tag``.

    The tag wins when it names one of ``languages``: the writer or their app chose it. Other
    tags (e.g. "es" for an organisation that serves nl/fr/en/de) are a hint that the post is in
    none of our languages, so detection must then be very sure.
    """
    allowed = tuple(languages)
    tagged = normalize_tag(tag)
    if tagged is not None and tagged in allowed:
        return LanguageGuess(tagged, 1.0, "tag")
    scored = _scores(text)
    if scored is None:
        return LanguageGuess(None, 0.0, "none")
    total, nbytes, letters = scored
    return _decide(total.tolist(), nbytes, letters, allowed, tagged)


def guess_many(
    texts: Sequence[str],
    tags: Sequence[str | None],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> list[LanguageGuess]:
    """:func:`guess` for a batch: the same answers, with the batch's new words scored
    together (:func:`_add_words`) and one numpy gather-and-sum for the whole batch."""
    allowed = tuple(languages)
    _trim_cache()
    out: list[LanguageGuess | None] = [None] * len(texts)
    none = LanguageGuess(None, 0.0, "none")
    todo: list[int] = []
    todo_tags: list[str | None] = []
    wordlists: list[list[str]] = []
    by_tag: dict[str, LanguageGuess] = {}  # frozen: one object per tag is enough
    for i, (text, tag) in enumerate(zip(texts, tags, strict=True)):
        tagged = _tag_of(tag) if tag else None
        if tagged is not None and tagged in allowed:
            found_guess = by_tag.get(tagged)
            if found_guess is None:
                found_guess = by_tag[tagged] = LanguageGuess(tagged, 1.0, "tag")
            out[i] = found_guess
            continue
        words = letter_words(text)
        if sum(map(len, words)) < MIN_LETTERS:
            out[i] = none
            continue
        todo.append(i)
        todo_tags.append(tagged)
        wordlists.append(words)
    if not todo:
        return out  # type: ignore[return-value]
    flat = list(chain.from_iterable(wordlists))
    cache = _CACHE
    found = list(map(cache.get, flat))
    if None in found:
        _add_words([w for w, h in zip(flat, found, strict=True) if h is None])
        found = list(map(cache.__getitem__, flat))
    hits: list[tuple[int, int]] = found  # type: ignore[assignment]
    pairs = np.fromiter(chain.from_iterable(hits), np.int64, 2 * len(hits)).reshape(-1, 2)
    lengths = np.fromiter(map(len, wordlists), np.int64, len(wordlists))
    post = np.repeat(np.arange(len(wordlists)), lengths)
    bounds = np.zeros(len(wordlists) + 1, np.int64)
    np.cumsum(lengths, out=bounds[1:])
    nbytes = np.add.reduceat(pairs[:, 1], bounds[:-1]).tolist()
    letters = np.add.reduceat(
        np.fromiter(map(len, flat), np.int64, len(flat)), bounds[:-1]
    ).tolist()
    scored = pairs[:, 0] >= 0
    rows = pairs[scored, 0]
    owners = post[scored]
    has_rows = np.zeros(len(wordlists), bool)
    has_rows[owners] = True
    # Summing rows along axis 0 adds them in order, as ``_ROWS[rows].sum(axis=0)`` does
    # per post, so the totals are the same to the last bit.
    starts = np.searchsorted(owners, np.flatnonzero(has_rows))
    totals = iter((np.add.reduceat(_ROWS[rows], starts, axis=0) + _get_model().priors).tolist())
    for i, tagged, found, size, count in zip(
        todo, todo_tags, has_rows.tolist(), nbytes, letters, strict=True
    ):
        if not found:
            out[i] = none
            continue
        out[i] = _decide(next(totals), size, count, allowed, tagged)
    return out  # type: ignore[return-value]


def _decide(
    vals: list[float], nbytes: int, letters: int, allowed: tuple[str, ...], tagged: str | None
) -> LanguageGuess:
    """The answer from a post's per-language log-likelihoods (see the module docstring)."""
    ours, everyone = _indices(allowed)
    if not ours:
        return LanguageGuess(None, 0.0, "none")
    # On a few words a neighbour wins by chance, so only our languages compete there.
    wide = letters >= MIN_LETTERS_FOR_NEIGHBOURS
    candidates = everyone if wide else ours
    # Length-calibrated softmax (as py3langid does): longer texts earn sharper probabilities
    # without every tweet becoming "certain". Lists in candidate order; the same arithmetic,
    # in the same order, as a dict per language.
    inv = 1.0 / math.sqrt(max(nbytes, 1))
    cand = vals if wide else [vals[i] for i in ours]
    top = max(cand)
    exp = math.exp
    probs = [exp((v - top) * inv) for v in cand]
    norm = sum(probs)
    best_p = max(probs)
    best = candidates[probs.index(best_p)]  # the first best, as max(key=...) gives
    if wide:
        ours_p = [probs[i] for i in ours]
        mass_ours = sum(ours_p)
        if best not in ours:
            # A neighbour (Spanish, Danish ...) that is clearly ahead means: none of ours.
            ours_best_p = max(ours_p)
            if ours_best_p * 3 < best_p:
                return LanguageGuess(None, best_p / norm, "model")
            best = ours[ours_p.index(ours_best_p)]
            best_p = ours_best_p
    else:
        mass_ours = norm
    conf = best_p / mass_ours if mass_ours else 0.0
    threshold = MIN_CONFIDENCE_AGAINST_TAG if tagged is not None else MIN_CONFIDENCE
    if conf < threshold:
        return LanguageGuess(None, conf, "model")
    return LanguageGuess(_get_model().languages[best], conf, "model")


def detect(
    text: str, *, languages: Sequence[str] = DEFAULT_LANGUAGES, tag: str | None = None
) -> str | None:
    """The language code of ``text`` among ``languages``, or None when unknown."""
    return guess(text, languages=languages, tag=tag).language


def detect_many(
    texts: Iterable[str], *, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> list[str | None]:
    """:func:`detect` for many texts (no tags)."""
    return [guess(t, languages=languages).language for t in texts]
