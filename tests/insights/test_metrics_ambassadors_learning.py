"""The ambassadors' and learning metrics count what happened, per local day (or week), and
take the place of their "not available yet" placeholders on the dashboard."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samen.ambassadors import actions as amb_actions
from samen.ambassadors import metrics as amb_metrics
from samen.ambassadors.models import Click, Share
from samen.core.roles import Role
from samen.insights import registry
from samen.insights.registry import Filters, Period
from samen.learning import actions as learn_actions
from samen.learning import metrics as learn_metrics
from samen.learning.models import Session
from samen.sources.models import Delivery, DeliveryState
from tests.ambassadors.factories import hub_item
from tests.factories import AccountFactory, make_person
from tests.learning.factories import session as new_session

pytestmark = pytest.mark.django_db

WEEK = Period(date(2026, 11, 2), date(2026, 11, 8))  # Monday to Sunday


def local(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def share(person, item, network: str, at: datetime) -> Share:
    result = amb_actions.do_share(person=person, item=item, network=network, text="Kijk!",
                                  link_base="https://samen.example/ambassadors/s/")
    Share.objects.filter(pk=result.share.pk).update(at=at)
    return result.share


def series(table) -> dict[str, list[float]]:
    return dict(table.series)


def test_guidelines_count_people_per_version_and_the_share_of_staff():
    lead = make_person(Role.COMMS_LEAD, username="lead")
    staff = [make_person(username=f"staff{i}") for i in range(3)]  # 4 people in all
    v1 = amb_actions.do_publish_guidelines(body_nl="Een", body_fr="Un", body_en="One", by=lead)
    for p in (lead, *staff):
        amb_actions.do_acknowledge_guidelines(person=p, version=v1)
    v2 = amb_actions.do_publish_guidelines(body_nl="Twee", body_fr="Deux", body_en="Two",
                                           by=lead)
    amb_actions.do_acknowledge_guidelines(person=staff[0], version=v2)
    today = timezone.localdate()
    table = amb_metrics.guidelines_acknowledged(Period(today - timedelta(days=6), today),
                                                Filters())
    assert table.categories == ["Version 1", "Version 2"]
    assert series(table) == {"Acknowledged by": [4.0, 1.0]}
    assert table.headline == 25.0  # 1 of 4 acknowledged the current version


def test_shares_are_counted_per_day_and_network_and_clicks_per_day():
    lead = make_person(Role.COMMS_LEAD, username="lead")
    amina = make_person(username="amina")
    item = hub_item(by=lead)
    first = share(amina, item, "bluesky", local(date(2026, 11, 3)))
    share(lead, item, "bluesky", local(date(2026, 11, 3), 23))
    share(amina, item, "linkedin", local(date(2026, 11, 5), 0))
    share(amina, item, "linkedin", local(date(2026, 11, 9)))  # after the period
    Click.objects.bulk_create([Click(link=first.link, day=date(2026, 11, d))
                               for d in (3, 3, 4, 8, 10)])

    table = amb_metrics.shares(WEEK, Filters())
    assert len(table.categories) == 7
    assert series(table) == {"Bluesky": [0, 2, 0, 0, 0, 0, 0],
                             "LinkedIn": [0, 0, 0, 1, 0, 0, 0]}
    assert table.headline == 3.0
    assert amb_metrics.shares(WEEK, Filters(channels=("bluesky",))).headline == 2.0

    clicks = amb_metrics.clicks(WEEK, Filters())
    assert series(clicks) == {"Clicks on tracked links": [0, 2, 1, 0, 0, 0, 1]}
    assert clicks.headline == 4.0


def test_management_shares_count_only_managers_hub_shares_and_sent_posts():
    lead = make_person(Role.COMMS_LEAD, username="lead")
    sofie = make_person(Role.MANAGER, username="sofie")
    item = hub_item(by=lead)
    share(sofie, item, "bluesky", local(date(2026, 11, 4)))
    share(lead, item, "bluesky", local(date(2026, 11, 4)))  # not a manager
    account = AccountFactory()
    for who, state, day in ((sofie, DeliveryState.SENT, 6), (sofie, DeliveryState.SENT, 6),
                            (sofie, DeliveryState.FAILED, 6), (lead, DeliveryState.SENT, 6)):
        Delivery.objects.create(account=account, text="Hallo", state=state, requested_by=who,
                                idempotency_key=uuid.uuid4().hex,
                                sent_at=local(date(2026, 11, day)))
    table = amb_metrics.management_shares(WEEK, Filters())
    assert series(table) == {
        "Shares by managers": [0, 0, 1, 0, 0, 0, 0],
        "Posts from the organisation's accounts by managers": [0, 0, 0, 0, 2, 0, 0]}
    assert table.headline == 3.0


def test_management_posts_include_the_inbox_replies_managers_wrote():
    """A manager who answers a citizen from the inbox walks the talk; a reply a manager only
    approved is the agent's, and one that never went out counts for nobody."""
    from samen.inbox.models import Reply, ReplyState
    from tests.inbox.factories import conversation

    sofie = make_person(Role.MANAGER, Role.TEAM, username="sofie")
    jonas = make_person(Role.TEAM, username="jonas")
    on_mastodon = conversation(provider="mastodon")
    on_bluesky = conversation(provider="bluesky")
    for conv, who, state, day, decided_by in (
            (on_mastodon, sofie, ReplyState.SENT, 3, None),
            (on_bluesky, sofie, ReplyState.SENT, 5, None),
            (on_mastodon, sofie, ReplyState.FAILED, 5, None),
            (on_mastodon, jonas, ReplyState.SENT, 5, sofie),  # sofie approved it
            (on_mastodon, sofie, ReplyState.SENT, 9, None)):  # after the period
        Reply.objects.create(conversation=conv, author=who, text="Dag!", state=state,
                             decided_by=decided_by, sent_at=local(date(2026, 11, day)))
    table = amb_metrics.management_shares(WEEK, Filters())
    assert series(table)["Posts from the organisation's accounts by managers"] == [
        0, 1, 0, 1, 0, 0, 0]
    assert table.headline == 2.0
    only_bluesky = amb_metrics.management_shares(WEEK, Filters(channels=("bluesky",)))
    assert series(only_bluesky)["Posts from the organisation's accounts by managers"] == [
        0, 0, 0, 1, 0, 0, 0]


