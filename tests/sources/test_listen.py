"""The listener against real loopback feeds and the mastodon-mock peer: posts stored once,
errors shown on the stream and account, leases keep two listeners apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from samen.sources import actions
from samen.sources.listening import Listener
from samen.sources.mastodon.client import MastodonConnector
from samen.sources.models import Account, AccountState, Post, Stream
from tests.sources.loopback import Reply, loopback

pytestmark = pytest.mark.django_db


def atom(ids: range) -> bytes:
    entries = "".join(
        f"<entry><id>urn:t:{i}</id><title>Bericht {i}</title>"
        f"<updated>2026-03-01T10:00:00Z</updated><content>Tekst {i}</content></entry>"
        for i in ids)
    return (f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>N</title>"
            f"<id>urn:t</id><updated>2026-03-01T10:00:00Z</updated>{entries}</feed>").encode()


def feed_stream(url: str) -> Stream:
    account = actions.do_create_account(provider="feed", name=url, base_url=url, by=None)
    return actions.do_add_stream(account=account, kind="feed", by=None)


def test_feeds_are_stored_once_and_a_broken_feed_only_marks_itself():
    with loopback() as server:
        server.script("/good", Reply(200, atom(range(3)), {"Content-Type": "application/atom+xml",
                                                           "ETag": '"1"'}))
        server.script("/bad", Reply(200, b"<html><body>Oops</body></html>",
                                    {"Content-Type": "text/html"}))
        good, bad = feed_stream(server.url + "/good"), feed_stream(server.url + "/bad")
        listener = Listener(owner="test:1", poll_seconds=0)
        assert listener.run_once() == 3
        assert listener.run_once() == 0  # due again at once (poll_seconds=0), nothing new
    assert Post.objects.filter(source="feed").count() == 3
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.cursor and good.last_error == "" and good.last_item_at is not None
    assert "web page" in bad.last_error and bad.error_count >= 1
    assert bad.next_poll_at is not None and bad.next_poll_at > timezone.now()
    assert bad.account.last_error == bad.last_error


def test_leases_keep_two_listeners_apart():
    with loopback() as server:
        server.script("/f", Reply(200, atom(range(2)), {"Content-Type": "application/atom+xml"}))
        stream = feed_stream(server.url + "/f")
        first, second = Listener(owner="a:1", poll_seconds=0), Listener(owner="b:2")
        assert [s.pk for s in first.claim()] == [stream.pk]
        assert second.claim() == []  # held by the first
        Stream.objects.filter(pk=stream.pk).update(lease_until=timezone.now() - timedelta(1))
        assert [s.pk for s in second.claim()] == [stream.pk]  # expired: taken over
        # The first listener, not knowing, polls its stale copy: the batch is not stored.
        assert first.poll(stream) == 0
        assert not Post.objects.exists()
        assert second.poll(Stream.objects.select_related("account").get()) == 2
        first.release()
        assert Stream.objects.get().lease_owner == "b:2"


@pytest.mark.peer
def test_mastodon_mentions_and_revoked_token(mastodon_mock):
    org = actions.do_create_account(provider="mastodon", name="Org", base_url=mastodon_mock,
                                    credentials={"access_token": "ada_token"}, by=None)
    broken = actions.do_create_account(provider="mastodon", name="Broken",
                                       base_url=mastodon_mock,
                                       credentials={"access_token": "revoked"}, by=None)
    mentions = actions.do_add_stream(account=org, kind="mentions", by=None)
    actions.do_add_stream(account=broken, kind="mentions", by=None)
    listener = Listener(owner="t:1", poll_seconds=0)
    listener.run_once()  # catch up on what the demo server already holds
    before = Post.objects.count()

    from samen.sources.base import AccountConfig, OutgoingPost
    grace = MastodonConnector(AccountConfig(provider="mastodon", base_url=mastodon_mock,
                                            credentials={"access_token": "grace_token"}))
    sent = grace.send(OutgoingPost(text="@ada De stoep is kapot bij het station", lang="nl"))
    assert listener.run_once() == 1
    stored = Post.objects.get(external_id=sent.external_id)
    assert stored.account == org and stored.source_language == "nl"
    assert Post.objects.count() == before + 1
    broken.refresh_from_db()
    assert broken.state == AccountState.NEEDS_ATTENTION
    assert "refused" in broken.state_reason
    mentions.refresh_from_db()
    assert mentions.cursor
    # The account that needs attention is no longer polled; the other goes on.
    assert Account.objects.get(pk=org.pk).state == AccountState.ACTIVE


def test_listen_once_command_prints_the_status_line(capsys):
    with loopback() as server:
        server.script("/f", Reply(200, atom(range(4)), {"Content-Type": "application/atom+xml"}))
        feed_stream(server.url + "/f")
        call_command("listen", "--once", "--poll-seconds", "60")
    out = capsys.readouterr().out
    assert "4 new posts" in out and "listening to 1 stream(s)" in out


@pytest.mark.peer
def test_mastodon_live_stream_brings_a_mention_without_waiting_for_a_poll(mastodon_mock):
    import time

    org = actions.do_create_account(provider="mastodon", name="Org", base_url=mastodon_mock,
                                    credentials={"access_token": "ada_token"}, by=None)
    mentions = actions.do_add_stream(account=org, kind="mentions", by=None)
    listener = Listener(owner="live:1", poll_seconds=3600)
    try:
        listener.run_once()  # the first poll catches up and opens the live stream
        mentions.refresh_from_db()
        assert mentions.next_poll_at > timezone.now() + timedelta(minutes=59)
        time.sleep(1.0)  # let the stream connect

        from samen.sources.base import AccountConfig, OutgoingPost
        grace = MastodonConnector(AccountConfig(provider="mastodon", base_url=mastodon_mock,
                                                credentials={"access_token": "grace_token"}))
        sent = grace.send(OutgoingPost(text="@ada Live: is het zwembad open?", lang="nl"))
        deadline = time.monotonic() + 15
        while not Post.objects.filter(external_id=sent.external_id).exists():
            assert time.monotonic() < deadline, "the live stream did not deliver the mention"
            listener.run_once()  # no poll is due for an hour: only the live stream can bring it
            time.sleep(0.2)
    finally:
        listener.release()
    assert Post.objects.get(external_id=sent.external_id).account == org
