"""The inbox's numbers for the insights dashboards and the weekly report (docs/insights.md).

Conversations, response and resolution times, and open and breached work are read from the
inbox's day summary (``ConversationDay``, ``ConversationSpan``; ADR 0247), a few rows per
local day whatever the number of conversations, refreshed first for the days whose
conversations changed. Medians are exact: the summary keeps every duration of a day, and the
median per bucket is taken in Python. Escalations and "breached now" read their own rows
(decided replies in the period; live conversations past a target, through an index).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta, tzinfo
from statistics import median
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samen.inbox import days
from samen.inbox.daysummary import do_refresh_conversation_days
from samen.inbox.models import (
    Conversation,
    ConversationDay,
    ConversationEvent,
    ConversationSpan,
    EventKind,
    Reply,
    SpanMeasure,
    Team,
)
from samen.inbox.workflow import ACTIVE_STATES, WAITING_STATES
from samen.insights.metrics import bucket_of, buckets, channel_label
from samen.insights.registry import (
    CHANNELS,
    LANGUAGES,
    TEAM,
    Element,
    Filters,
    Metric,
    MetricTable,
    Period,
    provide_teams,
    register,
)
from samen.insights.selectors import period_bounds

# Every inbox number is counted over conversations, which have a channel, a language and a
# team: ``_filtered`` narrows by all three.
ALL_FILTERS = frozenset({CHANNELS, LANGUAGES, TEAM})


def _tz() -> tzinfo:
    return timezone.get_default_timezone()


def _filtered(qs: QuerySet[Any], filters: Filters, prefix: str = "",
              team: str = "team_id") -> QuerySet[Any]:
    """Narrowed by the filters; ``team`` names the field holding the team's id (the summary
    keeps it as a plain number, ``team``)."""
    if filters.channels:
        qs = qs.filter(**{f"{prefix}channel__in": filters.channels})
    if filters.languages:
        qs = qs.filter(**{f"{prefix}language__in": filters.languages})
    if filters.team:
        qs = qs.filter(**{f"{prefix}{team}": int(filters.team)
                          if filters.team.isdigit() else -1})
    return qs


def team_choices() -> list[tuple[str, str]]:
    """The teams insights can narrow the inbox's numbers to (``Filters.team`` = the id)."""
    return [(str(pk), name) for pk, name in Team.objects.order_by("name", "pk")
            .values_list("pk", "name")]


def _medians(period: Period, rows: Iterable[tuple[date, timedelta]],
             per: float) -> tuple[list[float], float | None]:
    """Median per bucket (0 where nothing happened) and over the whole period, in units of
    ``per`` seconds."""
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    found: dict[int, list[float]] = defaultdict(list)
    every: list[float] = []
    for day, took in rows:
        i = index.get(bucket_of(day, period))
        if i is None or took is None:
            continue
        value = took.total_seconds() / per
        found[i].append(value)
        every.append(value)
    values = [round(median(found[i]), 1) if found.get(i) else 0.0 for i in range(len(slots))]
    return values, (round(median(every), 1) if every else None)


def _summary(model: type[ConversationDay] | type[ConversationSpan],
             filters: Filters) -> QuerySet[Any]:
    """The summary's rows narrowed like ``_filtered`` narrows conversations, after the days
    whose conversations changed were recounted."""
    do_refresh_conversation_days()
    return _filtered(model.objects.order_by(), filters, team="team")


def _pairs(texts: list[str]) -> list[list[int]]:
    pairs: list[list[int]] = []
    for chunk in json.loads("[" + ",".join(texts) + "]"):
        pairs.extend(chunk)
    return pairs


