"""Guidelines are written in Markdown and shown as HTML: only basic Markdown, never raw HTML.

markdown-it-py (ADR 0220) with its "zero" preset plus the few rules we allow. Raw HTML in the
source is escaped (``html=False``), and link targets other than http(s), mailto and relative
ones are refused by the library's link validation, so a guideline cannot carry script.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

_ALLOWED_RULES = ["heading", "list", "emphasis", "link", "newline", "blockquote", "hr",
                  "backticks", "escape", "entity"]

_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
_md.enable(_ALLOWED_RULES)


def _link_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    tokens[idx].attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


_md.add_render_rule("link_open", _link_open)


def render_markdown(source: str) -> str:
    """Safe HTML for ``source``. Headings are renumbered so the text's highest heading is an
    ``<h2>``: the page keeps its single ``<h1>`` and the outline has no gaps."""
    tokens = _md.parse(source or "")
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if levels:
        shift = 2 - min(levels)
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return _md.renderer.render(tokens, _md.options, {})
