"""Pages of insights: the dashboard (with a CSV per chart), the weekly report as PDF and its
subscription, the maturity scan for staff, its results, and its rounds for the comms lead.

Views parse and delegate: numbers come from the registry and selectors, writes go through
actions."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samen.core.models import Person
from samen.core.permissions import role_required
from samen.core.roles import Role
from samen.insights import actions, charts, dashboard, registry, report, results, scan, selectors
from samen.insights.forms import FilterForm, ScanForm, ScanRoundForm, SubscriptionForm
from samen.insights.metrics import channel_label, language_label
from samen.insights.models import ScanRound
from samen.insights.registry import Element, Filters, Period

READERS = (Role.MANAGER, Role.COMMS_LEAD)


def _filters(request: HttpRequest) -> tuple[FilterForm, Period, Filters]:
    form = FilterForm(
        request.GET or None,
        channels=[(c, channel_label(c)) for c in selectors.channels_with_posts()],
        languages=[(code, language_label(code)) for code in
                   sorted({"nl", "fr", "en", "de", *selectors.languages_with_posts()})],
        teams=registry.teams(),
    )
    days, end, channel, language, team = 28, None, "", "", ""
    if form.is_bound:
        form.is_valid()  # a field that does not validate falls back to its default alone
        days = form.cleaned_data.get("days") or 28
        end = form.cleaned_data.get("end")
        channel = form.cleaned_data.get("channel", "")
        language = form.cleaned_data.get("language", "")
        team = form.cleaned_data.get("team", "")
    period = dashboard.period_ending(end, days)
    filters = Filters(channels=(channel,) if channel else (),
                      languages=(language,) if language else (), team=team or "")
    return form, period, filters


@role_required(*READERS)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form, period, filters = _filters(request)
    panels = dashboard.build(period, filters)
    sections = [(value, label, [p for p in panels if p.slot.element == value])
                for value, label in Element.choices]
    team_name = dict(registry.teams()).get(filters.team, "") if filters.team else ""
    return render(request, "insights/dashboard.html", {
        "form": form, "period": period, "sections": sections,
        "query": request.GET.urlencode(), "team_name": team_name,
        "has_teams": "team" in form.fields,
    })


@role_required(*READERS)
def metric_csv(request: HttpRequest, key: str) -> HttpResponse:
    metric = registry.get(key)
    if metric is None:
        raise Http404(_("This metric is not available yet."))
    _form, period, filters = _filters(request)
    filters, not_applied = dashboard.filters_for(metric, filters)
    note = dashboard.not_narrowed_note(not_applied)
    table = metric.compute(period, filters)
    data = dashboard.chart_data(metric, table, period, note)
    response = HttpResponse(charts.to_csv(data, [note] if note else []),
                            content_type="text/csv; charset=utf-8")
    filename = f"samen-{key}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*READERS)
def report_page(request: HttpRequest) -> HttpResponse:
    """The weekly report: download a week's PDF, and subscribe to get it by e-mail."""
    person: Person = request.user  # type: ignore[assignment]
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["subscribe"]:
                    actions.do_subscribe(person=person, by=person)
                    messages.success(request, _("You will receive the weekly report by "
                                                "e-mail."))
                else:
                    actions.do_unsubscribe(person=person, by=person)
                    messages.success(request, _("You will no longer receive the weekly "
                                                "report."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("insights:report")
    form = SubscriptionForm(initial={"subscribe": selectors.is_subscribed(person)})
    last = actions.last_full_week()
    weeks = [last - timedelta(days=7 * i) for i in range(8)]
    return render(request, "insights/report.html", {
        "form": form, "weeks": weeks, "this_week": timezone.localdate()
        - timedelta(days=timezone.localdate().weekday()),
    })


@role_required(*READERS)
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The PDF of one week (``?week=YYYY-MM-DD``, a Monday; default: last full week)."""
    week = request.GET.get("week", "")
    try:
        week_start = date.fromisoformat(week) if week else actions.last_full_week()
    except ValueError:
        raise Http404(_("Unknown week.")) from None
    if week_start.weekday() != 0:
        raise Http404(_("A report week starts on a Monday."))
    language = translation.get_language() or "en"
    pdf = report.weekly_pdf(week_start=week_start, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="samen-{week_start.isoformat()}-{language}.pdf"')
    return response


@role_required()
def scan_page(request: HttpRequest) -> HttpResponse:
    """Staff answer the open round, anonymously."""
    person: Person = request.user  # type: ignore[assignment]
    scan_round = selectors.open_round()
    answered = scan_round is not None and selectors.has_answered(scan_round=scan_round,
                                                                  person=person)
    form = ScanForm()
    if request.method == "POST" and scan_round is not None and not answered:
        form = ScanForm(request.POST)
        if form.is_valid():
            try:
                actions.do_answer_scan(scan_round=scan_round, person=person,
                                       answers=form.answers())
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Thank you! Your answers were added anonymously."))
            return redirect("insights:scan")
    groups = [(label, [form[s.key] for s in scan.statements_for(value)])
              for value, label in Element.choices]
    return render(request, "insights/scan.html", {
        "scan_round": scan_round, "answered": answered, "form": form, "groups": groups,
    })


@role_required(*READERS)
def scan_results(request: HttpRequest) -> HttpResponse:
    all_rounds = list(selectors.rounds())
    chosen = request.GET.get("round", "")
    scan_round = None
    if chosen.isdigit():
        scan_round = get_object_or_404(ScanRound, pk=int(chosen))
    elif all_rounds:
        closed = [r for r in all_rounds if r.state == ScanRound.State.CLOSED]
        scan_round = closed[0] if closed else all_rounds[0]
    result = results.round_result(scan_round) if scan_round else None
    return render(request, "insights/scan_results.html", {
        "rounds": all_rounds, "result": result, "scan_round": scan_round,
        "is_lead": request.user.has_role(Role.COMMS_LEAD),  # type: ignore[union-attr]
    })


@role_required(*READERS)
def scan_results_csv(request: HttpRequest) -> HttpResponse:
    """The numbers behind the radar chart: per element mean, quartiles and the distribution.

    Empty (a header only) while the round has too few respondents."""
    chosen = request.GET.get("round", "")
    scan_round = get_object_or_404(ScanRound, pk=int(chosen)) if chosen.isdigit() else None
    result = results.round_result(scan_round, with_indicators=False) if scan_round else None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Element"), _("Mean"), "Q1", _("Median"), "Q3", "1", "2", "3", "4", "5",
                     _("Change since the round before")])
    if result is not None and result.visible:
        for e in result.elements:
            if e.summary is None:
                continue
            writer.writerow([e.label, f"{e.summary.mean:.2f}", e.summary.q1, e.summary.median,
                             e.summary.q3, *e.summary.distribution,
                             "" if e.change is None else f"{e.change:.2f}"])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="samen-scan.csv"'
    return response


@role_required(Role.COMMS_LEAD)
def scan_rounds(request: HttpRequest) -> HttpResponse:
    """The comms lead opens and closes rounds."""
    person: Person = request.user  # type: ignore[assignment]
    form = ScanRoundForm()
    if request.method == "POST":
        if request.POST.get("action") == "close":
            scan_round = get_object_or_404(ScanRound, pk=request.POST.get("round"))
            actions.do_close_scan_round(scan_round=scan_round, by=person)
            messages.success(request, _("The round is closed."))
            return redirect("insights:scan_rounds")
        form = ScanRoundForm(request.POST)
        if form.is_valid():
            try:
                actions.do_open_scan_round(name=form.cleaned_data["name"], by=person,
                                           min_respondents=form.cleaned_data["min_respondents"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The round is open: staff can answer the scan."))
                return redirect("insights:scan_rounds")
    return render(request, "insights/scan_rounds.html", {
        "form": form, "rounds": selectors.rounds(), "open_round": selectors.open_round(),
    })
