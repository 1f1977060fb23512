"""The detector variants ADR 0123 tried for gradual rises of hashtags already in use (Sandy's
``#sandy``), kept so that its numbers can be reproduced. None of them is in the product.

    python benchmarks/trends_variants.py VARIANT [--synthetic]

Prints the event table of ``benchmarks/trends.py`` (main hashtag, delay, alerts a day) for
the variant, and with ``--synthetic`` the held-out table of ``benchmarks/trends_synthetic.py``.
Variants (subclasses of the product detector; they reach into its private methods, so they
may need updating when the detector changes):

- ``relief1``: a hashtag in use (half the minimum count in its one-day baseline) whose share of
  posts at least doubled may pass the rate test with one point less score (5 at normal).
- ``relief2``: the same with two points less (4), the number of comparisons argument taken
  at face value (10-35 hashtags in use against 500-1,000 in the baseline).
- ``relief2day``: ``relief2`` only after a day of history (when the time factor knows the rhythm).
- ``lowscore``: what catching ``#sandy`` in its first hour takes: a hashtag in use (decayed
  count at least 3) alerts at count 6, ratio 3 and score 2.4.
- ``long``: the rate test over the last two hours as well, for terms already in use before
  the last hour (half the minimum count), against a baseline without those two hours.
- ``uncertain``: (ADR 0124) while the baseline covers less than six hours, the rate test also
  asks the same score of a negative binomial whose rate is only known from the baseline's
  count (:func:`baseline_surprise` below): a short baseline leaves the rate uncertain.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import trends as events_benchmark
import trends_synthetic

from samen.understanding.trends import TrendDetector, poisson_surprise


class _SecondChance(TrendDetector):
    """A hashtag already in use (decayed one-day count at least ``used_from``) that fails the
    product's rate test gets the variant's second test (``_again``)."""

    def used_from(self) -> float:
        return self.thresholds.min_count / 2

    def _rate_test(
        self, term: str, count: int, now: float, kind: str, min_score: float
    ) -> tuple[float, float] | None:
        found = super()._rate_test(term, count, now, kind, min_score)
        if found is not None or kind != "hashtag":
            return found
        base = self._base_terms.get(term)
        if base is None or base.get(now, self.half_life) < self.used_from():
            return None
        return self._again(term, count, now, kind, min_score, base)

    def _again(
        self, term: str, count: int, now: float, kind: str, min_score: float, base: Any
    ) -> tuple[float, float] | None:
        raise NotImplementedError


class Relief(_SecondChance):
    relief = 1.0
    after_a_day = False

    def _again(
        self, term: str, count: int, now: float, kind: str, min_score: float, base: Any
    ) -> tuple[float, float] | None:
        if self.after_a_day and sum(self._how_hours) < 24:
            return None
        if self._share_ratio(term, count, now) < 2.0:
            return None
        return TrendDetector._rate_test(self, term, count, now, kind, min_score - self.relief)


class Relief2(Relief):
    relief = 2.0


class Relief2Day(Relief2):
    after_a_day = True


class LowScore(_SecondChance):
    def used_from(self) -> float:
        return 3

    def _again(
        self, term: str, count: int, now: float, kind: str, min_score: float, base: Any
    ) -> tuple[float, float] | None:
        expected = self._expected(base, now)
        if count / expected < 3:
            return None
        score = poisson_surprise(count, expected)
        return (expected, score) if score >= 2.4 else None


class Long(TrendDetector):
    minutes = 120

    def _growth_test(
        self, term: str, count: int, now: float, min_count: float, min_score: float
    ) -> tuple[float, float] | None:
        found = super()._growth_test(term, count, now, min_count, min_score)
        if found is not None:
            return found
        assert self._warm_from is not None
        low = self._buckets[-1].index - self.minutes * 60 // self.bucket_seconds + 1
        if max(self._history_since, self._warm_from) > low * self.bucket_seconds:
            return None
        hl = self.half_life
        total, before, hours_before = count, 0.0, 0.0
        for b in self._history:  # the part of the two hours that has left the window
            if b.index >= low:
                weight = 0.5 ** ((now - (b.index + 1) * self.bucket_seconds) / hl)
                n = b.terms.get(term, 0)
                total += n
                before += n * weight
                hours_before += self.bucket_seconds / 3600 * weight
        if before < min_count / 2:
            return None
        base = self._base_terms.get(term)
        seen = base.get(now, hl) if base is not None else 0.0
        hours = self._exposure.get(now, hl) - hours_before
        if hours < 1:
            return None
        per_hour = (max(seen - before, 0.0) + 1.0) / hours * self.time_factor(now)
        expected = per_hour * self.minutes / 60
        if total / expected < self.thresholds.min_ratio:
            return None
        if not term.startswith("#") and self._share_ratio(term, count, now) < 2.0:
            return None
        score = poisson_surprise(total, expected)
        return (per_hour, score) if score >= min_score else None


def baseline_surprise(count: int, seen: float, hours: float, window_hours: float) -> float:
    """-log10 P(X >= count), X negative binomial: a Poisson whose rate has a gamma belief of
    shape ``seen + 1`` from ``hours`` of baseline, over ``window_hours``. 0 without baseline."""
    if count <= 0 or hours <= 0:
        return 0.0
    r = seen + 1.0
    p = hours / (hours + window_hours)
    log_q = math.log1p(-p)
    log_pmf = (math.lgamma(count + r) - math.lgamma(count + 1) - math.lgamma(r)
               + r * math.log(p) + count * log_q)
    q = math.exp(log_q)
    total, term, k = 1.0, 1.0, count
    while k < count + 100_000:  # terms fall once k > r q / p; cut when negligible
        k += 1
        term *= (k - 1 + r) / k * q
        total += term
        if term < 1e-12 * total and (k + r) * q < k + 1:
            break
    return max(0.0, -(log_pmf + math.log(total)) / math.log(10))


class Uncertain(TrendDetector):
    short_hours = 6.0

    def _rate_test(
        self, term: str, count: int, now: float, kind: str, min_score: float
    ) -> tuple[float, float] | None:
        found = super()._rate_test(term, count, now, kind, min_score)
        hours = self._history_hours(now)
        if found is None or hours >= self.short_hours:
            return found
        factor = self.time_factor(now) if found[0] == self._expected_of(term, now, kind) else 1.0
        base = (self._base_rules if kind == "rule" else self._base_terms).get(term)
        seen = base.get(now, self.half_life) if base is not None else 0.0
        window_hours = self.window_buckets * self.bucket_seconds / 3600.0
        if baseline_surprise(count, seen, hours, window_hours * factor) < min_score:
            return None
        return found


VARIANTS: dict[str, type[TrendDetector]] = {
    "relief1": Relief,
    "relief2": Relief2,
    "relief2day": Relief2Day,
    "lowscore": LowScore,
    "long": Long,
    "uncertain": Uncertain,
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("variant", choices=sorted(VARIANTS))
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--switched-on", action="store_true",
                    help="the synthetic streams switched on 0.5-3 hours before their rise")
    ap.add_argument("--lead", default=None, help="passed on to benchmarks/trends.py")
    args = ap.parse_args()
    cls = VARIANTS[args.variant]
    events_benchmark.TrendDetector = cls  # type: ignore[misc]
    trends_synthetic.TrendDetector = cls  # type: ignore[misc]
    sys.argv = [sys.argv[0], *(["--lead", args.lead] if args.lead else [])]
    events_benchmark.main()
    if args.synthetic:
        sys.argv = [sys.argv[0], *(["--switched-on"] if args.switched_on else [])]
        trends_synthetic.main()


if __name__ == "__main__":
    main()
