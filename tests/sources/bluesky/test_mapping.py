"""Bluesky mapping and facets against the SDK's example records and atproto's interop lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from samen.sources.base import PayloadError
from samen.sources.bluesky.mapping import map_record, mentioned_dids, parse_datetime, split_uri
from samen.sources.bluesky.richtext import build_facets
from tests.sources.shared import shared_path

DIDS = {"anna.test": "did:plc:anna", "gemeente.example.org": "did:plc:gemeente"}


def slices(text: str, facets: list[dict]) -> list[tuple[str, str]]:
    data = text.encode("utf-8")
    out = []
    for facet in facets:
        part = data[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8")
        out.append((facet["features"][0]["$type"].rsplit("#", 1)[1], part))
    return out


def test_facets_use_utf8_byte_offsets_around_accents_and_emoji():
    text = "Café 🎉 @anna.test zie https://example.org/été?x=1. #Afvalkalender!"
    facets = build_facets(text, DIDS.get)
    assert slices(text, facets) == [
        ("mention", "@anna.test"),
        ("link", "https://example.org/été?x=1"),
        ("tag", "#Afvalkalender"),
    ]
    assert facets[0]["index"]["byteStart"] == len("Café 🎉 ".encode())
    assert facets[0]["features"][0]["did"] == "did:plc:anna"
    assert facets[2]["features"][0]["tag"] == "Afvalkalender"


def test_unresolvable_handles_and_emails_get_no_mention_facet():
    text = "mail info@anna.test of @niemand.test"
    assert build_facets(text, DIDS.get) == []


def test_numeric_tags_are_not_tags():
    assert build_facets("nummer #1 en #2026", DIDS.get) == []


@pytest.mark.peer
def test_every_valid_handle_in_the_interop_list_is_recognised_as_a_mention():
    path = shared_path("data", "atproto", "interop-test-files", "syntax",
                       "handle_syntax_valid.txt")
    handles = [h.strip() for h in path.read_text().splitlines()
               if h.strip() and not h.startswith("#")]
    assert len(handles) > 50
    for handle in handles:
        text = f"vraag voor @{handle} graag"
        found = slices(text, build_facets(text, lambda h: "did:plc:x"))
        assert found == [("mention", "@" + handle)]


@pytest.mark.peer
def test_every_valid_datetime_in_the_interop_list_parses_to_utc():
    path = shared_path("data", "atproto", "interop-test-files", "syntax",
                       "datetime_syntax_valid.txt")
    values = [v.strip() for v in path.read_text().splitlines()
              if v.strip() and not v.startswith("#")]
    for value in values:
        assert parse_datetime(value).tzinfo == UTC


@pytest.mark.peer
def test_sdk_example_records_map():
    base = shared_path("data", "atproto", "python-sdk-test-data")
    plain = json.loads((base / "post_record.json").read_text())
    repo, _, rkey = split_uri(plain["uri"])
    post = map_record(plain["value"], repo=repo, rkey=rkey, cid=plain["cid"])
    assert post.external_id == plain["uri"] and post.text == "new text114"
    assert post.created_at == datetime(2024, 2, 22, 19, 58, 13, 903293, tzinfo=UTC)
    assert post.lang is None and post.reply_to_id is None

    extended = json.loads((base / "extended_post_record.json").read_text())
    repo, _, rkey = split_uri(extended["uri"])
    post = map_record(extended["value"], repo=repo, rkey=rkey)
    assert post.lang == "en"
    assert post.created_at.tzinfo == UTC  # the record's naive time is taken as UTC
    assert post.raw["record"]["lol"] == "kek"  # unknown fields are kept for the archive

    thread = json.loads((base / "thread_view_post_with_embed_media.json").read_text())
    view = thread["thread"]["post"]
    repo, _, rkey = split_uri(view["uri"])
    post = map_record(view["record"], repo=repo, rkey=rkey, handle=view["author"]["handle"],
                      pds_url="https://pds.example")
    assert post.author.handle == "test.marshal.dev"
    assert len(post.media) == 1 and post.media[0].kind == "image"
    assert "cid=bafkreic3cp5ky525vsukjvrzxsc2h3jka2gud74l2hgeatw2rhj2qycnmq" in post.media[0].url


def test_reply_refs_mentions_and_images_with_alt_text():
    record = {
        "$type": "app.bsky.feed.post",
        "text": "@gemeente.example.org de lantaarn is kapot #straatverlichting",
        "createdAt": "2026-03-01T08:00:00.000Z",
        "langs": ["nl", "en"],
        "facets": [
            {"index": {"byteStart": 0, "byteEnd": 21},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:gemeente"}]},
            {"index": {"byteStart": 43, "byteEnd": 61},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "straatverlichting"}]},
        ],
        "reply": {"root": {"uri": "at://did:plc:a/app.bsky.feed.post/1", "cid": "x"},
                  "parent": {"uri": "at://did:plc:b/app.bsky.feed.post/2", "cid": "y"}},
        "embed": {"$type": "app.bsky.embed.images", "images": [
            {"alt": "Een gedoofde lantaarnpaal", "image": {"$type": "blob",
             "ref": {"$link": "bafkrei123"}, "mimeType": "image/jpeg", "size": 10}}]},
    }
    post = map_record(record, repo="did:plc:anna", rkey="3abc")
    assert post.mentions == ["@gemeente.example.org"]
    assert mentioned_dids(record) == ["did:plc:gemeente"]
    assert post.hashtags == ["straatverlichting"]
    assert post.reply_to_id == "at://did:plc:b/app.bsky.feed.post/2"
    assert post.thread_root_id == "at://did:plc:a/app.bsky.feed.post/1"
    assert post.lang == "nl"
    assert post.media[0].alt_text == "Een gedoofde lantaarnpaal"


@pytest.mark.parametrize("record", [
    {"$type": "app.bsky.feed.like", "createdAt": "2026-01-01T00:00:00Z"},
    {"$type": "app.bsky.feed.post", "createdAt": "2026-01-01T00:00:00Z"},
    {"$type": "app.bsky.feed.post", "text": "hoi", "createdAt": "gisteren"},
    {"$type": "app.bsky.feed.post", "text": "hoi"},
])
def test_malformed_records_are_payload_errors(record):
    with pytest.raises(PayloadError):
        map_record(record, repo="did:plc:x", rkey="1")


def test_facet_ranges_outside_the_text_are_ignored_not_fatal():
    record = {"text": "kort", "createdAt": "2026-01-01T00:00:00Z", "facets": [
        {"index": {"byteStart": 2, "byteEnd": 400},
         "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:z"}]}]}
    assert map_record(record, repo="did:plc:x", rkey="1").mentions == ["did:plc:z"]


def test_jetstream_events():
    from samen.sources.bluesky.mapping import map_jetstream_event

    record = {"$type": "app.bsky.feed.post", "text": "Bonjour #Bruxelles", "langs": ["fr"],
              "createdAt": "2026-02-01T09:00:00Z"}
    create = {"did": "did:plc:x", "time_us": 1767261600000000, "kind": "commit",
              "commit": {"rev": "r", "operation": "create", "collection": "app.bsky.feed.post",
                         "rkey": "3k", "record": record, "cid": "bafy"}}
    post = map_jetstream_event(create)
    assert post.external_id == "at://did:plc:x/app.bsky.feed.post/3k" and post.lang == "fr"
    assert post.edited_at is None
    update = {**create, "commit": {**create["commit"], "operation": "update"}}
    assert map_jetstream_event(update).edited_at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    delete = {**create, "commit": {"operation": "delete", "collection": "app.bsky.feed.post",
                                   "rkey": "3k"}}
    assert map_jetstream_event(delete) == "at://did:plc:x/app.bsky.feed.post/3k"
    like = {**create, "commit": {**create["commit"], "collection": "app.bsky.feed.like"}}
    assert map_jetstream_event(like) is None
    assert map_jetstream_event({"kind": "identity", "did": "did:plc:x"}) is None
    with pytest.raises(PayloadError):
        map_jetstream_event({**create, "commit": {**create["commit"], "record": None}})
