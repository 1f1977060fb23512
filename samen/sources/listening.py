"""``samen listen``: follow every enabled stream, store what is new, never crash on a source.

Streams are shared between listener processes through leases on their rows: a process claims
due streams by setting ``lease_owner``/``lease_until`` with a conditional UPDATE (on PostgreSQL
after ``SELECT ... FOR UPDATE SKIP LOCKED``, so claimers do not queue behind each other), polls
them, and stores each batch with the cursor only while it still holds the lease (see
``ingest.store_batch``). A process that dies simply lets its leases expire.

Errors never stop the loop: wrong credentials put the account in "needs attention" with the
reason; rate limits wait as long as the server asked; other failures back off exponentially
per stream.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from samen.sources.base import (
    AccountConfig,
    AuthError,
    Connector,
    RateLimited,
    SourceError,
    StreamKind,
    StreamSpec,
    get_provider,
)
from samen.sources.ingest import LeaseLost, store_batch
from samen.sources.models import Account, AccountState, Stream

log = logging.getLogger(__name__)

POLL_SECONDS = {
    StreamKind.MENTIONS: 30,
    StreamKind.DIRECT: 30,
    StreamKind.HASHTAG: 60,
    StreamKind.KEYWORD: 120,
    StreamKind.FEED: 900,
}
MAX_BACKOFF = 3600.0
# Providers whose streams are pushed to us (the firehose) rather than polled.
PUSH_PROVIDERS = {"bluesky"}
# Streams that are polled for completeness and *also* followed live where the server allows
# (Mastodon's streaming API): live posts arrive within a second, polls catch anything a
# dropped connection missed and move the cursor. Ingest is idempotent, so overlap is harmless.
LIVE_KINDS = {"mastodon": {StreamKind.MENTIONS, StreamKind.DIRECT, StreamKind.HASHTAG}}
LIVE_POLL_FACTOR = 10  # poll this much less often while a live stream runs


@dataclass(slots=True)
class _Push:
    stream: Stream
    consumer: Any
    thread: threading.Thread
    connector: Any = None


def account_config(account: Account) -> AccountConfig:
    """The connector's view of an account (secrets included; never log it)."""
    return AccountConfig(provider=account.provider, base_url=account.base_url,
                         handle=account.handle, credentials=dict(account.credentials or {}),
                         options=dict((account.credentials or {}).get("options") or {}))


def stream_spec(stream: Stream) -> StreamSpec:
    kind = StreamKind(stream.kind)
    query = stream.query or (stream.account.base_url if kind is StreamKind.FEED else "")
    return StreamSpec(kind, query)


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(slots=True)
class ListenStatus:
    """What the live status line shows."""

    streams: int = 0
    polls: int = 0
    stored: int = 0
    errors: int = 0
    attention: set[int] = field(default_factory=set)
    last_item_at: datetime | None = None
    last_error: str = ""

    def line(self) -> str:
        ago = ""
        if self.last_item_at is not None:
            seconds = int((timezone.now() - self.last_item_at).total_seconds())
            ago = f" · last post {seconds}s ago"
        attention = f" · {len(self.attention)} account(s) need attention" if self.attention else ""
        error = f" · last error: {self.last_error[:60]}" if self.last_error else ""
        return (f"listening to {self.streams} stream(s) · {self.polls} polls · "
                f"{self.stored} new posts{ago} · {self.errors} errors{attention}{error}")


def _named(connector: Any, posts: list[Any]) -> list[Any]:
    """Let the connector name authors it only knows by id (Bluesky DIDs) before storing.

    Bounded by the connector; whatever goes wrong, the posts are stored as they are.
    """
    name = getattr(connector, "name_authors", None)
    if name is None or not posts:
        return posts
    try:
        name(posts)
    except Exception:
        log.exception("naming authors failed; their posts keep the network's ids")
    return posts


def _forget(connector: Any, ids: list[str]) -> None:
    """Identity events (a Bluesky handle changed): the connector asks again next time."""
    forget = getattr(connector, "forget_authors", None)
    if forget is None or not ids:
        return
    try:
        forget(list(dict.fromkeys(ids)))
    except Exception:
        log.exception("forgetting changed identities failed")


