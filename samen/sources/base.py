"""The connector framework: static providers, per-account configuration and Samen's errors.

A :class:`Provider` says *what* a network can do (its key and features) and is registered once at
import time. An :class:`AccountConfig` says *which* account on *which* server, with its secrets; the
provider turns it into a :class:`Connector` that does the work. Connectors raise only the
exceptions defined here, so the listener and the delivery queue can decide what to do (wait,
retry, mark the account as needing attention) without knowing any network's own error types.

Pure Python: no Django import.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from samen.sources.types import NormalizedPost, Visibility

# --------------------------------------------------------------------------------------- errors


class SourceError(Exception):
    """Anything that went wrong talking to a source; the message is shown to the comms lead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AuthError(SourceError):
    """Credentials are wrong, expired or revoked: the account needs attention; no retry."""


class RateLimited(SourceError):
    """The server asked us to slow down; ``retry_after`` is in seconds (None when not given)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class TemporaryError(SourceError):
    """A timeout, dropped connection or 5xx: worth retrying later with backoff."""


class PayloadError(SourceError):
    """The source sent something we cannot read (malformed JSON, bad record): skip and report."""


class NotSupported(SourceError):
    """The provider lacks the feature that was asked for."""


# ------------------------------------------------------------------------------------ providers


class Feature(enum.StrEnum):
    """What a provider can do; the UI and the listener ask before they call."""

    LISTEN = "listen"  # poll for mentions, replies, hashtags, keywords
    STREAM = "stream"  # a push stream (streaming API, firehose)
    POST = "post"
    REPLY = "reply"
    DELETE = "delete"
    MEDIA = "media"  # attach media with alt text when posting
    DIRECT = "direct"  # private conversations
    IMPORT = "import"  # read an archive file


class StreamKind(enum.StrEnum):
    """The kinds of thing an account can listen to."""

    MENTIONS = "mentions"  # mentions of and replies to the account
    DIRECT = "direct"  # direct conversations
    HASHTAG = "hashtag"
    KEYWORD = "keyword"
    FEED = "feed"  # an RSS/Atom/JSON feed URL


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """One thing to listen to, e.g. ``StreamSpec(StreamKind.HASHTAG, "gemeente")``."""

    kind: StreamKind
    query: str = ""


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """Per-account client configuration: which server, which identity, which secrets.

    ``credentials`` holds e.g. ``{"access_token": ...}`` (Mastodon) or ``{"app_password": ...}``
    (Bluesky). It is never logged.
    """

    provider: str
    base_url: str = ""
    handle: str = ""
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutgoingMedia:
    """A file to attach, with the alt text people using a screen reader rely on."""

    data: bytes
    mime_type: str
    alt_text: str
    file_name: str = "upload"


@dataclass(frozen=True, slots=True)
class OutgoingPost:
    """A post or reply that Samen sends out through a connector."""

    text: str
    reply_to_id: str | None = None  # external id of the post we answer
    visibility: Visibility = Visibility.PUBLIC
    content_warning: str = ""
    lang: str | None = None
    media: tuple[OutgoingMedia, ...] = ()
    idempotency_key: str = ""  # a retry with the same key must not post twice


@dataclass(slots=True)
class Batch:
    """Posts fetched in one go, and the cursor to store *with* them (same transaction)."""

    posts: list[NormalizedPost]
    cursor: str | None
    deleted_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # items skipped, with the reason


class Connector(Protocol):
    """What an account-bound client offers; a provider lacking a feature raises NotSupported."""

    def fetch(self, stream: StreamSpec, *, cursor: str | None) -> Batch:
        """Fetch what is new since ``cursor`` (None: start from now or the newest page)."""
        ...

    def send(self, post: OutgoingPost) -> NormalizedPost:
        """Publish ``post``; return it as the network now shows it."""
        ...

    def delete(self, external_id: str) -> None:
        """Remove one of our own posts."""
        ...


@dataclass(frozen=True, slots=True)
class Provider:
    """A network Samen can talk to: static facts, no account state."""

    key: str
    name: str
    features: frozenset[Feature]
    connect: Callable[[AccountConfig], Connector] | None = None
    stream_kinds: frozenset[StreamKind] = frozenset()

    def supports(self, feature: Feature) -> bool:
        return feature in self.features

    def connector(self, config: AccountConfig) -> Connector:
        """Build the client for one account; fails clearly for import-only providers."""
        if self.connect is None:
            raise NotSupported(f"{self.name} has no live connection")
        if config.provider != self.key:
            raise ValueError(f"account is for {config.provider!r}, not {self.key!r}")
        return self.connect(config)


_REGISTRY: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    """Add a provider; registering the same key twice with a different provider is a bug."""
    existing = _REGISTRY.get(provider.key)
    if existing is not None and existing != provider:
        raise ValueError(f"provider {provider.key!r} is already registered")
    _REGISTRY[provider.key] = provider
    return provider


def get_provider(key: str) -> Provider:
    """The provider for ``key``; importing the built-in connectors first so they are known."""
    _load_builtin()
    try:
        return _REGISTRY[key]
    except KeyError:
        raise NotSupported(f"unknown source provider {key!r}") from None


def providers() -> list[Provider]:
    """All registered providers, sorted by key."""
    _load_builtin()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


_BUILTIN = (
    "samen.sources.mastodon.provider",
    "samen.sources.bluesky.provider",
    "samen.sources.feeds.provider",
    "samen.sources.imports.provider",
)


def _load_builtin() -> None:
    import importlib

    for module in _BUILTIN:
        importlib.import_module(module)


def iter_batches(connector: Connector, stream: StreamSpec, cursor: str | None) -> Iterator[Batch]:
    """Keep fetching until a batch brings nothing new (used by one-shot catch-up runs)."""
    while True:
        batch = connector.fetch(stream, cursor=cursor)
        yield batch
        if not batch.posts and not batch.deleted_ids:
            return
        if batch.cursor == cursor:
            return
        cursor = batch.cursor


def unique_in_order(items: Iterable[str]) -> list[str]:
    """Deduplicate while keeping first-seen order (mentions, tags and links)."""
    return list(dict.fromkeys(filter(None, items)))
