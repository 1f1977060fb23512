"""Writes of the inbox's day summary (ADR 0247); re-exported by ``inbox.actions``.

Triggers on ``inbox_conversation`` note the ``created_at`` of every conversation inserted,
changed (in a field the summary depends on) or deleted, in ``DirtyConversationDay``.
``do_refresh_conversation_days`` recounts the local days those moments fall on from the
conversations, in one transaction (rows of the day deleted, then inserted again), so a day is
always exactly what its conversations say. ``inbox.metrics`` calls it before each read and
every worker calls it once a minute; usually there is nothing, or a day or two, to do.
``do_rebuild_conversation_days`` recounts everything: the first time, and whenever
``settings.TIME_ZONE`` (or the rows' layout, ``VERSION``) is not the one the summary was
built with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, tzinfo

from django.db import transaction
from django.db.models import Exists
from django.utils import timezone

from samen.inbox import days
from samen.inbox.models import (
    Conversation,
    ConversationDay,
    ConversationSpan,
    DaySummaryState,
    DirtyConversationDay,
)

_FIELDS = ("created_at", "channel", "language", "team_id", "first_response_due",
           "first_responded_at", "resolution_due", "resolved_at")
_BATCH = 2000
# The layout of the rows; a summary built with another one is rebuilt (migration 0007
# notes an empty summary as built with version 1).
VERSION = 1
# Past this many dirty days one pass over all conversations is cheaper than a range each.
_REBUILD_OVER = 120


def _tz() -> tzinfo:
    return timezone.get_default_timezone()


def _tz_name() -> str:
    return str(timezone.get_default_timezone_name())


def _convs(qs: Iterable[tuple]) -> Iterator[days.Conv]:  # type: ignore[type-arg]
    for row in qs:
        yield days.Conv(*row)


def _write(found: tuple[dict[days.Key, days.DayTotals], dict[days.SpanKey, int]]) -> None:
    totals, spans = found
    ConversationDay.objects.bulk_create(
        [ConversationDay(day=d, channel=ch, language=lang, team=team, opened=t.opened,
                         first_response=days.pairs(t.first_response),
                         first_response_target=days.pairs(t.first_response_target),
                         resolution=days.pairs(t.resolution),
                         resolution_target=days.pairs(t.resolution_target))
         for (d, ch, lang, team), t in sorted(totals.items(), key=lambda kv: str(kv[0]))],
        batch_size=_BATCH)
    ConversationSpan.objects.bulk_create(
        [ConversationSpan(day=d, channel=ch, language=lang, team=team, measure=m, begins=b,
                          ends=e, n=n)
         for (d, ch, lang, team, m, b, e), n in spans.items()],
        batch_size=_BATCH)


def _locked_state() -> DaySummaryState:
    DaySummaryState.objects.get_or_create(pk=1)
    return DaySummaryState.objects.select_for_update().get(pk=1)


def _runs(wanted: set[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs, so each run is one range query."""
    runs: list[tuple[date, date]] = []
    for d in sorted(wanted):
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(first, time.min), tz),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz))


def _forget(pks: list[int]) -> None:
    """Delete exactly the dirty rows that were read before the conversations were: on
    PostgreSQL a row with a smaller id can commit later, and must stay for the next refresh."""
    for i in range(0, len(pks), 500):
        DirtyConversationDay.objects.filter(pk__in=pks[i:i + 500]).delete()


def _rebuild(state: DaySummaryState) -> int:
    tz = _tz()
    seen = list(DirtyConversationDay.objects.values_list("pk", flat=True))
    ConversationDay.objects.all().delete()
    ConversationSpan.objects.all().delete()
    rows = Conversation.objects.order_by().values_list(*_FIELDS).iterator(chunk_size=_BATCH)
    totals, spans = days.summarize(_convs(rows), tz)
    _write((totals, spans))
    _forget(seen)
    state.time_zone = _tz_name()
    state.version = VERSION
    state.built_at = timezone.now()
    state.save(update_fields=["time_zone", "version", "built_at"])
    return len({key[0] for key in totals})


def do_rebuild_conversation_days() -> int:
    """Recount the whole summary from the conversations, in one transaction, and note the
    time zone it was built in. Returns the number of local days with conversations."""
    with transaction.atomic():
        return _rebuild(_locked_state())


def do_refresh_conversation_days() -> int:
    """Recount the local days whose conversations changed since the last refresh (or
    everything, when the summary was never built or was built in another time zone).
    Cheap when nothing changed: one small read. Returns the number of days recounted."""
    state = DaySummaryState.objects.filter(pk=1).annotate(
        dirty=Exists(DirtyConversationDay.objects.all())).values_list(
        "time_zone", "version", "dirty").first()
    if state == (_tz_name(), VERSION, False):
        return 0
    tz = _tz()
    with transaction.atomic():
        locked = _locked_state()  # another process may have refreshed while we waited
        if (locked.time_zone, locked.version) != (_tz_name(), VERSION):
            return _rebuild(locked)
        dirty = list(DirtyConversationDay.objects.values_list("pk", "created_at"))
        if not dirty:
            return 0
        wanted = {days.local_day(moment, tz) for _pk, moment in dirty}
        if len(wanted) > _REBUILD_OVER:
            return _rebuild(locked)
        ConversationDay.objects.filter(day__in=wanted).delete()
        ConversationSpan.objects.filter(day__in=wanted).delete()
        found: list[days.Conv] = []
        for first, last in _runs(wanted):
            start, end = _bounds(first, last, tz)
            found.extend(_convs(Conversation.objects.filter(
                created_at__gte=start, created_at__lt=end).order_by().values_list(*_FIELDS)))
        _write(days.summarize(found, tz))
        _forget([pk for pk, _m in dirty])
        return len(wanted)
