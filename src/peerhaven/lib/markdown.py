"""Markdown that members write, turned into HTML that is safe to show to everyone else.

markdown-it (CommonMark) with raw HTML switched off escapes any tags a member types; nh3
(the Ammonia sanitizer) then keeps only the elements below and only http(s)/mailto links,
so neither a ``<script>`` nor a ``javascript:`` link survives, whatever the parser does."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_REL = "nofollow noopener noreferrer ugc"

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])


def _demote_headings(state) -> None:
    """A member's "# Heading" sits under the page's own h1 and the post's h2, so it starts at
    h3 (the page outline stays one outline)."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"


_parser.core.ruler.push("demote_headings", _demote_headings)


def render_markdown(text: str) -> str:
    html = _parser.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
    )
