"""RSS, Atom, RDF and JSON Feed -> NormalizedPost.

feedparser reads the XML formats (and old encodings); JSON Feed, which feedparser does not
know, is read here. Anything that is neither is refused with a reason the comms lead can act
on, and a feed that is half broken keeps the entries that could be read.
"""

from __future__ import annotations

import calendar
import email.utils
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import orjson

from samen.sources.base import PayloadError, unique_in_order
from samen.sources.text import html_to_text
from samen.sources.types import Author, Media, NormalizedPost

SOURCE = "feed"


@dataclass(slots=True)
class ParsedFeed:
    """A feed's title and its entries, already in Samen's shape."""

    title: str
    kind: str  # feedparser's version (rss20, atom10, ...) or "json"
    posts: list[NormalizedPost] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def author_for(feed_url: str, name: str = "", site: str = "") -> Author:
    host = urlsplit(feed_url).netloc.lower() or "unknown"
    return Author(handle=f"feed:{host}", display_name=name, profile_url=site or feed_url,
                  external_id=feed_url)


def entry_key(*, entry_id: str, link: str, title: str, published: str, body: str) -> str:
    """A stable key for an entry; feeds without ids get one from what they do say."""
    if entry_id:
        return entry_id
    if link:
        return link
    digest = hashlib.sha256(f"{title}\x1f{published}\x1f{body}".encode()).hexdigest()[:32]
    return f"sha256:{digest}"


def _text(title: str, body_html: str) -> tuple[str, list[str]]:
    body, links = html_to_text(body_html or "")
    title_text, _ = html_to_text(title or "")
    if title_text and body and not body.startswith(title_text):
        return f"{title_text}\n\n{body}", links
    return body or title_text, links


def _struct_time(value: Any) -> datetime | None:
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


def parse_feed(content: bytes, *, url: str, content_type: str = "",
               fetched_at: datetime | None = None) -> ParsedFeed:
    """Parse a fetched feed; PayloadError with the reason when it is not a readable feed."""
    fetched_at = fetched_at or datetime.now(UTC)
    stripped = content.lstrip()[:1]
    if stripped in (b"{", b"[") or "json" in content_type.lower():
        return _parse_json_feed(content, url=url, fetched_at=fetched_at)
    parsed = feedparser.parse(content, response_headers={"content-location": url,
                                                         "content-type": content_type or
                                                         "application/xml"})
    version = parsed.get("version") or ""
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not version:
        reason = f" ({problem})" if problem else ""
        if stripped == b"<" and b"<html" in content[:2048].lower():
            raise PayloadError("not a feed: the address returned a web page (HTML)")
        raise PayloadError(f"not an RSS, Atom or JSON feed{reason}")
    if problem is not None and not parsed.entries:
        raise PayloadError(f"broken feed, no entry could be read: {problem}")
    meta = parsed.get("feed", {})
    result = ParsedFeed(title=str(meta.get("title") or ""), kind=version)
    if problem is not None:
        result.warnings.append(f"feed is not well-formed, read leniently: {problem}")
    site = str(meta.get("link") or "")
    feed_lang = meta.get("language") or parsed.get("headers", {}).get("content-language")
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            result.posts.append(_map_entry(entry, url=url, site=site, feed_title=result.title,
                                           feed_lang=feed_lang, fetched_at=fetched_at))
        except (PayloadError, KeyError, TypeError, ValueError) as exc:
            result.warnings.append(f"entry {number} skipped: {exc}")
    return result


