"""Mandate, escalation to management, delivery exactly once, retries, notes."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from samen.core.models import AuditEvent, Organisation
from samen.core.roles import Role
from samen.inbox import actions, delivery, policy
from samen.inbox.errors import MandateRequired, NotAllowed, ReplyStateError
from samen.inbox.models import Conversation, ConversationEvent, Notice, Reply, ReplyState
from samen.insights import actions as insights_actions
from samen.insights import metrics
from samen.insights.registry import Filters, Period
from samen.sources import base
from samen.sources.actions import MAX_DELIVERY_ATTEMPTS
from samen.sources.models import Account, AccountState, Direction, Post
from samen.sources.types import Author, NormalizedPost
from tests.inbox.factories import (
    agent,
    conversation,
    inbound_post,
    manager,
    org_account,
    sent_post,
)
from tests.peers import free_port

pytestmark = pytest.mark.django_db


class FakeNetwork:
    """Stands in for the connector at the one seam (delivery.send_reply). Like the real
    networks it answers a repeated idempotency key with the post already made."""

    def __init__(self, fail_first: int = 0, retryable: bool = False):
        self.sent: list[str] = []
        self.fail_first = fail_first
        self.retryable = retryable

    def __call__(self, reply):
        if self.fail_first:
            self.fail_first -= 1
            raise delivery.DeliveryError("503 from the server", retryable=self.retryable)
        if reply.idempotency_key not in self.sent:
            self.sent.append(reply.idempotency_key)
        return sent_post(reply, self.sent.index(reply.idempotency_key) + 1)


@pytest.fixture
def network(monkeypatch):
    fake = FakeNetwork()
    monkeypatch.setattr(delivery, "send_reply", fake)
    return fake


def run_worker():
    """What ``samen worker`` does: run every queued task (here: deliver_reply)."""
    call_command("worker", burst=True)


def _sender():
    return agent(mandate_for=org_account())


def test_without_the_mandate_one_can_only_draft():
    person = agent()
    conv = conversation()
    draft = actions.do_save_draft(conversation=conv, by=person, text="Dag, we kijken het na.")
    with pytest.raises(MandateRequired):
        actions.do_submit_reply(reply=draft, by=person)
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.text == "Dag, we kijken het na."


@pytest.mark.django_db(transaction=True)
def test_a_mandate_holder_sends_a_colleagues_draft(network, django_capture_on_commit_callbacks):
    drafter, sender = agent(), _sender()
    conv = conversation()
    draft = actions.do_save_draft(conversation=conv, by=drafter, text="Het loket is open.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_submit_reply(reply=draft, by=sender)
    run_worker()
    draft.refresh_from_db()
    conv.refresh_from_db()
    assert draft.state == "sent" and draft.external_id == "out-1"
    assert network.sent == [draft.idempotency_key]
    assert conv.state == "waiting_customer" and conv.first_responded_at is not None


@pytest.mark.parametrize("setup,reason", [
    ("urgent", "urgent"), ("press", "press"), ("public_figure", "public_figure"),
    ("negative_reach", "negative_high_reach"), ("crisis", "crisis_mode"),
])
def test_escalation_policy_sends_sensitive_replies_to_management(setup, reason, network):
    sender = _sender()
    Organisation.objects.create(name="Stad", crisis_mode=setup == "crisis")
    conv = conversation(urgent=setup == "urgent",
                        sentiment="negative" if setup == "negative_reach" else "")
    contact = conv.contact
    if setup in ("press", "public_figure"):
        actions.do_update_contact(contact=contact, by=sender, display_name="Sarah",
                                  language="nl", notes="", kind=setup, followers=10)
    if setup == "negative_reach":
        actions.do_update_contact(contact=contact, by=sender, display_name="Luid",
                                  language="nl", notes="", kind="person",
                                  followers=policy.HIGH_REACH)
    boss = manager()
    draft = actions.do_save_draft(conversation=conv, by=sender, text="Antwoord")
    reply = actions.do_submit_reply(reply=draft, by=sender)
    assert reply.state == "pending" and reason in reply.escalation_reasons
    assert network.sent == []
    assert Notice.objects.filter(person=boss, kind="escalated").exists()
    assert AuditEvent.objects.filter(action="inbox.reply.escalated").exists()


def test_negative_but_small_reach_is_not_escalated(network):
    sender = _sender()
    conv = conversation(sentiment="negative")
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="Sorry!"), by=sender)
    assert reply.state == "queued"


@pytest.mark.django_db(transaction=True)
def test_manager_edits_and_approves_then_it_is_sent(network, django_capture_on_commit_callbacks):
    sender, boss = _sender(), manager()
    conv = conversation(urgent=True)
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="We komen."),
        by=sender)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide_reply(reply=reply, by=boss, approve=True,
                                text="We komen vandaag nog.", comment="Iets concreter")
    run_worker()
    reply.refresh_from_db()
    assert reply.state == "sent" and reply.text == "We komen vandaag nog."
    assert reply.decided_by == boss
    assert Notice.objects.get(person=sender, kind="approved")
    kinds = list(ConversationEvent.objects.filter(conversation=conv)
                 .values_list("kind", flat=True))
    assert kinds.index("escalated") < kinds.index("approved") < kinds.index("sent")
    assert AuditEvent.objects.filter(action="inbox.reply.approved").exists()


def test_rejection_needs_a_comment_and_goes_back_to_the_author(network):
    sender, boss = _sender(), manager()
    conv = conversation(urgent=True)
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="Geen idee."),
        by=sender)
    with pytest.raises(ReplyStateError):
        actions.do_decide_reply(reply=reply, by=boss, approve=False, comment=" ")
    reply = actions.do_decide_reply(reply=reply, by=boss, approve=False,
                                    comment="Verwijs naar de noodlijn.")
    assert reply.state == "rejected"
    notice = Notice.objects.get(person=sender, kind="rejected")
    assert "Verwijs naar de noodlijn." in notice.text
    assert network.sent == []
    # the author edits and submits again
    again = actions.do_save_draft(conversation=conv, by=sender, text="Bel 112.", reply=reply)
    assert actions.do_submit_reply(reply=again, by=sender).state == "pending"


def test_only_managers_decide():
    sender = _sender()
    conv = conversation(urgent=True)
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="x"), by=sender)
    with pytest.raises(NotAllowed):
        actions.do_decide_reply(reply=reply, by=sender, approve=True)


def test_delivering_twice_sends_once(network):
    sender = _sender()
    conv = conversation()
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="Een keer"), by=sender)
    actions.do_deliver_reply(reply_id=reply.pk)
    actions.do_deliver_reply(reply_id=reply.pk)
    assert network.sent == [reply.idempotency_key]
    with pytest.raises(ReplyStateError):
        actions.do_submit_reply(reply=Reply.objects.get(pk=reply.pk), by=sender)


@pytest.mark.django_db(transaction=True)
def test_a_failed_reply_keeps_its_reason_and_is_retried_once(monkeypatch,
                                                            django_capture_on_commit_callbacks):
    fake = FakeNetwork(fail_first=1)
    monkeypatch.setattr(delivery, "send_reply", fake)
    sender = _sender()
    conv = conversation()
    with django_capture_on_commit_callbacks(execute=True):
        reply = actions.do_submit_reply(
            reply=actions.do_save_draft(conversation=conv, by=sender, text="Opnieuw"),
            by=sender)
    run_worker()
    reply.refresh_from_db()
    assert reply.state == "failed" and reply.last_error == "503 from the server"
    assert reply.text == "Opnieuw"  # never lost
    key = reply.idempotency_key
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_retry_reply(reply=reply, by=sender)
    run_worker()
    reply.refresh_from_db()
    assert reply.state == "sent" and reply.attempts == 1  # a fresh budget of attempts
    assert fake.sent == [key]
    with pytest.raises(ReplyStateError):
        actions.do_retry_reply(reply=reply, by=sender)


def test_a_connector_crash_leaves_the_reply_failed_not_lost(monkeypatch):
    def boom(reply):
        raise RuntimeError("connection reset")
    monkeypatch.setattr(delivery, "send_reply", boom)
    sender = _sender()
    conv = conversation()
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="x"), by=sender)
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == "failed" and "connection reset" in reply.last_error


def test_a_server_that_cannot_be_reached_fails_the_reply_clearly_and_it_can_be_retried():
    """Through the real connector (no stand-in): nothing listens at the account's address.
    The worker must not hang on it; the agent sees why and can try again."""
    account = org_account()
    account.base_url = f"http://127.0.0.1:{free_port()}"
    account.save()
    sender = _sender()
    conv = conversation()
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="x"), by=sender)
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == ReplyState.RETRYING and reply.next_attempt_at > timezone.now()
    assert "could not connect" in reply.last_error and "127.0.0.1" in reply.last_error
    assert actions.do_retry_reply(reply=reply, by=sender).state == ReplyState.QUEUED


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_once(monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL row locks")
    fake = FakeNetwork()
    monkeypatch.setattr(delivery, "send_reply", fake)
    sender = _sender()
    conv = conversation()
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="race"), by=sender)
    def worker():
        try:
            actions.do_deliver_reply(reply_id=reply.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake.sent == [reply.idempotency_key]


def test_a_reply_to_our_reply_threads_into_the_conversation(network):
    sender = _sender()
    conv = conversation(author="@an@social.example")
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="Ja."), by=sender)
    actions.do_deliver_reply(reply_id=reply.pk)
    answer = inbound_post(author="@an@social.example", text="Dank je!", mention=False,
                          reply_to="out-1")
    actions.do_receive_posts(post_ids=[answer.pk])
    conv.refresh_from_db()
    assert conv.post_count == 2 and conv.state == "open"


def test_notes_with_mentions_tell_the_colleague():
    writer, lotte = agent("jonas"), agent("lotte")
    conv = conversation()
    actions.do_add_note(conversation=conv, by=writer,
                        text="@lotte kun jij dit navragen? (cc @nobody)")
    notice = Notice.objects.get(person=lotte)
    assert notice.kind == "mentioned" and notice.conversation == conv
    assert not Notice.objects.filter(person=writer).exists()
    with pytest.raises(ReplyStateError):
        actions.do_add_note(conversation=conv, by=writer, text="   ")


def test_placeholders_are_filled_and_unknown_braces_stay():
    body = "Dag {contact_name}, groeten van {agent_first_name}. {onbekend} {"
    assert policy.fill_placeholders(body, contact_name="An", agent_first_name="Jonas") == \
        "Dag An, groeten van Jonas. {onbekend} {"


def test_mentions_are_read_from_notes():
    assert policy.mentioned_usernames("@lotte en @jonas.ds, mail a@b.be; @lotte") == [
        "lotte", "jonas.ds"]


@pytest.mark.django_db(transaction=True)  # the worker runs its own transactions
def test_a_reply_cut_off_while_sending_goes_out_again_with_the_same_key(network):
    """A worker killed between claiming a reply and recording the outcome must not leave the
    reply hanging in "sending": the periodic check queues it again, with the same key."""
    sender = _sender()
    conv = conversation()
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text="Komt eraan"), by=sender)
    crashed = Reply.objects.get(pk=reply.pk)  # what the dead worker left behind
    crashed.state, crashed.attempts = ReplyState.SENDING, 1
    crashed.sending_since = timezone.now() - timedelta(minutes=3)
    crashed.save()
    assert actions.do_requeue_stuck_replies() == 0  # a send may still be under way
    later = timezone.now() + actions.STUCK_SENDING
    assert actions.do_requeue_stuck_replies(now=later) == 1
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.state == ReplyState.QUEUED and "interrupted" in reply.last_error
    run_worker()
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.state == ReplyState.SENT and reply.attempts == 2
    assert network.sent == [reply.idempotency_key]
    assert actions.do_requeue_stuck_replies(now=later) == 0  # sent replies stay sent


# ------------------------------------------------ retries, needs attention, outbound post


class ScriptedConnector:
    """The account's connector, answering each send from a script of errors (the mapping of
    the sources' errors in delivery.send_reply is real), then with the post."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.keys: list[str] = []

    def send(self, outgoing):
        self.keys.append(outgoing.idempotency_key)
        if self.errors:
            raise self.errors.pop(0)
        return NormalizedPost(source="mastodon", external_id="out-1", text=outgoing.text,
                              created_at=timezone.now(),
                              author=Author(handle="@stad@social.example"),
                              url="https://social.example/@stad/out-1", lang=outgoing.lang,
                              reply_to_id=outgoing.reply_to_id)


