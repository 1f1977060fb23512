"""The metrics insights can compute today, from the posts (through the daily rollups), and
the ones other apps have promised to register in their own ``metrics.py``.

Signatures of the promised ones are in docs/insights.md.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import lru_cache

from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from samen.insights import selectors
from samen.insights.registry import (
    CHANNELS,
    LANGUAGES,
    Element,
    ExpectedMetric,
    Filters,
    Metric,
    MetricTable,
    Period,
    expect,
    register,
)
from samen.sources.models import Provider

SENTIMENTS = (
    ("positive", _("Positive")),
    ("neutral", _("Neutral")),
    ("negative", _("Negative")),
    ("", _("Not analysed")),
)
LANGUAGE_NAMES = {"nl": _("Dutch"), "fr": _("French"), "en": _("English"), "de": _("German"),
                  "": _("Unknown")}


def channel_label(source: str) -> str:
    return str(dict(Provider.choices).get(source, source))


def language_label(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code.upper()))


def buckets(period: Period) -> list[tuple[date, str]]:
    """(first day, label) per bucket: days up to three months, then weeks (from Monday)."""
    return list(_buckets(period, get_language() or ""))


@lru_cache(maxsize=64)
def _buckets(period: Period, language: str) -> tuple[tuple[date, str], ...]:
    # Every metric of a page asks for the same labels: formatting 92 dates once per page
    # rather than once per metric (``language``: the labels are localised).
    if period.days <= 92:
        return tuple((d, date_format(d, "j M")) for d in period.each_day())
    first = period.start - timedelta(days=period.start.weekday())
    weeks = []
    d = first
    while d <= period.end:
        weeks.append((d, date_format(d, "j M")))
        d += timedelta(days=7)
    return tuple(weeks)


def bucket_of(day: date, period: Period) -> date:
    return day if period.days <= 92 else day - timedelta(days=day.weekday())


def _over_time(period: Period, counts: dict[tuple[date, str], int],
               order: list[tuple[str, str]]) -> MetricTable:
    slots = buckets(period)
    index = {b: i for i, (b, _label) in enumerate(slots)}
    per_series: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(slots))
    for (day, key), n in counts.items():
        i = index.get(bucket_of(day, period))
        if i is not None:
            per_series[key][i] += n
    series = [(label, per_series[key]) for key, label in order if key in per_series]
    return MetricTable(categories=[label for _b, label in slots], series=series,
                       category_label=pgettext_lazy("chart axis", "Date"),
                       unit=_("posts"), headline=float(sum(counts.values())))


def mention_volume(period: Period, filters: Filters) -> MetricTable:
    counts = selectors.volume_by_day(period=period, filters=filters, direction="in")
    channels = sorted({c for _d, c in counts})
    return _over_time(period, counts, [(c, channel_label(c)) for c in channels])


def sent_volume(period: Period, filters: Filters) -> MetricTable:
    counts = selectors.volume_by_day(period=period, filters=filters, direction="out")
    channels = sorted({c for _d, c in counts})
    return _over_time(period, counts, [(c, channel_label(c)) for c in channels])


def sentiment_over_time(period: Period, filters: Filters) -> MetricTable:
    counts = selectors.sentiment_by_day(period=period, filters=filters)
    known = {key for key, _label in SENTIMENTS}
    folded: dict[tuple[date, str], int] = defaultdict(int)
    for (day, sentiment), n in counts.items():
        folded[(day, sentiment if sentiment in known else "")] += n
    table = _over_time(period, dict(folded), [(k, str(label)) for k, label in SENTIMENTS])
    total = sum(folded.values())
    negative = sum(n for (_d, s), n in folded.items() if s == "negative")
    table.headline = round(100 * negative / total, 1) if total else None
    table.headline_better = "lower"
    table.headline_unit = _("per cent negative")
    return table


def languages(period: Period, filters: Filters) -> MetricTable:
    mix = sorted(selectors.language_mix(period=period, filters=filters).items(),
                 key=lambda kv: (-kv[1], kv[0]))
    return MetricTable(categories=[language_label(code) for code, _n in mix],
                       series=[(str(_("Posts")), [float(n) for _c, n in mix])],
                       category_label=_("Language"), unit=_("posts"),
                       headline=float(len([c for c, n in mix if c and n])),
                       headline_better="neither", headline_unit=_("languages"))


def hashtags(period: Period, filters: Filters) -> MetricTable:
    top = selectors.top_hashtags(period=period, filters=filters, limit=10)
    return MetricTable(categories=[f"#{tag}" for tag, _n in top],
                       series=[(str(_("Posts")), [float(n) for _t, n in top])],
                       category_label=_("Hashtag"), unit=_("posts"),
                       headline=None, headline_better="neither")


# The post rollups are kept per channel and language (not per team).
POSTS = frozenset({CHANNELS, LANGUAGES})


def mandate_holders(period: Period, filters: Filters) -> MetricTable:
    """Active mandate holders per account now, of the chosen channels' accounts. An account
    has a network but no language, and mandates are not per team."""
    rows = selectors.mandate_holders_per_account(channels=filters.channels)
    return MetricTable(categories=[name for name, _n in rows],
                       series=[(str(_("Mandate holders")), [float(n) for _a, n in rows])],
                       category_label=_("Account"), unit=_("people"),
                       headline=float(sum(1 for _a, n in rows if n)),
                       headline_better="higher")


register(Metric("posts.mentions", _("Mentions and messages received per channel"),
                Element.CUSTOMER, mention_volume, chart="line", app="insights", order=10,
                follows=POSTS,
                description=_("Posts addressed to or about the organisation, per day (or "
                              "week) and channel.")))
register(Metric("posts.sentiment", _("Sentiment of what people say"), Element.CUSTOMER,
                sentiment_over_time, chart="stacked", app="insights", order=20,
                follows=POSTS,
                description=_("Received posts per day (or week) by sentiment; the headline is "
                              "the share of negative posts.")))
register(Metric("posts.languages", _("Languages people write in"), Element.CUSTOMER,
                languages, chart="bar", app="insights", order=30, follows=POSTS,
                description=_("Received posts per language.")))
register(Metric("posts.hashtags", _("Top hashtags"), Element.CUSTOMER, hashtags,
                chart="bar", app="insights", order=40, follows=POSTS,
                description=_("The ten hashtags used most in received posts.")))
register(Metric("posts.sent", _("Posts and replies sent per channel"), Element.TEAM,
                sent_volume, chart="line", app="insights", order=10, follows=POSTS,
                description=_("What the organisation itself posted and replied, per day (or "
                              "week) and channel.")))
register(Metric("sources.mandates", _("Who may speak for the organisation"), Element.TEAM,
                mandate_holders, chart="bar", app="insights", order=20,
                follows=frozenset({CHANNELS}),  # the account's network
                description=_("People holding the mandate to reply, per account.")))

# Promised by other apps (docs/insights.md gives the exact signature of each).
for _item in (
    ExpectedMetric("inbox.first_response", _("First response time against the SLA"),
                   Element.CUSTOMER, "inbox", order=50),
    ExpectedMetric("inbox.resolution", _("Resolution time against the SLA"),
                   Element.CUSTOMER, "inbox", order=60),
    ExpectedMetric("understanding.top_rules", _("Top listening rules"),
                   Element.CUSTOMER, "understanding", order=70),
    ExpectedMetric("understanding.trend_alerts", _("Trending topics and their alerts"),
                   Element.CUSTOMER, "understanding", order=80),
    ExpectedMetric("ambassadors.guidelines_acknowledged", _("Guidelines acknowledged"),
                   Element.TRUST, "ambassadors", order=10),
    ExpectedMetric("learning.sessions", _("Lunch sessions held and attended"),
                   Element.TRUST, "learning", order=20),
    ExpectedMetric("inbox.escalations", _("Escalations and how fast management decided"),
                   Element.MANAGEMENT, "inbox", order=10),
    ExpectedMetric("ambassadors.management_shares", _("Management's own shares and posts"),
                   Element.MANAGEMENT, "ambassadors", order=20),
    ExpectedMetric("ambassadors.shares", _("Shares by ambassadors"),
                   Element.AMBASSADORS, "ambassadors", order=10),
    ExpectedMetric("ambassadors.clicks", _("Clicks on shared links"),
                   Element.AMBASSADORS, "ambassadors", order=20),
    ExpectedMetric("inbox.open_breached", _("Open and breached work"),
                   Element.TEAM, "inbox", order=30),
):
    expect(_item)
