"""Against a real Bluesky PDS: a citizen mentions the organisation, Samen hears it on the
firehose, replies, and the reply sits in the citizen's thread with correct refs and facets."""

from __future__ import annotations

import queue
import time

import pytest
from atproto import Client, models

from samen.sources.base import AccountConfig, AuthError, OutgoingPost, StreamKind, StreamSpec
from samen.sources.bluesky import mapping
from samen.sources.bluesky.client import BlueskyConnector
from samen.sources.bluesky.firehose import CommitBatch
from samen.sources.http import RetryPolicy

pytestmark = pytest.mark.peer
PASSWORD = "hunter22-not-real"


def make_account(pds: str, name: str) -> tuple[str, str]:
    """Create ``name.test``; return (did, app password) — Samen only ever gets the latter."""
    admin = Client(base_url=pds)
    account = admin.com.atproto.server.create_account(models.ComAtprotoServerCreateAccount.Data(
        handle=f"{name}.test", email=f"{name}@example.org", password=PASSWORD))
    admin.login(f"{name}.test", PASSWORD, fetch_bsky_profile=False)
    app = admin.com.atproto.server.create_app_password({"name": "samen"})
    return account.did, app.password


def connector(pds: str, name: str, app_password: str, **options) -> BlueskyConnector:
    config = AccountConfig(provider="bluesky", base_url=pds, handle=f"{name}.test",
                           credentials={"app_password": app_password}, options=options)
    return BlueskyConnector(config, policy=RetryPolicy(attempts=2, base_delay=0.05))


def collect(consumer_factory, want, timeout: float = 20.0) -> list[CommitBatch]:
    """Run a firehose consumer until ``want(batches)`` holds, then stop it."""
    got: queue.Queue[CommitBatch] = queue.Queue()
    consumer = consumer_factory(got.put)
    thread = consumer.start_in_thread()
    batches: list[CommitBatch] = []
    deadline = time.monotonic() + timeout
    try:
        while not want(batches):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"firehose did not deliver in time: {batches!r}")
            try:
                batches.append(got.get(timeout=remaining))
            except queue.Empty:
                continue
    finally:
        consumer.stop()
        thread.join(10)
    return batches


@pytest.fixture(scope="session")  # pytest-django reorders tests; create the accounts once
def accounts(bluesky_pds):
    org_did, org_pw = make_account(bluesky_pds, "gemeente")
    citizen_did, citizen_pw = make_account(bluesky_pds, "anna")
    org = connector(bluesky_pds, "gemeente", org_pw)
    citizen = connector(bluesky_pds, "anna", citizen_pw)
    return org, org_did, citizen, citizen_did


