"""A Mastodon account on any instance, through Mastodon.py and Samen's retry policy.

Connect with a pasted access token, or with OAuth: :func:`register_app` once per instance,
send the person to :func:`authorization_url`, then :func:`exchange_code` turns the code they
bring back into a token. Mastodon.py is told to *throw* on rate limits so that Samen's one
retry policy (:mod:`samen.sources.http`) decides how long to wait.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import requests
from mastodon import Mastodon, StreamListener
from mastodon import errors as merr

from samen.sources.base import (
    AccountConfig,
    AuthError,
    Batch,
    NotSupported,
    OutgoingMedia,
    OutgoingPost,
    PayloadError,
    RateLimited,
    SourceError,
    StreamKind,
    StreamSpec,
    TemporaryError,
)
from samen.sources.http import (
    DEFAULT_POLICY,
    HttpClient,
    RetryPolicy,
    make_session,
    parse_retry_after,
)
from samen.sources.http import with_retries as _with_retries
from samen.sources.mastodon import mapping
from samen.sources.types import NormalizedPost, Visibility

SCOPES = ["read", "write"]
_OUT_VISIBILITY = {
    Visibility.PUBLIC: "public",
    Visibility.FOLLOWERS: "private",
    Visibility.DIRECT: "direct",
}


@contextlib.contextmanager
def mapped_errors(where: str) -> Iterator[None]:
    """Turn Mastodon.py's exceptions into Samen's own, keeping the server's reason."""
    try:
        yield
    except merr.MastodonRatelimitError as exc:
        raise RateLimited(f"{where}: rate limited", retry_after=_retry_after(exc)) from exc
    except merr.MastodonUnauthorizedError as exc:
        raise AuthError(f"{where}: the server refused the token ({_reason(exc)})") from exc
    except merr.MastodonNetworkError as exc:
        raise TemporaryError(f"{where}: network error ({exc.__class__.__name__})") from exc
    except merr.MastodonServerError as exc:
        raise TemporaryError(f"{where}: server error ({_reason(exc)})") from exc
    except merr.MastodonNotFoundError as exc:
        raise SourceError(f"{where}: not found ({_reason(exc)})") from exc
    except merr.MastodonAPIError as exc:
        status = exc.args[1] if len(exc.args) > 1 else None
        if status == 403:
            raise AuthError(f"{where}: forbidden ({_reason(exc)})") from exc
        if status == 429:
            raise RateLimited(f"{where}: rate limited") from exc
        raise SourceError(f"{where}: {_reason(exc)}") from exc
    except merr.MastodonMalformedEventError as exc:
        raise PayloadError(f"{where}: malformed streaming event") from exc
    except merr.MastodonError as exc:
        raise SourceError(f"{where}: {exc}") from exc


def _reason(exc: Exception) -> str:
    args = [a for a in exc.args if isinstance(a, str)]
    return args[-1] if args else exc.__class__.__name__


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    return parse_retry_after(headers.get("Retry-After"))


# ------------------------------------------------------------------------------------ OAuth


def register_app(
    base_url: str, *, redirect_uri: str, name: str = "Samen", website: str | None = None,
    session: requests.Session | None = None,
) -> tuple[str, str]:
    """Register Samen as an OAuth app on an instance; returns (client_id, client_secret)."""
    with mapped_errors(f"registering an app on {base_url}"):
        client_id, secret = Mastodon.create_app(
            name, scopes=SCOPES, redirect_uris=redirect_uri, website=website,
            api_base_url=base_url, session=session or make_session(),
        )
    return client_id, secret


def authorization_url(
    base_url: str, *, client_id: str, client_secret: str, redirect_uri: str, state: str,
) -> str:
    """Where to send the person who connects the account; ``state`` guards against CSRF."""
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base_url,
                   version_check_mode="none", session=make_session())
    with mapped_errors(f"building the authorization URL for {base_url}"):
        return api.auth_request_url(redirect_uris=redirect_uri, scopes=SCOPES, state=state,
                                    skip_server_info=True, allow_http=True)


def exchange_code(
    base_url: str, *, client_id: str, client_secret: str, redirect_uri: str, code: str,
    session: requests.Session | None = None,
) -> str:
    """Trade the authorization code for an access token (store it; never log it)."""
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base_url,
                   version_check_mode="none", session=session or make_session())
    with mapped_errors(f"exchanging the authorization code with {base_url}"):
        return api.log_in(code=code, redirect_uri=redirect_uri, scopes=SCOPES, allow_http=True)


# -------------------------------------------------------------------------------- connector


