"""Mastodon payloads (statuses, notifications, conversations, streaming events) -> NormalizedPost.

Input is plain JSON data as the API sends it (dates as ISO strings); :func:`plain` turns
Mastodon.py's objects into that shape first, so the archive keeps the same ``raw`` whichever
way a status arrived.

External ids are ``"<instance host>:<status id>"``: status ids are only unique on one instance,
and Samen may watch accounts on several.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from samen.sources.base import PayloadError, unique_in_order
from samen.sources.text import html_to_text
from samen.sources.types import Author, Media, NormalizedPost, Visibility

SOURCE = "mastodon"

_VISIBILITY = {
    "public": Visibility.PUBLIC,
    "unlisted": Visibility.PUBLIC,
    "private": Visibility.FOLLOWERS,
    "direct": Visibility.DIRECT,
}
_MEDIA_KIND = {"image": "image", "gifv": "video", "video": "video", "audio": "audio"}


def plain(value: Any) -> Any:
    """Deep-copy Mastodon.py results into JSON-safe dicts/lists with ISO date strings."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_time(value: Any) -> datetime:
    """An API timestamp as aware UTC."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str) and value:
        try:
            result = datetime.fromisoformat(value)
        except ValueError as exc:
            raise PayloadError(f"not a timestamp: {value!r}") from exc
    else:
        raise PayloadError(f"missing timestamp: {value!r}")
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result.astimezone(UTC)


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def status_id(instance: str, local_id: Any) -> str:
    """Samen's external id for a status id on ``instance`` (a host, e.g. mastodon.social)."""
    return f"{instance}:{local_id}"


def local_id(external_id: str) -> str:
    """The instance-local status id inside an external id."""
    return external_id.rsplit(":", 1)[-1]


def full_acct(account_or_mention: Mapping[str, Any]) -> str:
    """``@user@host`` even for local accounts, whose ``acct`` has no host."""
    acct = str(account_or_mention.get("acct") or account_or_mention.get("username") or "")
    if "@" not in acct:
        host = host_of(str(account_or_mention.get("url") or ""))
        if host:
            acct = f"{acct}@{host}"
    return "@" + acct


def map_account(account: Mapping[str, Any], instance: str) -> Author:
    return Author(
        handle=full_acct(account),
        display_name=str(account.get("display_name") or ""),
        profile_url=str(account.get("url") or ""),
        external_id=f"{instance}:{account.get('id')}",
    )


def map_status(
    status: Mapping[str, Any],
    *,
    instance: str,
    thread_root_id: str | None = None,
    raw: Mapping[str, Any] | None = None,
) -> NormalizedPost:
    """Map one status. A boost maps to the boosted status (that is what was said).

    ``instance`` is the host of the server we asked (ids are local to it). The spoiler text
    (content warning) comes first in ``text``, separated by a blank line, because it is part
    of what the author wrote.
    """
    try:
        if status.get("reblog"):
            return map_status(status["reblog"], instance=instance, raw=raw or status)
        body, links = html_to_text(str(status.get("content") or ""))
        spoiler = str(status.get("spoiler_text") or "").strip()
        text = f"{spoiler}\n\n{body}" if spoiler and body else (spoiler or body)
        card = status.get("card") or {}
        if card.get("url"):
            links.append(str(card["url"]))
        reply_to = status.get("in_reply_to_id")
        edited = status.get("edited_at")
        return NormalizedPost(
            source=SOURCE,
            external_id=status_id(instance, status["id"]),
            text=text,
            created_at=parse_time(status["created_at"]),
            author=map_account(status["account"], instance),
            url=str(status.get("url") or status.get("uri") or ""),
            lang=status.get("language") or None,
            reply_to_id=status_id(instance, reply_to) if reply_to else None,
            thread_root_id=thread_root_id,
            mentions=unique_in_order(full_acct(m) for m in status.get("mentions") or []),
            hashtags=unique_in_order(
                str(t.get("name") or "").lower() for t in status.get("tags") or []
            ),
            links=unique_in_order(links),
            media=[
                Media(
                    url=str(m.get("url") or m.get("remote_url") or ""),
                    alt_text=str(m.get("description") or ""),
                    kind=_MEDIA_KIND.get(str(m.get("type")), "other"),
                )
                for m in status.get("media_attachments") or []
            ],
            visibility=_VISIBILITY.get(str(status.get("visibility")), Visibility.PUBLIC),
            edited_at=parse_time(edited) if edited else None,
            raw=dict(raw or status),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise PayloadError(f"malformed Mastodon status: missing or bad {exc}") from exc


def map_notification(notification: Mapping[str, Any], *, instance: str) -> NormalizedPost | None:
    """A notification carrying a status (mention, status, update, quote) -> that status.

    Follows, favourites and boosts of our own posts carry no new words and map to None.
    """
    kind = notification.get("type")
    status = notification.get("status")
    if kind not in {"mention", "status", "update", "quote"} or not status:
        return None
    return map_status(status, instance=instance, raw=notification)


def map_conversation(conversation: Mapping[str, Any], *, instance: str) -> NormalizedPost | None:
    """The newest status of a direct conversation; direct even if the server left it out."""
    status = conversation.get("last_status")
    if not status:
        return None
    post = map_status(status, instance=instance, raw=conversation)
    post.visibility = Visibility.DIRECT
    return post


def map_stream_event(
    event: str, data: str | Mapping[str, Any], *, instance: str
) -> NormalizedPost | str | None:
    """One server-sent streaming event -> a post, a deleted external id (str), or None.

    ``update`` and ``status.update`` carry a status; ``notification`` and ``conversation``
    their entities; ``delete`` only the id of a status that is gone.
    """
    if event == "delete":
        return status_id(instance, str(data).strip().strip('"'))
    if event not in {"update", "status.update", "notification", "conversation"}:
        return None
    if isinstance(data, str | bytes):
        try:
            payload = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise PayloadError(f"streaming event {event!r} is not JSON: {exc}") from exc
    else:
        payload = data
    if not isinstance(payload, dict):
        raise PayloadError(f"streaming event {event!r} is not an object")
    if event == "notification":
        return map_notification(payload, instance=instance)
    if event == "conversation":
        return map_conversation(payload, instance=instance)
    return map_status(payload, instance=instance)


def parse_sse(body: str) -> list[tuple[str, str]]:
    """Split a server-sent-events body into (event, data) pairs; comments (':)') are skipped."""
    events: list[tuple[str, str]] = []
    event = ""
    data: list[str] = []
    for line in body.splitlines():
        if not line.strip():
            if event or data:
                events.append((event or "message", "\n".join(data)))
            event, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if event or data:
        events.append((event or "message", "\n".join(data)))
    return events
