"""Real recorded Mastodon traffic replayed through Mastodon.py, Samen's connector and mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import vcr
from mastodon import Mastodon

from samen.sources.base import AccountConfig, OutgoingMedia, OutgoingPost, StreamKind, StreamSpec
from samen.sources.http import RetryPolicy
from samen.sources.mastodon import mapping
from samen.sources.mastodon.client import MastodonConnector
from samen.sources.types import Visibility
from tests.sources.mastodon.openapi import problems, recording_session
from tests.sources.shared import shared_path

CASSETTES = Path(__file__).resolve().parents[2] / "fixtures" / "mastodon" / "cassettes"
BASE = "http://localhost:3000"
replay = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    match_on=["method", "path", "query"],

)
SENT: list[requests.PreparedRequest] = []


def cassette(name: str):
    return replay.use_cassette(name)


TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"


def connector(token: str = TOKEN, base: str = BASE) -> MastodonConnector:
    config = AccountConfig(provider="mastodon", base_url=base, credentials={"access_token": token},
                           options={"use_markers": False})
    api = Mastodon(api_base_url=base, access_token=token, mastodon_version="4.5.0",
                   version_check_mode="created", ratelimit_method="throw",
                   session=recording_session(SENT))
    return MastodonConnector(config, api=api, policy=RetryPolicy(attempts=1),
                             resolve_thread_root=False)


def test_mention_notifications_become_posts_with_mentions_and_clean_text():
    with cassette("test_notifications_mentions_only.yaml"):
        batch = connector().fetch(StreamSpec(StreamKind.MENTIONS), cursor=None)
    assert len(batch.posts) == 1
    post = batch.posts[0]
    assert post.source == "mastodon"
    assert post.external_id == "localhost:3000:117020577157693549"
    assert post.text == "@mastodonpy_test hello!"
    assert post.mentions == ["@mastodonpy_test@localhost:3000"]
    assert post.author.handle == "@admin@localhost:3000"
    assert post.lang == "en"
    assert post.created_at == datetime(2026, 8, 1, 13, 51, 42, 823000, tzinfo=UTC)
    assert post.visibility is Visibility.PUBLIC
    assert post.raw["type"] == "mention"  # the whole notification is kept for the archive
    assert batch.cursor == "21"


def test_direct_conversations_are_direct_posts():
    with cassette("test_conversations.yaml"):
        batch = connector().fetch(StreamSpec(StreamKind.DIRECT), cursor=None)
    assert batch.posts, "the recorded conversation should map to a post"
    post = batch.posts[0]
    assert post.visibility is Visibility.DIRECT
    assert post.mentions and all(m.startswith("@") for m in post.mentions)
    assert post.text and "<" not in post.text
    assert batch.cursor == mapping.local_id(post.external_id)


def test_hashtag_timeline_maps_tags_lower_case():
    with cassette("test_hashtag_tl.yaml"):
        batch = connector().fetch(StreamSpec(StreamKind.HASHTAG, "#hoot"), cursor=None)
    assert batch.posts
    assert all("hoot" in p.hashtags for p in batch.posts)
    assert batch.cursor is not None


def test_keyword_search_maps_statuses():
    with cassette("test_search.yaml"):
        batch = connector().fetch(StreamSpec(StreamKind.KEYWORD, "mastodonpy_test"), cursor=None)
    for post in batch.posts:
        assert post.external_id.startswith("localhost:3000:")


def test_reply_goes_out_with_in_reply_to_and_maps_back():
    with cassette("test_status_reply.yaml"):
        conn = connector()
        first = conn.send(OutgoingPost(text="Hello!"))
        reply = conn.send(OutgoingPost(text="Hello to you!", reply_to_id=first.external_id))
    assert reply.reply_to_id == first.external_id
    sent = [r for r in SENT if r.method == "POST" and r.url.endswith("/api/v1/statuses")][-1]
    assert f"in_reply_to_id={mapping.local_id(first.external_id)}" in sent.body


def test_direct_post_with_content_warning():
    with cassette("test_status_post[Content warning-direct].yaml"):
        post = connector().send(OutgoingPost(text="Secret", visibility=Visibility.DIRECT,
                                             content_warning="Content warning"))
    sent = [r for r in SENT if r.method == "POST"][-1]
    assert "visibility=direct" in sent.body and "spoiler_text=Content+warning" in sent.body
    assert post.visibility is Visibility.DIRECT
    assert post.text.startswith("Content warning")


def test_media_with_alt_text_is_uploaded_and_mapped():
    with cassette("test_media_post_multiple.yaml"):
        conn = connector()
        post = conn.send(OutgoingPost(
            text="two pictures",
            media=(OutgoingMedia(b"\x89PNG fake", "image/png", "John Lennon"),
                   OutgoingMedia(b"\x89PNG fake", "image/png", "Two")),
        ))
    assert [m.kind for m in post.media] == ["image", "image"]
    assert all(m.alt_text for m in post.media)
    uploads = [r for r in SENT if r.url.endswith("/api/v2/media")]
    assert len(uploads) >= 2 and b'name="description"' in uploads[-1].body


def test_edit_keeps_edited_at():
    with cassette("test_status_edit.yaml"):
        conn = connector()
        status = conn.call("reading", lambda: conn.api.status("117020586180926938"))
    post = mapping.map_status(status, instance="localhost:3000")
    assert post.edited_at is not None and post.edited_at > post.created_at


def test_thread_root_found_from_context():
    with cassette("test_status_context.yaml"):
        conn = connector()
        context = conn.call("ctx", lambda: conn.api.status_context("117020585487094447"))
    assert set(context) >= {"ancestors", "descendants"}


def test_media_alt_text_from_mastodon_social_entity():
    with cassette("test_entity_mediaattachment.yaml"):
        conn = connector(base="https://mastodon.social")
        status = conn.call("s", lambda: conn.api.status("110447012773105565"))
    post = mapping.map_status(status, instance="mastodon.social")
    assert post.media and post.media[0].url.startswith("https://")
    assert post.external_id == "mastodon.social:110447012773105565"


def test_streaming_events_map_to_posts_and_deletions():
    """The recorded SSE bodies of the user and direct streams, through Samen's mapping."""
    import yaml

    data = yaml.safe_load((CASSETTES / "test_stream_user_direct.yaml").read_text())
    kinds: dict[str, int] = {}
    results = []
    for interaction in data["interactions"]:
        if "/streaming/" not in interaction["request"]["uri"]:
            continue
        for event, payload in mapping.parse_sse(interaction["response"]["body"]["string"]):
            kinds[event] = kinds.get(event, 0) + 1
            results.append((event, mapping.map_stream_event(event, payload,
                                                            instance="localhost:3000")))
    assert {"update", "conversation"} <= set(kinds)
    for event, result in results:
        if event == "delete":
            assert isinstance(result, str) and result.startswith("localhost:3000:")
        elif event == "conversation":
            assert result.visibility is Visibility.DIRECT
        elif event in {"update", "status.update"}:
            assert result.text and "<p>" not in result.text
    edits = [r for e, r in results if e == "status.update"]
    assert all(r.edited_at is not None for r in edits)


