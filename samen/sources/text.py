"""HTML to plain text, shared by the Mastodon, feed and import mappings.

Markup in a post is data, never rendered: tags become line breaks or nothing, entities are
decoded, and whatever the author typed (``<script>`` included) stays as literal text that the
templates escape. Script and style *elements* sent by a hostile server are dropped with their
content, since no reader ever saw them as text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "table", "tr", "section", "article", "header", "footer"}
_DROP = {"script", "style", "template", "noscript", "iframe", "object"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n")
        elif tag == "a":
            values = dict(attrs)
            classes = (values.get("class") or "").split()
            href = values.get("href") or ""
            rel = (values.get("rel") or "").split()
            if href and "mention" not in classes and "hashtag" not in classes and "tag" not in rel:
                self.links.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_NEWLINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Return (plain text, links) for an HTML fragment; links exclude mentions and hashtags."""
    if "<" not in html and "&" not in html:
        return html.strip(), []
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _NEWLINES.sub("\n\n", "\n".join(lines)).strip()
    return text, parser.links


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
