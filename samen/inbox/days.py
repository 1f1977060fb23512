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
    opened: int = 0
    first_response: list[int] = field(default_factory=list)
    first_response_target: list[int] = field(default_factory=list)
    resolution: list[int] = field(default_factory=list)
    resolution_target: list[int] = field(default_factory=list)


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
            totals.first_response.append(micros(c.first_responded_at - c.created_at))
        if c.first_response_due is not None:
            totals.first_response_target.append(micros(c.first_response_due - c.created_at))
        if c.resolved_at is not None:
            totals.resolution.append(micros(c.resolved_at - c.created_at))
        if c.resolution_due is not None:
            totals.resolution_target.append(micros(c.resolution_due - c.created_at))
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


def median_of(values: list[int], per: float) -> float | None:
    """The median of durations in microseconds, in units of ``per`` seconds, rounded to one
    decimal; exactly ``round(statistics.median(v / 1e6 / per for v in values), 1)``, as
    dividing keeps the order (the values are sorted in place)."""
    if not values:
        return None
    values.sort()
    n = len(values)
    mid = n // 2
    if n % 2:
        return round(values[mid] / 1_000_000 / per, 1)
    return round((values[mid - 1] / 1_000_000 / per + values[mid] / 1_000_000 / per) / 2, 1)


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