def test_mention_heard_on_firehose_and_reply_threaded_with_facets(accounts, bluesky_pds):
    org, _org_did, citizen, citizen_did = accounts
    mentions = StreamSpec(StreamKind.MENTIONS)

    question = citizen.send(OutgoingPost(
        text="Hé @gemeente.test, wanneer wordt het GFT opgehaald? #afval", lang="nl"))
    noise = citizen.send(OutgoingPost(text="Mooi weer vandaag in de stad", lang="nl"))

    batches = collect(
        lambda put: org.firehose(mentions, on_batch=put, cursor=0),
        lambda bs: any(p.external_id == question.external_id for b in bs for p in b.posts),
    )
    heard = {p.external_id: p for b in batches for p in b.posts}
    assert question.external_id in heard
    assert noise.external_id not in heard  # no mention of the organisation: not for us
    assert all(p.author.external_id == citizen_did for p in heard.values())
    post = heard[question.external_id]
    assert post.source == "bluesky" and post.external_id.startswith(f"at://{citizen_did}/")
    assert post.mentions == ["@gemeente.test"]
    assert post.hashtags == ["afval"]
    assert post.lang == "nl"
    assert post.author.external_id == citizen_did
    cursor = max(b.seq for b in batches)

    reply = org.send(OutgoingPost(
        text="@anna.test Elke dinsdag, zie https://example.org/afval #afval", lang="nl",
        reply_to_id=post.external_id))
    assert reply.reply_to_id == question.external_id
    assert reply.thread_root_id == question.external_id

    # The record as the PDS stores it.
    repo, collection, rkey = mapping.split_uri(reply.external_id)
    record = Client(base_url=bluesky_pds).com.atproto.repo.get_record(
        {"repo": repo, "collection": collection, "rkey": rkey}).value
    assert record.reply.root.uri == question.external_id
    assert record.reply.parent.uri == question.external_id
    text_bytes = record.text.encode()
    facets = {f.features[0].py_type: f for f in record.facets}
    mention = facets["app.bsky.richtext.facet#mention"]
    assert mention.features[0].did == citizen_did
    assert text_bytes[mention.index.byte_start:mention.index.byte_end] == b"@anna.test"
    link = facets["app.bsky.richtext.facet#link"]
    assert link.features[0].uri == "https://example.org/afval"
    assert text_bytes[link.index.byte_start:link.index.byte_end] == b"https://example.org/afval"
    tag = facets["app.bsky.richtext.facet#tag"]
    assert tag.features[0].tag == "afval"
    assert record.langs == ["nl"]

    # Anna answers the reply; Samen hears it from the stored cursor only, and its answer keeps
    # the thread root while the parent moves on.
    follow_up = citizen.send(OutgoingPost(text="Dank je, ook met de feestdagen? 🎄",
                                          reply_to_id=reply.external_id, lang="nl"))
    later = collect(
        lambda put: org.firehose(mentions, on_batch=put, cursor=cursor),
        lambda bs: any(p.external_id == follow_up.external_id for b in bs for p in b.posts),
    )
    later_ids = [p.external_id for b in later for p in b.posts]
    assert question.external_id not in later_ids  # resumed from the cursor, nothing twice
    assert follow_up.external_id in later_ids
    heard_follow_up = next(p for b in later for p in b.posts
                           if p.external_id == follow_up.external_id)
    assert heard_follow_up.thread_root_id == question.external_id
    second = org.send(OutgoingPost(text="Ja, ook dan. Fijne dagen, @anna.test!",
                                   reply_to_id=follow_up.external_id, lang="nl"))
    assert second.thread_root_id == question.external_id
    assert second.reply_to_id == follow_up.external_id
    # "Café"-style multibyte text before a mention shifts byte offsets; the facet still fits.
    second_record = second.raw["record"]
    facet = second_record["facets"][0]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert second_record["text"].encode()[start:end] == b"@anna.test"

    # Deleting our reply shows up on the firehose as a deletion of that AT URI.
    org.delete(second.external_id)
    deletions = collect(
        lambda put: org.firehose(StreamSpec(StreamKind.KEYWORD, "-"), on_batch=put, cursor=cursor),
        lambda bs: any(second.external_id in b.deleted_ids for b in bs),
    )
    assert any(second.external_id in b.deleted_ids for b in deletions)


def test_polling_fallback_lists_records_of_watched_accounts(accounts, bluesky_pds):
    org, _, citizen, _ = accounts
    watcher = connector(bluesky_pds, "gemeente", org.config.credentials["app_password"],
                        watch=["anna.test"])
    first = watcher.fetch(StreamSpec(StreamKind.HASHTAG, "stadspark"), cursor=None)
    post = citizen.send(OutgoingPost(text="Het #stadspark is prachtig vandaag", lang="nl"))
    batch = watcher.fetch(StreamSpec(StreamKind.HASHTAG, "stadspark"), cursor=first.cursor)
    assert [p.external_id for p in batch.posts] == [post.external_id]
    again = watcher.fetch(StreamSpec(StreamKind.HASHTAG, "stadspark"), cursor=batch.cursor)
    assert again.posts == []


def test_wrong_app_password_needs_attention(bluesky_pds):
    bad = connector(bluesky_pds, "gemeente", "wrong-wrong-wrong-wrong")
    with pytest.raises(AuthError):
        bad.login()


