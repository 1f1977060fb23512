"""The connector learns the server's Mastodon version itself, once, through Samen's own HTTP
layer: an unreachable server is a clear temporary error instead of a hanging worker."""

from __future__ import annotations

import pytest

from samen.sources.base import AccountConfig, TemporaryError
from samen.sources.http import RetryPolicy
from samen.sources.mastodon import client
from samen.sources.mastodon.client import MastodonConnector, server_version
from tests.peers import free_port
from tests.sources.loopback import Reply, loopback

FAST = RetryPolicy(attempts=1)


@pytest.mark.parametrize(("announced", "speaks"), [
    ("4.3.0", "4.3.0"),
    ("4.2.10+glitch", "4.2.10"),
    ("2.7.2 (compatible; Pleroma 2.5.0)", "2.7.2"),
    ("unknown", "1.0.0"),
])
def test_the_version_a_server_announces_is_the_api_it_speaks(announced, speaks):
    with loopback() as server:
        server.script("/api/v1/instance", Reply(
            200, f'{{"version": "{announced}"}}'.encode(), {"Content-Type": "application/json"}))
        assert server_version(server.url, policy=FAST) == speaks
        connector = MastodonConnector(AccountConfig(provider="mastodon", base_url=server.url,
                                                    handle="stad", credentials={}),
                                      policy=FAST)
        assert connector.api.mastodon_major == int(speaks.split(".")[0])
        asked = [path for _m, path, _h in server.requests if path == "/api/v1/instance"]
    assert len(asked) == 1  # asked once per server, not per connector


def test_an_unreachable_server_is_a_temporary_error_not_a_hang():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TemporaryError, match="could not connect"):
        MastodonConnector(AccountConfig(provider="mastodon", base_url=url, handle="stad",
                                        credentials={}), policy=FAST)
    assert url not in client._versions  # tried again next time
