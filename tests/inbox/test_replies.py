"""Mandate, escalation to management, delivery exactly once, retries, notes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from samen.core.models import AuditEvent, Organisation
from samen.inbox import actions, delivery, policy
from samen.inbox.errors import MandateRequired, NotAllowed, ReplyStateError
from samen.inbox.models import ConversationEvent, Notice, Reply, ReplyState
from tests.inbox.factories import agent, conversation, inbound_post, manager, org_account
from tests.peers import free_port

pytestmark = pytest.mark.django_db


class FakeNetwork:
    """Stands in for the connector at the one seam (delivery.send_reply)."""

    def __init__(self, fail_first: int = 0):
        self.sent: list[str] = []
        self.fail_first = fail_first

    def __call__(self, reply):
        if self.fail_first:
            self.fail_first -= 1
            raise delivery.DeliveryError("503 from the server")
        self.sent.append(reply.idempotency_key)
        return f"out-{len(self.sent)}", f"https://social.example/@stad/{len(self.sent)}"


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
    assert reply.state == "sent" and reply.attempts == 2
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
    assert reply.state == ReplyState.FAILED
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
