"""The transitions table: every allowed move works, every other one is refused clearly."""

from __future__ import annotations

import itertools

import pytest

from samen.inbox import actions, workflow
from samen.inbox.models import ConversationEvent
from samen.inbox.workflow import ALLOWED_TRANSITIONS, InvalidTransition, State
from tests.inbox.factories import agent, conversation

ALL_PAIRS = list(itertools.product(State, State))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in ALLOWED_TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in ALLOWED_TRANSITIONS[a]]


def test_the_table_has_the_lifecycle_the_team_expects():
    assert ALLOWED_TRANSITIONS[State.NEW] >= {State.OPEN}
    assert ALLOWED_TRANSITIONS[State.OPEN] >= {State.WAITING_CUSTOMER, State.WAITING_COLLEAGUE,
                                               State.RESOLVED}
    assert State.CLOSED in ALLOWED_TRANSITIONS[State.RESOLVED]
    assert State.OPEN in ALLOWED_TRANSITIONS[State.CLOSED]  # reopened
    assert State.CLOSED not in ALLOWED_TRANSITIONS[State.NEW]
    assert len(FORBIDDEN) > len(ALLOWED)


@pytest.mark.parametrize("current,target", ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_transitions_pass_the_pure_check(current, target):
    assert workflow.check(current, target) == target


@pytest.mark.parametrize("current,target", FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_forbidden_transitions_raise_a_clear_error(current, target):
    with pytest.raises(InvalidTransition) as info:
        workflow.check(current, target)
    assert repr(current.value) in str(info.value) and repr(target.value) in str(info.value)


def test_unknown_states_are_refused():
    with pytest.raises(InvalidTransition):
        workflow.check("open", "archived")
    with pytest.raises(InvalidTransition):
        workflow.check("limbo", "open")


def test_path_to_walks_only_allowed_steps():
    assert workflow.path_to("new", "waiting_customer") == [State.OPEN, State.WAITING_CUSTOMER]
    assert workflow.path_to("open", "open") == []
    assert workflow.path_to("closed", "resolved") == [State.OPEN, State.RESOLVED]


def _bring_to(conv, state, person):
    for step in workflow.path_to(conv.state, state):
        conv = actions.do_transition(conversation=conv, to=step, by=person)
    return conv


@pytest.mark.django_db
@pytest.mark.parametrize("current,target", ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_transitions_append_history(current, target):
    person = agent()
    conv = _bring_to(conversation(), current, person)
    before = ConversationEvent.objects.filter(conversation=conv).count()
    conv = actions.do_transition(conversation=conv, to=target, by=person)
    conv.refresh_from_db()
    assert conv.state == target
    last = ConversationEvent.objects.filter(conversation=conv).last()
    assert ConversationEvent.objects.filter(conversation=conv).count() == before + 1
    assert (last.kind, last.from_state, last.to_state, last.actor) == (
        "state", current.value, target.value, person)


@pytest.mark.django_db
@pytest.mark.parametrize("current,target", FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_forbidden_transitions_change_nothing(current, target):
    person = agent()
    conv = _bring_to(conversation(), current, person)
    before = ConversationEvent.objects.filter(conversation=conv).count()
    with pytest.raises(InvalidTransition):
        actions.do_transition(conversation=conv, to=target, by=person)
    conv.refresh_from_db()
    assert conv.state == current
    assert ConversationEvent.objects.filter(conversation=conv).count() == before


@pytest.mark.django_db
def test_history_is_append_only():
    conv = conversation()
    event = ConversationEvent.objects.filter(conversation=conv).first()
    event.text = "rewritten"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    with pytest.raises(RuntimeError):
        ConversationEvent.objects.filter(conversation=conv).update(text="x")
