"""The Mastodon provider: any instance, any account."""

from __future__ import annotations

from samen.sources.base import AccountConfig, Connector, Feature, Provider, StreamKind, register


def _connect(config: AccountConfig) -> Connector:
    from samen.sources.mastodon.client import MastodonConnector

    return MastodonConnector(config)


PROVIDER = register(
    Provider(
        key="mastodon",
        name="Mastodon",
        features=frozenset({Feature.LISTEN, Feature.STREAM, Feature.POST, Feature.REPLY,
                            Feature.DELETE, Feature.MEDIA, Feature.DIRECT}),
        connect=_connect,
        stream_kinds=frozenset({StreamKind.MENTIONS, StreamKind.DIRECT, StreamKind.HASHTAG,
                                StreamKind.KEYWORD}),
    )
)
