"""Ingest: each post stored once, edits and deletions applied, the cursor moves with the batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from samen.sources.ingest import INSERT_COLUMNS, LeaseLost, fit_id, read_back, store_batch
from samen.sources.models import Post, Stream
from samen.sources.signals import posts_stored
from samen.sources.types import Author, Media, NormalizedPost, Visibility
from tests.factories import AccountFactory, StreamFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def post(n: int, **changes) -> NormalizedPost:
    values = {"source": "mastodon", "external_id": f"social.example:{n}",
                  "text": f"Vraag {n} over de <b>brug</b> #verkeer", "created_at": T0,
                  "author": Author(handle="@an@social.example", display_name="An"),
                  "lang": "nl", "hashtags": ["verkeer"], "media": [Media("https://m/1.jpg", "Een brug")],
                  "visibility": Visibility.DIRECT, "raw": {"id": n}}
    values.update(changes)
    return NormalizedPost(**values)


def test_a_batch_delivered_twice_is_stored_once():
    account = AccountFactory()
    first = store_batch(posts=[post(1), post(2), post(2)], account=account)
    again = store_batch(posts=[post(1), post(2)], account=account)
    assert (first.created, again.created, again.duplicates) == (2, 0, 2)
    stored = Post.objects.get(external_id="social.example:2")
    assert stored.text == "Vraag 2 over de <b>brug</b> #verkeer"  # stored as data, as written
    assert stored.visibility == "direct" and stored.source_language == "nl"
    assert stored.media == [{"url": "https://m/1.jpg", "alt_text": "Een brug", "kind": "image"}]
    assert stored.account == account and stored.raw == {"id": 2}
    assert stored.created_at == T0 and stored.edited_at is None  # times round-trip as UTC
    assert Post.objects.filter(created_at__lt=T0 + timedelta(seconds=1)).count() == 2
    account.refresh_from_db()
    assert account.last_item_at is not None


def test_edits_replace_text_only_when_newer_and_deletions_mark_the_post():
    store_batch(posts=[post(1)])
    edited = post(1, text="Vraag 1, aangevuld", edited_at=T0 + timedelta(minutes=5))
    assert store_batch(posts=[edited]).updated == 1
    stale = post(1, text="oud", edited_at=T0 + timedelta(minutes=1))
    assert store_batch(posts=[stale]).updated == 0
    assert Post.objects.get().text == "Vraag 1, aangevuld"
    assert store_batch(posts=[], deleted_ids=["social.example:1"]).deleted == 1
    assert Post.objects.get().deleted_at is not None
    assert store_batch(posts=[], deleted_ids=["social.example:1"]).deleted == 0


def test_an_edit_rewrites_every_edited_column_and_nothing_else():
    store_batch(posts=[post(1, mentions=["@stad@social.example"])])
    before = Post.objects.get()
    edited = post(1, text="Nieuwe tekst, heel boos!", hashtags=["brug"], media=[],
                  links=["https://stad.example/a"], lang="fr", raw={"id": 1, "v": 2},
                  edited_at=T0 + timedelta(minutes=5), mentions=[])
    assert store_batch(posts=[edited]).updated == 1
    after = Post.objects.get()
    assert (after.text, after.hashtags, after.media, after.links, after.source_language,
            after.raw, after.mentions, after.edited_at) == (
        "Nieuwe tekst, heel boos!", ["brug"], [], ["https://stad.example/a"], "fr",
        {"id": 1, "v": 2}, [], T0 + timedelta(minutes=5))
    assert after.sentiment and after.intent  # enrichment recomputed for the new text
    # what an edit does not rewrite
    assert (after.ingested_at, after.created_at, after.author_handle, after.deleted_at) == (
        before.ingested_at, before.created_at, before.author_handle, None)


def test_read_back_from_the_insert_parameters_equals_reading_the_rows(
        django_capture_on_commit_callbacks):
    """The rows a batch hands its receivers (``stored_rows``, its INSERT parameters) read back
    exactly as the database gives them, every column, with or without ``inbound_only``; a
    post that was already stored is not among them."""
    captured: dict = {}

    def capture(sender, post_ids, new_post_ids, stored_rows, **kwargs):
        captured.update(ids=post_ids, new=new_post_ids, stored=stored_rows)

    store_batch(posts=[post(9)])
    amsterdam = timezone.get_fixed_timezone(60)
    posts_stored.connect(capture)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            store_batch(posts=[
                post(9), post(1, created_at=T0.astimezone(amsterdam), mentions=["@a@b.example"]),
                post(2, deleted=True), post(3, edited_at=T0 + timedelta(minutes=1), text="é\n<i>"),
                post(4, links=["https://x.example"], media=[], raw={"x": [1, "ü"]}),
                post(5, visibility=Visibility.PUBLIC, reply_to_id="social.example:1")])
    finally:
        posts_stored.disconnect(capture)
    stored = captured["stored"]
    assert sorted(stored) == sorted(captured["new"]) and len(stored) == 5
    assert Post.objects.get(external_id="social.example:9").pk not in stored
    Post.objects.filter(external_id="social.example:5").update(direction="out")
    del stored[Post.objects.get(external_id="social.example:5").pk]  # changed: left out
    everything = ("id", *INSERT_COLUMNS)
    for inbound_only in (False, True):
        from_db = read_back(captured["ids"], everything, inbound_only=inbound_only)
        from_params = read_back(captured["ids"], everything, inbound_only=inbound_only,
                                stored=stored)
        assert len(from_db) == (3 if inbound_only else 5)  # less 2 (deleted) and 5 (ours)
        assert [vars(r) for r in from_params] == [vars(r) for r in from_db]


def test_cursor_is_saved_with_the_batch():
    stream = StreamFactory(cursor="10")
    store_batch(posts=[post(11), post(12)], account=stream.account, stream=stream, cursor="12")
    stream.refresh_from_db()
    assert stream.cursor == "12" and stream.last_item_at is not None and stream.last_error == ""


def test_a_listener_that_lost_its_lease_stores_nothing():
    stream = StreamFactory(cursor="10", lease_owner="other:1",
                           lease_until=timezone.now() + timedelta(minutes=1))
    with pytest.raises(LeaseLost):
        store_batch(posts=[post(11)], stream=stream, cursor="11", lease_owner="me:2")
    assert not Post.objects.exists()
    assert Stream.objects.get().cursor == "10"


def test_posts_stored_signal_after_commit_with_new_ids(django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, post_ids, **kwargs):
        received.append(sorted(post_ids))

    posts_stored.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            store_batch(posts=[post(1), post(2)])
        with django_capture_on_commit_callbacks(execute=True):
            store_batch(posts=[post(1)])  # nothing new: no signal
    finally:
        posts_stored.disconnect(receiver)
    assert received == [sorted(Post.objects.values_list("pk", flat=True))]


def test_overlong_ids_get_a_stable_digest_and_references_follow():
    long_id = "https://feeds.example/" + "x" * 400
    store_batch(posts=[post(1, external_id=long_id), post(2, reply_to_id=long_id)])
    store_batch(posts=[post(1, external_id=long_id)])
    assert Post.objects.count() == 2
    reply = Post.objects.get(external_id="social.example:2")
    assert reply.reply_to_external_id == fit_id(long_id)
    assert Post.objects.filter(external_id=fit_id(long_id)).exists()


def test_a_post_another_process_stored_first_is_not_handed_on_as_this_batchs(
        monkeypatch, django_capture_on_commit_callbacks):
    """Between the look-up of existing posts and the INSERT, another process may store one of
    the batch's posts: the INSERT then leaves it alone, so it is among the batch's posts but
    not among those its INSERT stored (whose parameters are handed on as the stored rows)."""
    from samen.sources import ingest

    captured: dict = {}
    real_insert = ingest._insert
    at = INSERT_COLUMNS.index("ingested_at")

    def racing_insert(rows):
        other = list(rows[0])
        other[at] = ingest._db_time()(T0)  # the other process's time
        real_insert([tuple(other)])
        real_insert(rows)

    def capture(sender, post_ids, new_post_ids, stored_rows, **kwargs):
        captured.update(ids=post_ids, new=new_post_ids, stored=stored_rows)

    monkeypatch.setattr(ingest, "_insert", racing_insert)
    posts_stored.connect(capture)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = store_batch(posts=[post(1), post(2), post(3)])
    finally:
        posts_stored.disconnect(capture)
    first = Post.objects.get(external_id="social.example:1").pk
    assert Post.objects.count() == 3 and len(result.post_ids) == 3
    assert first in captured["ids"] and first not in captured["new"]
    assert sorted(captured["stored"]) == sorted(captured["new"]) and len(captured["new"]) == 2
