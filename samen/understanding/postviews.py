"""Between stored posts and the pure cores: what a rule sees of a ``sources.Post`` row, and
which matched words to highlight when a post is shown next to a rule.

Only plain attribute reads here (no queries), so callers load posts once, in bulk, with
``POST_FIELDS``.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from samen.understanding.rules import PostView, view_from_text
from samen.understanding.rules.nodes import And, Field, Near, Node, Not, Or, Phrase, Prefix, Term
from samen.understanding.text import fold

# The columns of sources.Post that understanding reads; load posts with .only(*POST_FIELDS).
POST_FIELDS = (
    "id", "source", "text", "language", "source_language", "sentiment",
    "sentiment_confidence", "intent", "urgent", "urgency_reasons", "author_handle",
    "author_name", "hashtags", "mentions", "media", "created_at", "direction", "deleted_at",
    "url",
)


def text_with_alt(post: Any) -> str:
    """The post's words plus its media descriptions: alt text is part of what a post says."""
    alts = [m.get("alt_text", "") for m in (post.media or []) if isinstance(m, dict)]
    alts = [a for a in alts if a]
    return "\n".join([post.text, *alts]) if alts else post.text


def view_of(post: Any) -> PostView:
    """The rule matcher's view of a stored post, with its enrichment as fields."""
    return view_from_text(
        text_with_alt(post),
        hashtags=post.hashtags or (),
        mentions=post.mentions or (),
        author=post.author_handle,
        lang=post.language or post.source_language or None,
        source=post.source,
        sentiment=post.sentiment or None,
        intent=post.intent or None,
        urgent=bool(post.urgent),
    )


def highlight_terms(node: Node) -> tuple[frozenset[str], tuple[str, ...]]:
    """The folded words and prefixes a rule looks for (not those under NOT), to mark them."""
    words: set[str] = set()
    prefixes: set[str] = set()

    def walk(n: Node) -> None:
        if isinstance(n, Term):
            words.add(n.word)
        elif isinstance(n, Prefix):
            prefixes.add(n.stem)
        elif isinstance(n, Phrase):
            words.update(n.words)
        elif isinstance(n, Field) and n.name == "hashtag":
            words.add(n.value)
        elif isinstance(n, Near):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, And | Or):
            for c in n.children:
                walk(c)
        elif isinstance(n, Not):
            return

    walk(node)
    return frozenset(words), tuple(sorted(prefixes))


_WORD = re.compile(r"\w+")


def highlight(text: str, node: Node | None) -> SafeString:
    """The text, escaped, with the words the rule looks for wrapped in <mark>.

    Every piece of the post is escaped on its own before any markup is added, so markup in a
    post can never become markup on the page.
    """
    if node is None:
        return escape(text)
    words, prefixes = highlight_terms(node)
    if not words and not prefixes:
        return escape(text)
    out: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        folded = fold(m.group())
        if folded in words or any(folded.startswith(p) for p in prefixes):
            out.append(escape(text[last:m.start()]))
            out.append("<mark>" + escape(m.group()) + "</mark>")
            last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