@pytest.mark.peer
def test_requests_samen_sent_exist_in_the_openapi_spec():
    spec = shared_path("data", "mastodon", "mastodon-openapi.json")
    SENT.clear()
    test_mention_notifications_become_posts_with_mentions_and_clean_text()
    test_direct_conversations_are_direct_posts()
    test_hashtag_timeline_maps_tags_lower_case()
    test_keyword_search_maps_statuses()
    test_reply_goes_out_with_in_reply_to_and_maps_back()
    test_direct_post_with_content_warning()
    test_media_with_alt_text_is_uploaded_and_mapped()
    assert len(SENT) >= 8
    assert problems(spec, SENT) == []


@pytest.mark.peer
def test_spec_check_notices_unknown_paths_and_parameters():
    spec = shared_path("data", "mastodon", "mastodon-openapi.json")
    bad = [
        requests.Request("GET", BASE + "/api/v1/notifications", params={"kinds": "x"}).prepare(),
        requests.Request("POST", BASE + "/api/v1/statuses", data={"txt": "hi"}).prepare(),
        requests.Request("GET", BASE + "/api/v1/nothing_here").prepare(),
        requests.Request("PATCH", BASE + "/api/v1/statuses/1").prepare(),
    ]
    found = problems(spec, bad)
    assert len(found) == 4, found
