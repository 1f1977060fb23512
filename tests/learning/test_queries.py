"""The session lists cost the same number of queries with 1 or 10 sessions (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samen.core.roles import Role
from samen.learning import actions
from samen.learning.models import Session
from tests.factories import make_person
from tests.learning.factories import move_to_past, session

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_session_list_does_not_grow_with_sessions(client_for):
    client = client_for(Role.MANAGER)
    first = session(host=make_person(), capacity=5)
    actions.do_rsvp(person=make_person(), session=first)
    move_to_past(first)
    small = (_queries(client, reverse("learning:sessions")),
             _queries(client, reverse("learning:champions")))
    for _ in range(9):
        held = session(host=make_person(), capacity=5)
        actions.do_rsvp(person=make_person(), session=held)
        move_to_past(held)
    assert Session.objects.count() == 10
    large = (_queries(client, reverse("learning:sessions")),
             _queries(client, reverse("learning:champions")))
    assert large == small
