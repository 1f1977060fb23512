"""Listening to a PDS or relay firehose (``com.atproto.sync.subscribeRepos``) with a cursor.

Each commit event carries a sequence number (``seq``) and the changed records as a CAR file.
:func:`decode_commit` turns one event into Samen posts and deletions; :class:`FirehoseConsumer`
runs the websocket (the SDK reconnects, and we keep the cursor up to date so a reconnect
resumes where we were). Store ``seq`` with the posts of its batch: a restart from that cursor
loses nothing and, thanks to idempotent storage, duplicates nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from atproto import CAR, FirehoseSubscribeReposClient, models, parse_subscribe_repos_message

from samen.sources.base import PayloadError, StreamKind, StreamSpec
from samen.sources.bluesky import mapping
from samen.sources.types import NormalizedPost

log = logging.getLogger(__name__)


@dataclass(slots=True)
class CommitBatch:
    """What one firehose event changed, with the cursor to store alongside it."""

    seq: int
    repo: str
    posts: list[NormalizedPost] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)  # DIDs whose handle may have changed


def decode_commit(commit: Any, *, pds_url: str = "") -> CommitBatch:
    """Decode a ``#commit`` event: created/updated posts mapped, deletions as AT URIs.

    A record that cannot be read is reported in ``errors``; the rest of the commit still counts.
    """
    batch = CommitBatch(seq=int(commit.seq), repo=str(commit.repo))
    blocks: dict[Any, Any] = {}
    if commit.blocks:
        try:
            blocks = CAR.from_bytes(commit.blocks).blocks
        except Exception as exc:  # libipld raises plain ValueErrors and friends
            batch.errors.append(f"seq {commit.seq}: unreadable CAR blocks ({exc})")
            return batch
    for op in commit.ops:
        collection, _, rkey = str(op.path).partition("/")
        if collection != mapping.POST:
            continue
        if op.action == "delete":
            batch.deleted_ids.append(mapping.post_uri(batch.repo, rkey))
            continue
        record = blocks.get(op.cid) if op.cid is not None else None
        if record is None:
            batch.errors.append(f"seq {commit.seq}: record {op.path} missing from the commit")
            continue
        try:
            edited = mapping.parse_datetime(commit.time) if op.action == "update" else None
            batch.posts.append(mapping.map_record(
                record, repo=batch.repo, rkey=rkey, cid=str(op.cid), pds_url=pds_url,
                edited_at=edited))
        except PayloadError as exc:
            batch.errors.append(f"seq {commit.seq}: {op.path}: {exc.reason}")
    return batch


def matches(post: NormalizedPost, spec: StreamSpec, *, account_did: str = "") -> bool:
    """Does a firehose post belong to the stream ``spec`` of the account ``account_did``?"""
    if spec.kind is StreamKind.MENTIONS:
        if post.author.external_id == account_did:
            return False
        record = post.raw.get("record") or {}
        if account_did in mapping.mentioned_dids(record):
            return True
        reply_to = post.reply_to_id or ""
        return reply_to.startswith(f"at://{account_did}/")
    if spec.kind is StreamKind.HASHTAG:
        return spec.query.lstrip("#").lower() in post.hashtags
    if spec.kind is StreamKind.KEYWORD:
        return spec.query.casefold() in post.text.casefold()
    return False


def websocket_uri(base_url: str) -> str:
    """``http://host:port`` -> ``ws://host:port/xrpc`` (https -> wss)."""
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[8:]
    elif base.startswith("http://"):
        base = "ws://" + base[7:]
    return base if base.endswith("/xrpc") else base + "/xrpc"


class FirehoseConsumer:
    """Runs ``subscribeRepos`` from ``cursor`` and hands each decoded commit to ``on_batch``.

    ``on_batch`` should store the posts and the cursor together; if it raises, the consumer
    stops so that nothing is acknowledged that was not stored.
    """

    def __init__(
        self,
        base_url: str,
        *,
        on_batch: Callable[[CommitBatch], None],
        cursor: int | None = None,
        pds_url: str = "",
        recv_timeout: float = 30.0,
    ) -> None:
        self.pds_url = pds_url or base_url
        self.on_batch = on_batch
        self.cursor = cursor
        params = {"cursor": cursor} if cursor is not None else None
        self._client = FirehoseSubscribeReposClient(
            params=params, base_uri=websocket_uri(base_url), recv_timeout=recv_timeout)
        self.failure: BaseException | None = None

    def _on_message(self, message: Any) -> None:
        event = parse_subscribe_repos_message(message)
        if isinstance(event, models.ComAtprotoSyncSubscribeRepos.Identity):
            # A handle changed (or was re-checked): cached names of this DID are out of date.
            batch = CommitBatch(seq=int(event.seq), repo=str(event.did), renamed=[str(event.did)])
        elif isinstance(event, models.ComAtprotoSyncSubscribeRepos.Commit):
            batch = decode_commit(event, pds_url=self.pds_url)
        else:
            return
        for error in batch.errors:
            log.warning("firehose: %s", error)
        try:
            self.on_batch(batch)
        except BaseException as exc:
            self.failure = exc
            self._client.stop()
            raise
        self.cursor = batch.seq
        self._client.update_params({"cursor": batch.seq})

    def run(self) -> None:
        """Block until :meth:`stop`; re-raise what ``on_batch`` raised."""
        self._client.start(self._on_message)
        if self.failure is not None:
            raise self.failure

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self._client.start, args=(self._on_message,),
                                  daemon=True, name="samen-firehose")
        thread.start()
        return thread

    def stop(self) -> None:
        self._client.stop()
