"""SVG that belongs in a web page: accessible, scalable, and safe to put several on a page.

Every diagram, whether laid out by Graphviz or drawn by our own chart code, passes
through :func:`finish`: it gets ``role="img"``, a ``<title>`` and ``<desc>`` referenced by
``aria-labelledby``, ids prefixed with the diagram's own name so two diagrams on one page
never collide, no fixed pixel size (the ``viewBox`` scales it to its container), and no
comments or generator stamps, so the bytes depend on the input alone.

:func:`strip_titles`, :func:`metric_fonts` and :func:`finish` take text or UTF-8 bytes and
give back the same: a graph is finished as the bytes the engine wrote. (As text, one emoji
in a label makes Python hold every character in four bytes, so each pass over a graph
read and copied four times the memory: finishing a journey's flow took twice as long.)
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import AnyStr

from mapgen.diagrams import metrics


class _Pattern:
    """A regular expression for text and the same for bytes; ``of(svg)`` picks."""

    def __init__(self, pattern: str, flags: int = 0):
        self._text, self._bytes = re.compile(pattern, flags), re.compile(pattern.encode(), flags)

    def of(self, svg: AnyStr) -> re.Pattern[AnyStr]:
        return self._bytes if isinstance(svg, bytes) else self._text  # type: ignore[return-value]


def _as(svg: AnyStr, text: str) -> AnyStr:
    """``text`` (SVG syntax) as ``svg`` holds it: text, or UTF-8 bytes."""
    return text.encode() if isinstance(svg, bytes) else text  # type: ignore[return-value]


_PROLOG = _Pattern(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = _Pattern(r"<!--.*?-->\n?", re.DOTALL)
_SVG_OPEN = _Pattern(r"<svg\b[^>]*>", re.DOTALL)
#: What may separate attributes in XML.
_XML_SPACE = " \n\t\r"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


_NODE_TITLE = _Pattern(r"<title>[^<]*</title>\n?")


#: Graphviz lays text out with Helvetica's metrics; these faces share them, so a browser
#: without Helvetica still fits the text in its box.
FONT_STACK = "Helvetica,Arial,&quot;Liberation Sans&quot;,Arimo,sans-serif"


def strip_titles(svg: AnyStr) -> AnyStr:
    """Drop Graphviz's per-node ``<title>`` (our internal node names, not for readers)."""
    return _NODE_TITLE.of(svg).sub(_as(svg, ""), svg)


def metric_fonts(svg: AnyStr) -> AnyStr:
    """Name Helvetica's metric-compatible faces, not just the generic sans-serif."""
    return svg.replace(_as(svg, 'font-family="Helvetica,sans-Serif"'),
                       _as(svg, f'font-family="{FONT_STACK}"'))


_GRAPHVIZ_TEXT = re.compile(r'<text\b([^>]*)>([^<]*)</text>')
_ANCHOR_AT = re.compile(r'text-anchor="(start|middle|end)" x="(-?[0-9.]+)"')
_FONT_SIZE = re.compile(r'font-size="([0-9.]+)"')


def right_to_left(svg: str) -> str:
    """Graphviz's SVG made to read right to left: ``direction="rtl"`` on the drawing, so
    each line's mixed Arabic, Hebrew and Latin runs come in right-to-left order, and each
    text anchored at its right end (Graphviz anchors lines at their left end, from its
    own estimate of their width), so text drawn wider than that estimate grows to the
    left, into the room reserved for it, not out of its box.
    """
    svg = _SVG_OPEN.of(svg).sub(lambda m: m.group(0)[:-1].rstrip() + ' direction="rtl">', svg,
                                count=1)
    return _GRAPHVIZ_TEXT.sub(_anchor_right, svg)


def _anchor_right(match: re.Match) -> str:
    attrs, content = match.groups()
    anchor = _ANCHOR_AT.search(attrs)
    if anchor is None or anchor.group(1) == "middle":
        return match.group(0)
    x = float(anchor.group(2))
    if anchor.group(1) == "start":  # Graphviz's left end: the right end is a width away
        size = _FONT_SIZE.search(attrs)
        x += metrics.engine_width(unescape(content), float(size.group(1)) if size else 14.0,
                                  'font-weight="bold"' in attrs)
    # In a right-to-left drawing "start" is the right end.
    new = f'text-anchor="start" x="{x:.2f}"'
    return f"<text{attrs[:anchor.start()]}{new}{attrs[anchor.end():]}>{content}</text>"


def finish(svg: AnyStr, name: str, title: str, description: str) -> AnyStr:
    """Make raw SVG (text or UTF-8 bytes) page-ready. ``name`` namespaces its ids (e.g.
    "flow-checkout")."""
    svg = _COMMENT.of(svg).sub(_as(svg, ""), _PROLOG.of(svg).sub(_as(svg, ""), svg, count=1))
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    svg = _prefix_ids(svg, prefix)
    match = _SVG_OPEN.of(svg).search(svg)
    if match is None:
        raise ValueError("not an SVG document")
    tag = match.group(0)
    open_tag = _page_ready(tag.decode() if isinstance(tag, bytes) else tag, prefix)
    head = (f'<title id="{prefix}-title">{escape(_CONTROL.sub("", title))}</title>'
            f'<desc id="{prefix}-desc">{escape(_CONTROL.sub("", description))}</desc>')
    return (svg[: match.start()] + _as(svg, open_tag + head) + svg[match.end():].strip()
            + _as(svg, "\n"))


def _prefix_ids(svg: AnyStr, prefix: str) -> AnyStr:
    """Every ``id`` attribute, and every ``url(#..)`` and ``href="#..."`` reference to one,
    prefixed. User text cannot match: in text content ``"`` is always ``&quot;``.
    (Plain replacements: a regular expression took a third of a large build's SVG time.)
    """
    svg = svg.replace(_as(svg, '="url(#'), _as(svg, f'="url(#{prefix}-'))
    for space in _XML_SPACE:
        svg = svg.replace(_as(svg, f'{space}id="'), _as(svg, f'{space}id="{prefix}-'))
        svg = svg.replace(_as(svg, f'{space}href="#'), _as(svg, f'{space}href="#{prefix}-'))
    return svg


def _page_ready(tag: str, prefix: str) -> str:
    """Drop the fixed size: full width of the container, never wider than drawn."""
    width = re.search(r'\swidth="([0-9.]+)(pt|px)?"', tag)
    tag = re.sub(r'\s(width|height|style)="[^"]*"', "", tag)
    tag = re.sub(r"\s+", " ", tag)
    style = f' style="max-width:{width.group(1)}{width.group(2) or "px"}"' if width else ""
    extra = (f' width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc"'
             f' class="mapgen-diagram" preserveAspectRatio="xMidYMin meet"{style}')
    return tag[:-1].rstrip() + extra + ">"