def _time_against_target(period: Period, filters: Filters, *, done: str, due: str,
                         per: float, unit: str, series: str, target: str) -> MetricTable:
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    # The stored JSON is read as text and parsed once per bucket (one C call for a week of
    # rows), not once per row and column through the field's converter.
    took_text: list[list[str]] = [[] for _slot in slots]
    goal_text: list[list[str]] = [[] for _slot in slots]
    rows = _summary(ConversationDay, filters).filter(
        day__gte=period.start, day__lte=period.end).values_list(
        "day", Cast(done, TextField()), Cast(due, TextField()))
    for day, took, goal in rows:
        i = index.get(bucket_of(day, period))
        if i is not None:
            took_text[i].append(took)
            goal_text[i].append(goal)
    # (microseconds, how many) pairs per bucket; "[]" rows add nothing
    measured = [_pairs(texts) for texts in took_text]
    targets = [_pairs(texts) for texts in goal_text]
    headline = days.median_of([v for values in measured for v in values], per)
    return MetricTable(categories=[label for _b, label in slots],
                       series=[(series, [days.median_of(v, per) or 0.0 for v in measured]),
                               (target, [days.median_of(v, per) or 0.0 for v in targets])],
                       category_label=pgettext_lazy("chart axis", "Date"), unit=unit,
                       headline=headline, headline_better="lower",
                       headline_unit=_("minutes (median)") if per == 60
                       else _("hours (median)"))


def first_response(period: Period, filters: Filters) -> MetricTable:
    """Conversations started in the period, by the day they started: median minutes until
    the first reply was sent, and the median SLA target they had."""
    return _time_against_target(
        period, filters, done="first_response", due="first_response_target", per=60,
        unit=str(_("minutes")), series=str(_("Median first response (min)")),
        target=str(_("SLA target (min)")))


def resolution(period: Period, filters: Filters) -> MetricTable:
    """Conversations started in the period, by the day they started: median hours until
    they were resolved, and the median SLA target they had."""
    return _time_against_target(
        period, filters, done="resolution", due="resolution_target", per=3600,
        unit=str(_("hours")), series=str(_("Median resolution (h)")),
        target=str(_("SLA target (h)")))


def conversations(period: Period, filters: Filters) -> MetricTable:
    """Conversations started per day (or week) and channel: the work that came in."""
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    per_day = (_summary(ConversationDay, filters)
               .filter(day__gte=period.start, day__lte=period.end)
               .values_list("day", "channel").annotate(n=Sum("opened")))
    counted: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(slots))
    for day, channel, n in per_day:
        i = index.get(bucket_of(day, period))
        if i is not None:
            counted[channel][i] += n
    series = [(channel_label(c), counted[c]) for c in sorted(counted)]
    return MetricTable(categories=[label for _b, label in slots], series=series,
                       category_label=pgettext_lazy("chart axis", "Date"),
                       unit=_("conversations"),
                       headline=float(sum(sum(v) for _c, v in series)))


def open_breached(period: Period, filters: Filters) -> MetricTable:
    """Conversations open at the end of each bucket's last day, and those of them past an
    SLA target then. A conversation counts as open from its start until ``resolved_at`` (a
    reopened one counts as open throughout); it is past its target while the first response
    is overdue (until it is sent) or the resolution is overdue. Each of these is an interval
    of local days in the summary (``ConversationSpan``); one grouped query reads those that
    overlap the period, whatever the number of days. The headline is what the inbox's
    "breached" view shows now."""
    slots = buckets(period)
    moments = [first if period.days <= 92 else min(first + timedelta(days=6), period.end)
               for first, _label in slots]
    # Spans that end on or before the first moment, or begin after the last, count nowhere;
    # those that began before the first moment count from it, and those that end after the
    # last count as not ended: folded in the database, a year is a few hundred rows.
    first, last = Value(moments[0], output_field=DateField()), moments[-1]
    rows = (_summary(ConversationSpan, filters)
            .filter(begins__lte=last)
            .filter(Q(ends__isnull=True) | Q(ends__gt=moments[0]))
            .annotate(b=Greatest("begins", first),
                      e=Case(When(ends__lte=last, then=F("ends")), default=None,
                             output_field=DateField()))
            .values_list("measure", "b", "e").annotate(total=Sum("n")))
    spans: dict[str, list[tuple[date, date | None, int]]] = defaultdict(list)
    for measure, begins, ends, n in rows:
        spans[measure].append((begins, ends, n))
    still_open = days.open_at(spans[SpanMeasure.OPEN], moments)
    first_late = days.open_at(spans[SpanMeasure.FIRST_LATE], moments)
    resolution_late = days.open_at(spans[SpanMeasure.RESOLUTION_LATE], moments)
    now = timezone.now()
    live = [s.value for s in ACTIVE_STATES | WAITING_STATES]
    # Two counts that never overlap, each a range of the index ``inbox_conv_due``: past the
    # resolution target, or else (target later or none) waiting for an overdue first reply.
    live_qs = _filtered(Conversation.objects.filter(state__in=live), filters)
    breached_now = live_qs.filter(resolution_due__lt=now).count() + live_qs.filter(
        Q(resolution_due__gte=now) | Q(resolution_due__isnull=True),
        first_responded_at__isnull=True, first_response_due__lt=now).count()
    return MetricTable(
        categories=[label for _b, label in slots],
        series=[(str(_("Open")), still_open),
                (str(_("Breached SLA")), [a + b for a, b in zip(first_late, resolution_late,
                                                               strict=True)])],
        category_label=pgettext_lazy("chart axis", "Date"), unit=_("conversations"),
        headline=float(breached_now), headline_better="lower",
        headline_unit=_("conversations past an SLA target now"))


