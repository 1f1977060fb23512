"""Bluesky (AT Protocol) records -> NormalizedPost.

A post is identified by its AT URI ``at://<repo DID>/app.bsky.feed.post/<rkey>``, which is
global, so it is the external id as it is. Text in a record is already plain text; facets give
mentions (DIDs), links and tags on UTF-8 *byte* ranges.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from samen.sources.base import PayloadError, unique_in_order
from samen.sources.types import Author, Media, NormalizedPost, Visibility

SOURCE = "bluesky"
POST = "app.bsky.feed.post"


def post_uri(repo: str, rkey: str) -> str:
    return f"at://{repo}/{POST}/{rkey}"


def split_uri(uri: str) -> tuple[str, str, str]:
    """(repo, collection, rkey) of an AT URI; PayloadError if it is not one."""
    if not uri.startswith("at://"):
        raise PayloadError(f"not an AT URI: {uri!r}")
    parts = uri[5:].split("/")
    if len(parts) != 3 or not all(parts):
        raise PayloadError(f"not a record AT URI: {uri!r}")
    return parts[0], parts[1], parts[2]


def parse_datetime(value: Any) -> datetime:
    """A record's ``createdAt`` as aware UTC (naive times, seen in the wild, are taken as UTC)."""
    if not isinstance(value, str) or not value:
        raise PayloadError(f"missing createdAt: {value!r}")
    try:
        result = datetime.fromisoformat(value)
    except ValueError as exc:
        raise PayloadError(f"bad createdAt: {value!r}") from exc
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result.astimezone(UTC)


def jsonable(value: Any) -> Any:
    """Decoded DAG-CBOR (bytes, CIDs) -> JSON-safe data for the records archive.

    Records from Jetstream or the XRPC API are JSON already; orjson tells in one C call.
    """
    if isinstance(value, dict):
        try:
            orjson.dumps(value)
        except TypeError:
            pass
        else:
            return value
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        link = cid_string(value)
        if link:
            return {"$link": link}
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def cid_string(value: bytes) -> str:
    """A CID link as CAR blocks carry it (binary, CIDv1) -> its string form; '' if it is none."""
    if len(value) < 34 or value[0] != 1:
        return ""
    from atproto_core.cid import CID

    try:
        return str(CID.decode(value))
    except Exception:  # not a CID after all: keep the bytes
        return ""


def _slice(text_bytes: bytes, index: Mapping[str, Any]) -> str:
    try:
        start, end = int(index["byteStart"]), int(index["byteEnd"])
    except (KeyError, TypeError, ValueError):
        return ""
    if not 0 <= start <= end <= len(text_bytes):
        return ""
    return text_bytes[start:end].decode("utf-8", errors="replace")


def mentioned_dids(record: Mapping[str, Any]) -> list[str]:
    """DIDs mentioned through facets: how the organisation knows it was addressed."""
    found = []
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            if feature.get("$type") == "app.bsky.richtext.facet#mention" and feature.get("did"):
                found.append(str(feature["did"]))
    return unique_in_order(found)


def _blob_cid(blob: Any) -> str:
    if not isinstance(blob, Mapping):
        return ""
    ref = blob.get("ref")
    if isinstance(ref, bytes):
        return cid_string(ref)
    if isinstance(ref, Mapping):
        return str(ref.get("$link") or "")
    return str(ref or blob.get("cid") or "")


def _media(embed: Any, repo: str, pds_url: str) -> tuple[list[Media], list[str]]:
    """Images and video (with alt text) and external links from an embed."""
    if not isinstance(embed, Mapping):
        return [], []
    kind = str(embed.get("$type") or "")
    base = pds_url.rstrip("/") or "https://bsky.social"

    def blob_url(blob: Any) -> str:
        cid = _blob_cid(blob)
        return f"{base}/xrpc/com.atproto.sync.getBlob?did={repo}&cid={cid}" if cid else ""

    if kind == "app.bsky.embed.images":
        return [Media(url=blob_url(i.get("image")), alt_text=str(i.get("alt") or ""),
                      kind="image") for i in embed.get("images") or []], []
    if kind == "app.bsky.embed.video":
        return [Media(url=blob_url(embed.get("video")), alt_text=str(embed.get("alt") or ""),
                      kind="video")], []
    if kind == "app.bsky.embed.external":
        uri = (embed.get("external") or {}).get("uri")
        return [], [str(uri)] if uri else []
    if kind == "app.bsky.embed.recordWithMedia":
        return _media(embed.get("media"), repo, pds_url)
    return [], []