def _map_entry(entry: Mapping[str, Any], *, url: str, site: str, feed_title: str,
               feed_lang: str | None, fetched_at: datetime) -> NormalizedPost:
    contents = entry.get("content") or []
    body_html = contents[0].get("value", "") if contents else entry.get("summary", "")
    title = str(entry.get("title") or "")
    text, links = _text(title, body_html)
    link = str(entry.get("link") or "")
    published = _struct_time(entry.get("published_parsed")) or _struct_time(
        entry.get("updated_parsed"))
    updated = _struct_time(entry.get("updated_parsed"))
    key = entry_key(entry_id=str(entry.get("id") or ""), link=link, title=title,
                    published=str(entry.get("published") or entry.get("updated") or ""),
                    body=body_html)
    media = []
    for enclosure in entry.get("enclosures") or []:
        if enclosure.get("href"):
            kind = str(enclosure.get("type") or "").split("/")[0]
            media.append(Media(url=urljoin(url, enclosure["href"]),
                               kind=kind if kind in {"image", "video", "audio"} else "other"))
    for item in entry.get("media_content") or []:
        if item.get("url") and item["url"] not in {m.url for m in media}:
            kind = str(item.get("medium") or item.get("type") or "").split("/")[0]
            media.append(Media(url=item["url"], alt_text=str(entry.get("media_description") or
                                                                 ""),
                               kind=kind if kind in {"image", "video", "audio"} else "other"))
    lang = None
    if contents and contents[0].get("language"):
        lang = contents[0]["language"]
    lang = lang or entry.get("language") or feed_lang
    return NormalizedPost(
        source=SOURCE,
        external_id=f"{url}#{key}",
        text=text,
        created_at=published or fetched_at,
        author=author_for(url, name=str(entry.get("author") or feed_title), site=site),
        url=link,
        lang=str(lang) if lang else None,
        hashtags=unique_in_order(str(t.get("term") or "").strip().lower()
                                 for t in entry.get("tags") or []),
        links=unique_in_order([link, *links]),
        media=media,
        edited_at=updated if published and updated and updated > published else None,
        raw={"feed": url, "entry": _plain(entry)},
    )


def _plain(value: Any) -> Any:
    """feedparser's dicts with struct_time -> JSON-safe data for the archive."""
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _json_date(value: Any) -> datetime | None:
    """RFC 3339 as the spec says, or the RFC 822 dates some JSON feeds send anyway."""
    if not isinstance(value, str) or not value:
        return None
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        try:
            result = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result.astimezone(UTC)


def _parse_json_feed(content: bytes, *, url: str, fetched_at: datetime) -> ParsedFeed:
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(f"not a feed: invalid JSON ({exc})") from exc
    if not isinstance(data, dict) or "jsonfeed.org/version" not in str(data.get("version", "")):
        raise PayloadError("not a feed: JSON without a jsonfeed.org version")
    items = data.get("items")
    if not isinstance(items, list):
        raise PayloadError("JSON Feed without an items list")
    result = ParsedFeed(title=str(data.get("title") or ""), kind="json")
    site = str(data.get("home_page_url") or "")
    feed_authors = data.get("authors") or ([data["author"]] if data.get("author") else [])
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.warnings.append(f"item {number} skipped: not an object")
            continue
        try:
            result.posts.append(_map_json_item(item, url=url, site=site, feed=data,
                                               feed_authors=feed_authors, fetched_at=fetched_at))
        except (PayloadError, ValueError, TypeError) as exc:
            result.warnings.append(f"item {number} skipped: {exc}")
    return result


def _map_json_item(item: dict[str, Any], *, url: str, site: str, feed: dict[str, Any],
                   feed_authors: list[Any], fetched_at: datetime) -> NormalizedPost:
    title = str(item.get("title") or "")
    body_html = item.get("content_html") or ""
    if body_html:
        text, links = _text(title, body_html)
    else:
        plain = str(item.get("content_text") or item.get("summary") or "")
        text, links = (f"{title}\n\n{plain}" if title and plain else plain or title), []
    published = item.get("date_published") or item.get("date_modified")
    created = _json_date(published) or fetched_at
    modified = item.get("date_modified")
    authors = item.get("authors") or ([item["author"]] if item.get("author") else feed_authors)
    name = str((authors[0] or {}).get("name") or "") if authors else str(feed.get("title") or "")
    link = str(item.get("url") or "")
    key = entry_key(entry_id=str(item.get("id") or ""), link=link, title=title,
                    published=str(published or ""), body=str(body_html or item.get(
                        "content_text") or ""))
    media = [Media(url=str(a.get("url")), alt_text=str(a.get("title") or ""),
                   kind=str(a.get("mime_type") or "other").split("/")[0])
             for a in item.get("attachments") or [] if isinstance(a, dict) and a.get("url")]
    if item.get("image"):
        media.append(Media(url=str(item["image"])))
    lang = item.get("language") or feed.get("language")
    return NormalizedPost(
        source=SOURCE,
        external_id=f"{url}#{key}",
        text=text,
        created_at=created,
        author=author_for(url, name=name, site=site),
        url=link,
        lang=str(lang) if lang else None,
        hashtags=unique_in_order(str(t).lower() for t in item.get("tags") or []),
        links=unique_in_order([link, str(item.get("external_url") or ""), *links]),
        media=media,
        edited_at=(_json_date(modified)
                   if modified and published and modified != published else None),
        raw={"feed": url, "item": item},
    )
