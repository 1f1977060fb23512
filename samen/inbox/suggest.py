"""Suggested replies from the organisation's own past answers (offline, numpy only).

Each past pair is (what the customer asked, what the team answered). A new question is
compared with the past questions by cosine similarity of TF-IDF weighted character 3- to
5-grams (hashed into a fixed number of columns), which copes with Dutch compounds, French
accents and typos without a tokenizer or a model download. Pure: no Django import.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DIMENSIONS = 1 << 15


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = ["".join(c for c in w if c.isalnum()) for w in text.split()]
    return " ".join(w for w in words if w and not w.startswith("http"))


def _grams(text: str) -> list[int]:
    folded = f" {_fold(text)} "
    out = []
    for n in (3, 4, 5):
        for i in range(len(folded) - n + 1):
            gram = folded[i:i + n]
            if gram.strip():
                out.append(zlib.crc32(gram.encode()) % DIMENSIONS)
    return out


@dataclass(frozen=True, slots=True)
class Suggestion:
    answer: str
    question: str
    score: float
    index: int


class AnswerIndex:
    """Built once from past pairs (rows kept sparse: column indices and weights per row);
    :meth:`suggest` answers in a few milliseconds for thousands of pairs."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        rows = [np.unique(np.asarray(_grams(q), dtype=np.int64), return_counts=True)
                for q, _a in self.pairs]
        doc_freq = np.zeros(DIMENSIONS, dtype=np.float32)
        for cols, _counts in rows:
            doc_freq[cols] += 1
        self.idf = np.log((1 + len(rows)) / (1 + doc_freq)).astype(np.float32) + 1.0
        indices, weights, starts = [], [], []
        position = 0
        for cols, counts in rows:
            w = counts.astype(np.float32) * self.idf[cols]
            norm = float(np.linalg.norm(w))
            starts.append(position)
            indices.append(cols)
            weights.append(w / norm if norm else w)
            position += len(cols)
        self.indices = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64)
        self.weights = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32)
        self.row_of = np.repeat(np.arange(len(rows)), [len(c) for c, _n in rows]) \
            if rows else np.zeros(0, dtype=np.int64)

    def _query(self, text: str) -> np.ndarray:
        vec = np.zeros(DIMENSIONS, dtype=np.float32)
        grams = _grams(text)
        if grams:
            np.add.at(vec, np.asarray(grams, dtype=np.int64), 1.0)
            vec *= self.idf
            norm = float(np.linalg.norm(vec))
            if norm:
                vec /= norm
        return vec

    def scores(self, question: str) -> np.ndarray:
        """Cosine similarity of ``question`` with every past question."""
        query = self._query(question)
        return np.bincount(self.row_of, weights=query[self.indices] * self.weights,
                           minlength=len(self.pairs))

    def suggest(self, question: str, *, limit: int = 3, min_score: float = 0.2
                ) -> list[Suggestion]:
        if not self.pairs:
            return []
        scores = self.scores(question)
        order = np.argsort(-scores, kind="stable")[: limit * 4]
        out: list[Suggestion] = []
        seen: set[str] = set()
        for i in order:
            score = float(scores[i])
            answer = self.pairs[int(i)][1]
            if score < min_score or answer in seen:
                continue
            seen.add(answer)
            out.append(Suggestion(answer=answer, question=self.pairs[int(i)][0], score=score,
                                  index=int(i)))
            if len(out) == limit:
                break
        return out
