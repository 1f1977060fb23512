"""The ambassadors' numbers for the insights dashboards and the weekly report.

Insights never reads this app's tables: it calls these functions through its registry
(docs/insights.md, "Contributing a metric from another app"). Every number is counted in the
database (GROUP BY per local day), so the cost does not grow with the period's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samen.ambassadors.models import Acknowledgement, Click, GuidelineVersion, Network, Share
from samen.core.models import Person
from samen.core.roles import Role
from samen.core.selectors import people_with_role
from samen.inbox import selectors as inbox_selectors
from samen.insights.metrics import bucket_of, buckets
from samen.insights.registry import (
    CHANNELS,
    Element,
    Filters,
    Metric,
    MetricTable,
    Period,
    register,
)
from samen.insights.selectors import period_bounds
from samen.sources import selectors as source_selectors

DATE = pgettext_lazy("chart axis", "Date")


def _per_bucket(period: Period, rows: Iterable[tuple[date, int]]) -> list[float]:
    """Spread (local day, count) rows over the dashboard's buckets (days or weeks)."""
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    values = [0.0] * len(slots)
    for day, n in rows:
        i = index.get(bucket_of(day, period))
        if i is not None:
            values[i] += n
    return values


def _daily(qs: QuerySet, field: str) -> list[tuple[date, int]]:
    """(local day, rows) per day of the datetime ``field``, grouped in the database."""
    return [(r["day"], r["n"]) for r in
            qs.annotate(day=TruncDate(field)).values("day").annotate(n=Count("id"))
            .order_by("day")]


def guidelines_acknowledged(period: Period, filters: Filters) -> MetricTable:
    versions = list(GuidelineVersion.objects.filter(published_at__date__lte=period.end)
                    .order_by("number")
                    .annotate(people=Count("acknowledgements__person", distinct=True))
                    .values_list("number", "pk", "people"))
    staff = Person.objects.filter(is_active=True).count()
    headline: float | None = None
    if versions and staff:
        current_pk = versions[-1][1]
        acknowledged = (Acknowledgement.objects
                        .filter(version_id=current_pk, person__is_active=True)
                        .values("person").distinct().count())
        headline = round(100.0 * acknowledged / staff, 1)
    return MetricTable(
        categories=[str(_("Version %(number)s") % {"number": number})
                    for number, _pk, _n in versions],
        series=[(str(_("Acknowledged by")), [float(n) for _num, _pk, n in versions])],
        category_label=_("Guidelines"), unit=_("people"), headline=headline,
        headline_better="higher", headline_unit=_("per cent of staff (current guidelines)"))


def _shares_in(period: Period, filters: Filters) -> QuerySet[Share]:
    qs = Share.objects.filter(at__date__gte=period.start, at__date__lte=period.end)
    if filters.channels:
        qs = qs.filter(network__in=filters.channels)
    return qs


def shares(period: Period, filters: Filters) -> MetricTable:
    rows = (_shares_in(period, filters).annotate(day=TruncDate("at"))
            .values("day", "network").annotate(n=Count("id")).order_by("day"))
    per_network: dict[str, list[tuple[date, int]]] = {}
    for r in rows:
        per_network.setdefault(r["network"], []).append((r["day"], r["n"]))
    series = [(str(label), _per_bucket(period, per_network[value]))
              for value, label in Network.choices if value in per_network]
    total = sum(n for day_rows in per_network.values() for _d, n in day_rows)
    return MetricTable(categories=[label for _b, label in buckets(period)], series=series,
                       category_label=DATE, unit=_("shares"), headline=float(total))


def clicks(period: Period, filters: Filters) -> MetricTable:
    qs = Click.objects.filter(day__gte=period.start, day__lte=period.end)
    if filters.channels:
        qs = qs.filter(link__network__in=filters.channels)
    rows = [(r["day"], r["n"]) for r in
            qs.values("day").annotate(n=Count("id")).order_by("day")]
    return MetricTable(categories=[label for _b, label in buckets(period)],
                       series=[(str(_("Clicks on tracked links")), _per_bucket(period, rows))],
                       category_label=DATE, unit=_("clicks"),
                       headline=float(sum(n for _d, n in rows)))


def management_shares(period: Period, filters: Filters) -> MetricTable:
    """Managers' shares from the content hub, and the posts the organisation's accounts sent
    for a manager: deliveries they asked for and inbox replies they wrote. Private accounts
    are never counted: Samen knows only the shares opened through the hub and what went out
    through the organisation's own accounts."""
    managers = people_with_role(Role.MANAGER).values("pk")
    hub = _daily(_shares_in(period, filters).filter(person__in=managers), "at")
    start, end = period_bounds(period)
    posts = [*source_selectors.deliveries_sent_per_day(
                 requested_by=managers, start=start, end=end, providers=filters.channels),
             *inbox_selectors.replies_sent_per_day(
                 authors=managers, start=start, end=end, channels=filters.channels)]
    return MetricTable(
        categories=[label for _b, label in buckets(period)],
        series=[(str(_("Shares by managers")), _per_bucket(period, hub)),
                (str(_("Posts from the organisation's accounts by managers")),
                 _per_bucket(period, posts))],
        category_label=DATE, unit=_("shares and posts"),
        headline=float(sum(n for _d, n in hub) + sum(n for _d, n in posts)))


register(Metric("ambassadors.guidelines_acknowledged", _("Guidelines acknowledged"),
                Element.TRUST, guidelines_acknowledged, chart="bar", app="ambassadors",
                order=10, follows=frozenset(),  # guidelines belong to no channel or language
                description=_("People who acknowledged each version of the social "
                                        "media guidelines; the headline is the share of staff "
                                        "who acknowledged the current one.")))
register(Metric("ambassadors.management_shares", _("Management's own shares and posts"),
                Element.MANAGEMENT, management_shares, chart="line", app="ambassadors",
                order=20, follows=frozenset({CHANNELS}),  # a network; shares have no language
                description=_("Shares by managers from the content hub, and posts "
                                        "from the organisation's accounts they asked for or "
                                        "replies they wrote in the inbox. Private accounts "
                                        "are never counted.")))
register(Metric("ambassadors.shares", _("Shares by ambassadors"), Element.AMBASSADORS,
                shares, chart="line", app="ambassadors", order=10,
                follows=frozenset({CHANNELS}),  # the network shared to; shares have no language
                description=_("Opt-in shares from the content hub, per day (or week) and "
                              "network.")))
register(Metric("ambassadors.clicks", _("Clicks on shared links"), Element.AMBASSADORS,
                clicks, chart="line", app="ambassadors", order=20,
                follows=frozenset({CHANNELS}),  # the link's network; clicks have no language
                description=_("Visits of the tracked links colleagues shared, counted once "
                              "per visitor per day.")))
