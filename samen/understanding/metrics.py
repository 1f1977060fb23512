"""Understanding's numbers for the insights dashboards and the weekly report
(docs/insights.md): the busiest listening rules and the trend alerts fired. Both are counted
in the database (``GROUP BY`` rule, ``GROUP BY`` day)."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samen.insights.metrics import bucket_of, buckets
from samen.insights.registry import (
    CHANNELS,
    LANGUAGES,
    Element,
    Filters,
    Metric,
    MetricTable,
    Period,
    register,
)
from samen.insights.selectors import period_bounds
from samen.understanding.models import AlertKind, RuleMatch, TrendAlert, match_day

TOP_RULES = 10


def top_rules(period: Period, filters: Filters) -> MetricTable:
    """The ten rules with the most matches made in the period, among the posts of the chosen
    channels and languages (ties by name, so the order is stable)."""
    start, end = period_bounds(period)
    qs = RuleMatch.objects.filter(day__gte=match_day(start), day__lte=match_day(end),
                                  matched_at__gte=start, matched_at__lt=end)
    if filters.channels:
        qs = qs.filter(post__source__in=filters.channels)
    if filters.languages:
        qs = qs.filter(post__language__in=filters.languages)
    top = list(qs.order_by().values_list("rule_id", "rule__name").annotate(n=Count("pk"))
               .order_by("-n", "rule__name", "rule_id")[:TOP_RULES])
    return MetricTable(categories=[name for _id, name, _n in top],
                       series=[(str(_("Matches")), [float(n) for _id, _name, n in top])],
                       category_label=_("Listening rule"), unit=_("matches"),
                       headline=None, headline_better="neither")


def trend_alerts(period: Period, filters: Filters) -> MetricTable:
    """Trend alerts fired per day. An alert belongs to no channel or language, so the
    dashboard's filters do not narrow it."""
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    start, end = period_bounds(period)
    per_day = (TrendAlert.objects.filter(fired_at__gte=start, fired_at__lt=end)
               .annotate(day=TruncDate("fired_at", tzinfo=timezone.get_default_timezone()))
               .order_by().values_list("day").annotate(n=Count("pk")))
    counted = [0.0] * len(slots)
    for day, n in per_day:
        i = index.get(bucket_of(day, period))
        if i is not None:
            counted[i] += n
    return MetricTable(categories=[label for _b, label in slots],
                       series=[(str(_("Trend alerts")), counted)],
                       category_label=pgettext_lazy("chart axis", "Date"), unit=_("alerts"),
                       headline=float(sum(counted)), headline_better="neither")


ALERT_LIST = 20


def alert_list(period: Period, filters: Filters) -> MetricTable:
    """The alerts fired in the period, most surprising first (at most 20): per alert the
    term (a hashtag with "#", a word, or the listening rule), the posts seen in the hour it
    fired and how many were expected; ``notes`` say since when it rose. For the weekly
    report's "Alerts" section; alerts belong to no channel or language."""
    start, end = period_bounds(period)
    alerts = list(TrendAlert.objects.filter(fired_at__gte=start, fired_at__lt=end)
                  .select_related("rule").order_by("-score", "-fired_at", "-id")[:ALERT_LIST])
    tz = timezone.get_default_timezone()

    def term(alert: TrendAlert) -> str:
        return f"#{alert.term}" if alert.kind == AlertKind.HASHTAG else alert.label

    return MetricTable(
        categories=[term(a) for a in alerts],
        series=[(str(_("Posts in the hour")), [float(a.observed) for a in alerts]),
                (str(_("Expected")), [round(a.expected, 1) for a in alerts])],
        category_label=_("Alert"), unit=_("posts"), headline=float(len(alerts)),
        headline_better="neither",
        notes=[str(_("since %(moment)s")) % {
            "moment": date_format(timezone.localtime(a.since, tz), "D j M H:i")}
            for a in alerts])


register(Metric("understanding.top_rules", _("Top listening rules"), Element.CUSTOMER,
                top_rules, chart="bar", app="understanding", order=70,
                follows=frozenset({CHANNELS, LANGUAGES}),
                description=_("The ten listening rules that matched the most posts.")))
register(Metric("understanding.trend_alerts", _("Trending topics and their alerts"),
                Element.CUSTOMER, trend_alerts, chart="line", app="understanding", order=80,
                follows=frozenset(),  # an alert belongs to no channel, language or team
                description=_("Trend alerts fired per day (or week).")))
register(Metric("understanding.alert_list", _("Trend alerts of the period"), Element.CUSTOMER,
                alert_list, chart="bar", app="understanding", order=81, on_dashboard=False,
                follows=frozenset(),
                description=_("Each alert: posts in the hour it fired against the expected "
                              "number, and since when it rose.")))
