"""The post as the rule matcher sees it: folded words with their places, and field facts.

A :class:`PostView` is built once per post and then checked against every rule, so it holds
exactly what matching needs in the shape that makes it cheap: a word -> positions map (for
words, phrases and NEAR) and a set of ``(field, value)`` pairs (for ``lang:nl`` and friends).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from samen.understanding.rules._text import fold, tokens
from samen.understanding.rules._text import hashtags as _text_hashtags
from samen.understanding.rules._text import mentions as _text_mentions

if TYPE_CHECKING:
    from samen.sources.types import NormalizedPost

__all__ = ["PostView", "view_from_post", "view_from_text"]


@dataclass(frozen=True, slots=True)
class PostView:
    """What a listening rule can look at in one post.

    ``words`` are the folded word tokens in order; ``positions`` maps each distinct word to its
    indexes in ``words``; ``fields`` holds ``(name, value)`` pairs such as ``("lang", "nl")``,
    ``("hashtag", "zorg")``, ``("from", "anna")`` - all folded. ``wordset`` is the set of
    distinct words, so a rule can test several words with one set operation.
    """

    words: tuple[str, ...]
    positions: dict[str, tuple[int, ...]]
    fields: frozenset[tuple[str, str]]
    wordset: frozenset[str]


def _handle_keys(handle: str) -> list[str]:
    """A handle is found by its full form and by its user part: ``from:@anna`` finds
    ``@anna@mastodon.social``; ``from:@anna@mastodon.social`` finds only that account."""
    h = fold(handle.strip()).removeprefix("@").rstrip(".")
    if not h:
        return []
    local = h.split("@", 1)[0]
    return [h] if local == h else [h, local]


def _lang_keys(lang: str) -> list[str]:
    code = fold(lang.strip()).replace("_", "-")
    if not code:
        return []
    base = code.split("-", 1)[0]
    return [code] if base == code else [code, base]


def view_from_text(
    text: str,
    *,
    hashtags: Iterable[str] = (),
    mentions: Iterable[str] = (),
    author: str = "",
    lang: str | None = None,
    source: str | None = None,
    sentiment: str | None = None,
    intent: str | None = None,
    urgent: bool | None = None,
) -> PostView:
    """Build a view from text plus what enrichment found.

    Hashtags and mentions written in ``text`` are found here too; the given ones are added
    (a network may list tags that are not in the text, e.g. Bluesky facets).
    """
    words = tuple(tokens(text))
    pos: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        if w in pos:
            pos[w].append(i)
        else:
            pos[w] = [i]
    fields: set[tuple[str, str]] = set()
    for tag in (*_text_hashtags(text), *hashtags):
        t = fold(tag).lstrip("#＃")
        if t:
            fields.add(("hashtag", t))
    for m in (*_text_mentions(text), *mentions):
        fields.update(("mention", k) for k in _handle_keys(m))
    if author:
        fields.update(("from", k) for k in _handle_keys(author))
    if lang:
        fields.update(("lang", k) for k in _lang_keys(lang))
    if source:
        fields.add(("source", fold(source)))
    if sentiment:
        fields.add(("sentiment", fold(sentiment)))
    if intent:
        fields.add(("intent", fold(intent)))
    fields.add(("urgent", "true" if urgent else "false"))
    return PostView(
        words=words,
        positions={w: tuple(p) for w, p in pos.items()},
        fields=frozenset(fields),
        wordset=frozenset(pos),
    )


def view_from_post(
    post: NormalizedPost,
    *,
    lang: str | None = None,
    sentiment: str | None = None,
    intent: str | None = None,
    urgent: bool | None = None,
) -> PostView:
    """Build a view from a normalized post and the enrichment results.

    ``lang`` is the detected language; when it is None the source's own tag is used.
    Media descriptions (alt text) are part of what a post says, so rules see them too.
    """
    text = post.text
    alts = [m.alt_text for m in post.media if m.alt_text]
    if alts:
        text = "\n".join([text, *alts])
    return view_from_text(
        text,
        hashtags=post.hashtags,
        mentions=post.mentions,
        author=post.author.handle,
        lang=lang or post.lang,
        source=post.source,
        sentiment=sentiment,
        intent=intent,
        urgent=urgent,
    )
