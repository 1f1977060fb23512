"""Which language a post is written in, among the organisation's languages.

Method (see docs/understanding.md): a naive Bayes model over byte n-grams (2 to 6 bytes),
with the features and weights of py3langid's model (BSD-3-Clause, rebuilt by
``scripts/build_language_model.py``) kept for a dozen European languages. A post is
scored word by word, plus a whole-word bonus from Pattern's word-frequency lists (BSD-3-Clause)
for short posts; each word's score is cached, so a stream of posts mostly costs one
dictionary look-up per word.

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
from pathlib import Path

import numpy as np

from samen.understanding.text import letter_words

__all__ = ["DEFAULT_LANGUAGES", "LanguageGuess", "detect", "detect_many", "guess", "normalize_tag"]

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
# the word pairs: 1 helps little, 4 lets neighbours' posts slip into our languages.
WORD_WEIGHT = 2.0


class _Model:
    __slots__ = ("features", "languages", "max_len", "priors", "weights", "word_bonus")

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.languages: tuple[str, ...] = tuple(str(x) for x in data["languages"])
            blob = data["grams"].tobytes()
            lengths = data["lengths"].tolist()
            self.weights = data["weights"].astype(np.float64)
            self.priors = data["priors"].astype(np.float64)
            words = data["words"].tobytes().decode("utf-8").split("\n")
            bonus = data["word_bonus"].astype(np.float64) * WORD_WEIGHT
        self.word_bonus: dict[str, np.ndarray] = dict(zip(words, bonus, strict=True))
        features: dict[bytes, int] = {}
        pos = 0
        for i, n in enumerate(lengths):
            features[blob[pos : pos + n]] = i
            pos += n
        self.features = features
        self.max_len = max(lengths)


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
# dict (cheaper than lru_cache), emptied when it reaches _CACHE_MAX so memory stays bounded.
_CACHE: dict[str, tuple[int, int]] = {}
_CACHE_MAX = 200_000
_ROWS: np.ndarray = np.zeros((0, 0))


_LOCK = threading.Lock()  # a new word grows _ROWS: one thread at a time (hits need no lock)


def _word_score(word: str) -> tuple[int, int]:
    """Row of `` word `` (space-padded, as words appear in running text) in ``_ROWS`` and
    its number of bytes; computed once per word because words repeat."""
    hit = _CACHE.get(word)
    if hit is not None:
        return hit
    with _LOCK:
        return _new_word(word)


def _new_word(word: str) -> tuple[int, int]:
    global _ROWS
    hit = _CACHE.get(word)
    if hit is not None:
        return hit
    m = _get_model()
    data = (" " + (word.lower() if word.isupper() else word) + " ").encode("utf-8", "surrogatepass")
    feats = m.features
    idx: list[int] = []
    size = len(data)
    for n in range(2, m.max_len + 1):
        for start in range(size - n + 1):
            f = feats.get(data[start : start + n])
            if f is not None:
                idx.append(f)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    row = -1
    bonus = m.word_bonus.get(word.lower())
    if idx or bonus is not None:
        row = len(_CACHE)
        if _ROWS.shape[0] <= row or _ROWS.shape[1] != m.weights.shape[1]:
            grown = np.zeros((max(1024, 2 * row), m.weights.shape[1]))
            if _ROWS.shape[1] == m.weights.shape[1]:
                grown[: _ROWS.shape[0]] = _ROWS
            _ROWS = grown
        _ROWS[row] = m.weights[idx].sum(axis=0) if idx else 0.0
        if bonus is not None:
            _ROWS[row] += bonus
    _CACHE[word] = (row, size - 1)
    return row, size - 1


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


def _scores(text: str) -> tuple[np.ndarray, int, int] | None:
    words = letter_words(text)
    letters = sum(map(len, words))
    if letters < MIN_LETTERS:
        return None
    m = _get_model()
    rows = []
    nbytes = 0
    for w in words:
        row, size = _word_score(w)
        nbytes += size
        if row >= 0:
            rows.append(row)
    if not rows:
        return None
    return m.priors + _ROWS[rows].sum(axis=0), nbytes, letters


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
    m = _get_model()
    ours, everyone = _indices(allowed)
    if not ours:
        return LanguageGuess(None, 0.0, "none")
    # On a few words a neighbour wins by chance, so only our languages compete there.
    candidates = everyone if letters >= MIN_LETTERS_FOR_NEIGHBOURS else ours
    vals = total.tolist()
    # Length-calibrated softmax (as py3langid does): longer texts earn sharper probabilities
    # without every tweet becoming "certain".
    inv = 1.0 / math.sqrt(max(nbytes, 1))
    top = max(vals[i] for i in candidates)
    probs = {i: math.exp((vals[i] - top) * inv) for i in candidates}
    norm = sum(probs.values())
    best = max(candidates, key=probs.__getitem__)
    mass_ours = sum(probs[i] for i in ours)
    if best not in ours:
        # A neighbour (Spanish, Danish ...) that is clearly ahead means: none of ours.
        ours_best = max(ours, key=probs.__getitem__)
        if probs[ours_best] * 3 < probs[best]:
            return LanguageGuess(None, probs[best] / norm, "model")
        best = ours_best
    conf = probs[best] / mass_ours if mass_ours else 0.0
    threshold = MIN_CONFIDENCE_AGAINST_TAG if tagged is not None else MIN_CONFIDENCE
    if conf < threshold:
        return LanguageGuess(None, conf, "model")
    return LanguageGuess(m.languages[best], conf, "model")


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
