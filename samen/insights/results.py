"""The scan's results for one round: per element a 1–5 mean with its spread, the change
since the round before, a radar chart, recommendations for the lowest elements, and the
indicators Samen measures for the same elements (from the metric registry)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from samen.insights import charts, dashboard, registry, scan, scoring, selectors
from samen.insights.models import ScanRound
from samen.insights.registry import Element, Filters


@dataclass
class ElementResult:
    element: str
    label: str
    summary: scoring.Summary | None
    previous_mean: float | None = None
    statements: list[tuple[str, scoring.Summary | None]] = field(default_factory=list)
    indicators: list[dashboard.Panel] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.summary is None or self.previous_mean is None:
            return None
        return round(self.summary.mean - self.previous_mean, 2)


@dataclass
class RoundResult:
    scan_round: ScanRound
    respondents: int
    visible: bool
    elements: list[ElementResult] = field(default_factory=list)
    previous: ScanRound | None = None
    radar_svg: str = ""
    radar: charts.ChartData | None = None
    recommendations: list[tuple[str, str, tuple[scan.Feature, ...]]] = field(
        default_factory=list)


def element_means(scan_round: ScanRound) -> dict[str, float] | None:
    """Per element mean of one round, or ``None`` while too few people answered."""
    if selectors.respondents(scan_round) < scan_round.min_respondents:
        return None
    dists = selectors.answer_distributions(scan_round)
    means = {}
    for element in Element.values:
        merged = scoring.merge(dists.get(s.key, {}) for s in scan.statements_for(element))
        summary = scoring.summarise(merged)
        if summary is not None:
            means[element] = summary.mean
    return means


def round_result(scan_round: ScanRound, *, with_indicators: bool = True) -> RoundResult:
    n = selectors.respondents(scan_round)
    result = RoundResult(scan_round=scan_round, respondents=n,
                         visible=n >= scan_round.min_respondents)
    if not result.visible:
        return result
    dists = selectors.answer_distributions(scan_round)
    previous = selectors.previous_round(scan_round)
    previous_means = element_means(previous) if previous else None
    result.previous = previous if previous_means is not None else None
    period = dashboard.period_ending(days=28)
    for element, label in Element.choices:
        statements = [(str(s.text), scoring.summarise(dists.get(s.key, {})))
                      for s in scan.statements_for(element)]
        merged = scoring.merge(dists.get(s.key, {}) for s in scan.statements_for(element))
        er = ElementResult(element=element, label=str(label),
                           summary=scoring.summarise(merged), statements=statements,
                           previous_mean=(previous_means or {}).get(element))
        if with_indicators:
            er.indicators = [dashboard.build_panel(slot, period, Filters(), with_previous=False)
                             for slot in registry.slots(element=element)]
        result.elements.append(er)
    means = {e.element: e.summary.mean for e in result.elements if e.summary}
    series = [charts.Series(scan_round.name,
                            tuple(means.get(e.element, 0.0) for e in result.elements))]
    if result.previous is not None and previous_means:
        series.append(charts.Series(result.previous.name,
                                    tuple(previous_means.get(e.element, 0.0)
                                          for e in result.elements)))
    result.radar = charts.ChartData(
        title=_("Maturity per element of the model"),
        description=_("Radar chart of the mean score (1 to 5) per element for %(round)s%(prev)s."
                      " The table below has every number.") % {
            "round": scan_round.name,
            "prev": (_(", compared with %(previous)s") % {"previous": result.previous.name})
            if result.previous else ""},
        categories=tuple(e.label for e in result.elements), series=tuple(series),
        category_label=_("Element"), unit=_("score 1–5"),
    )
    result.radar_svg = charts.radar_chart(result.radar, chart_id="chart-scan-radar")
    for element in scoring.lowest(means):
        text, features = scan.RECOMMENDATIONS[element]
        result.recommendations.append((str(Element(element).label), str(text), features))
    return result