def _newer(a: str, b: str | None) -> bool:
    """Is id ``a`` newer than ``b``? Mastodon ids are numeric strings (snowflakes)."""
    if b is None:
        return True
    if a.isdigit() and b.isdigit():
        return int(a) > int(b)
    return a > b


def _max_id(ids: list[str], current: str | None) -> str | None:
    best = current
    for i in ids:
        if _newer(i, best):
            best = i
    return best


_versions: dict[str, str] = {}  # base URL -> the server's version, asked once per process


def server_version(base_url: str, *, policy: RetryPolicy = DEFAULT_POLICY) -> str:
    """The Mastodon API version of the server at ``base_url``, asked through our HTTP layer.

    Mastodon.py asks for it by itself when it is not given, but when the server cannot be
    reached it asks again and again, each time waiting for its own timeout, so a worker
    sending a reply would hang. Asked here once, with our timeouts and retries, an unreachable
    server is a clear ``TemporaryError`` instead. Forks answer "4.3.0+glitch" or "2.7.2
    (compatible; Pleroma 2.5)": the first x.y.z is the Mastodon API they speak.
    """
    key = base_url.rstrip("/")
    if key not in _versions:
        data = HttpClient(policy=policy).json("GET", f"{key}/api/v1/instance")
        raw = str(data.get("version", "")) if isinstance(data, dict) else ""
        found = re.search(r"\d+\.\d+\.\d+", raw)
        _versions[key] = found.group(0) if found else "1.0.0"
    return _versions[key]


