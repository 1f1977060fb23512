"""The feed provider: RSS, Atom, RDF and JSON Feed; read-only, no account needed."""

from __future__ import annotations

from samen.sources.base import AccountConfig, Connector, Feature, Provider, StreamKind, register


def _connect(config: AccountConfig) -> Connector:
    from samen.sources.feeds.client import FeedConnector

    return FeedConnector(config)


PROVIDER = register(
    Provider(
        key="feed",
        name="RSS/Atom feed",
        features=frozenset({Feature.LISTEN}),
        connect=_connect,
        stream_kinds=frozenset({StreamKind.FEED}),
    )
)
