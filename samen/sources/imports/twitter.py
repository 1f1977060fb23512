"""An X/Twitter archive's ``data/tweets.js`` (``window.YTD.tweets.part0 = [...]``).

Text in the archive is HTML-escaped (``&amp;``); it is unescaped to what the author typed.
Posts get source ``import`` and external id ``twitter:<tweet id>``. The archive does not name
its owner in tweets.js, so the handle is passed in (or read from
``account.js`` beside it when present).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from samen.sources.base import PayloadError, unique_in_order
from samen.sources.imports.common import ImportItem, ImportProblem, parse_when
from samen.sources.imports.jsonstream import iter_array
from samen.sources.types import Author, Media, NormalizedPost

_ACCOUNT = re.compile(r'"username"\s*:\s*"([^"]+)"')


def owner_handle(path: Path) -> str:
    """The archive owner's @handle from account.js next to tweets.js, if it is there."""
    account = path.with_name("account.js")
    if account.exists():
        match = _ACCOUNT.search(account.read_text(encoding="utf-8", errors="replace"))
        if match:
            return "@" + match.group(1)
    return ""


def map_tweet(tweet: dict[str, Any], *, handle: str) -> NormalizedPost:
    tweet = tweet.get("tweet", tweet)
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
    if not tweet_id.isdigit():
        raise PayloadError("tweet without a numeric id_str")
    text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(text, str):
        raise PayloadError(f"tweet {tweet_id} has no text")
    entities = tweet.get("entities") or {}
    media_items = (tweet.get("extended_entities") or entities).get("media") or []
    links = [u.get("expanded_url") or u.get("url") for u in entities.get("urls") or []]
    reply_to = tweet.get("in_reply_to_status_id_str")
    reply_to = f"twitter:{reply_to}" if reply_to else None
    name = handle.lstrip("@")
    return NormalizedPost(
        source="import",
        external_id=f"twitter:{tweet_id}",
        text=html.unescape(text),
        created_at=parse_when(tweet.get("created_at")),
        author=Author(handle=handle or "twitter:archive",
                      profile_url=f"https://x.com/{name}" if name else ""),
        url=f"https://x.com/{name or 'i/web'}/status/{tweet_id}",
        lang=(tweet.get("lang") if tweet.get("lang") not in (None, "und", "qme", "zxx")
              else None),
        reply_to_id=reply_to,
        mentions=unique_in_order("@" + str(m.get("screen_name"))
                                 for m in entities.get("user_mentions") or []),
        hashtags=unique_in_order(str(h.get("text") or "").lower()
                                 for h in entities.get("hashtags") or []),
        links=unique_in_order(str(u) for u in links if u),
        media=[Media(url=str(m.get("media_url_https") or m.get("media_url") or ""),
                     alt_text=str(m.get("ext_alt_text") or ""),
                     kind="video" if m.get("type") in {"video", "animated_gif"} else "image")
               for m in media_items],
        raw=tweet,
    )


def read(path: Path, *, handle: str = "") -> Iterator[ImportItem]:
    handle = handle or owner_handle(path)
    with path.open(encoding="utf-8-sig") as stream:
        head = stream.read(200)
        if "=" not in head or not head.lstrip().startswith("window.YTD."):
            yield 1, ImportProblem("not a tweets.js file (expected 'window.YTD.tweets.part0 = [')")
            return
        stream.seek(0)
        try:
            for number, item in iter_array(stream):
                if not isinstance(item, dict):
                    yield number, ImportProblem("item is not an object")
                    continue
                try:
                    yield number, map_tweet(item, handle=handle)
                except PayloadError as exc:
                    yield number, ImportProblem(exc.reason)
        except PayloadError as exc:
            yield 0, ImportProblem(f"stopped reading: {exc.reason}")
