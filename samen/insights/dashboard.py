"""From registered metrics to what a page or the report shows: a chart, its table, its CSV,
the headline number and how it changed since the period before."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.insights import charts, registry
from samen.insights.registry import CHANNELS, LANGUAGES, TEAM, Filters, MetricTable, Period, Slot

PERIOD_CHOICES = (7, 28, 91, 365)


@dataclass
class Panel:
    slot: Slot
    chart_id: str
    data: charts.ChartData | None = None
    svg: str = ""
    headline: float | None = None
    previous: float | None = None
    headline_better: str = "higher"
    unit: str = ""
    headline_unit: str = ""
    # The chosen filter dimensions this metric does not follow (its numbers are for all of
    # them); ``note`` says so in the reader's language, or is empty.
    not_applied: frozenset[str] = field(default_factory=frozenset)
    note: str = ""

    @property
    def team_ignored(self) -> bool:
        """A team was chosen, but this metric is not kept per team."""
        return TEAM in self.not_applied

    @property
    def available(self) -> bool:
        return self.data is not None

    @property
    def change(self) -> float | None:
        if self.headline is None or self.previous is None:
            return None
        return round(self.headline - self.previous, 1)

    @property
    def rows(self) -> list[list[str]]:
        return self.data.rows() if self.data else []

    @property
    def header(self) -> list[str]:
        return self.data.header() if self.data else []

    @property
    def body_html(self) -> str:
        """The table body, built here rather than in template loops: a year of weekly rows
        over several series is a thousand cells, which Django's template engine renders
        noticeably slower than this."""
        cells = []
        for row in self.rows:
            cells.append("<tr><th scope=\"row\">" + escape(row[0]) + "</th>"
                         + "".join(f'<td class="num">{escape(c)}</td>' for c in row[1:])
                         + "</tr>")
        return mark_safe("".join(cells))  # noqa: S308 (every cell is escaped above)


def period_ending(end: date | None = None, days: int = 28) -> Period:
    end = end or timezone.localdate()
    return Period(end - timedelta(days=days - 1), end)


# One whole sentence per combination, so translators never have to glue a list together.
_NOT_NARROWED = {
    frozenset({CHANNELS}): gettext_lazy(
        "Not narrowed to the channel: this number is not kept per channel, so it covers "
        "every channel."),
    frozenset({LANGUAGES}): gettext_lazy(
        "Not narrowed to the language: this number is not kept per language, so it covers "
        "every language."),
    frozenset({TEAM}): gettext_lazy(
        "Not narrowed to the team: this number is not kept per team, so it is the whole "
        "organisation's."),
    frozenset({CHANNELS, LANGUAGES}): gettext_lazy(
        "Not narrowed to the channel or language: this number is not kept per channel or "
        "language, so it covers every channel and language."),
    frozenset({CHANNELS, TEAM}): gettext_lazy(
        "Not narrowed to the channel or team: this number is not kept per channel or team, "
        "so it is the whole organisation's, in every channel."),
    frozenset({LANGUAGES, TEAM}): gettext_lazy(
        "Not narrowed to the language or team: this number is not kept per language or "
        "team, so it is the whole organisation's, in every language."),
    frozenset({CHANNELS, LANGUAGES, TEAM}): gettext_lazy(
        "Not narrowed to the channel, language or team: this number is not kept per "
        "channel, language or team, so it is the whole organisation's, in every channel and "
        "language."),
}


def not_narrowed_note(not_applied: frozenset[str]) -> str:
    """The sentence telling the reader which chosen filters a chart does not follow."""
    return str(_NOT_NARROWED[not_applied]) if not_applied else ""


def describe(title: str, table: MetricTable, period: Period, note: str = "") -> str:
    """A sentence a screen reader can use instead of the picture: what, when, the totals,
    and which chosen filters the numbers do not follow."""
    when = _("from %(start)s to %(end)s") % {
        "start": date_format(period.start, "j F Y"), "end": date_format(period.end, "j F Y")}
    if not table.categories or not table.series:
        text = _("%(title)s, %(when)s: no data.") % {"title": title, "when": when}
        return f"{text} {note}" if note else text
    totals = "; ".join(
        _("%(series)s: %(total)s in total") % {"series": name,
                                              "total": charts.format_number(sum(values))}
        for name, values in table.series
    )
    text = _("%(title)s, %(when)s. %(totals)s. The table below the chart has every number.") \
        % {"title": title, "when": when, "totals": totals}
    return f"{text} {note}" if note else text


def chart_data(metric: registry.Metric, table: MetricTable, period: Period,
               note: str = "") -> charts.ChartData:
    title = str(metric.title)
    return charts.ChartData(
        title=title, description=describe(title, table, period, note),
        categories=tuple(str(c) for c in table.categories),
        series=tuple(charts.Series(str(name), tuple(float(v) for v in values))
                     for name, values in table.series),
        category_label=str(table.category_label), unit=str(table.unit),
    )


def filters_for(metric: registry.Metric, filters: Filters) -> tuple[Filters, frozenset[str]]:
    """The filters ``metric`` is computed with (only the dimensions it follows), and the
    chosen dimensions left out because it does not follow them (the page, the table and the
    CSV say so next to it)."""
    return filters.only(metric.follows), filters.chosen() - metric.follows


def build_panel(slot: Slot, period: Period, filters: Filters, *,
                with_previous: bool = True) -> Panel:
    chart_id = "chart-" + slot.key.replace(".", "-").replace("_", "-")
    panel = Panel(slot=slot, chart_id=chart_id)
    if slot.metric is None:
        return panel
    filters, panel.not_applied = filters_for(slot.metric, filters)
    panel.note = not_narrowed_note(panel.not_applied)
    table = slot.metric.compute(period, filters)
    data = chart_data(slot.metric, table, period, panel.note)
    panel.data = data
    panel.svg = charts.render(slot.metric.chart, data, chart_id=chart_id,
                              empty_message=_("No data for this period."))
    panel.headline = table.headline
    panel.headline_better = table.headline_better
    panel.unit = str(table.unit)
    panel.headline_unit = str(table.headline_unit or table.unit)
    # The change against the period before is shown up to three months; for a whole year it
    # would double the work for a comparison nobody reads on a dashboard.
    if (with_previous and slot.metric.compare and table.headline is not None
            and period.days <= 92):
        panel.previous = slot.metric.compute(period.previous(), filters).headline
    return panel


def build(period: Period, filters: Filters, *, element: str | None = None) -> list[Panel]:
    return [build_panel(slot, period, filters) for slot in registry.slots(element=element)]
