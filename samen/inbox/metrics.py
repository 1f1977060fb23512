"""The inbox's numbers for the insights dashboards and the weekly report (docs/insights.md).

Counts are grouped by day in the database (``TruncDate`` in the installation's time zone).
Medians are not portable SQL (SQLite has none), so for the median metrics the database
returns only one duration per conversation (or per decided escalation) inside the period,
and the median per bucket is taken in Python: the rows are conversations, never posts, so
their number stays small next to the post table.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from statistics import median
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samen.inbox.models import Conversation, ConversationEvent, EventKind, Reply, Team
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
from samen.insights.selectors import day_bounds

# Every inbox number is counted over conversations, which have a channel, a language and a
# team: ``_filtered`` narrows by all three.
ALL_FILTERS = frozenset({CHANNELS, LANGUAGES, TEAM})


def _tz() -> tzinfo:
    return timezone.get_default_timezone()


def _period_bounds(period: Period) -> tuple[datetime, datetime]:
    return day_bounds(period.start)[0], day_bounds(period.end)[1]


def _filtered(qs: QuerySet[Conversation], filters: Filters,
              prefix: str = "") -> QuerySet[Conversation]:
    if filters.channels:
        qs = qs.filter(**{f"{prefix}channel__in": filters.channels})
    if filters.languages:
        qs = qs.filter(**{f"{prefix}language__in": filters.languages})
    if filters.team:
        qs = qs.filter(**{f"{prefix}team_id": int(filters.team)
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


def _time_against_target(period: Period, filters: Filters, *, done: str, due: str,
                         per: float, unit: str, series: str, target: str) -> MetricTable:
    start, end = _period_bounds(period)
    qs = _filtered(Conversation.objects.filter(created_at__gte=start, created_at__lt=end),
                   filters).annotate(day=TruncDate("created_at", tzinfo=_tz())).order_by()
    took = qs.filter(**{f"{done}__isnull": False}).annotate(took=ExpressionWrapper(
        F(done) - F("created_at"), output_field=DurationField())).values_list("day", "took")
    goal = qs.filter(**{f"{due}__isnull": False}).annotate(goal=ExpressionWrapper(
        F(due) - F("created_at"), output_field=DurationField())).values_list("day", "goal")
    measured, headline = _medians(period, took, per)
    targets, _overall = _medians(period, goal, per)
    return MetricTable(categories=[label for _b, label in buckets(period)],
                       series=[(series, measured), (target, targets)],
                       category_label=pgettext_lazy("chart axis", "Date"), unit=unit,
                       headline=headline, headline_better="lower",
                       headline_unit=_("minutes (median)") if per == 60
                       else _("hours (median)"))


def first_response(period: Period, filters: Filters) -> MetricTable:
    """Conversations started in the period, by the day they started: median minutes until
    the first reply was sent, and the median SLA target they had."""
    return _time_against_target(
        period, filters, done="first_responded_at", due="first_response_due", per=60,
        unit=str(_("minutes")), series=str(_("Median first response (min)")),
        target=str(_("SLA target (min)")))


def resolution(period: Period, filters: Filters) -> MetricTable:
    """Conversations started in the period, by the day they started: median hours until
    they were resolved, and the median SLA target they had."""
    return _time_against_target(
        period, filters, done="resolved_at", due="resolution_due", per=3600,
        unit=str(_("hours")), series=str(_("Median resolution (h)")),
        target=str(_("SLA target (h)")))


def conversations(period: Period, filters: Filters) -> MetricTable:
    """Conversations started per day (or week) and channel: the work that came in."""
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    start, end = _period_bounds(period)
    per_day = (_filtered(Conversation.objects.filter(created_at__gte=start, created_at__lt=end),
                         filters)
               .annotate(day=TruncDate("created_at", tzinfo=_tz())).order_by()
               .values_list("day", "channel").annotate(n=Count("pk")))
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


# Stands in for "not yet" (not resolved, not responded) in interval ends; far enough, and a
# real date every database and time zone conversion accepts.
_NEVER = datetime(2999, 1, 1, tzinfo=UTC)


def _interval_counts(qs: QuerySet[Conversation], begins: Any, ends: Any,
                     moments: list[date]) -> list[float]:
    """How many intervals (begins, ends] of the conversations in ``qs`` hold the end of each
    day in ``moments``: those that began by then minus those that also ended by then, from
    one ``GROUP BY`` (local day it began, local day it ended) in the database."""
    never = Value(_NEVER, output_field=DateTimeField())
    rows = (qs.annotate(b=begins, e=Coalesce(ends, never) if ends is not None else never)
            .filter(e__gt=F("b"))
            .annotate(bday=TruncDate("b", tzinfo=_tz()), eday=TruncDate("e", tzinfo=_tz()))
            .order_by().values_list("bday", "eday").annotate(n=Count("pk")))
    change = [0] * (len(moments) + 1)
    for bday, eday, n in rows:
        change[bisect_left(moments, bday)] += n  # counted from the first moment on its day
        change[bisect_left(moments, eday)] -= n
    counts, running = [], 0
    for step in change[:-1]:
        running += step
        counts.append(float(running))
    return counts


def open_breached(period: Period, filters: Filters) -> MetricTable:
    """Conversations open at the end of each bucket's last day, and those of them past an
    SLA target then. A conversation counts as open from its start until ``resolved_at`` (a
    reopened one counts as open throughout); it is past its target while the first response
    is overdue (until it is sent) or the resolution is overdue. Each of these is an interval
    of time, counted at the end of each day with a few grouped queries (whatever the number
    of days). The headline is what the inbox's "breached" view shows now."""
    slots = buckets(period)
    moments = [first if period.days <= 92 else min(first + timedelta(days=6), period.end)
               for first, _label in slots]
    start, end = _period_bounds(period)
    qs = _filtered(Conversation.objects.filter(created_at__lt=end).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=start)), filters).order_by()
    never = Value(_NEVER, output_field=DateTimeField())

    def upto(name: str) -> Coalesce:
        return Coalesce(name, never)

    still_open = _interval_counts(qs, F("created_at"), F("resolved_at"), moments)
    # Late first response, up to the response, the resolution target or the resolution;
    # late resolution from its target until it is resolved. The two never overlap.
    first_late = _interval_counts(
        qs.filter(first_response_due__isnull=False),
        Greatest("first_response_due", "created_at"),
        Least(upto("first_responded_at"), upto("resolution_due"), upto("resolved_at")),
        moments)
    resolution_late = _interval_counts(
        qs.filter(resolution_due__isnull=False), Greatest("resolution_due", "created_at"),
        F("resolved_at"), moments)
    now = timezone.now()
    live = [s.value for s in ACTIVE_STATES | WAITING_STATES]
    breached_now = _filtered(Conversation.objects.filter(state__in=live), filters).filter(
        (Q(first_responded_at__isnull=True) & Q(first_response_due__lt=now))
        | Q(resolution_due__lt=now)).count()
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
    start, end = _period_bounds(period)
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
