"""Pure core of the inbox's day summary (ADR 0247): conversations in, summary rows out.

No Django import: the refresh reads the conversations of some local days, this module turns
them into the rows of ``ConversationDay`` and ``ConversationSpan``, and the metrics read those
rows back with ``median_of`` and ``open_at``. The definitions are those the metrics used when
they read the conversations directly (docs/insights.md), so the numbers stay the same.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

OPEN = "open"
FIRST_LATE = "first_late"
RESOLUTION_LATE = "resolution_late"
_MICRO = timedelta(microseconds=1)


class Conv(NamedTuple):
    """The fields of a conversation that the summary depends on (aware datetimes)."""

    created_at: datetime
    channel: str
    language: str
    team: int | None
    first_response_due: datetime | None
    first_responded_at: datetime | None
    resolution_due: datetime | None
    resolved_at: datetime | None


Key = tuple[date, str, str, int | None]  # local start day, channel, language, team
SpanKey = tuple[date, str, str, int | None, str, date, date | None]  # + measure, begins, ends


@dataclass
class DayTotals:
    """Durations in microseconds, each with how many conversations took exactly that long
    (targets repeat: most conversations of a day share their SLA target)."""

    opened: int = 0
    first_response: Counter[int] = field(default_factory=Counter)
    first_response_target: Counter[int] = field(default_factory=Counter)
    resolution: Counter[int] = field(default_factory=Counter)
    resolution_target: Counter[int] = field(default_factory=Counter)


def pairs(counted: Counter[int]) -> list[list[int]]:
    """``[[duration, how many], ...]`` by duration: the stored form of a day's durations."""
    return [[value, n] for value, n in sorted(counted.items())]


def micros(delta: timedelta) -> int:
    return delta // _MICRO


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def _span(begins: datetime, ends: datetime | None,
          tz: tzinfo) -> tuple[date, date | None] | None:
    """The local days an interval (begins, ends] starts and ends on; ``None`` when it is
    empty (it ends at or before it begins); ``ends=None`` means it has not ended."""
    if ends is not None and ends <= begins:
        return None
    return local_day(begins, tz), (None if ends is None else local_day(ends, tz))


def summarize(convs: Iterable[Conv], tz: tzinfo) -> tuple[dict[Key, DayTotals],
                                                           Counter[SpanKey]]:
    """Day totals and interval counts of ``convs``, grouped by their local start day."""
    days: dict[Key, DayTotals] = {}
    spans: Counter[SpanKey] = Counter()
    for c in convs:
        key: Key = (local_day(c.created_at, tz), c.channel, c.language, c.team)
        totals = days.get(key)
        if totals is None:
            totals = days[key] = DayTotals()
        totals.opened += 1
        if c.first_responded_at is not None:
            totals.first_response[micros(c.first_responded_at - c.created_at)] += 1
        if c.first_response_due is not None:
            totals.first_response_target[micros(c.first_response_due - c.created_at)] += 1
        if c.resolved_at is not None:
            totals.resolution[micros(c.resolved_at - c.created_at)] += 1
        if c.resolution_due is not None:
            totals.resolution_target[micros(c.resolution_due - c.created_at)] += 1
        # Open from the start until resolved (a reopened conversation counts throughout).
        found = _span(c.created_at, c.resolved_at, tz)
        if found:
            spans[(*key, OPEN, *found)] += 1
        # Late first response: from its target until the response, the resolution target or
        # the resolution, whichever comes first; late resolution from its target until
        # resolved. The two never overlap.
        if c.first_response_due is not None:
            stops = [m for m in (c.first_responded_at, c.resolution_due, c.resolved_at)
                     if m is not None]
            found = _span(max(c.first_response_due, c.created_at),
                          min(stops) if stops else None, tz)
            if found:
                spans[(*key, FIRST_LATE, *found)] += 1
        if c.resolution_due is not None:
            found = _span(max(c.resolution_due, c.created_at), c.resolved_at, tz)
            if found:
                spans[(*key, RESOLUTION_LATE, *found)] += 1
    return days, spans


def median_of(counted: Iterable[Sequence[int]], per: float) -> float | None:
    """The median of durations given as (microseconds, how many) pairs, in units of ``per``
    seconds, rounded to one decimal: exactly ``round(statistics.median(...), 1)`` of the
    durations one by one as ``timedelta.total_seconds() / per`` (dividing keeps the order,
    and the middle one or two values are converted the same way)."""
    ordered = sorted((value, n) for value, n in counted)
    total = sum(n for _value, n in ordered)
    if not total:
        return None
    wanted = [total // 2] if total % 2 else [total // 2 - 1, total // 2]
    found: list[float] = []
    seen = 0
    for value, n in ordered:
        while wanted and wanted[0] < seen + n:
            found.append(value / 1_000_000 / per)
            wanted.pop(0)
        if not wanted:
            break
        seen += n
    return round(found[0] if len(found) == 1 else (found[0] + found[1]) / 2, 1)


def open_at(spans: Iterable[tuple[date, date | None, int]], moments: Sequence[date]) -> list[float]:
    """How many intervals hold the end of each local day in ``moments`` (sorted): an
    interval (begun on ``begins``, ended on ``ends``) is counted from the first moment on or
    after the day it began up to the last moment before the day it ended."""
    change = [0] * (len(moments) + 1)
    for begins, ends, n in spans:
        change[bisect_left(moments, begins)] += n
        change[len(moments) if ends is None else bisect_left(moments, ends)] -= n
    counts, running = [], 0
    for step in change[:-1]:
        running += step
        counts.append(float(running))
    return counts
