"""Facets for outgoing Bluesky posts: mentions, links and tags on UTF-8 byte offsets.

Bluesky does not parse text on the server; a client that leaves out facets posts an
unclickable ``@name`` and no tag. Offsets count bytes of the UTF-8 text, not characters,
so "Café @anna.test" has the mention at bytes 6..16, not 5..15.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# A handle is a domain name: labels of letters, digits and hyphens, the last not all digits.
_MENTION = re.compile(
    r"(?<![\w@])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
_LINK = re.compile(r"(?<![\w/])(https?://[^\s<>\"']+)")
_TAG = re.compile(r"(?<![\w&#])#([^\s#.,;:!?()\[\]{}\"'<>]{1,64})")
_TRAILING = ".,;:!?)]}'\""


def _byte_range(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = len(text[:start].encode("utf-8"))
    return {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode("utf-8"))}


def build_facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """Facets (as lexicon JSON) for ``text``; handles that do not resolve stay plain text."""
    facets: list[dict[str, Any]] = []
    for match in _MENTION.finditer(text):
        did = resolve_handle(match.group(1).lower())
        if did:
            facets.append({
                "index": _byte_range(text, match.start(), match.end()),
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
            })
    for match in _LINK.finditer(text):
        url = match.group(1).rstrip(_TRAILING)
        end = match.start(1) + len(url)
        facets.append({
            "index": _byte_range(text, match.start(1), end),
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
        })
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        if not tag or tag.isdigit():
            continue
        facets.append({
            "index": _byte_range(text, match.start(), match.start(1) + len(tag)),
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
        })
    facets.sort(key=lambda f: f["index"]["byteStart"])
    return facets