def test_sessions_held_and_attendees_per_week():
    host = make_person(Role.TEAM, username="host")
    people = [make_person(username=f"p{i}") for i in range(3)]

    def held(day: date, going: int) -> Session:
        s = new_session(host=host, capacity=2)
        for p in people[:going]:
            learn_actions.do_rsvp(person=p, session=s)  # the third one waits
        Session.objects.filter(pk=s.pk).update(starts_at=local(day),
                                               ends_at=local(day) + timedelta(hours=1))
        return s

    held(date(2026, 11, 3), going=3)   # 2 places, 1 on the waiting list
    held(date(2026, 11, 12), going=1)
    held(date(2026, 11, 20), going=2)  # after the period
    table = learn_metrics.sessions(Period(date(2026, 11, 2), date(2026, 11, 15)), Filters())
    assert table.categories == ["2 Nov", "9 Nov"]
    assert series(table) == {"Sessions held": [1.0, 1.0], "Attendees": [2.0, 1.0]}
    assert table.headline == 3.0


def test_the_dashboard_shows_these_metrics_instead_of_placeholders(client_for):
    keys = ("ambassadors.guidelines_acknowledged", "ambassadors.shares",
            "ambassadors.clicks", "ambassadors.management_shares", "learning.sessions")
    slots = {s.key: s for s in registry.slots()}
    assert all(slots[k].available for k in keys)
    page = client_for(Role.MANAGER).get(reverse("insights:dashboard") + "?days=28").content
    text = page.decode()
    assert "the ambassadors part of Samen" not in text
    assert "the learning part of Samen" not in text
    assert "Shares by ambassadors" in text and "Lunch sessions held and attended" in text