@pytest.mark.django_db
def test_samen_listen_hears_the_mention_and_the_reply_is_delivered(accounts, bluesky_pds):
    """The same flow through Samen's own listener and delivery queue, as `samen listen` runs."""
    from samen.sources import actions
    from samen.sources.listening import Listener
    from samen.sources.models import DeliveryState, Direction, Post

    org, _org_did, citizen, citizen_did = accounts
    account = actions.do_create_account(
        provider="bluesky", name="Gemeente", handle="gemeente.test", base_url=bluesky_pds,
        credentials={"app_password": org.config.credentials["app_password"]}, by=None)
    stream = actions.do_add_stream(account=account, kind="mentions", by=None)
    stream.cursor = "0"  # replay the firehose from its start: nothing can slip by
    stream.save(update_fields=["cursor"])
    question = citizen.send(OutgoingPost(text="@gemeente.test is de markt morgen open?",
                                         lang="nl"))
    listener = Listener(owner="test:pds", poll_seconds=0)
    try:
        deadline = time.monotonic() + 30
        while not Post.objects.filter(external_id=question.external_id).exists():
            assert time.monotonic() < deadline, "the mention never reached the database"
            listener.run_once()
            time.sleep(0.2)
    finally:
        listener.release()
    heard = Post.objects.get(external_id=question.external_id)
    assert heard.account == account and heard.author_external_id == citizen_did
    assert heard.mentions == ["@gemeente.test"] and heard.source_language == "nl"
    stream.refresh_from_db()
    assert int(stream.cursor) > 0  # the firehose sequence number, stored with the post

    delivery = actions.do_queue_delivery(account=account, by=None, language="nl",
                                         text="@anna.test Ja, van 8 tot 13 uur.",
                                         reply_to_external_id=heard.external_id)
    delivery = actions.do_attempt_delivery(delivery=delivery)
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    sent = delivery.post
    assert sent.direction == Direction.OUTBOUND
    assert sent.reply_to_external_id == heard.external_id
    assert sent.thread_root_external_id == heard.external_id
    repo, collection, rkey = mapping.split_uri(sent.external_id)
    record = Client(base_url=bluesky_pds).com.atproto.repo.get_record(
        {"repo": repo, "collection": collection, "rkey": rkey}).value
    assert record.reply.root.uri == record.reply.parent.uri == question.external_id
    assert record.facets[0].features[0].did == citizen_did


def test_a_retried_send_with_the_same_key_posts_once(accounts, bluesky_pds):
    """A crash between posting and recording: the retry carries the same idempotency key,
    lands on the same record key and returns the post that is already there."""
    from datetime import UTC, datetime

    from samen.sources.bluesky.tid import tid_for

    org, org_did, citizen, _ = accounts
    question = citizen.send(OutgoingPost(text="@gemeente.test staat de container al klaar?"))
    key = tid_for("delivery-42", at=datetime.now(UTC))
    # Our TID encodes time as the PDS's own do: made later, it sorts after its record key.
    assert mapping.split_uri(question.external_id)[2] < key
    outgoing = OutgoingPost(text="Ja, sinds vanochtend.", reply_to_id=question.external_id,
                            lang="nl", idempotency_key=key)
    first = org.send(outgoing)
    # A fresh connector, as after a restart of the worker.
    again = connector(bluesky_pds, "gemeente", org.config.credentials["app_password"]).send(
        outgoing)
    assert first.external_id == again.external_id == f"at://{org_did}/{mapping.POST}/{key}"
    listed = Client(base_url=bluesky_pds).com.atproto.repo.list_records(
        {"repo": org_did, "collection": mapping.POST, "limit": 100}).records
    same = [r for r in listed if r.value.text == "Ja, sinds vanochtend."]
    assert [r.uri for r in same] == [first.external_id]
    assert same[0].value.reply.parent.uri == question.external_id


def test_a_retried_post_with_an_image_keeps_one_post_and_its_alt_text(accounts, bluesky_pds):
    import base64

    from samen.sources.base import OutgoingMedia

    org, org_did, _, _ = accounts
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                           "hQGAhKmMIQAAAABJRU5ErkJggg==")
    outgoing = OutgoingPost(text="De nieuwe fietsenstalling aan het station.", lang="nl",
                            idempotency_key="delivery-image-1",
                            media=(OutgoingMedia(data=png, mime_type="image/png",
                                                 alt_text="Rijen fietsen onder een glazen dak"),))
    first = org.send(outgoing)
    again = org.send(outgoing)
    assert first.external_id == again.external_id
    assert [m.alt_text for m in first.media] == ["Rijen fietsen onder een glazen dak"]
    listed = Client(base_url=bluesky_pds).com.atproto.repo.list_records(
        {"repo": org_did, "collection": mapping.POST, "limit": 100}).records
    assert [r.uri for r in listed if r.value.text.startswith("De nieuwe fietsenstalling")] == [
        first.external_id]
