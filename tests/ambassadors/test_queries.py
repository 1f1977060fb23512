"""List pages cost the same number of queries with 1 or 10 rows (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samen.ambassadors import actions
from samen.core.roles import Role
from tests.ambassadors.factories import hub_item

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow_hub(lead, sharer, n: int) -> None:
    for i in range(n):
        item = hub_item(by=lead, title=f"Item {i}")
        actions.do_share(person=sharer, item=item, network="bluesky", text="x",
                         link_base="https://s.example/s/")


def test_hub_pages_do_not_grow_with_items(client_for):
    lead_client = client_for(Role.COMMS_LEAD)
    me = client_for(Role.AMBASSADOR)
    actions.do_set_ambassador_preferences(person=me.person, mastodon_instance="",
                                          leaderboard_opt_in=True)
    _grow_hub(lead_client.person, me.person, 1)
    small = (_queries(me, reverse("ambassadors:hub")),
             _queries(lead_client, reverse("ambassadors:hub_manage")))
    _grow_hub(lead_client.person, me.person, 9)
    large = (_queries(me, reverse("ambassadors:hub")),
             _queries(lead_client, reverse("ambassadors:hub_manage")))
    assert large == small
