"""The post as the rule matcher sees it: folded words with their places, and field facts.

A :class:`PostView` is built once per post and then checked against every rule, so it holds
exactly what matching needs in the shape that makes it cheap: the words in order and as a set
(for words, phrases and NEAR) and a set of ``(field, value)`` pairs (for ``lang:nl`` and
friends).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from samen.understanding.rules._text import fold, tokens
from samen.understanding.rules._text import hashtags as _text_hashtags
from samen.understanding.rules._text import mentions as _text_mentions

if TYPE_CHECKING:
    from samen.sources.types import NormalizedPost

__all__ = ["PostView", "view_from_post", "view_from_text"]


class PostView:
    """What a listening rule can look at in one post.

    ``words`` are the folded word tokens in order; ``wordset`` the distinct words (so a rule
    can test several words with one set operation); ``fields`` holds ``(name, value)`` pairs
    such as ``("lang", "nl")``, ``("hashtag", "zorg")``, ``("from", "anna")`` - all folded.
    ``spaced`` (built on first use, because most posts never reach a rule with a phrase or a
    prefix) is the words between single spaces, so that a phrase is one substring search.
    """

    __slots__ = ("_spaced", "fields", "words", "wordset")

    def __init__(self, words: tuple[str, ...], fields: frozenset[tuple[str, str]]) -> None:
        self.words = words
        self.wordset = frozenset(words)
        self.fields = fields
        self._spaced: str | None = None

    @property
    def spaced(self) -> str:
        """``" w1 w2 … wn "``: the words in order, each between single spaces, or ``""`` when a
        word itself holds a space (only a view made by hand can have one).

        A phrase of space-free words is then one C-level search: ``" a b "`` occurs in it
        exactly where ``a`` is followed by ``b``, since every space in it separates two words.
        Built on first use; it allocates no tuple per word, so the garbage collector is not
        set off by it (see ADR 0105).
        """
        spaced = self._spaced
        if spaced is None:
            w = self.words
            joined = " ".join(w)
            # a word with a space in it gives more spaces than gaps between words
            ok = joined.count(" ") == len(w) - 1 or not w
            spaced = self._spaced = " " + joined + " " if ok else ""
        return spaced

    def __repr__(self) -> str:
        return f"PostView(words={self.words!r}, fields={sorted(self.fields)!r})"


@lru_cache(maxsize=65536)
def _handle_keys(handle: str) -> tuple[str, ...]:
    """A handle is found by its full form and by its user part: ``from:@anna`` finds
    ``@anna@mastodon.social``; ``from:@anna@mastodon.social`` finds only that account."""
    h = fold(handle.strip()).removeprefix("@").rstrip(".")
    if not h:
        return ()
    local = h.split("@", 1)[0]
    return (h,) if local == h else (h, local)


def _lang_keys(lang: str) -> tuple[str, ...]:
    code = fold(lang.strip()).replace("_", "-")
    if not code:
        return ()
    base = code.split("-", 1)[0]
    return (code,) if base == code else (code, base)


@lru_cache(maxsize=4096)
def _fixed_fields(
    lang: str | None,
    source: str | None,
    sentiment: str | None,
    intent: str | None,
    urgent: bool,
) -> frozenset[tuple[str, str]]:
    """The fields that depend neither on the text nor on the author: a few dozen
    combinations in a stream, so cached."""
    fields: set[tuple[str, str]] = {("urgent", "true" if urgent else "false")}
    if lang:
        fields.update(("lang", k) for k in _lang_keys(lang))
    if source:
        fields.add(("source", fold(source)))
    if sentiment:
        fields.add(("sentiment", fold(sentiment)))
    if intent:
        fields.add(("intent", fold(intent)))
    return frozenset(fields)


@lru_cache(maxsize=65536)
def _author_fields(author: str) -> frozenset[tuple[str, str]]:
    return frozenset(("from", k) for k in _handle_keys(author))


def _meta_fields(
    author: str,
    lang: str | None,
    source: str | None,
    sentiment: str | None,
    intent: str | None,
    urgent: bool,
) -> frozenset[tuple[str, str]]:
    """The fields that do not depend on the text. Cached in two parts: a stream has many
    authors but few combinations of the rest, so one cache over both missed on most posts."""
    fixed = _fixed_fields(lang, source, sentiment, intent, urgent)
    if not author:
        return fixed
    return fixed | _author_fields(author)


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
    fields = _meta_fields(author, lang, source, sentiment, intent, bool(urgent))
    tags = (*_text_hashtags(text), *hashtags)
    people = (*_text_mentions(text), *mentions)
    if tags or people:
        extra = {("hashtag", t) for t in (fold(tag).lstrip("#＃") for tag in tags) if t}
        for m in people:
            extra.update(("mention", k) for k in _handle_keys(m))
        fields = fields | extra
    return PostView(tuple(tokens(text)), fields)


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
