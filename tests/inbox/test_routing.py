"""Routing rules as data, round-robin inside a team, and people who are away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samen.inbox import actions, policy
from samen.inbox.models import ConversationEvent
from tests.inbox.factories import agent, conversation

pytestmark = pytest.mark.django_db


def test_conditions_are_data():
    facts = {"language": "fr", "channel": "mastodon", "intent": "complaint",
             "sentiment": "negative", "urgent": True, "rule": ["werken", "mobiliteit"]}
    assert policy.conditions_match({}, facts)
    assert policy.conditions_match({"language": ["fr", "nl"]}, facts)
    assert not policy.conditions_match({"language": ["nl"]}, facts)
    assert policy.conditions_match({"urgent": [True], "channel": ["mastodon"]}, facts)
    assert not policy.conditions_match({"urgent": [False]}, facts)
    assert policy.conditions_match({"rule": ["mobiliteit"]}, facts)
    assert not policy.conditions_match({"rule": ["afval"]}, facts)


def test_round_robin_skips_people_who_are_away():
    assert policy.round_robin([1, 2, 3], set(), 0) == (1, 1)
    assert policy.round_robin([1, 2, 3], {2}, 1) == (3, 0)
    assert policy.round_robin([1, 2, 3], {1, 2, 3}, 2) == (None, 2)


def test_first_matching_rule_routes_to_a_person_and_sets_priority():
    jonas = agent("jonas")
    actions.do_create_routing_rule(name="Dringend", conditions={"urgent": [True]}, team=None,
                                   person=jonas, priority="high", position=1, by=None)
    urgent = conversation(urgent=True)
    calm = conversation()
    assert (urgent.assignee, urgent.priority) == (jonas, "high")
    assert calm.assignee is None and calm.priority == "normal"
    event = ConversationEvent.objects.get(conversation=urgent, kind="assigned")
    assert event.data["rule"] == "Dringend"


def test_round_robin_inside_a_team_skips_away_people():
    a, b, c = agent("ann"), agent("bert"), agent("cato")
    team = actions.do_create_team(name="Franstalig", members=[a, b, c], by=None)
    actions.do_create_routing_rule(name="Frans", conditions={"language": ["fr"]}, team=team,
                                   person=None, by=None)
    actions.do_set_away(person=b, away=True, by=b)
    got = [conversation(language="fr", text="Bonjour").assignee for _ in range(4)]
    assert got == [a, c, a, c]
    actions.do_set_away(person=b, away=False, by=b)
    assert conversation(language="fr", text="Bonjour").assignee == a
    assert conversation(language="fr", text="Bonjour").assignee == b


def test_away_until_a_past_time_counts_as_back():
    a, b = agent("ann"), agent("bert")
    team = actions.do_create_team(name="T", members=[a, b], by=None)
    actions.do_create_routing_rule(name="all", conditions={}, team=team, person=None, by=None)
    actions.do_set_away(person=a, away=True, until=timezone.now() - timedelta(hours=1), by=a)
    assert conversation().assignee == a


def test_everyone_away_leaves_the_conversation_with_the_team():
    a = agent("ann")
    team = actions.do_create_team(name="T", members=[a], by=None)
    actions.do_create_routing_rule(name="all", conditions={}, team=team, person=None, by=None)
    actions.do_set_away(person=a, away=True, by=a)
    conv = conversation()
    assert conv.assignee is None and conv.team == team


def test_sla_targets_follow_channel_and_priority():
    targets = {("", "normal"): policy.Target(240, 2880), ("bluesky", "normal"):
               policy.Target(60, 600)}
    assert policy.pick_target(targets, channel="bluesky", priority="normal").first_response_minutes == 60
    assert policy.pick_target(targets, channel="mastodon", priority="normal").first_response_minutes == 240
    assert policy.pick_target(targets, channel="mastodon", priority="high") == policy.Target(
        *policy.DEFAULT_SLA["high"])


def test_a_new_priority_moves_the_due_times():
    person = agent()
    conv = conversation()
    before = conv.first_response_due
    conv = actions.do_set_priority(conversation=conv, priority="high", urgent=True, by=person)
    assert conv.first_response_due < before
