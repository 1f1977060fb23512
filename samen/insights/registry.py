"""The metric registry: each app contributes its own numbers to the dashboards, the weekly
report and the scan's measured indicators, without insights reading that app's tables.

An app registers its metrics in ``samen/<app>/metrics.py`` (autodiscovered when the insights
app is ready)::

    from samen.insights.registry import Metric, MetricTable, Period, Filters, register
    from samen.insights.registry import CHANNELS, LANGUAGES, TEAM

    def first_response(period: Period, filters: Filters) -> MetricTable: ...

    register(Metric(key="inbox.first_response", title=_("First response time"),
                    element=Element.CUSTOMER, compute=first_response, chart="line",
                    app="inbox", follows=frozenset({CHANNELS, LANGUAGES, TEAM})))

``follows`` names the filters ``compute`` really narrows by; the dashboard passes it only
those and says of the others that the chart is not narrowed by them.

Metrics that another app has promised but not yet registered are *expected*: the dashboard
shows them as "not available yet" (see docs/insights.md for the exact list and signatures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Element(models.TextChoices):
    """The five elements of the model (MODEL.md) that the scan and the indicators follow."""

    CUSTOMER = "customer", _("Customer at the centre")
    TRUST = "trust", _("Culture of trust")
    MANAGEMENT = "management", _("Top management")
    AMBASSADORS = "ambassadors", _("Employees as ambassadors")
    TEAM = "team", _("Conversation team")


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end`` inclusive, in the installation's time zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (for "what changed")."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


# The dimensions a reader can narrow the dashboard by; each is a field of ``Filters``. A
# metric says which of them it follows (``Metric.follows``); the others are not passed to it
# and the dashboard says next to it that it was not narrowed by them.
CHANNELS = "channels"
LANGUAGES = "languages"
TEAM = "team"
DIMENSIONS: frozenset[str] = frozenset({CHANNELS, LANGUAGES, TEAM})


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the dashboard to; an empty tuple means "all"."""

    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    team: str = ""  # a value from ``teams()``; only metrics following ``TEAM`` receive it

    def chosen(self) -> frozenset[str]:
        """The dimensions the reader narrowed (``CHANNELS``, ``LANGUAGES``, ``TEAM``)."""
        return frozenset(d for d in DIMENSIONS if getattr(self, d))

    def only(self, follows: frozenset[str]) -> Filters:
        """These filters with every dimension outside ``follows`` reset to "all"."""
        return Filters(channels=self.channels if CHANNELS in follows else (),
                       languages=self.languages if LANGUAGES in follows else (),
                       team=self.team if TEAM in follows else "")


@dataclass
class MetricTable:
    """A small table of numbers: one row per category (a day, a channel, a hashtag), one
    column per series. ``headline`` is the one number the report leads with (a total, a
    median time); ``headline_better`` says whether a higher headline is good news."""

    categories: list[str]
    series: list[tuple[str, list[float]]]
    category_label: str | Promise = ""
    unit: str | Promise = ""
    headline: float | None = None
    headline_better: str = "higher"  # "higher", "lower" or "neither"
    headline_unit: str | Promise = ""  # when the headline is not in ``unit`` (a share, a median)
    # Optional, one per category: a short translated note the report prints beside it (for a
    # trend alert: since when it rose). Not drawn in charts.
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Metric:
    key: str
    title: str | Promise
    element: str
    compute: Callable[[Period, Filters], MetricTable]
    chart: str = "line"  # line, area, bar, stacked (samen.insights.charts)
    app: str = ""
    description: str | Promise = ""
    order: int = 100
    on_dashboard: bool = True
    # The filter dimensions (``CHANNELS``, ``LANGUAGES``, ``TEAM``) ``compute`` narrows its
    # numbers by. Only these reach ``compute``; for a chosen dimension outside it the
    # dashboard and the CSV say the numbers are not narrowed. Declare only what ``compute``
    # really filters on: the default, nothing, is the honest one.
    follows: frozenset[str] = frozenset()
    # Older spelling of ``TEAM in follows``; either sets both.
    by_team: bool = False
    # The headline follows the period (a count, a median of the period), so comparing it with
    # the period before means something; ``False`` for a state "now" (breached work).
    compare: bool = True

    def __post_init__(self) -> None:
        follows = frozenset(self.follows)
        unknown = follows - DIMENSIONS
        if unknown:
            raise ValueError(f"unknown filter dimensions {sorted(unknown)!r} for {self.key!r}")
        if self.by_team:
            follows |= {TEAM}
        object.__setattr__(self, "follows", follows)
        object.__setattr__(self, "by_team", TEAM in follows)


@dataclass(frozen=True)
class ExpectedMetric:
    """A metric another app will register; shown as "not available yet" until it does."""

    key: str
    title: str | Promise
    element: str
    app: str
    order: int = 100


@dataclass
class _Registry:
    metrics: dict[str, Metric] = field(default_factory=dict)
    expected: dict[str, ExpectedMetric] = field(default_factory=dict)
    teams: Callable[[], list[tuple[str, str]]] | None = None


_registry = _Registry()


def register(metric: Metric) -> Metric:
    if metric.element not in Element.values:
        raise ValueError(f"unknown model element {metric.element!r}")
    _registry.metrics[metric.key] = metric
    return metric


def unregister(key: str) -> None:
    _registry.metrics.pop(key, None)


def provide_teams(choices: Callable[[], list[tuple[str, str]]]) -> None:
    """The app that owns teams (the inbox) tells insights which teams there are: a function
    returning (value for ``Filters.team``, name) pairs, called when the filters are drawn."""
    _registry.teams = choices


def teams() -> list[tuple[str, str]]:
    """(value, name) of every team, or ``[]`` while no app provides teams."""
    return _registry.teams() if _registry.teams is not None else []


def expect(item: ExpectedMetric) -> None:
    _registry.expected[item.key] = item


def get(key: str) -> Metric | None:
    return _registry.metrics.get(key)


@dataclass(frozen=True)
class Slot:
    """One place on a dashboard: a registered metric, or one that is not available yet."""

    key: str
    title: str | Promise
    element: str
    app: str
    order: int
    metric: Metric | None

    @property
    def available(self) -> bool:
        return self.metric is not None


def slots(*, element: str | None = None, dashboard_only: bool = True) -> list[Slot]:
    """Every registered and expected metric (registered wins), in a stable order."""
    found: dict[str, Slot] = {}
    for e in _registry.expected.values():
        found[e.key] = Slot(e.key, e.title, e.element, e.app, e.order, None)
    for m in _registry.metrics.values():
        if dashboard_only and not m.on_dashboard:
            continue
        found[m.key] = Slot(m.key, m.title, m.element, m.app, m.order, m)
    chosen = [s for s in found.values() if element is None or s.element == element]
    order = {value: i for i, value in enumerate(Element.values)}
    return sorted(chosen, key=lambda s: (order.get(s.element, 99), s.order, s.key))


def autodiscover() -> None:
    """Import ``metrics`` of every installed app, so each registers its own numbers."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("metrics")