def escalations(period: Period, filters: Filters) -> MetricTable:
    """Replies escalated to management per day, and the median hours from the escalation to
    the manager's decision, by the day of the decision."""
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    start, end = period_bounds(period)
    events = _filtered(ConversationEvent.objects.filter(  # type: ignore[arg-type]
        kind=EventKind.ESCALATED, at__gte=start, at__lt=end), filters, "conversation__")
    per_day = (events.annotate(day=TruncDate("at", tzinfo=_tz())).order_by()
               .values_list("day").annotate(n=Count("pk")))
    counted = [0.0] * len(slots)
    for day, n in per_day:
        i = index.get(bucket_of(day, period))
        if i is not None:
            counted[i] += n
    escalated_at = ConversationEvent.objects.filter(
        conversation=OuterRef("conversation"), kind=EventKind.ESCALATED,
        at__lte=OuterRef("decided_at")).order_by("-at").values("at")[:1]
    decided = _filtered(Reply.objects.filter(  # type: ignore[arg-type]
        decided_at__gte=start, decided_at__lt=end), filters, "conversation__").annotate(
        day=TruncDate("decided_at", tzinfo=_tz()),
        escalated=Subquery(escalated_at, output_field=DateTimeField())).order_by() \
        .values_list("day", "escalated", "decided_at")
    waits, headline = _medians(period, [(d, dec - esc) for d, esc, dec in decided
                                        if esc is not None], 3600)
    return MetricTable(categories=[label for _b, label in slots],
                       series=[(str(_("Escalations")), counted),
                               (str(_("Median hours until management decided")), waits)],
                       category_label=pgettext_lazy("chart axis", "Date"),
                       unit=_("escalations"), headline=headline, headline_better="lower",
                       headline_unit=_("hours until management decided (median)"))


register(Metric("inbox.first_response", _("First response time against the SLA"),
                Element.CUSTOMER, first_response, chart="line", app="inbox", order=50,
                follows=ALL_FILTERS,
                description=_("Median minutes until the first reply, per day the "
                              "conversation started, next to the SLA target.")))
register(Metric("inbox.resolution", _("Resolution time against the SLA"), Element.CUSTOMER,
                resolution, chart="line", app="inbox", order=60,
                follows=ALL_FILTERS,
                description=_("Median hours until a conversation was resolved, per day it "
                              "started, next to the SLA target.")))
register(Metric("inbox.conversations", _("Conversations per channel"), Element.TEAM,
                conversations, chart="line", app="inbox", order=25, follows=ALL_FILTERS,
                description=_("Conversations started per day (or week) and channel.")))
register(Metric("inbox.open_breached", _("Open and breached work"), Element.TEAM,
                open_breached, chart="stacked", app="inbox", order=30, follows=ALL_FILTERS,
                compare=False,
                description=_("Conversations still open at the end of each day, and how many "
                              "of them were past an SLA target.")))
register(Metric("inbox.escalations", _("Escalations and how fast management decided"),
                Element.MANAGEMENT, escalations, chart="line", app="inbox", order=10,
                follows=ALL_FILTERS,
                description=_("Replies escalated to management per day, and the median hours "
                              "until a manager approved or rejected one.")))
provide_teams(team_choices)
