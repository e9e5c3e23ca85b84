"""Markup: user text made safe for a page.

Markdown fields are rendered as GitHub renders them, where writers preview their specs:
CommonMark (a list may follow a paragraph without a blank line) with GitHub's tables,
``~~strikethrough~~``, bare URLs made links and ``- [ ]`` task lists. markdown-it-py
implements CommonMark itself, which GitHub's dialect extends; Python-Markdown follows
the older Markdown.pl rules and cannot be made to start a list after a paragraph.

The HTML is then sanitised with ``nh3``: raw HTML in a spec is kept only where it is on
the list below (as GitHub keeps ``<kbd>`` or ``<sub>``), never a script, a style or an
event handler. URLs are limited to http, https, mailto and relative ones; anything else
(``javascript:``, ``data:``) becomes ``#``. Every other string is escaped by Jinja's
autoescape.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.tasklists import tasklists_plugin

URL_SCHEMES = frozenset({"http", "https", "mailto"})
_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6",
    "hr", "i", "input", "kbd", "label", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
})
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"style"}, "th": {"style"},
               "input": {"checked"}, "ol": {"start"}}
#: A task list's box: a checkbox, never a field a reader could type into, always disabled.
_INPUT_VALUES = {"input": {"type": {"checkbox"}}}
_INPUT_FORCED = {"input": {"type": "checkbox", "disabled": "disabled"}}
_CLASSES = {"ul": {"contains-task-list"}, "ol": {"contains-task-list"},
            "li": {"task-list-item"}, "input": {"task-list-item-checkbox"}}

_MARKDOWN = (MarkdownIt("gfm-like", {"html": True, "linkify": True, "typographer": False})
             .use(tasklists_plugin, label=True))  # the box is named by its text
#: Every link is made a link, whatever its URL: nh3 then drops an unsafe href, leaving
#: the link's text, where markdown-it alone would print the whole "[x](javascript:...)".
_MARKDOWN.validateLink = lambda url: True


def render_markdown(text: str | None, page: bool = False) -> Markup:
    """Markdown to sanitised HTML; an empty string for nothing.

    Text in a spec sits under the page's own headings, so it may use ``###`` and below;
    a ``page`` (a Markdown page of the workspace) is the page, and may use ``##`` too,
    and its links to other pages (``notes.md``) lead to their pages (``notes.html``).
    """
    if not text:
        return Markup("")
    tags = _TAGS | {"h2"} if page else _TAGS
    clean = nh3.clean(_MARKDOWN.render(text), tags=set(tags), attributes=_ATTRIBUTES,
                      tag_attribute_values=_INPUT_VALUES,
                      set_tag_attribute_values=_INPUT_FORCED, allowed_classes=_CLASSES,
                      filter_style_properties={"text-align"},
                      url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer")
    return Markup(_PAGE_LINK.sub(r'href="\1.html\2"', clean) if page else clean)


#: A relative link to a Markdown file: ``href="notes.md"``, ``href="notes.md#why"``.
_PAGE_LINK = re.compile(r'href="((?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)[^"#?]*)\.md(#[^"]*)?"')


def summary(text: str | None, limit: int = 200) -> str:
    """Markdown as one line of plain text, cut at a word within ``limit`` characters: a
    page's description for search engines and link previews in chat tools."""
    if not text:
        return ""
    # code blocks (a ```mapgen block, say) are not what a page is about: left out
    plain = html.unescape(nh3.clean(_MARKDOWN.render(text), tags=set(),
                                    clean_content_tags={"pre", "script", "style"}))
    plain = " ".join(plain.split())
    if len(plain) <= limit:
        return plain
    cut = plain[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.–—-") + "…"


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
