"""Choosing a team narrows the inbox's numbers to that team's conversations; numbers not kept
per team stay the organisation's and say so on the page and in no way pretend otherwise."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samen.core.roles import Role
from samen.inbox.models import Conversation, Team
from samen.insights import dashboard, registry
from samen.insights.registry import Filters
from tests.insights.test_metrics_inbox_understanding import (  # noqa: F401 (fixture)
    PERIOD,
    compute,
    inbox,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(inbox):  # noqa: F811
    c1, c2, c3 = inbox
    front = Team.objects.create(name="Front office")
    social = Team.objects.create(name="Sociale media")
    Conversation.objects.filter(pk__in=[c1.pk, c2.pk]).update(team=front)
    Conversation.objects.filter(pk=c3.pk).update(team=social)
    return front, social


def test_the_inbox_offers_its_teams_through_the_registry(teams):
    front, social = teams
    assert registry.teams() == [(str(front.pk), "Front office"),
                                (str(social.pk), "Sociale media")]


def test_inbox_metrics_count_only_the_chosen_teams_conversations(teams):
    front, social = teams
    only_front = Filters(team=str(front.pk))
    only_social = Filters(team=str(social.pk))
    assert compute("inbox.conversations").headline == 3
    assert compute("inbox.conversations", only_front).headline == 2
    assert compute("inbox.conversations", only_social).headline == 1
    assert compute("inbox.first_response", only_front).headline == 60.0  # median(30, 90)
    assert compute("inbox.first_response", only_social).headline == 10.0
    assert compute("inbox.resolution", only_social).headline is None
    assert dict(compute("inbox.open_breached", only_social).series) == {
        "Open": [0.0, 1.0, 1.0], "Breached SLA": [0.0, 0.0, 1.0]}
    assert compute("inbox.open_breached", only_social).headline == 1.0
    assert compute("inbox.escalations", only_front).series[0][1] == [1.0, 1.0, 0.0]
    assert compute("inbox.escalations", only_social).series[0][1] == [0.0, 1.0, 0.0]


def test_metrics_not_kept_per_team_are_computed_for_everyone_and_flagged(teams):
    front, _social = teams
    chosen = Filters(team=str(front.pk))
    by_key = {p.slot.key: p for p in dashboard.build(PERIOD, chosen)}
    assert not by_key["inbox.first_response"].team_ignored
    assert by_key["posts.mentions"].team_ignored
    assert not dashboard.build_panel(by_key["posts.mentions"].slot, PERIOD,
                                     Filters()).team_ignored


def test_the_dashboard_has_a_team_filter_and_says_what_it_does_not_narrow(client_for, teams):
    front, _social = teams
    manager = client_for(Role.MANAGER)
    url = reverse("insights:dashboard")
    page = manager.get(url + "?days=28&end=2026-11-08").content.decode()
    assert '<select name="team"' in page and "Front office" in page
    assert "not kept per team" not in page
    page = manager.get(url + f"?days=28&end=2026-11-08&team={front.pk}").content.decode()
    assert "Narrowed to the team Front office" in page
    assert page.count("this number is not kept per team") >= 3
    panel = page.split('id="chart-inbox-conversations-heading"')[1].split("</section>")[0]
    assert "not kept per team" not in panel
    csv = manager.get(reverse("insights:metric_csv", args=["inbox.conversations"])
                      + f"?days=7&end=2026-11-08&team={front.pk}").content.decode()
    assert csv.splitlines()[1:] and sum(
        float(c) for line in csv.splitlines()[1:] for c in line.split(",")[1:] if c) == 2


def test_without_teams_there_is_no_team_filter(client_for):
    page = client_for(Role.MANAGER).get(reverse("insights:dashboard")).content.decode()
    assert '<select name="team"' not in page
    assert "Filtering by team becomes possible once the inbox has teams." in page
