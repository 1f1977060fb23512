"""Sending: queued -> sent through the right account, failed with a reason, retried."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from samen.core.roles import Role
from samen.sources import actions
from samen.sources.base import AccountConfig, OutgoingPost, StreamKind, StreamSpec
from samen.sources.bluesky.tid import is_tid, tid_for
from samen.sources.http import RetryPolicy
from samen.sources.listening import account_config
from samen.sources.mastodon.client import MastodonConnector
from samen.sources.models import AccountState, DeliveryState, Direction, Post
from tests.factories import make_person
from tests.sources.loopback import Reply, loopback

pytestmark = pytest.mark.django_db


def team_member_with_mandate(account):
    person = make_person(Role.TEAM)
    actions.do_grant_mandate(person=person, account=account, by=None)
    return person


@pytest.mark.peer
def test_reply_goes_out_through_the_account_and_is_stored_as_outbound(mastodon_mock):
    org = actions.do_create_account(provider="mastodon", name="Org", base_url=mastodon_mock,
                                    credentials={"access_token": "ada_token"}, by=None)
    grace = MastodonConnector(AccountConfig(provider="mastodon", base_url=mastodon_mock,
                                            credentials={"access_token": "grace_token"}))
    question = grace.send(OutgoingPost(text="@ada Waar kan ik een parkeerkaart aanvragen?"))
    agent = team_member_with_mandate(org)
    delivery = actions.do_queue_delivery(account=org, by=agent, text="@grace Via het loket.",
                                         reply_to_external_id=question.external_id,
                                         language="nl")
    assert delivery.state == DeliveryState.QUEUED
    delivery = actions.do_attempt_delivery(delivery=delivery)
    assert delivery.state == DeliveryState.SENT and delivery.sent_at is not None
    sent = delivery.post
    assert sent.direction == Direction.OUTBOUND and sent.account == org
    assert sent.reply_to_external_id == question.external_id
    # A repeated task does not send twice.
    assert actions.do_attempt_delivery(delivery=delivery).post == sent
    assert Post.objects.filter(direction=Direction.OUTBOUND).count() == 1
    # Grace sees it.
    seen = grace.fetch(StreamSpec(StreamKind.MENTIONS), cursor="0")
    assert sent.external_id in {p.external_id for p in seen.posts}


def test_without_mandate_nothing_is_queued():
    org = actions.do_create_account(provider="mastodon", name="Org", by=None)
    with pytest.raises(ValidationError, match="mandate"):
        actions.do_queue_delivery(account=org, by=make_person(Role.TEAM), text="hoi")


def test_server_trouble_retries_then_fails_with_the_reason_and_can_be_retried():
    with loopback() as server:
        server.script("/api/v1/statuses", Reply(503, b"busy"))
        org = actions.do_create_account(
            provider="mastodon", name="Org", base_url=server.url, by=None,
            credentials={"access_token": "t", "options": {"mastodon_version": "4.5.0"}})
        connector = MastodonConnector(account_config(org), policy=RetryPolicy(attempts=1))
        delivery = actions.do_queue_delivery(account=org, by=None, text="Dag!")
        delivery = actions.do_attempt_delivery(delivery=delivery, connector=connector)
        assert delivery.state == DeliveryState.RETRYING
        assert "server error" in delivery.last_error and delivery.next_attempt_at is not None
        for _ in range(actions.MAX_DELIVERY_ATTEMPTS):
            delivery = actions.do_attempt_delivery(delivery=delivery, connector=connector)
        assert delivery.state == DeliveryState.FAILED and "server error" in delivery.last_error
        server.script("/api/v1/statuses", Reply(401, b'{"error": "The access token is invalid"}',
                                                {"Content-Type": "application/json"}))
        delivery = actions.do_retry_delivery(delivery=delivery, by=None)
        assert delivery.state == DeliveryState.QUEUED
        delivery = actions.do_attempt_delivery(delivery=delivery, connector=connector)
    assert delivery.state == DeliveryState.FAILED
    org.refresh_from_db()
    assert org.state == AccountState.NEEDS_ATTENTION and org.state_reason


def test_every_attempt_of_a_delivery_carries_the_same_key_that_bluesky_can_use_as_record_key():
    """A retry after a timeout must be recognisable as the same post by the network."""
    with loopback() as server:
        server.script("/api/v1/statuses", Reply(503, b"busy"))
        org = actions.do_create_account(
            provider="mastodon", name="Org", base_url=server.url, by=None,
            credentials={"access_token": "t", "options": {"mastodon_version": "4.5.0"}})
        connector = MastodonConnector(account_config(org), policy=RetryPolicy(attempts=1))
        delivery = actions.do_queue_delivery(account=org, by=None, text="Dag!")
        for _ in range(2):
            delivery = actions.do_attempt_delivery(delivery=delivery, connector=connector)
    keys = {headers.get("Idempotency-Key") for method, path, headers in server.requests
            if method == "POST" and path.startswith("/api/v1/statuses")}
    assert len(keys) == 1
    key = keys.pop()
    assert is_tid(key)
    assert key == tid_for(delivery.idempotency_key, at=delivery.created_at)
