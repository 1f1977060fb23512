"""The learning app's number for the insights dashboards: lunch sessions held and how many
colleagues attended, per week (docs/insights.md, "Contributing a metric from another app").
Counted in the database, grouped per week."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from samen.insights.registry import Element, Filters, Metric, MetricTable, Period, register
from samen.learning.models import RsvpStatus, Session


def _weeks(period: Period) -> list[date]:
    """The Mondays of the weeks the period touches."""
    monday = period.start - timedelta(days=period.start.weekday())
    weeks = []
    while monday <= period.end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def sessions(period: Period, filters: Filters) -> MetricTable:
    """Sessions that started in the period and are over; attendees are the colleagues who
    had a place (not the waiting list)."""
    rows = (Session.objects.filter(starts_at__date__gte=period.start,
                                   starts_at__date__lte=period.end,
                                   ends_at__lt=timezone.now())
            .annotate(week=TruncWeek("starts_at")).values("week")
            .annotate(held=Count("id", distinct=True),
                      people=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.GOING),
                                   distinct=True))
            .order_by("week"))
    weeks = _weeks(period)
    index = {w: i for i, w in enumerate(weeks)}
    held = [0.0] * len(weeks)
    attendees = [0.0] * len(weeks)
    for r in rows:
        week = r["week"]
        i = index.get(week.date() if hasattr(week, "date") else week)
        if i is not None:
            held[i] += r["held"]
            attendees[i] += r["people"]
    return MetricTable(
        categories=[date_format(w, "j M") for w in weeks],
        series=[(str(_("Sessions held")), held), (str(_("Attendees")), attendees)],
        category_label=_("Week of"), unit=_("sessions and people"),
        headline=float(sum(attendees)), headline_better="higher", headline_unit=_("attendees"))


register(Metric("learning.sessions", _("Lunch sessions held and attended"), Element.TRUST,
                sessions, chart="line", app="learning", order=20,
                follows=frozenset(),  # a session has no channel, language or team
                description=_("Peer learning sessions held per week and the colleagues who "
                              "attended them.")))
