"""The weekly report for management: headline numbers, what changed since the week before,
notable conversations, alerts, ambassador activity and the charts, in the reader's language.

Gathers translated text and rendered charts here; ``pdf.py`` lays them out.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samen.core import selectors as core_selectors
from samen.core.models import Person
from samen.insights import charts, dashboard, pdf, registry, selectors
from samen.insights.registry import Element, Filters, Period

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(person: Person) -> str:
    """The person's own language, else the organisation's, else English."""
    if person.language in SUPPORTED:
        return person.language
    org = core_selectors.current_organisation()
    if org is not None and org.default_language in SUPPORTED:
        return org.default_language
    return "en"


def _value(panel: dashboard.Panel) -> str:
    if panel.headline is None:
        return "-"
    text = charts.format_number(panel.headline)
    return f"{text} {panel.headline_unit}" if panel.headline_unit else text


def _change(panel: dashboard.Panel) -> str:
    change = panel.change
    if change is None:
        return ""
    if change == 0:
        return _("unchanged")
    sign = "+" if change > 0 else ""
    return _("%(change)s vs week before") % {"change": f"{sign}{charts.format_number(change)}"}


def _what_changed(panels: list[dashboard.Panel]) -> list[str]:
    lines = []
    for p in panels:
        if p.change is None or p.previous is None:
            continue
        title = str(p.slot.title)
        if p.change == 0:
            lines.append(_("%(title)s: the same as the week before (%(value)s).") % {
                "title": title, "value": _value(p)})
            continue
        if p.previous:
            pct = round(100 * p.change / p.previous)
            lines.append(_("%(title)s: %(value)s, %(pct)+d%% compared with the week before "
                           "(%(previous)s).") % {"title": title, "value": _value(p), "pct": pct,
                                                 "previous": charts.format_number(p.previous)})
        else:
            lines.append(_("%(title)s: %(value)s, up from nothing the week before.") % {
                "title": title, "value": _value(p)})
    return lines


def _alerts(period: Period, filters: Filters) -> pdf.Section:
    """The week's trend alerts: term, posts seen against expected, since when it rose."""
    heading = _("Alerts")
    listed = registry.get("understanding.alert_list")
    if listed is None:
        return pdf.Section(heading=heading,
                           paragraphs=[_("Trend alerts are not available yet.")])
    table = listed.compute(period, filters)
    observed = table.series[0][1] if table.series else []
    expected = table.series[1][1] if len(table.series) > 1 else []
    bullets = []
    for i, term in enumerate(table.categories):
        seen, usual = observed[i], expected[i] if i < len(expected) else 0.0
        since = table.notes[i] if i < len(table.notes) else ""
        if usual:
            line = _("%(term)s: %(seen)s posts in an hour, %(times)s times the %(usual)s "
                     "expected, %(since)s") % {
                "term": term, "seen": charts.format_number(seen),
                "times": charts.format_number(round(seen / usual, 1)),
                "usual": charts.format_number(usual), "since": since}
        else:
            line = _("%(term)s: %(seen)s posts in an hour where none were expected, "
                     "%(since)s") % {"term": term, "seen": charts.format_number(seen),
                                     "since": since}
        bullets.append(line)
    return pdf.Section(heading=heading,
                       paragraphs=[] if bullets else [_("No trend alerts this week.")],
                       bullets=bullets)


def build_report(*, week_start: date, language: str) -> pdf.Report:
    """The report's content in ``language`` (translations active only inside)."""
    with translation.override(language):
        period = Period(week_start, week_start + timedelta(days=6))
        filters = Filters()
        panels = dashboard.build(period, filters)
        available = [p for p in panels if p.available]
        missing = [p for p in panels if not p.available]
        org = core_selectors.current_organisation()
        report = pdf.Report(
            title=_("Weekly report"),
            subtitle=_("%(organisation)s, week of %(start)s to %(end)s") % {
                "organisation": org.name if org else "Samen",
                "start": date_format(period.start, "j F Y"),
                "end": date_format(period.end, "j F Y")},
            footer=_("Samen weekly report"), language=language,
            headlines_heading=_("Headline numbers"),
        )
        report.headlines = [(str(p.slot.title), _value(p), _change(p))
                            for p in available if p.headline is not None]
        changed = _what_changed(available)
        report.sections.append(pdf.Section(
            heading=_("What changed"),
            paragraphs=changed or [_("Not enough data yet to compare with the week before.")]))

        posts = selectors.most_engaged_posts(period=period, filters=filters, limit=5)
        notable = [
            f"{date_format(timezone.localtime(p.created_at), 'j M H:i')} · "
            f"{p.author_name or p.author_handle} ({p.get_source_display()}): {p.text[:220]}"
            for p in posts
        ]
        report.sections.append(pdf.Section(
            heading=_("Notable conversations"),
            paragraphs=[_("Until the inbox reports on conversations, these are the week's "
                          "urgent and most recent received posts.")]
            if registry.get("inbox.notable") is None else [],
            bullets=notable or [_("No posts this week.")]))

        report.sections.append(_alerts(period, filters))

        ambassador_panels = [p for p in panels if p.slot.element == Element.AMBASSADORS]
        if not any(p.available for p in ambassador_panels):
            report.sections.append(pdf.Section(
                heading=_("Ambassador activity"),
                paragraphs=[_("Ambassador activity is not available yet.")]))
        for p in available:
            assert p.data is not None
            report.sections.append(pdf.Section(
                heading=str(p.slot.title), paragraphs=[p.data.description], svg=p.svg,
                table_caption=_("The numbers behind the chart"),
                table_header=p.header, table_rows=p.rows))
        if missing:
            report.sections.append(pdf.Section(
                heading=_("Not available yet"),
                bullets=[str(p.slot.title) for p in missing]))
        return report


def weekly_pdf(*, week_start: date, language: str) -> bytes:
    return pdf.render(build_report(week_start=week_start, language=language))
