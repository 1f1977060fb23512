"""The growth test's reference (the three hours before the last half hour), the window's and the
last half hour's counts are summed as buckets open and close, not counted again for each term:
they must be those of the posts in them, through quiet spells, a restart, late posts and a
save and load."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta

from samen.understanding.trends import TrendDetector

START = datetime(2026, 3, 2, 6, 0)
WORDS = [f"woord{i}" for i in range(40)] + [f"#tag{i}" for i in range(10)]


def _stream(seed: int) -> list[tuple[datetime, list[str]]]:
    """Posts over two days: a busy and a quiet part, a silence of 40 minutes, one of 13
    hours (a restart), and now and then a post that comes in late."""
    rng = random.Random(seed)
    out: list[tuple[datetime, list[str]]] = []
    t = START
    while t < START + timedelta(days=2):
        t += timedelta(seconds=rng.expovariate(1 / (20 if t.hour in range(8, 18) else 90)))
        if START + timedelta(hours=9) <= t < START + timedelta(hours=9, minutes=40):
            t = START + timedelta(hours=9, minutes=40)
        if START + timedelta(hours=20) <= t < START + timedelta(hours=33):
            t = START + timedelta(hours=33)
        late = rng.random() < 0.02
        out.append((t - timedelta(minutes=7) if late else t, rng.sample(WORDS, 3)))
    return out


def _check(detector: TrendDetector, counted: list[tuple[int, list[str]]], open_bucket: int,
           ) -> None:
    top = open_bucket - 6  # the reference ends where the last half hour begins
    inside = [t for b, t in counted if top - 35 <= b <= top]
    expected = Counter(term for t in inside for term in t)
    for term in WORDS:
        assert detector._reference(term) == (expected[term], len(inside))
    # the hour's and the last half hour's running sums: exactly their posts, and no term
    # kept at zero once its posts left (a busy stream's one-off words would pile up)
    for window, buckets in ((detector._window_terms, 12), (detector._short_terms, 6)):
        held = Counter(term for b, t in counted if b > open_bucket - buckets for term in t)
        assert dict(window) == dict(held)


def test_the_reference_holds_exactly_the_posts_of_its_buckets() -> None:
    for seed in (1, 2):
        detector = TrendDetector("normal")
        counted: list[tuple[int, list[str]]] = []  # (bucket a post was counted in, terms)
        open_bucket = -1
        checks = 0
        for n, (when, terms) in enumerate(_stream(seed)):
            if n == 3000:  # saved and loaded in the middle of a bucket, as a worker restart
                detector = TrendDetector.from_dict(json.loads(json.dumps(detector.to_dict())))
                _check(detector, counted, open_bucket)
            detector.observe(when, terms, str(n))
            bucket = int((when - datetime(1970, 1, 5)).total_seconds() // 300)
            open_bucket = max(open_bucket, bucket)
            counted.append((open_bucket, terms))  # a late post goes into the open bucket
            if n % 31 == 0:
                _check(detector, counted, open_bucket)
                checks += 1
        assert checks > 80
