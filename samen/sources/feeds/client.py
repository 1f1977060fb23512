"""Fetching feeds politely (conditional GET) and safely (limits; one bad feed stops nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from samen.sources.base import (
    AccountConfig,
    Batch,
    NotSupported,
    OutgoingPost,
    PayloadError,
    SourceError,
    StreamKind,
    StreamSpec,
)
from samen.sources.feeds.mapping import parse_feed
from samen.sources.http import HttpClient, RetryPolicy
from samen.sources.types import NormalizedPost

ACCEPT = ("application/atom+xml, application/rss+xml, application/feed+json, "
          "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")
FEED_POLICY = RetryPolicy(attempts=3, base_delay=1.0, max_delay=300, connect_timeout=5,
                          read_timeout=15)
MAX_FEED_BYTES = 10 * 1024 * 1024


@dataclass(slots=True)
class FeedOutcome:
    """One feed's result in a polling round: a batch, or the reason it failed."""

    url: str
    batch: Batch | None = None
    error: str = ""
    warnings: tuple[str, ...] = ()
    not_modified: bool = False


class FeedConnector:
    """Reads feeds; a feed is a stream ``StreamSpec(StreamKind.FEED, url)``.

    The cursor is JSON with the validators the server gave (``etag``, ``last_modified``),
    so an unchanged feed costs one 304 and no parsing. Entries are returned every time the
    feed changed; storage is idempotent on (source, external id), so nothing is stored twice.
    """

    def __init__(self, config: AccountConfig | None = None, *, http: HttpClient | None = None):
        self.config = config
        self.http = http or HttpClient(policy=FEED_POLICY, max_bytes=MAX_FEED_BYTES)
        self.http.session.max_redirects = 5
        self.last_warnings: tuple[str, ...] = ()

    def fetch(self, stream: StreamSpec, *, cursor: str | None) -> Batch:
        if stream.kind is not StreamKind.FEED:
            raise NotSupported(f"a feed cannot listen to {stream.kind}")
        state = json.loads(cursor) if cursor else {}
        headers = {"Accept": ACCEPT}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        response = self.http.get(stream.query, headers=headers)
        if response.status_code == 304:
            self.last_warnings = ()
            return Batch(posts=[], cursor=cursor)
        if response.status_code != 200:
            raise SourceError(f"{stream.query}: unexpected status {response.status_code}")
        content_type = response.headers.get("Content-Type", "")
        try:
            parsed = parse_feed(response.content, url=stream.query, content_type=content_type,
                                fetched_at=datetime.now(UTC))
        except PayloadError as exc:
            raise PayloadError(f"{stream.query}: {exc.reason} (Content-Type: "
                               f"{content_type or 'none'})") from exc
        self.last_warnings = tuple(parsed.warnings)
        new_state = {k: v for k, v in {
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
        }.items() if v}
        return Batch(posts=parsed.posts,
                     cursor=json.dumps(new_state, sort_keys=True) if new_state else None,
                     problems=list(parsed.warnings))

    def poll(self, feeds: Iterable[tuple[str, str | None]]) -> list[FeedOutcome]:
        """Fetch many feeds (url, cursor); a failing feed is reported, the others go on."""
        outcomes = []
        for url, cursor in feeds:
            try:
                batch = self.fetch(StreamSpec(StreamKind.FEED, url), cursor=cursor)
            except SourceError as exc:
                outcomes.append(FeedOutcome(url=url, error=exc.reason))
                continue
            except Exception as exc:  # a parser bug on one hostile feed must not stop the rest
                outcomes.append(FeedOutcome(url=url, error=f"unexpected error: {exc!r}"))
                continue
            outcomes.append(FeedOutcome(url=url, batch=batch, warnings=self.last_warnings,
                                        not_modified=batch.cursor == cursor and not batch.posts
                                        and cursor is not None))
        return outcomes

    def send(self, post: OutgoingPost) -> NormalizedPost:
        raise NotSupported("feeds are read-only")

    def delete(self, external_id: str) -> None:
        raise NotSupported("feeds are read-only")