class Listener:
    """Polls due streams with leases; one instance per process."""

    def __init__(
        self,
        *,
        owner: str | None = None,
        lease_seconds: int = 120,
        poll_seconds: float | None = None,
        connector_for: Callable[[Account], Connector] | None = None,
        stream_ids: list[int] | None = None,
    ) -> None:
        self.owner = owner or default_owner()
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.connector_for = connector_for or self._connector
        self.stream_ids = stream_ids
        self.status = ListenStatus()
        self._connectors: dict[tuple[int, str], Connector] = {}
        self._push: dict[int, _Push] = {}
        self._inbox: queue.Queue[tuple[int, Any]] = queue.Queue()
        self._live: dict[int, tuple[threading.Thread, threading.Event, Account, float]] = {}
        self._live_inbox: queue.Queue[tuple[int, Any]] = queue.Queue()
        self._no_live: set[int] = set()  # streams whose server refused live streaming

    def _connector(self, account: Account) -> Connector:
        key = (account.pk, repr(sorted((account.credentials or {}).items())))
        if key not in self._connectors:
            self._connectors[key] = get_provider(account.provider).connector(
                account_config(account))
        return self._connectors[key]

    def interval(self, stream: Stream) -> float:
        if self.poll_seconds is not None:
            base = self.poll_seconds
        else:
            base = POLL_SECONDS.get(StreamKind(stream.kind), 60)
        return base * LIVE_POLL_FACTOR if stream.pk in self._live else base

    # ---- leases
    def _free(self, now: datetime) -> Q:
        return Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=self.owner)

    def claim(self, limit: int = 20) -> list[Stream]:
        """Lease up to ``limit`` due streams for this process."""
        now = timezone.now()
        due = Stream.objects.filter(enabled=True, account__state=AccountState.ACTIVE).filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)).filter(self._free(now))
        if self.stream_ids is not None:
            due = due.filter(pk__in=self.stream_ids)
        claimed: list[int] = []
        with transaction.atomic():
            candidates = due.order_by("next_poll_at", "pk")
            if connection.features.has_select_for_update_skip_locked:
                kwargs: dict[str, Any] = {"skip_locked": True}
                if connection.features.has_select_for_update_of:
                    kwargs["of"] = ("self",)
                candidates = candidates.select_for_update(**kwargs)
            for pk in list(candidates.values_list("pk", flat=True)[:limit]):
                # The conditional UPDATE is what guarantees one owner, on every database.
                if Stream.objects.filter(pk=pk).filter(self._free(now)).update(
                        lease_owner=self.owner, lease_until=now + self.lease):
                    claimed.append(pk)
        return list(Stream.objects.filter(pk__in=claimed).select_related("account"))

    def release(self) -> None:
        for _thread, stop, _account, _started in self._live.values():
            stop.set()
        self._live.clear()
        for push in self._push.values():
            push.consumer.stop()
        for push in self._push.values():
            push.thread.join(5)
        self._push.clear()
        Stream.objects.filter(lease_owner=self.owner).update(lease_owner="", lease_until=None)

    # ---- pushed streams (the Bluesky firehose)
    def _start_push(self, stream: Stream) -> None:
        """Follow ``stream`` on the firehose from its stored cursor (sequence number)."""
        try:
            connector: Any = self.connector_for(stream.account)
            cursor = int(stream.cursor) if stream.cursor.isdigit() else None
            consumer = connector.firehose(
                stream_spec(stream), cursor=cursor,
                on_batch=lambda batch, pk=stream.pk: self._inbox.put((pk, batch)))
        except AuthError as exc:
            self._needs_attention(stream, exc.reason)
            return
        except SourceError as exc:
            self._failed(stream, exc.reason, self._backoff(stream))
            return
        self._push[stream.pk] = _Push(stream=stream, consumer=consumer,
                                      thread=consumer.start_in_thread(), connector=connector)

    def _drain_push(self) -> int:
        """Store what the firehose threads received, one transaction per stream."""
        received: dict[int, list[Any]] = {}
        while True:
            try:
                pk, batch = self._inbox.get_nowait()
            except queue.Empty:
                break
            received.setdefault(pk, []).append(batch)
        stored = 0
        for pk, batches in received.items():
            push = self._push.get(pk)
            if push is None:
                continue  # stopped meanwhile: its cursor was not moved, nothing is lost
            _forget(push.connector, [d for b in batches for d in getattr(b, "renamed", ())])
            posts = _named(push.connector, [p for b in batches for p in b.posts])
            try:
                result = store_batch(
                    posts=posts, account=push.stream.account,
                    deleted_ids=[d for b in batches for d in b.deleted_ids],
                    stream=push.stream, cursor=str(max(b.seq for b in batches)),
                    lease_owner=self.owner)
            except LeaseLost:
                push.consumer.stop()
                del self._push[pk]
                continue
            stored += result.created
        for pk, push in list(self._push.items()):
            if not push.thread.is_alive():
                del self._push[pk]  # ended (network gone): claimed again next round
        if self._push:
            Stream.objects.filter(pk__in=list(self._push), lease_owner=self.owner).update(
                lease_until=timezone.now() + self.lease)
        if stored:
            self.status.stored += stored
            self.status.last_item_at = timezone.now()
        return stored

    # ---- one poll
    def poll(self, stream: Stream) -> int:
        """Fetch and store one batch of ``stream``; returns the number of new posts."""
        self.status.polls += 1
        account = stream.account
        try:
            connector = self.connector_for(account)
            batch = connector.fetch(stream_spec(stream), cursor=stream.cursor or None)
        except AuthError as exc:
            self._needs_attention(stream, exc.reason)
            return 0
        except RateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else self._backoff(stream)
            self._failed(stream, exc.reason, wait)
            return 0
        except SourceError as exc:
            self._failed(stream, exc.reason, self._backoff(stream))
            return 0
        except Exception as exc:  # a bug or a hostile payload must not stop the other streams
            log.exception("listening to stream %s failed", stream.pk)
            self._failed(stream, f"unexpected error: {exc!r}", self._backoff(stream))
            return 0
        note = ""
        if batch.problems:
            note = f"skipped {len(batch.problems)} item(s): {batch.problems[0]}"
        try:
            result = store_batch(
                posts=_named(connector, batch.posts), account=account,
                deleted_ids=batch.deleted_ids,
                stream=stream, cursor=batch.cursor, lease_owner=self.owner,
                next_poll_at=timezone.now() + timedelta(seconds=self.interval(stream)),
                note=note[:1000],
            )
        except LeaseLost:
            log.info("stream %s was taken over by another listener", stream.pk)
            return 0
        if result.created:
            self.status.stored += result.created
            self.status.last_item_at = timezone.now()
        self._start_live(stream, connector)
        return result.created

    # ---- live streams next to polling (Mastodon's streaming API)
    def _start_live(self, stream: Stream, connector: Connector) -> None:
        kind = StreamKind(stream.kind)
        if (kind not in LIVE_KINDS.get(stream.account.provider, set())
                or stream.pk in self._live or stream.pk in self._no_live
                or not hasattr(connector, "stream")
                or (stream.account.credentials or {}).get("options", {}).get("streaming")
                is False):
            return
        stop = threading.Event()
        spec = stream_spec(stream)

        def follow(pk: int = stream.pk) -> None:
            try:
                connector.stream(spec, lambda item: self._live_inbox.put((pk, item)),  # type: ignore[attr-defined]
                                 stop=stop)
            except SourceError as exc:
                log.info("live stream %s ended: %s", pk, exc.reason)
            except Exception:
                log.exception("live stream %s failed", pk)

        thread = threading.Thread(target=follow, daemon=True, name=f"samen-live-{stream.pk}")
        self._live[stream.pk] = (thread, stop, stream.account, time.monotonic())
        thread.start()

    def _drain_live(self) -> int:
        """Store posts the live streams delivered (no cursor: polling moves that)."""
        received: dict[int, list[Any]] = {}
        while True:
            try:
                pk, item = self._live_inbox.get_nowait()
            except queue.Empty:
                break
            received.setdefault(pk, []).append(item)
        stored = 0
        for pk, items in received.items():
            entry = self._live.get(pk)
            if entry is None:
                continue  # the poll will bring these
            account = entry[2]
            result = store_batch(posts=[i for i in items if not isinstance(i, str)],
                                 deleted_ids=[i for i in items if isinstance(i, str)],
                                 account=account)
            stored += result.created
        for pk, (thread, _stop, _account, started) in list(self._live.items()):
            if not thread.is_alive():
                del self._live[pk]
                if time.monotonic() - started < 10:
                    self._no_live.add(pk)  # refused at once: this server only allows polling
        if stored:
            self.status.stored += stored
            self.status.last_item_at = timezone.now()
        return stored

    def _backoff(self, stream: Stream) -> float:
        base = min(MAX_BACKOFF, 5.0 * (2 ** min(stream.error_count, 12)))
        return random.uniform(base / 2, base)

    def _failed(self, stream: Stream, reason: str, wait: float) -> None:
        now = timezone.now()
        self.status.errors += 1
        self.status.last_error = reason
        Stream.objects.filter(pk=stream.pk, lease_owner=self.owner).update(
            last_error=reason[:2000], last_polled_at=now, error_count=stream.error_count + 1,
            next_poll_at=now + timedelta(seconds=wait))
        Account.objects.filter(pk=stream.account_id).update(last_error=reason[:2000],
                                                            last_error_at=now)

    def _needs_attention(self, stream: Stream, reason: str) -> None:
        from samen.sources.actions import do_mark_needs_attention

        self.status.errors += 1
        self.status.last_error = reason
        self.status.attention.add(stream.account_id)
        do_mark_needs_attention(account=stream.account, reason=reason)
        Stream.objects.filter(pk=stream.pk).update(last_error=reason[:2000],
                                                   last_polled_at=timezone.now())

    # ---- the loop
    def run_once(self, limit: int = 20) -> int:
        """Claim due streams, poll each once, renew nothing; returns new posts stored."""
        stored = self._drain_push() + self._drain_live()
        streams = [s for s in self.claim(limit) if s.pk not in self._push]
        self.status.streams = Stream.objects.filter(enabled=True).count()
        for stream in streams:
            if stream.account.provider in PUSH_PROVIDERS:
                self._start_push(stream)
            else:
                stored += self.poll(stream)
        return stored

    def run(self, *, stop: threading.Event, on_status: Callable[[ListenStatus], None]
            | None = None, idle_seconds: float = 1.0) -> None:
        """Poll until ``stop`` is set; leases are released on the way out."""
        try:
            while not stop.is_set():
                self.run_once()
                if on_status is not None:
                    on_status(self.status)
                stop.wait(idle_seconds)
        finally:
            self.release()
