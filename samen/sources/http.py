"""Samen's one outgoing HTTP layer: timeouts, retries with backoff, errors as Samen's own.

Every connector goes through here, either with :class:`HttpClient` (feeds, plain JSON calls) or
by wrapping an SDK call in :func:`with_retries` after mapping the SDK's exceptions to
:mod:`samen.sources.base` errors. The policy is the same everywhere: 429 honours Retry-After,
5xx, timeouts and dropped connections back off exponentially with full jitter, 401/403 never
retry (the account needs attention).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from samen.sources.base import AuthError, PayloadError, RateLimited, SourceError, TemporaryError

T = TypeVar("T")

USER_AGENT = "Samen/0.1 (+https://samen.example/bot; self-hosted)"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait; ``max_delay`` caps both backoff and Retry-After."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 20.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full-jitter exponential backoff for the ``attempt``-th retry (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return (rng or random).uniform(ceiling / 2, ceiling)


DEFAULT_POLICY = RetryPolicy()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def with_retries(
    call: Callable[[], T],
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, SourceError, float], None] | None = None,
) -> T:
    """Run ``call``; retry RateLimited and TemporaryError per ``policy``, re-raise the rest.

    After the last attempt the last error is raised, so the caller sees a Samen error with a
    reason it can show.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except RateLimited as exc:
            if attempt >= policy.attempts:
                raise
            delay = exc.retry_after if exc.retry_after is not None else policy.backoff(attempt)
            delay = min(delay, policy.max_delay)
            error: SourceError = exc
        except TemporaryError as exc:
            if attempt >= policy.attempts:
                raise
            delay = policy.backoff(attempt)
            error = exc
        if on_retry is not None:
            on_retry(attempt, error, delay)
        sleep(delay)


def raise_for_status(response: requests.Response) -> None:
    """Map an HTTP status to Samen's errors; 2xx and 3xx (304 included) pass."""
    status = response.status_code
    if status < 400:
        return
    where = f"{response.request.method if response.request else 'GET'} {response.url}"
    if status in (401, 403):
        raise AuthError(f"{status} from {where}: credentials refused")
    if status == 429:
        raise RateLimited(
            f"429 rate limited by {where}",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500 or status == 408:
        raise TemporaryError(f"{status} from {where}")
    raise SourceError(f"{status} from {where}: {response.text[:200]}")


def make_session(user_agent: str = USER_AGENT) -> requests.Session:
    """A session with Samen's user agent; SDKs that accept a session get this one."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    return session


class HttpClient:
    """A small wrapper around one :class:`requests.Session` applying :class:`RetryPolicy`."""

    def __init__(
        self,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_bytes: int = 20 * 1024 * 1024,
    ) -> None:
        self.policy = policy
        self.session = session or make_session()
        self.sleep = sleep
        self.max_bytes = max_bytes

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send with retries; returns a response with status < 400 (body fully read)."""
        kwargs.setdefault("timeout", (self.policy.connect_timeout, self.policy.read_timeout))
        return with_retries(
            lambda: self._once(method, url, **kwargs), policy=self.policy, sleep=self.sleep
        )

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send and decode JSON; a body that is not JSON is a PayloadError."""
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise PayloadError(f"{url} did not return JSON: {exc}") from exc

    def _once(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, url, stream=True, **kwargs)
            deadline = time.monotonic() + 2 * self.policy.read_timeout
            body = _read_limited(response, self.max_bytes, deadline)
        except requests.Timeout as exc:
            raise TemporaryError(f"timed out talking to {url}") from exc
        except requests.ConnectionError as exc:
            raise TemporaryError(f"could not connect to {url}: {exc.__class__.__name__}") from exc
        except requests.TooManyRedirects as exc:
            raise SourceError(f"too many redirects from {url}") from exc
        except requests.RequestException as exc:
            raise SourceError(f"request to {url} failed: {exc}") from exc
        response._content = body
        raise_for_status(response)
        return response


def _read_limited(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """Read the body but refuse a hostile one that never ends or drips forever."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise PayloadError(f"{response.url} sent more than {max_bytes} bytes")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise TemporaryError(f"{response.url} is sending too slowly")
    finally:
        response.close()
    return b"".join(chunks)
