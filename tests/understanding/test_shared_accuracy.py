"""Accuracy on the shared development sets: the floors users were promised (docs/understanding.md,
docs/model-card-sentiment.md). Needs ../shared (or $SAMEN_SHARED_DIR); skipped without it."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from samen.understanding import language, sentiment

pytestmark = pytest.mark.peer


def _data() -> Path:
    env = os.environ.get("SAMEN_SHARED_DIR")
    base = Path(env) if env else Path(__file__).resolve().parents[2] / ".." / "shared"
    data = base / "data"
    if not (data / "language").is_dir() or not (data / "sentiment").is_dir():
        pytest.skip(f"shared data not found at {data} (set SAMEN_SHARED_DIR)")
    return data


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        return [dict(zip(header, row, strict=False)) for row in reader]


def test_language_on_word_pairs_and_real_tweets() -> None:
    data = _data()
    pairs = _rows(data / "language" / "lingua-word-pairs.tsv")
    acc = sum(language.detect(r["text"]) == r["lang"] for r in pairs) / len(pairs)
    assert acc >= 0.92
    tweets = [(r["text"], lang) for lang in ("en", "fr", "de")
              for r in _rows(data / "sentiment" / f"xlmt-{lang}-val.tsv")]  # fmt: skip
    tweets += [(r["text"], "nl") for r in _rows(data / "sentiment" / "nl-political-dev.tsv")]
    acc = sum(language.detect(t) == lang for t, lang in tweets) / len(tweets)
    assert acc >= 0.97


def test_foreign_tweets_mostly_stay_unknown() -> None:
    data = _data()
    rows = [r["text"] for lang in ("es", "it", "pt")
            for r in _rows(data / "sentiment" / f"xlmt-{lang}-val.tsv")]  # fmt: skip
    unknown = sum(language.detect(t) is None for t in rows) / len(rows)
    assert unknown >= 0.85


def _macro_f1(gold: list[str], pred: list[str]) -> float:
    f1s = []
    for c in sentiment.LABELS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c == p)
        prec = tp / max(pred.count(c), 1)
        rec = tp / max(gold.count(c), 1)
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s)


def test_dutch_sentiment_without_dutch_training_data() -> None:
    # nl-political-dev is evaluation-only: read here, never copied, never trained on.
    rows = _rows(_data() / "sentiment" / "nl-political-dev.tsv")
    pred = [sentiment.classify(r["text"], "nl").label for r in rows]
    assert _macro_f1([r["label"] for r in rows], pred) >= 0.54