@pytest.fixture
def scripted(monkeypatch):
    def install(*errors):
        connector = ScriptedConnector(*errors)
        provider = base.get_provider("mastodon")
        monkeypatch.setattr(delivery.base, "get_provider", lambda key: dataclasses.replace(
            provider, connect=lambda config: connector))
        return connector
    return install


def _queued_reply(text="Dag An, het stadhuis is open tot 17 uur."):
    sender = _sender()
    conv = conversation()
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=sender, text=text), by=sender)
    return reply, sender


def _due(reply):
    """What the every-minute check does once the reply's next attempt is due."""
    reply.refresh_from_db()
    assert actions.do_requeue_stuck_replies(now=reply.next_attempt_at) == 1


def test_server_trouble_twice_then_sent_once_and_stored_as_outbound_post(scripted):
    connector = scripted(base.TemporaryError("server error 503"),
                         base.TemporaryError("server error 503"))
    reply, _ = _queued_reply()
    for attempt in (1, 2):
        reply = actions.do_deliver_reply(reply_id=reply.pk)
        assert reply.state == ReplyState.RETRYING and reply.attempts == attempt
        assert "503" in reply.last_error
        assert reply.next_attempt_at == pytest.approx(timezone.now(), abs=timedelta(hours=1))
        assert reply.next_attempt_at > timezone.now() + timedelta(seconds=30)
        assert actions.do_requeue_stuck_replies() == 0  # not due yet
        _due(reply)
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == ReplyState.SENT and reply.attempts == 3 and reply.last_error == ""
    assert len(set(connector.keys)) == 1 and len(connector.keys) == 3  # one post, one key
    posts = Post.objects.filter(direction=Direction.OUTBOUND)
    assert posts.count() == 1
    post = posts.get()
    assert (post.external_id, post.url) == (reply.external_id, reply.url)
    assert post.account == reply.conversation.account
    assert post.reply_to_external_id == reply.in_reply_to_external_id != ""
    assert post.language == "nl"
    # Our own post is not a new conversation in the inbox.
    assert Conversation.objects.count() == 1
    actions.do_receive_posts(post_ids=[post.pk])
    assert Conversation.objects.count() == 1
    # Delivered again (a duplicate task after a requeue): the network answers with the same
    # post for the same key, and nothing new is stored.
    Reply.objects.filter(pk=reply.pk).update(state=ReplyState.QUEUED)
    actions.do_deliver_reply(reply_id=reply.pk)
    assert Post.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_a_rate_limit_waits_as_long_as_the_network_asks(scripted):
    scripted(base.RateLimited("rate limited", retry_after=900))
    reply, _ = _queued_reply()
    before = timezone.now()
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == ReplyState.RETRYING
    assert before + timedelta(seconds=900) <= reply.next_attempt_at
    assert reply.next_attempt_at <= timezone.now() + timedelta(seconds=900)
    assert actions.do_requeue_stuck_replies(now=before + timedelta(seconds=899)) == 0
    assert actions.do_requeue_stuck_replies(now=reply.next_attempt_at) == 1


