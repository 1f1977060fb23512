"""The Bluesky / AT Protocol provider: any PDS, app-password login."""

from __future__ import annotations

from samen.sources.base import AccountConfig, Connector, Feature, Provider, StreamKind, register


def _connect(config: AccountConfig) -> Connector:
    from samen.sources.bluesky.client import BlueskyConnector

    return BlueskyConnector(config)


PROVIDER = register(
    Provider(
        key="bluesky",
        name="Bluesky",
        features=frozenset({Feature.LISTEN, Feature.STREAM, Feature.POST, Feature.REPLY,
                            Feature.DELETE, Feature.MEDIA}),
        connect=_connect,
        stream_kinds=frozenset({StreamKind.MENTIONS, StreamKind.HASHTAG, StreamKind.KEYWORD}),
    )
)
