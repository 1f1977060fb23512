"""HTML to plain text, shared by the Mastodon, feed and import mappings.

Markup in a post is data, never rendered: tags become line breaks or nothing, entities are
decoded, and whatever the author typed (``<script>`` included) stays as literal text that the
templates escape. Script and style *elements* sent by a hostile server are dropped with their
content, since no reader ever saw them as text.
"""

from __future__ import annotations

import html
import re

_BLOCK = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "table", "tr", "section", "article", "header", "footer"}
_DROP = {"script", "style", "template", "noscript", "iframe", "object"}


# One pass over the markup with a regex tokenizer: several times faster than html.parser on
# the short fragments posts are made of, which matters at firehose rates.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|$)"  # comment
    r"|<!\[CDATA\[(?P<cdata>.*?)(?:\]\]>|$)"
    r"|<(?P<end>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|<[!?][^>]*>",  # doctype, processing instruction
    re.DOTALL,
)
_ATTR = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(text)}


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_NEWLINES = re.compile(r"\n{3,}")


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Return (plain text, links) for an HTML fragment; links exclude mentions and hashtags."""
    if "<" not in markup and "&" not in markup:
        return markup.strip(), []
    parts: list[str] = []
    links: list[str] = []
    skip = 0
    pos = 0
    for match in _TOKEN.finditer(markup):
        if match.start() > pos and not skip:
            parts.append(html.unescape(markup[pos:match.start()]))
        pos = match.end()
        tag = match.group("tag")
        if tag is None:
            if match.group("cdata") and not skip:
                parts.append(match.group("cdata"))
            continue
        tag = tag.lower()
        closing = bool(match.group("end"))
        if tag in _DROP:
            skip = max(0, skip - 1) if closing else skip + 1
        elif skip:
            continue
        elif tag == "br":
            parts.append("\n")
        elif tag in _BLOCK:
            parts.append("\n\n")
        elif tag == "li" and not closing:
            parts.append("\n")
        elif tag == "a" and not closing:
            values = _attrs(match.group("attrs"))
            classes = values.get("class", "").split()
            href = values.get("href", "")
            rel = values.get("rel", "").split()
            if href and "mention" not in classes and "hashtag" not in classes and "tag" not in rel:
                links.append(href)
        elif tag == "img" and not closing:
            alt = _attrs(match.group("attrs")).get("alt")
            if alt:
                parts.append(alt)
    if pos < len(markup) and not skip:
        parts.append(html.unescape(markup[pos:]))
    text = "".join(parts)
    if "\n" in text:
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        text = _NEWLINES.sub("\n\n", "\n".join(lines))
    else:
        text = _SPACES.sub(" ", text)
    return text.strip(), links


_URL = re.compile(r"https?://[^\s<>\"'）)\]]+", re.IGNORECASE)
_TAG = re.compile(r"(?<![\w#])#(\w{1,100})", re.UNICODE)
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_][\w.\-]*(?:@[\w.\-]+\.[A-Za-z]{2,})?)")


def find_links(text: str) -> list[str]:
    """URLs in plain text, without trailing punctuation."""
    return [m.group(0).rstrip(".,;:!?") for m in _URL.finditer(text)]


def find_hashtags(text: str) -> list[str]:
    """Hashtags in plain text, lower-case without '#', skipping pure numbers (#1)."""
    return [t.lower() for t in _TAG.findall(text) if not t.isdigit()]


def find_mentions(text: str) -> list[str]:
    """@handles in plain text, as written (with '@')."""
    return ["@" + m.rstrip(".") for m in _MENTION.findall(text)]