def test_after_the_last_attempt_the_reply_fails_with_the_reason_and_can_be_retried(scripted):
    connector = scripted(*[base.TemporaryError("server error 502")] * MAX_DELIVERY_ATTEMPTS)
    reply, sender = _queued_reply()
    for _ in range(MAX_DELIVERY_ATTEMPTS - 1):
        reply = actions.do_deliver_reply(reply_id=reply.pk)
        assert reply.state == ReplyState.RETRYING
        _due(reply)
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == ReplyState.FAILED and reply.last_error == "server error 502"
    assert reply.next_attempt_at is None
    assert actions.do_requeue_stuck_replies(now=timezone.now() + timedelta(days=1)) == 0
    assert ConversationEvent.objects.filter(kind="failed").count() == 1
    actions.do_retry_reply(reply=reply, by=sender)  # by hand, with a fresh budget
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == ReplyState.SENT and len(connector.keys) == MAX_DELIVERY_ATTEMPTS + 1


def test_a_refused_login_fails_the_reply_and_puts_the_account_in_needs_attention(
        scripted, client_for):
    scripted(base.AuthError("The access token was revoked"))
    reply, _ = _queued_reply()
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == ReplyState.FAILED
    assert reply.last_error == "The access token was revoked"
    account = Account.objects.get(pk=reply.conversation.account_id)
    assert account.state == AccountState.NEEDS_ATTENTION
    assert account.state_reason == "The access token was revoked"
    page = client_for(Role.COMMS_LEAD).get(reverse("sources:accounts"))
    assert page.status_code == 200
    assert "The access token was revoked" in page.content.decode()
    # The next reply does not try the revoked login again; it fails with the reason.
    connector = scripted()
    other, _ = _queued_reply("Tweede antwoord")
    other = actions.do_deliver_reply(reply_id=other.pk)
    assert other.state == ReplyState.FAILED and connector.keys == []
    assert "The access token was revoked" in other.last_error


def test_a_sent_reply_counts_in_the_sent_volume(network):
    reply, _ = _queued_reply()
    reply = actions.do_deliver_reply(reply_id=reply.pk)
    assert reply.state == ReplyState.SENT
    day = timezone.localdate()
    insights_actions.do_refresh_post_rollups(days=[day])
    table = metrics.sent_volume(Period(day, day), Filters())
    assert table.headline == 1
