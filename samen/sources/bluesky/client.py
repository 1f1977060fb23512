"""A Bluesky account on any PDS, through the atproto SDK and Samen's retry policy.

Log in with the handle and an *app password* (never the main password). The profile lookup
that the SDK does by default needs an AppView; we skip it (``fetch_bsky_profile=False``) and
ask the PDS for our DID instead, so this works against any PDS, including a self-hosted one.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from atproto import Client, models
from atproto_client import exceptions as aexc

from samen.sources.base import (
    AccountConfig,
    AuthError,
    Batch,
    NotSupported,
    OutgoingPost,
    PayloadError,
    RateLimited,
    SourceError,
    StreamSpec,
    TemporaryError,
)
from samen.sources.bluesky import mapping
from samen.sources.bluesky.firehose import CommitBatch, FirehoseConsumer, matches
from samen.sources.bluesky.richtext import build_facets
from samen.sources.bluesky.tid import record_key
from samen.sources.http import DEFAULT_POLICY, RetryPolicy, with_retries
from samen.sources.types import NormalizedPost

_AUTH_ERRORS = {"AuthenticationRequired", "AuthFactorTokenRequired", "AccountTakedown",
                "InvalidToken", "ExpiredToken", "AccountDeactivated"}


def _status_and_error(exc: aexc.RequestErrorBase) -> tuple[int | None, str]:
    response = exc.response
    if response is None:
        return None, ""
    content = response.content
    name = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or ""
    return response.status_code, f"{name} {message}".strip()


@contextlib.contextmanager
def mapped_errors(where: str) -> Iterator[None]:
    """Turn atproto SDK exceptions into Samen's own."""
    try:
        yield
    except aexc.UnauthorizedError as exc:
        raise AuthError(f"{where}: the PDS refused the credentials") from exc
    except aexc.NetworkError as exc:
        raise TemporaryError(f"{where}: network error ({exc.__class__.__name__})") from exc
    except aexc.RequestErrorBase as exc:
        status, detail = _status_and_error(exc)
        if status == 429:
            reset = None
            if exc.response is not None:
                reset = exc.response.headers.get("retry-after")
            raise RateLimited(f"{where}: rate limited",
                              retry_after=float(reset) if reset else None) from exc
        if status is not None and status >= 500:
            raise TemporaryError(f"{where}: {status} {detail}") from exc
        if status in (401, 403) or detail.split(" ")[0] in _AUTH_ERRORS:
            raise AuthError(f"{where}: {detail or status}") from exc
        raise SourceError(f"{where}: {status} {detail}") from exc
    except aexc.ModelError as exc:
        raise PayloadError(f"{where}: unexpected answer ({exc})") from exc


