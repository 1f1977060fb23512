"""The inbox and understanding register their numbers for the dashboards: response and
resolution times against the SLA, open and breached work, escalations, the busiest
listening rules and the trend alerts, each with the exact numbers of a known history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from samen.core.roles import Role
from samen.inbox.models import Conversation, ConversationEvent, EventKind, Reply, ReplyState
from samen.insights import registry
from samen.insights.registry import Filters, Period
from samen.understanding import actions as understanding_actions
from samen.understanding.models import AlertKind, RuleMatch, TrendAlert
from tests.factories import PostFactory
from tests.inbox import factories

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 11, 2), date(2026, 11, 4))  # Brussels time: UTC+1 in November


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def compute(key: str, filters: Filters | None = None) -> registry.MetricTable:
    metric = registry.get(key)
    assert metric is not None, f"{key} is not registered"
    return metric.compute(PERIOD, filters or Filters())


def history(conv: Conversation, **fields: object) -> Conversation:
    Conversation.objects.filter(pk=conv.pk).update(**fields)
    conv.refresh_from_db()
    return conv


@pytest.fixture
def inbox():
    c1 = history(factories.conversation(provider="mastodon", language="nl"),
                 created_at=at(2, 9), first_response_due=at(2, 10),
                 first_responded_at=at(2, 9, 30), resolution_due=at(3, 9),
                 resolved_at=at(2, 13), state="resolved", language="nl")
    c2 = history(factories.conversation(provider="mastodon", language="fr",
                                        text="Pourquoi la piscine est-elle fermée ?"),
                 created_at=at(2, 10), first_response_due=at(2, 11),
                 first_responded_at=at(2, 11, 30), resolution_due=at(3, 10),
                 resolved_at=None, state="open", language="fr")
    c3 = history(factories.conversation(provider="bluesky", language="nl"),
                 created_at=at(3, 9), first_response_due=at(3, 10),
                 first_responded_at=at(3, 9, 10), resolution_due=at(4, 9),
                 resolved_at=None, state="open", language="nl")
    # an escalation decided three hours later, one decided a day later, one still waiting
    ConversationEvent.objects.create(conversation=c2, kind=EventKind.ESCALATED, at=at(2, 12))
    Reply.objects.create(conversation=c2, text="Excuses", state=ReplyState.QUEUED,
                         escalation_reasons=["sentiment"], decided_at=at(2, 15))
    ConversationEvent.objects.create(conversation=c3, kind=EventKind.ESCALATED, at=at(3, 9, 30))
    Reply.objects.create(conversation=c3, text="Dag", state=ReplyState.REJECTED,
                         escalation_reasons=["urgent"], decided_at=at(4, 9, 30))
    ConversationEvent.objects.create(conversation=c1, kind=EventKind.ESCALATED, at=at(3, 11))
    Reply.objects.create(conversation=c1, text="Wacht", state=ReplyState.PENDING_APPROVAL,
                         escalation_reasons=["urgent"])
    return c1, c2, c3


def test_first_response_is_the_median_in_minutes_against_the_target(inbox):
    table = compute("inbox.first_response")
    assert len(table.categories) == 3
    assert table.series[0][1] == [60.0, 10.0, 0.0]  # median(30, 90); 10; nothing on day 3
    assert table.series[1][1] == [60.0, 60.0, 0.0]
    assert table.headline == 30.0 and table.headline_better == "lower"
    assert compute("inbox.first_response", Filters(channels=("bluesky",))).headline == 10.0
    assert compute("inbox.first_response", Filters(languages=("fr",))).headline == 90.0
    assert compute("inbox.first_response", Filters(languages=("de",))).headline is None


def test_resolution_is_the_median_in_hours_against_the_target(inbox):
    table = compute("inbox.resolution")
    assert table.series[0][1] == [4.0, 0.0, 0.0]
    assert table.series[1][1] == [24.0, 24.0, 0.0]
    assert table.headline == 4.0


def test_open_and_breached_count_what_was_open_at_the_end_of_each_day(inbox):
    table = compute("inbox.open_breached")
    assert dict(table.series) == {"Open": [1.0, 2.0, 2.0], "Breached SLA": [0.0, 1.0, 2.0]}
    assert table.headline == 2.0 and table.headline_better == "lower"
    assert compute("inbox.open_breached", Filters(channels=("bluesky",))).headline == 1.0


def test_escalations_per_day_and_hours_until_management_decided(inbox):
    table = compute("inbox.escalations")
    assert table.series[0][1] == [1.0, 2.0, 0.0]
    assert table.series[1][1] == [3.0, 0.0, 24.0]  # by the day of the decision
    assert table.headline == 13.5
    narrowed = compute("inbox.escalations", Filters(languages=("fr",)))
    assert narrowed.series[0][1] == [1.0, 0.0, 0.0] and narrowed.headline == 3.0


@pytest.fixture
def understanding():
    rules = {name: understanding_actions.do_create_rule(name=name, query=name.lower(), by=None)
             for name in ("Afval", "Parking", "Zwembad")}
    plan = [("Afval", "mastodon", "nl", at(2, 9)), ("Afval", "mastodon", "nl", at(3, 9)),
            ("Afval", "bluesky", "nl", at(4, 9)), ("Parking", "mastodon", "fr", at(2, 9)),
            ("Parking", "mastodon", "fr", at(2, 10)), ("Zwembad", "bluesky", "nl", at(3, 9)),
            ("Zwembad", "mastodon", "nl", datetime(2026, 10, 30, 9, tzinfo=UTC))]
    for name, source, language, when in plan:
        post = PostFactory(source=source, language=language, created_at=when)
        RuleMatch.objects.create(rule=rules[name], post=post, matched_at=when)
    for when in (at(2, 9), at(2, 20), at(4, 12), datetime(2026, 10, 30, 9, tzinfo=UTC)):
        TrendAlert.objects.create(kind=AlertKind.HASHTAG, term="afval", fired_at=when,
                                  since=when, observed=12, expected=2.0, score=5.0)


def test_top_rules_are_the_rules_with_most_matches_in_the_period(understanding):
    table = compute("understanding.top_rules")
    assert table.categories == ["Afval", "Parking", "Zwembad"]
    assert table.series == [("Matches", [3.0, 2.0, 1.0])]
    assert table.headline is None
    bluesky = compute("understanding.top_rules", Filters(channels=("bluesky",)))
    assert bluesky.categories == ["Afval", "Zwembad"] and bluesky.series[0][1] == [1.0, 1.0]
    french = compute("understanding.top_rules", Filters(languages=("fr",)))
    assert french.categories == ["Parking"]


def test_trend_alerts_per_day_and_in_the_period(understanding):
    table = compute("understanding.trend_alerts")
    assert table.series == [("Trend alerts", [2.0, 0.0, 1.0])]
    assert table.headline == 3.0


def test_the_dashboard_shows_these_metrics_instead_of_not_available(client_for, inbox,
                                                                   understanding):
    url = reverse("insights:dashboard") + "?days=28&end=2026-11-08"
    page = client_for(Role.MANAGER).get(url).content.decode()
    assert "the inbox part of Samen will provide" not in page
    assert "the understanding part of Samen will provide" not in page
    for title in ("First response time against the SLA", "Open and breached work",
                  "Escalations and how fast management decided", "Top listening rules",
                  "Trending topics and their alerts"):
        assert f"<caption>{title}</caption>" in page
    assert "Afval" in page
