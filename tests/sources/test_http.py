"""The one outgoing HTTP layer against a real loopback server answering 429/503/timeouts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samen.sources.base import AuthError, RateLimited, SourceError, TemporaryError
from samen.sources.http import HttpClient, RetryPolicy, parse_retry_after
from tests.sources.loopback import Reply, loopback

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=5, connect_timeout=1, read_timeout=0.3)


@pytest.fixture
def server():
    with loopback() as srv:
        yield srv


def client(sleeps: list[float]) -> HttpClient:
    return HttpClient(policy=FAST, sleep=sleeps.append)


def test_429_honours_retry_after_then_succeeds(server):
    server.script("/x", Reply(429, headers={"Retry-After": "2"}), Reply(200, b'{"ok": true}'))
    sleeps: list[float] = []
    assert client(sleeps).json("GET", server.url + "/x") == {"ok": True}
    assert sleeps == [2.0]
    assert len(server.requests) == 2


def test_503_backs_off_exponentially_with_jitter(server):
    server.script("/x", Reply(503), Reply(503), Reply(200, b"fine"))
    sleeps: list[float] = []
    assert client(sleeps).get(server.url + "/x").text == "fine"
    assert len(sleeps) == 2
    assert 0.005 <= sleeps[0] <= 0.01 and 0.01 <= sleeps[1] <= 0.02


def test_persistent_503_gives_temporary_error_after_all_attempts(server):
    server.script("/x", Reply(503))
    sleeps: list[float] = []
    with pytest.raises(TemporaryError, match="503"):
        client(sleeps).get(server.url + "/x")
    assert len(server.requests) == FAST.attempts and len(sleeps) == FAST.attempts - 1


def test_persistent_429_raises_rate_limited_with_retry_after(server):
    server.script("/x", Reply(429, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimited) as info:
        client([]).get(server.url + "/x")
    assert info.value.retry_after == 1.0


def test_timeout_is_retried_then_succeeds(server):
    server.script("/slow", Reply(200, b"late", delay=3.0), Reply(200, b"quick"))
    sleeps: list[float] = []
    assert client(sleeps).get(server.url + "/slow").text == "quick"
    assert len(sleeps) >= 1  # the slow answer was given up on and the request sent again


def test_connection_refused_is_temporary():
    with loopback() as srv:
        url = srv.url
    with pytest.raises(TemporaryError, match="could not connect"):
        client([]).get(url + "/gone")


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_auth_errors_and_not_retried(server, status):
    server.script("/me", Reply(status))
    sleeps: list[float] = []
    with pytest.raises(AuthError):
        client(sleeps).get(server.url + "/me")
    assert sleeps == [] and len(server.requests) == 1


def test_other_4xx_is_a_plain_source_error(server):
    server.script("/x", Reply(404, b"nope"))
    with pytest.raises(SourceError) as info:
        client([]).get(server.url + "/x")
    assert not isinstance(info.value, TemporaryError | AuthError)


def test_oversized_body_is_refused(server):
    server.script("/big", Reply(200, b"x" * 5000))
    http = HttpClient(policy=FAST, sleep=lambda s: None, max_bytes=1000)
    with pytest.raises(SourceError, match="more than 1000 bytes"):
        http.get(server.url + "/big")


def test_retry_after_http_date():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None
