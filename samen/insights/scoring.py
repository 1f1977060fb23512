"""Scores of the maturity scan from answer counts. Pure: no Django import.

Answers are stored only as counts per score (1–5), so every statistic here works from a
distribution ``{score: count}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    q1: int
    median: int
    q3: int
    distribution: tuple[int, ...]  # counts of 1, 2, 3, 4, 5

    @property
    def iqr(self) -> int:
        return self.q3 - self.q1


def merge(distributions: Iterable[Mapping[int, int]]) -> dict[int, int]:
    total = dict.fromkeys(SCORES, 0)
    for d in distributions:
        for score, count in d.items():
            if score not in total:
                raise ValueError(f"score {score} is outside 1–5")
            total[score] += count
    return total


def _quantile(distribution: Mapping[int, int], fraction: float) -> int:
    """The lowest score at or below which at least ``fraction`` of the answers lie."""
    n = sum(distribution.values())
    needed = fraction * n
    running = 0
    for score in SCORES:
        running += distribution.get(score, 0)
        if running >= needed and running > 0:
            return score
    return SCORES[-1]


def summarise(distribution: Mapping[int, int]) -> Summary | None:
    """Mean, quartiles and the distribution; ``None`` when nobody answered."""
    n = sum(distribution.get(s, 0) for s in SCORES)
    if n == 0:
        return None
    mean = sum(s * distribution.get(s, 0) for s in SCORES) / n
    return Summary(
        n=n, mean=round(mean, 2), q1=_quantile(distribution, 0.25),
        median=_quantile(distribution, 0.5), q3=_quantile(distribution, 0.75),
        distribution=tuple(distribution.get(s, 0) for s in SCORES),
    )


def lowest(means: Mapping[str, float], *, count: int = 2, below: float = 4.0) -> list[str]:
    """The elements most in need of attention: the ``count`` lowest means under ``below``."""
    ranked = sorted((m, key) for key, m in means.items() if m < below)
    return [key for _m, key in ranked[:count]]
