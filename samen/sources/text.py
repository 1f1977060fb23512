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


# A handful of C-level regex substitutions instead of a parser loop: several times faster on
# the short fragments posts are made of, which matters at firehose rates.
_Q = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_DROPPED = re.compile(
    r"<!--.*?(?:-->|$)|<(" + "|".join(sorted(_DROP)) + r")\b" + _Q + r">.*?(?:</\1\s*>|$)",
    re.DOTALL | re.IGNORECASE,
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|$)", re.DOTALL)
_BR = re.compile(r"<br\b" + _Q + r">", re.IGNORECASE)
_BLOCKS = re.compile(r"</?(?:" + "|".join(sorted(_BLOCK)) + r")\b" + _Q + r">", re.IGNORECASE)
_LI = re.compile(r"<li\b" + _Q + r">", re.IGNORECASE)
_IMG = re.compile(r"<img\b(" + _Q + r")>", re.IGNORECASE)
_ANCHOR = re.compile(r"<a\b(" + _Q + r")>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z]" + _Q + r">|<[!?][^>]*>")
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_ATTR = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(text)}


def _attr(pattern: re.Pattern[str], attrs: str) -> str:
    """One attribute's value (unescaped) from a tag's attribute text; '' when absent."""
    found = pattern.search(attrs)
    if found is None:
        return ""
    value = next((g for g in found.groups() if g is not None), "")
    return html.unescape(value) if "&" in value else value


def _escape(text: str) -> str:
    """Text that must survive the final unescape unchanged (alt text, CDATA)."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


# Runs of blanks become one space. The pattern matches only what that changes (a run of two
# or more, or one blank that is not a space): a lone space, between most words of a post,
# needs no replacement.
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]{2,}|[\t\r\f\v\u00a0]")
_NEWLINES = re.compile(r"\n{3,}")
_DROP_STARTS = ("<!--", *("<" + name for name in sorted(_DROP)))
# "İ" (U+0130), "ı" (U+0131), "ſ" (U+017F) and the Kelvin sign (U+212A).
_CASE_TRAPS = "\u0130\u0131\u017f\u212a"


def _single_spaced(text: str) -> str:
    """Every run of blanks (space, tab, CR, FF, VT, no-break space) as one space; newlines
    stay. Most posts have nothing to change, found with plain substring tests."""
    if ("  " in text or "\t" in text or "\xa0" in text or "\r" in text or "\f" in text
            or "\v" in text):
        return _SPACES.sub(" ", text)
    return text


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Return (plain text, links) for an HTML fragment; links exclude mentions and hashtags."""
    if "<" not in markup and "&" not in markup:
        return markup.strip(), []
    links = []
    # As in the understanding cores, each pattern runs only when the markup holds what its
    # matches start with (most posts are a paragraph or two, without links or line breaks).
    # The tag patterns ignore case; four characters match an ASCII letter that way although
    # lower() does not turn them into one (re's documentation lists them), so markup holding
    # one of them runs every pattern.
    low = markup.lower()
    every = not markup.isascii() and any(ch in markup for ch in _CASE_TRAPS)
    for match in _ANCHOR.finditer(markup) if every or "<a" in low else ():
        attrs = match.group(1)
        if "href" not in attrs:
            continue
        if "mention" in attrs or "hashtag" in attrs or "tag" in attrs:
            classes = _attr(_CLASS, attrs).split()
            if "mention" in classes or "hashtag" in classes or "tag" in _attr(_REL, attrs).split():
                continue
        href = _attr(_HREF, attrs)
        if href:
            links.append(href)
    text = markup
    if every or any(start in low for start in _DROP_STARTS):
        text = _DROPPED.sub("", text)
        low = text.lower()  # what was cut out can join two pieces into a tag: "<b<!---->r>"
    if "<![CDATA[" in text:
        text = _CDATA.sub(lambda m: _escape(m.group(1)), text)
        low = text.lower()
    if every or "<br" in low:
        text = _BR.sub("\n", text)
    text = _BLOCKS.sub("\n\n", text)
    if every or "<li" in low:
        text = _LI.sub("\n", text)
    if every or "<img" in low:
        text = _IMG.sub(lambda m: _escape(_attrs(m.group(1)).get("alt", "")), text)
    text = _ANY_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = _single_spaced(text)  # blanks never span a newline, so the whole text at once
    if "\n" in text:
        text = _NEWLINES.sub("\n\n", "\n".join([line.strip() for line in text.split("\n")]))
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
