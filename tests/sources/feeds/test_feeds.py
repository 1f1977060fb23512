"""Feeds from a real loopback server: every real-world feed fixture is ingested or refused with
a reason; conditional GET, redirects, wrong content types, timeouts and hostile feeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from samen.sources.base import PayloadError, SourceError, StreamKind, StreamSpec, TemporaryError
from samen.sources.feeds.client import FeedConnector
from samen.sources.feeds.mapping import parse_feed
from samen.sources.http import HttpClient, RetryPolicy
from samen.sources.text import html_to_text
from tests.sources.loopback import Handler, Reply, loopback
from tests.sources.shared import shared_path

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=1, connect_timeout=2, read_timeout=2.0)
HASHED_ID = re.compile(r"^[0-9a-f]{32}$")  # feed-rs invents these when a feed has no id


def feeds() -> FeedConnector:
    return FeedConnector(http=HttpClient(policy=FAST, sleep=lambda s: None, max_bytes=2_000_000))


def content_type_for(path: Path) -> str:
    return "application/feed+json" if path.suffix == ".json" else "application/xml"


@pytest.mark.peer
def test_every_real_feed_is_ingested_or_refused_with_a_reason():
    root = shared_path("data", "feeds", "fixture")
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".serde.json"))
    assert len(files) >= 68
    with loopback() as server:
        for path in files:
            body = path.read_bytes()
            server.script("/" + path.relative_to(root).as_posix(),
                          Reply(200, body, {"Content-Type": content_type_for(path)}))
        outcomes = feeds().poll((f"{server.url}/{p.relative_to(root).as_posix()}", None)
                                for p in files)
    assert len(outcomes) == len(files)
    ingested = refused = 0
    for path, outcome in zip(files, outcomes, strict=True):
        expected_path = path.with_name(path.name.rsplit(".", 1)[0] + ".serde.json")
        if not expected_path.exists():
            # No expected parse: the invalid RSS and the plain XML documents that are no feeds.
            assert outcome.batch is None, f"{path.name} should be refused"
            assert outcome.error, f"{path.name} refused without a reason"
            refused += 1
            continue
        assert outcome.batch is not None, f"{path.name}: {outcome.error}"
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        source = path.read_bytes()  # ids feed-rs invented (feed without ids) are not in it
        posts = outcome.batch.posts
        assert len(posts) == len(expected["entries"]), path.name
        for post, entry in zip(posts, expected["entries"], strict=True):
            assert post.source == "feed"
            assert post.author.handle == "feed:127.0.0.1:" + outcome.url.split(":")[2].split("/")[0]
            assert post.created_at.tzinfo is not None
            title = html_to_text((entry.get("title") or {}).get("content") or "")[0]
            if title:
                assert post.text.startswith(title.split("\n")[0][:40]), (path.name, title)
            invented = HASHED_ID.match(entry["id"]) or entry["id"].encode() not in source
            if entry["id"] and not invented:
                # feedparser resolves relative ids (reddit's "t3_...") against the feed URL
                assert post.external_id.endswith(entry["id"]), (path.name, entry["id"])
        ingested += 1
    assert ingested == 64 and refused == 4  # 3 plain XML documents and one invalid RSS


def atom(entries: int = 2, *, extra: str = "") -> bytes:
    items = "".join(
        f"<entry><id>urn:samen:test:{i}</id><title>Bericht {i}</title>"
        f"<updated>2026-03-0{i + 1}T10:00:00Z</updated>"
        f"<link href='https://gemeente.example/nieuws/{i}'/>"
        f"<content type='html'>&lt;p&gt;De raad vergadert {i}.&lt;/p&gt;{extra}</content></entry>"
        for i in range(entries)
    )
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'"
            f" xml:lang='nl'><title>Nieuws</title><id>urn:samen:test</id>"
            f"<updated>2026-03-01T10:00:00Z</updated>{items}</feed>").encode()


def test_conditional_get_turns_an_unchanged_feed_into_a_cheap_304():
    seen_headers = []

    def answer(handler: Handler) -> Reply:
        seen_headers.append(dict(handler.headers))
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(304)
        return Reply(200, atom(), {"Content-Type": "application/atom+xml", "ETag": '"v1"',
                                   "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT"})

    with loopback() as server:
        server.routes["/feed"] = answer
        conn = feeds()
        spec = StreamSpec(StreamKind.FEED, server.url + "/feed")
        first = conn.fetch(spec, cursor=None)
        second = conn.fetch(spec, cursor=first.cursor)
    assert len(first.posts) == 2 and first.posts[0].lang == "nl"
    assert first.posts[0].text == "Bericht 0\n\nDe raad vergadert 0."
    assert json.loads(first.cursor) == {"etag": '"v1"',
                                        "last_modified": "Sun, 01 Mar 2026 10:00:00 GMT"}
    assert seen_headers[1]["If-None-Match"] == '"v1"'
    assert seen_headers[1]["If-Modified-Since"] == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert second.posts == [] and second.cursor == first.cursor


def test_redirects_are_followed_and_ids_stay_those_of_the_configured_url():
    with loopback() as server:
        server.script("/old", Reply(301, headers={"Location": "/new"}))
        server.script("/new", Reply(200, atom(1), {"Content-Type": "application/atom+xml"}))
        batch = feeds().fetch(StreamSpec(StreamKind.FEED, server.url + "/old"), cursor=None)
    assert batch.posts[0].external_id == server.url + "/old#urn:samen:test:0"


def test_redirect_loops_are_refused():
    with loopback() as server:
        server.script("/loop", Reply(302, headers={"Location": "/loop"}))
        [outcome] = feeds().poll([(server.url + "/loop", None)])
    assert "too many redirects" in outcome.error


def test_wrong_content_types():
    with loopback() as server:
        server.script("/page", Reply(200, b"<!doctype html><html><body>Welkom</body></html>",
                                     {"Content-Type": "text/html"}))
        server.script("/plain", Reply(200, atom(1), {"Content-Type": "text/plain"}))
        page, plain = feeds().poll([(server.url + "/page", None), (server.url + "/plain", None)])
    assert "web page" in page.error and "text/html" in page.error
    # The body decides, not the label.
    assert plain.batch is not None and len(plain.batch.posts) == 1


def test_a_timeout_or_hostile_feed_never_stops_the_others():
    with loopback() as server:
        server.script("/slow", Reply(200, atom(1), delay=4.5))
        server.script("/huge", Reply(200, b"<rss>" + b"x" * 3_000_000))
        server.script("/broken", Reply(200, b"<rss version='2.0'><channel><item><title>half"))
        server.script("/json-junk", Reply(200, b"{not json", {"Content-Type": "application/json"}))
        server.script("/ok", Reply(200, atom(2), {"Content-Type": "application/atom+xml"}))
        outcomes = feeds().poll([(server.url + p, None)
                                 for p in ("/slow", "/huge", "/broken", "/json-junk", "/ok")])
    slow, huge, broken, junk, ok = outcomes
    assert "timed out" in slow.error
    assert "more than" in huge.error
    assert broken.error or (broken.batch is not None and broken.warnings)
    assert "invalid JSON" in junk.error
    assert ok.batch is not None and len(ok.batch.posts) == 2


def test_markup_in_an_entry_is_text_and_scripts_never_survive():
    body = atom(1, extra="&lt;script&gt;alert(1)&lt;/script&gt;"
                         "&amp;lt;b&amp;gt;vet&amp;lt;/b&amp;gt;")
    post = parse_feed(body, url="https://gemeente.example/feed").posts[0]
    assert "alert" not in post.text
    assert "<b>vet</b>" in post.text  # typed by the author, so it is data


def test_json_feed_items_map():
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Blog", "language": "fr",
            "items": [{"id": "1", "content_text": "Bonjour à tous #Ville", "tags": ["Ville"],
                       "date_published": "2026-03-01T10:00:00+01:00",
                       "url": "https://blog.example/1",
                       "attachments": [{"url": "https://blog.example/a.jpg",
                                        "mime_type": "image/jpeg", "title": "Le marché"}]},
                      "not an item"]}
    parsed = parse_feed(json.dumps(feed).encode(), url="https://blog.example/feed.json")
    [post] = parsed.posts
    assert parsed.warnings == ["item 2 skipped: not an object"]
    assert post.lang == "fr" and post.hashtags == ["ville"]
    assert post.created_at.isoformat() == "2026-03-01T09:00:00+00:00"
    assert post.media[0].alt_text == "Le marché"
    assert post.author.handle == "feed:blog.example"


def test_errors_are_source_errors_with_the_url():
    with loopback() as server:
        server.script("/gone", Reply(410))
        with pytest.raises(SourceError, match="410"):
            feeds().fetch(StreamSpec(StreamKind.FEED, server.url + "/gone"), cursor=None)
        server.script("/busy", Reply(503))
        with pytest.raises(TemporaryError):
            feeds().fetch(StreamSpec(StreamKind.FEED, server.url + "/busy"), cursor=None)
    with pytest.raises(PayloadError, match="not an RSS"):
        parse_feed(b"<catalog><book/></catalog>", url="https://x.example/f")
