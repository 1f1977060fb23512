"""A Mastodon account archive: ``outbox.json`` (ActivityPub), alone or inside the .tar.gz/.zip.

Each ``Create`` activity holds a ``Note``; boosts (``Announce``) are someone else's words and are
skipped. Status URIs of the form ``https://host/users/name/statuses/ID`` get the same external id
(``host:ID``) as the live Mastodon connector, so importing an archive of an account Samen also
listens to adds nothing twice.
"""

from __future__ import annotations

import io
import re
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from samen.sources.base import PayloadError, unique_in_order
from samen.sources.imports.common import ImportItem, ImportProblem, parse_when
from samen.sources.imports.jsonstream import iter_array
from samen.sources.text import html_to_text
from samen.sources.types import Author, Media, NormalizedPost, Visibility

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_STATUS = re.compile(r"^https?://([^/]+)/users/[^/]+/statuses/(\d+)$")
_ACTOR = re.compile(r"^https?://([^/]+)/users/([^/]+)$")


def external_id(uri: str) -> str:
    match = _STATUS.match(uri)
    return f"{match.group(1).lower()}:{match.group(2)}" if match else uri


@contextmanager
def open_outbox(path: Path) -> Iterator[IO[str]]:
    """outbox.json itself, or the member of that name inside a .zip or .tar.gz archive."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            name_in_zip = next((m for m in archive.namelist() if m.endswith("outbox.json")),
                               None)
            if name_in_zip is None:
                raise PayloadError("no outbox.json in the archive")
            with archive.open(name_in_zip) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8")
        return
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as archive:
            member = next((m for m in archive.getmembers()
                           if m.isfile() and m.name.endswith("outbox.json")), None)
            if member is None:
                raise PayloadError("no outbox.json in the archive")
            packed = archive.extractfile(member)
            if packed is None:
                raise PayloadError("outbox.json cannot be read from the archive")
            yield io.TextIOWrapper(packed, encoding="utf-8")
        return
    with path.open(encoding="utf-8") as handle:
        yield handle


def _visibility(note: dict[str, Any], actor: str) -> Visibility:
    to = note.get("to") or []
    cc = note.get("cc") or []
    to = [to] if isinstance(to, str) else to
    cc = [cc] if isinstance(cc, str) else cc
    if PUBLIC in to or PUBLIC in cc or "as:Public" in to or "Public" in to:
        return Visibility.PUBLIC
    if any(str(x).endswith("/followers") for x in to):
        return Visibility.FOLLOWERS
    return Visibility.DIRECT


def map_activity(activity: dict[str, Any]) -> NormalizedPost | None:
    """One outbox item -> a post; None for activities that carry no words of ours (boosts)."""
    kind = activity.get("type")
    if kind == "Announce":
        return None
    if kind != "Create":
        raise PayloadError(f"unexpected activity type {kind!r}")
    note = activity.get("object")
    if not isinstance(note, dict) or note.get("type") not in {"Note", "Question", "Article"}:
        raise PayloadError("Create without a Note")
    uri = note.get("id") or activity.get("id")
    if not uri:
        raise PayloadError("note without an id")
    actor = str(activity.get("actor") or note.get("attributedTo") or "")
    actor_match = _ACTOR.match(actor)
    handle = f"@{actor_match.group(2)}@{actor_match.group(1)}" if actor_match else actor
    body, links = html_to_text(str(note.get("content") or ""))
    summary = str(note.get("summary") or "").strip()
    text = f"{summary}\n\n{body}" if summary and body else (summary or body)
    tags = note.get("tag") or []
    tags = [tags] if isinstance(tags, dict) else tags
    content_map = note.get("contentMap") or {}
    lang = next(iter(content_map), None) if isinstance(content_map, dict) else None
    reply_to = note.get("inReplyTo")
    edited = note.get("updated")
    return NormalizedPost(
        source="mastodon",
        external_id=external_id(str(uri)),
        text=text,
        created_at=parse_when(note.get("published") or activity.get("published")),
        author=Author(handle=handle, profile_url=actor, external_id=actor),
        url=str(note.get("url") or uri),
        lang=lang,
        reply_to_id=external_id(str(reply_to)) if reply_to else None,
        mentions=unique_in_order(
            _full(str(t.get("name") or ""), str(t.get("href") or ""))
            for t in tags if isinstance(t, dict) and t.get("type") == "Mention"),
        hashtags=unique_in_order(
            str(t.get("name") or "").lstrip("#").lower()
            for t in tags if isinstance(t, dict) and t.get("type") == "Hashtag"),
        links=unique_in_order(links),
        media=[Media(url=str(a.get("url") or ""), alt_text=str(a.get("name") or ""),
                     kind=str(a.get("mediaType") or "other").split("/")[0])
               for a in note.get("attachment") or [] if isinstance(a, dict)],
        visibility=_visibility(note, actor),
        edited_at=parse_when(edited) if edited else None,
        raw=activity,
    )


def _full(name: str, href: str) -> str:
    """Archive mentions read ``@anna`` for local people; add the host as the live mapping does."""
    if name.count("@") == 1:
        host = urlsplit(href).netloc
        if host:
            return f"{name}@{host}"
    return name


def read(path: Path) -> Iterator[ImportItem]:
    with open_outbox(path) as stream:
        try:
            for number, item in iter_array(stream, key="orderedItems"):
                if not isinstance(item, dict):
                    yield number, ImportProblem("item is not an object")
                    continue
                try:
                    post = map_activity(item)
                except PayloadError as exc:
                    yield number, ImportProblem(exc.reason)
                    continue
                if post is not None:
                    yield number, post
        except PayloadError as exc:
            yield 0, ImportProblem(f"stopped reading: {exc.reason}")
