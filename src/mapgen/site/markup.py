"""Markup: user text made safe for a page.

Markdown fields are rendered with ``markdown`` and then sanitised with ``nh3``: raw HTML
in a spec is never passed through. URLs are limited to http, https, mailto and relative
ones; anything else (``javascript:``, ``data:``) becomes ``#``. Every other string is
escaped by Jinja's autoescape.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import re

import markdown as _markdown
import nh3
from markupsafe import Markup

URL_SCHEMES = frozenset({"http", "https", "mailto"})
_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6",
    "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
})
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def render_markdown(text: str | None, page: bool = False) -> Markup:
    """Markdown to sanitised HTML; an empty string for nothing.

    Text in a spec sits under the page's own headings, so it may use ``###`` and below;
    a ``page`` (a Markdown page of the workspace) is the page, and may use ``##`` too,
    and its links to other pages (``notes.md``) lead to their pages (``notes.html``).
    """
    if not text:
        return Markup("")
    html = _markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    tags = _TAGS | {"h2"} if page else _TAGS
    clean = nh3.clean(html, tags=set(tags), attributes=_ATTRIBUTES,
                      url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer")
    return Markup(_PAGE_LINK.sub(r'href="\1.html\2"', clean) if page else clean)


#: A relative link to a Markdown file: ``href="notes.md"``, ``href="notes.md#why"``.
_PAGE_LINK = re.compile(r'href="((?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)[^"#?]*)\.md(#[^"]*)?"')


def safe_url(url: str | None) -> str:
    """``url`` when it is http, https, mailto or relative; otherwise ``#``."""
    if not url:
        return "#"
    text = str(url).strip()
    scheme = urlsplit(text).scheme.lower()
    if scheme and scheme not in URL_SCHEMES:
        return "#"
    if not scheme and text.startswith("//"):
        return "#"  # protocol-relative: another host, whatever the page's scheme
    return text