class BlueskyConnector:
    """One account on one PDS."""

    def __init__(
        self,
        config: AccountConfig,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/") or "https://bsky.social"
        self.policy = policy
        self._sleep = sleep
        self.client = Client(base_url=self.base_url)
        self.did = ""
        self.handle = config.handle
        self._lock = threading.Lock()
        self._namer: Any = None

    def call(self, where: str, fn: Callable[[], Any]) -> Any:
        def once() -> Any:
            with mapped_errors(where):
                return fn()

        kwargs: dict[str, Any] = {"policy": self.policy}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        return with_retries(once, **kwargs)

    def login(self) -> str:
        """Log in once (idempotent); returns our DID. AuthError: the account needs attention."""
        with self._lock:
            if not self.did:
                password = self.config.credentials.get("app_password", "")
                self.call("logging in", lambda: self.client.login(
                    self.config.handle, password, fetch_bsky_profile=False))
                session = self.call("reading the session",
                                    self.client.com.atproto.server.get_session)
                self.did, self.handle = session.did, session.handle
        return self.did

    def resolve_handle(self, handle: str) -> str | None:
        """Handle -> DID; None when it does not resolve (the mention stays plain text)."""
        try:
            answer = self.call(f"resolving @{handle}", lambda: self.client.com.atproto.identity
                               .resolve_handle({"handle": handle}))
        except SourceError as exc:
            if isinstance(exc, TemporaryError | AuthError | RateLimited):
                raise
            return None
        return str(answer.did)

    # ---- listening
    @property
    def namer(self) -> Any:
        """Names firehose authors (DID -> handle, display name); see ``bluesky.names``."""
        if self._namer is None:
            from samen.sources.bluesky.identity import IdentityFetcher
            from samen.sources.bluesky.names import AuthorNamer

            plc = str(self.config.options.get("plc_url") or "https://plc.directory")
            self._namer = AuthorNamer(IdentityFetcher(self.base_url, plc_url=plc))
        return self._namer

    @namer.setter
    def namer(self, value: Any) -> None:
        self._namer = value

    def name_authors(self, posts: list[NormalizedPost]) -> None:
        """Give posts heard by DID their author's handle and display name, where known or
        quickly found; called by the listener before storing. Never raises for the network."""
        self.namer.name_posts(posts)

    def forget_authors(self, dids: list[str]) -> None:
        """Identity events on the firehose: these DIDs may have a new handle."""
        self.namer.forget(dids)

    def fetch(self, stream: StreamSpec, *, cursor: str | None) -> Batch:
        """Polling fallback: ``listRecords`` of the repos named in ``options['watch']``.

        Without an AppView there is no notification list; the firehose (:meth:`stream`) is the
        way to hear everyone. The cursor is a JSON object: repo DID -> newest rkey seen.
        """
        our_did = self.login()
        seen: dict[str, str] = json.loads(cursor) if cursor else {}
        posts: list[NormalizedPost] = []
        problems: list[str] = []
        for repo in self.config.options.get("watch", []):
            did = repo if repo.startswith("did:") else self.resolve_handle(repo.lstrip("@"))
            if not did:
                continue
            def list_posts(did: str = did) -> Any:
                return self.client.com.atproto.repo.list_records(
                    {"repo": did, "collection": mapping.POST, "limit": 100})

            page = self.call(f"listing posts of {repo}", list_posts)
            newest = seen.get(did, "")
            for item in page.records:
                _, _, rkey = mapping.split_uri(item.uri)
                if rkey <= seen.get(did, ""):
                    continue  # record keys are TIDs: they sort by time
                newest = max(newest, rkey)
                try:
                    post = mapping.map_record(_as_dict(item.value), repo=did, rkey=rkey,
                                              cid=str(item.cid), pds_url=self.base_url)
                except PayloadError as exc:
                    problems.append(f"{item.uri}: {exc.reason}")
                    continue
                if matches(post, stream, account_did=our_did):
                    posts.append(post)
            if newest:
                seen[did] = newest
        return Batch(posts=posts, cursor=json.dumps(seen, sort_keys=True) if seen else cursor,
                     problems=problems)

    def firehose(self, stream: StreamSpec, *, on_batch: Callable[[CommitBatch], None],
                 cursor: int | None, relay_url: str | None = None) -> FirehoseConsumer:
        """A consumer of the PDS (or relay) firehose that keeps only ``stream``'s posts."""
        our_did = self.login()

        def keep(batch: CommitBatch) -> None:
            batch.posts = [p for p in batch.posts if matches(p, stream, account_did=our_did)]
            on_batch(batch)

        return FirehoseConsumer(relay_url or self.base_url, on_batch=keep, cursor=cursor,
                                pds_url=self.base_url)

    # ---- sending
    def _strong_ref(self, uri: str) -> tuple[models.ComAtprotoRepoStrongRef.Main, dict[str, Any]]:
        repo, collection, rkey = mapping.split_uri(uri)
        got = self.call("reading the post we answer", lambda: self.client.com.atproto.repo
                        .get_record({"repo": repo, "collection": collection, "rkey": rkey}))
        return models.ComAtprotoRepoStrongRef.Main(uri=got.uri, cid=got.cid), _as_dict(got.value)

    def send(self, post: OutgoingPost) -> NormalizedPost:
        """Post or reply with facets (mentions, links, tags), langs and images with alt text.

        Idempotent when ``post.idempotency_key`` is set: the record key comes from it
        (:func:`~samen.sources.bluesky.tid.record_key`), and a post already at that key is
        returned instead of posting again.
        """
        did = self.login()
        if post.visibility.value != "public":
            raise NotSupported("Bluesky posts are always public")
        reply_ref = None
        if post.reply_to_id:
            parent, parent_record = self._strong_ref(post.reply_to_id)
            root = parent
            root_uri = ((parent_record.get("reply") or {}).get("root") or {})
            if root_uri.get("uri") and root_uri.get("cid"):
                root = models.ComAtprotoRepoStrongRef.Main(uri=root_uri["uri"],
                                                           cid=root_uri["cid"])
            reply_ref = models.AppBskyFeedPost.ReplyRef(root=root, parent=parent)
        text = f"{post.content_warning}\n\n{post.text}" if post.content_warning else post.text
        facets = [models.AppBskyRichtextFacet.Main.model_validate(f)
                  for f in build_facets(text, self.resolve_handle)]
        langs = [post.lang] if post.lang else None
        # With an idempotency key the record key is ours to choose: a retry after a crash
        # writes to the same key, finds the post already there and does not post twice.
        rkey = record_key(post.idempotency_key) if post.idempotency_key else None

        def publish() -> str:
            if rkey is not None:
                earlier = self._own_post(did, rkey)
                if earlier is not None:
                    return str(earlier.uri)
            embed = None
            if post.media:
                uploads = [self.client.upload_blob(m.data) for m in post.media]
                embed = models.AppBskyEmbedImages.Main(images=[
                    models.AppBskyEmbedImages.Image(alt=m.alt_text, image=u.blob)
                    for m, u in zip(post.media, uploads, strict=True)])
            record = models.AppBskyFeedPost.Record(
                created_at=self.client.get_current_time_iso(), text=text, reply=reply_ref,
                embed=embed, langs=langs, facets=facets or None)
            return str(self.client.app.bsky.feed.post.create(did, record, rkey=rkey).uri)

        # A retried attempt looks first, so an answer lost on the way (the PDS answers a
        # second create at the same key with a 500) still ends with the one post.
        uri = self.call("posting with images" if post.media else "posting", publish)
        repo, collection, key = mapping.split_uri(uri)
        stored = self.call("reading back our post", lambda: self.client.com.atproto.repo
                           .get_record({"repo": repo, "collection": collection, "rkey": key}))
        return mapping.map_record(_as_dict(stored.value), repo=repo, rkey=key,
                                  cid=str(stored.cid), handle=self.handle, pds_url=self.base_url)

    def _own_post(self, did: str, rkey: str) -> Any | None:
        """Our post at ``rkey`` (``getRecord``'s answer), or None when there is none yet."""
        try:
            return self.client.com.atproto.repo.get_record(
                {"repo": did, "collection": mapping.POST, "rkey": rkey})
        except aexc.BadRequestError as exc:
            if _status_and_error(exc)[1].split(" ")[0] == "RecordNotFound":
                return None
            raise

    def delete(self, external_id: str) -> None:
        repo, _, _ = mapping.split_uri(external_id)
        if repo != self.login():
            raise SourceError("only posts of this account can be deleted")
        self.call("deleting", lambda: self.client.delete_post(external_id))


def _as_dict(value: Any) -> dict[str, Any]:
    """An SDK model or dict -> the record as lexicon JSON (``$type``, camelCase keys)."""
    if isinstance(value, dict):
        return value
    from atproto_client.models.utils import get_model_as_dict

    return get_model_as_dict(value)