def map_record(
    record: Mapping[str, Any],
    *,
    repo: str,
    rkey: str,
    cid: str = "",
    handle: str = "",
    pds_url: str = "",
    edited_at: datetime | None = None,
) -> NormalizedPost:
    """Map an ``app.bsky.feed.post`` record written by ``repo`` (a DID) under ``rkey``."""
    if not isinstance(record, Mapping):
        raise PayloadError("a Bluesky record must be an object")
    if record.get("$type", POST) != POST:
        raise PayloadError(f"not a post record: {record.get('$type')!r}")
    text = record.get("text")
    if not isinstance(text, str):
        raise PayloadError("post record without text")
    text_bytes = text.encode("utf-8")
    mentions: list[str] = []
    links: list[str] = []
    tags: list[str] = []
    for facet in record.get("facets") or []:
        written = _slice(text_bytes, facet.get("index") or {})
        for feature in facet.get("features") or []:
            kind = feature.get("$type")
            if kind == "app.bsky.richtext.facet#mention":
                mentions.append(written if written.startswith("@") else str(feature.get("did")))
            elif kind == "app.bsky.richtext.facet#link" and feature.get("uri"):
                links.append(str(feature["uri"]))
            elif kind == "app.bsky.richtext.facet#tag" and feature.get("tag"):
                tags.append(str(feature["tag"]).lstrip("#").lower())
    tags.extend(str(t).lstrip("#").lower() for t in record.get("tags") or [])
    media, embed_links = _media(record.get("embed"), repo, pds_url)
    reply = record.get("reply") or {}
    parent = (reply.get("parent") or {}).get("uri") if reply else None
    root = (reply.get("root") or {}).get("uri") if reply else None
    langs = record.get("langs") or []
    return NormalizedPost(
        source=SOURCE,
        external_id=post_uri(repo, rkey),
        text=text,
        created_at=parse_datetime(record.get("createdAt")),
        author=Author(handle=handle or repo, profile_url=f"https://bsky.app/profile/{repo}",
                      external_id=repo),
        url=f"https://bsky.app/profile/{repo}/post/{rkey}",
        lang=str(langs[0]) if langs else None,
        reply_to_id=str(parent) if parent else None,
        thread_root_id=str(root) if root else None,
        mentions=unique_in_order(mentions),
        hashtags=unique_in_order(tags),
        links=unique_in_order(links + embed_links),
        media=media,
        visibility=Visibility.PUBLIC,
        edited_at=edited_at,
        raw={"uri": post_uri(repo, rkey), "cid": cid, "record": jsonable(record)},
    )


def map_jetstream_event(event: Mapping[str, Any]) -> NormalizedPost | str | None:
    """One Jetstream JSON event -> a post, a deleted post's AT URI (str), or None.

    Jetstream is the firehose re-encoded as JSON (no CAR or CBOR to decode); its cursor is
    ``time_us``. Events for other collections (likes, follows) and identity events map to None.
    """
    if event.get("kind") != "commit":
        return None
    commit = event.get("commit")
    if not isinstance(commit, Mapping) or commit.get("collection") != POST:
        return None
    repo, rkey = str(event.get("did") or ""), str(commit.get("rkey") or "")
    if not repo or not rkey:
        raise PayloadError("Jetstream commit without did or rkey")
    operation = commit.get("operation")
    if operation == "delete":
        return post_uri(repo, rkey)
    record = commit.get("record")
    if not isinstance(record, Mapping):
        raise PayloadError(f"Jetstream {operation} without a record")
    edited = None
    if operation == "update" and isinstance(event.get("time_us"), int):
        edited = datetime.fromtimestamp(event["time_us"] / 1_000_000, tz=UTC)
    return map_record(record, repo=repo, rkey=rkey, cid=str(commit.get("cid") or ""),
                      edited_at=edited)
