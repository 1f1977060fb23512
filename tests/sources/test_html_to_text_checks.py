"""``html_to_text`` runs each tag pattern only when the markup holds what its matches start
with. These tests hold it to the result of running every pattern on every post."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from samen.sources import text as T
from samen.sources.text import html_to_text


def _every_pattern(markup: str) -> tuple[str, list[str]]:
    """html_to_text with no substring checks: every pattern on every post."""
    if "<" not in markup and "&" not in markup:
        return markup.strip(), []
    links = []
    for match in T._ANCHOR.finditer(markup):
        attrs = match.group(1)
        if "href" not in attrs:
            continue
        classes = T._attr(T._CLASS, attrs).split()
        if "mention" in classes or "hashtag" in classes or "tag" in T._attr(T._REL, attrs).split():
            continue
        href = T._attr(T._HREF, attrs)
        if href:
            links.append(href)
    text = T._DROPPED.sub("", markup)
    text = T._CDATA.sub(lambda m: T._escape(m.group(1)), text)
    text = T._BR.sub("\n", text)
    text = T._BLOCKS.sub("\n\n", text)
    text = T._LI.sub("\n", text)
    text = T._IMG.sub(lambda m: T._escape(T._attrs(m.group(1)).get("alt", "")), text)
    text = T._ANY_TAG.sub("", text)
    text = html.unescape(text)
    lines = [T._SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return T._NEWLINES.sub("\n\n", "\n".join(lines)).strip(), links


_PIECES = st.sampled_from(
    ["<p>", "</p>", "<P class='x'>", "<br>", "<BR/>", "<bR >", "<li>", "<LI>", "<ul>", "<img",
     "<IMG", "<Img", " alt='a b'", ' alt="x"', ">", "<a href='https://x.org'>", "<A HREF=y>",
     "<a class='mention' href='z'>", "</a>", "<script>", "</script>", "<SCRIPT>", "<ſcript>",
     "<lı>", "<ımg alt=q>", "<İMG alt=q>", "<\u212aBD>", "<!--", "-->", "<![CDATA[", "]]>",
     "<b", "r>", "<l", "i>", "<", "&amp;", "&lt;", "&", " ", "  ", "\t", "\n", "\n\n\n",
     "\u00a0", "\r", "\f", "\v", "\u2003", "tekst", "é", "Ça", "😀", "'", '"']
)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=3), max_size=16).map("".join))
def test_checked_patterns_give_what_every_pattern_gives(markup: str) -> None:
    assert html_to_text(markup) == _every_pattern(markup)


def test_a_tag_joined_by_a_dropped_comment_is_still_a_tag() -> None:
    """Cutting a comment out can make a line break of what was two pieces."""
    assert html_to_text("een<b<!-- x -->r>twee") == ("een\ntwee", [])
    assert html_to_text("een<b<![CDATA[]]>r>twee") == ("een\ntwee", [])


def test_an_image_in_any_case_keeps_its_description() -> None:
    """``<Img alt=...>`` is an image too: its description is part of the text."""
    assert html_to_text("<p>Kijk <Img alt='de brug, dicht' src='x.png'></p>") == (
        "Kijk de brug, dicht", [])


def test_blanks_become_one_space_and_lines_stay() -> None:
    text, _ = html_to_text("<p>a \t\u00a0 b</p><p>c\u00a0d  e\u2003f</p>")
    assert text == "a b\n\nc d e\u2003f"
