"""Samen's own types for a post, independent of any network.

Every connector's ``mapping.py`` turns a network's payload into a :class:`NormalizedPost` at the
boundary; nothing past the boundary reads a network's raw format (except the records archive,
which keeps ``raw`` verbatim). Pure Python: no Django import, so mapping and understanding can
be tested and benchmarked alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Visibility(enum.StrEnum):
    """Who could see the post on its network."""

    PUBLIC = "public"
    FOLLOWERS = "followers"
    DIRECT = "direct"


@dataclass(slots=True, frozen=True)
class Author:
    """The person or organisation that wrote a post, as the network names them."""

    handle: str  # e.g. "@anna@mastodon.social", "anna.bsky.social", "feed:example.org"
    display_name: str = ""
    profile_url: str = ""
    external_id: str = ""  # the network's stable id (Mastodon account id, Bluesky DID)


@dataclass(slots=True, frozen=True)
class Media:
    """An attachment; ``alt_text`` is kept because people who cannot see it rely on it."""

    url: str
    alt_text: str = ""
    kind: str = "image"  # image, video, audio, other


@dataclass(slots=True)
class NormalizedPost:
    """One post from any source, in Samen's own shape.

    ``text`` is plain text: HTML is cleaned to text at the boundary and any markup that
    remains is data, never rendered. ``created_at`` is timezone-aware UTC. ``lang`` is the
    language *as the source gave it* (None when it gave none); detection happens later.
    """

    source: str  # provider key in the registry: "mastodon", "bluesky", "feed", "import"
    external_id: str  # unique within ``source``
    text: str
    created_at: datetime
    author: Author
    url: str = ""
    lang: str | None = None
    reply_to_id: str | None = None  # external id of the post this answers
    thread_root_id: str | None = None  # external id of the first post of the thread
    mentions: list[str] = field(default_factory=list)  # handles, as written on the network
    hashtags: list[str] = field(default_factory=list)  # lower-case, without "#"
    links: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    edited_at: datetime | None = None
    deleted: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