class MastodonConnector:
    """One account on one instance. Thread-safe for one caller at a time."""

    def __init__(
        self,
        config: AccountConfig,
        *,
        api: Mastodon | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] | None = None,
        resolve_thread_root: bool = True,
    ) -> None:
        self.config = config
        self.instance = mapping.host_of(config.base_url)
        self.policy = policy
        self._sleep = sleep
        self.resolve_thread_root = resolve_thread_root
        self.api = api or Mastodon(
            access_token=config.credentials.get("access_token"),
            api_base_url=config.base_url,
            ratelimit_method="throw",
            request_timeout=policy.read_timeout,
            session=make_session(),
            mastodon_version=(config.options.get("mastodon_version")
                              or server_version(config.base_url, policy=policy)),
            version_check_mode=config.options.get("version_check_mode", "created"),
        )

    # one call, mapped and retried
    def call(self, where: str, fn: Callable[[], Any]) -> Any:
        def once() -> Any:
            with mapped_errors(where):
                return fn()

        kwargs: dict[str, Any] = {"policy": self.policy}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        return mapping.plain(_with_retries(once, **kwargs))

    def verify(self) -> dict[str, Any]:
        """Check the token; AuthError means the account needs attention."""
        return self.call("checking the account", self.api.account_verify_credentials)

    # ---- listening
    def fetch(self, stream: StreamSpec, *, cursor: str | None) -> Batch:
        if stream.kind is StreamKind.MENTIONS:
            return self._mentions(cursor)
        if stream.kind is StreamKind.DIRECT:
            return self._direct(cursor)
        if stream.kind is StreamKind.HASHTAG:
            tag = stream.query.lstrip("#")
            items = self.call(
                f"reading #{tag}",
                lambda: self.api.timeline_hashtag(tag, min_id=cursor),
            )
            return self._statuses(items, cursor)
        if stream.kind is StreamKind.KEYWORD:
            found = self.call(
                f"searching {stream.query!r}",
                lambda: self.api.search_v2(stream.query, result_type="statuses", min_id=cursor),
            )
            return self._statuses(found.get("statuses") or [], cursor)
        raise NotSupported(f"Mastodon cannot listen to {stream.kind}")

    def _statuses(self, items: list[dict[str, Any]], cursor: str | None) -> Batch:
        fresh = [s for s in items if _newer(str(s.get("id")), cursor)]
        batch = Batch(posts=[], cursor=_max_id([str(s.get("id")) for s in fresh], cursor))
        for status in fresh:
            try:
                batch.posts.append(mapping.map_status(status, instance=self.instance))
            except PayloadError as exc:  # one bad status must not block the stream
                batch.problems.append(exc.reason)
        return batch

    def _mentions(self, cursor: str | None) -> Batch:
        if cursor is None and self.config.options.get("use_markers", True):
            # Start where the team last read notifications in any client (the marker).
            markers = self.call("reading the notifications marker",
                                lambda: self.api.markers_get(["notifications"]))
            cursor = (markers.get("notifications") or {}).get("last_read_id") or None
        items = self.call(
            "reading mentions",
            lambda: self.api.notifications(types=["mention"], min_id=cursor),
        )
        fresh = [n for n in items if _newer(str(n.get("id")), cursor)]
        batch = Batch(posts=[], cursor=_max_id([str(n.get("id")) for n in fresh], cursor))
        for n in fresh:
            try:
                post = mapping.map_notification(n, instance=self.instance)
            except PayloadError as exc:
                batch.problems.append(exc.reason)
                continue
            if post is not None:
                batch.posts.append(self._with_root(post))
        return batch

    def _direct(self, cursor: str | None) -> Batch:
        items = self.call("reading direct conversations",
                          self.api.conversations)
        batch = Batch(posts=[], cursor=cursor)
        ids = []
        for conv in items:
            last = conv.get("last_status") or {}
            if last and _newer(str(last.get("id")), cursor):
                ids.append(str(last.get("id")))
                try:
                    post = mapping.map_conversation(conv, instance=self.instance)
                except PayloadError as exc:
                    batch.problems.append(exc.reason)
                    continue
                if post is not None:
                    batch.posts.append(self._with_root(post))
        batch.cursor = _max_id(ids, cursor)
        return batch

    def _with_root(self, post: NormalizedPost) -> NormalizedPost:
        """Replies to us are few and matter: find the thread's first post (one API call)."""
        if not self.resolve_thread_root or post.reply_to_id is None:
            return post
        context = self.call("reading the thread",
                            lambda: self.api.status_context(mapping.local_id(post.external_id)))
        ancestors = context.get("ancestors") or []
        if ancestors:
            post.thread_root_id = mapping.status_id(self.instance, ancestors[0]["id"])
        return post

    def stream(self, stream: StreamSpec, handle: Callable[[NormalizedPost | str], None],
               *, stop: threading.Event | None = None) -> None:
        """Follow the streaming API where the server allows it; blocks until it ends.

        ``handle`` gets posts, and external ids (str) of deleted statuses. Raises a Samen
        error when the stream cannot be opened, so the listener can fall back to polling.
        """
        listener = _Listener(self.instance, handle, stop)
        try:
            with mapped_errors("streaming"):
                if stream.kind is StreamKind.MENTIONS:
                    self.api.stream_user(listener)
                elif stream.kind is StreamKind.DIRECT:
                    self.api.stream_direct(listener)
                elif stream.kind is StreamKind.HASHTAG:
                    self.api.stream_hashtag(stream.query.lstrip("#"), listener)
                else:
                    raise NotSupported(f"Mastodon has no stream for {stream.kind}")
        except _Stop:
            return

    # ---- sending
    def send(self, post: OutgoingPost) -> NormalizedPost:
        media_ids = []
        for item in post.media:
            def upload(item: OutgoingMedia = item) -> Any:
                return self.api.media_post(
                    item.data, mime_type=item.mime_type, description=item.alt_text,
                    file_name=item.file_name, synchronous=True)

            uploaded = self.call("uploading media", upload)
            media_ids.append(uploaded["id"])
        reply_to = mapping.local_id(post.reply_to_id) if post.reply_to_id else None
        status = self.call(
            "posting",
            lambda: self.api.status_post(
                post.text,
                in_reply_to_id=reply_to,
                media_ids=media_ids or None,
                visibility=_OUT_VISIBILITY[post.visibility],
                spoiler_text=post.content_warning or None,
                language=post.lang,
                idempotency_key=post.idempotency_key or None,
            ),
        )
        return mapping.map_status(status, instance=self.instance)

    def delete(self, external_id: str) -> None:
        self.call("deleting", lambda: self.api.status_delete(mapping.local_id(external_id)))


class _Listener(StreamListener):
    """Forwards Mastodon.py's streaming callbacks as Samen posts and deletions."""

    def __init__(self, instance: str, handle: Callable[[NormalizedPost | str], None],
                 stop: threading.Event | None) -> None:
        super().__init__()
        self.instance = instance
        self.handle = handle
        self.stop = stop

    def _emit(self, event: str, payload: Any) -> None:
        result = mapping.map_stream_event(event, mapping.plain(payload) if not isinstance(
            payload, int | str) else str(payload), instance=self.instance)
        if result is not None:
            self.handle(result)
        if self.stop is not None and self.stop.is_set():
            raise _Stop

    def on_update(self, status: Any) -> None:
        self._emit("update", status)

    def on_status_update(self, status: Any) -> None:
        self._emit("status.update", status)

    def on_notification(self, notification: Any) -> None:
        self._emit("notification", notification)

    def on_conversation(self, conversation: Any) -> None:
        self._emit("conversation", conversation)

    def on_delete(self, status_id: Any) -> None:
        self._emit("delete", status_id)

    def handle_heartbeat(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise _Stop


class _Stop(Exception):
    """Raised inside the listener to end a blocking stream when asked to stop."""
