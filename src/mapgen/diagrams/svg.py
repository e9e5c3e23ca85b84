"""SVG that belongs in a web page: accessible, scalable, and safe to put several on a page.

Every diagram, whether laid out by Graphviz or drawn by our own chart code, passes
through :func:`finish`: it gets ``role="img"``, a ``<title>`` and ``<desc>`` referenced by
``aria-labelledby``, ids prefixed with the diagram's own name so two diagrams on one page
never collide, no fixed pixel size (the ``viewBox`` scales it to its container), and no
comments or generator stamps, so the bytes depend on the input alone.
"""

from __future__ import annotations

import re
from html import escape, unescape

from mapgen.diagrams import metrics

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.DOTALL)
#: What may separate attributes in XML.
_XML_SPACE = " \n\t\r"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


_NODE_TITLE = re.compile(r"<title>[^<]*</title>\n?")


#: Graphviz lays text out with Helvetica's metrics; these faces share them, so a browser
#: without Helvetica still fits the text in its box.
FONT_STACK = "Helvetica,Arial,&quot;Liberation Sans&quot;,Arimo,sans-serif"


def strip_titles(svg: str) -> str:
    """Drop Graphviz's per-node ``<title>`` (our internal node names, not for readers)."""
    return _NODE_TITLE.sub("", svg)


def metric_fonts(svg: str) -> str:
    """Name Helvetica's metric-compatible faces, not just the generic sans-serif."""
    return svg.replace('font-family="Helvetica,sans-Serif"', f'font-family="{FONT_STACK}"')


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
    svg = _SVG_OPEN.sub(lambda m: m.group(0)[:-1].rstrip() + ' direction="rtl">', svg, count=1)
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


def finish(svg: str, name: str, title: str, description: str) -> str:
    """Make raw SVG text page-ready. ``name`` namespaces its ids (e.g. "flow-checkout")."""
    svg = _COMMENT.sub("", _PROLOG.sub("", svg, count=1))
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    svg = _prefix_ids(svg, prefix)
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError("not an SVG document")
    open_tag = _page_ready(match.group(0), prefix)
    head = (f'<title id="{prefix}-title">{escape(_CONTROL.sub("", title))}</title>'
            f'<desc id="{prefix}-desc">{escape(_CONTROL.sub("", description))}</desc>')
    return svg[: match.start()] + open_tag + head + svg[match.end():].strip() + "\n"


def _prefix_ids(svg: str, prefix: str) -> str:
    """Every ``id`` attribute, and every ``url(#..)`` and ``href="#..."`` reference to one,
    prefixed. User text cannot match: in text content ``"`` is always ``&quot;``.
    (Plain replacements: a regular expression took a third of a large build's SVG time.)
    """
    svg = svg.replace('="url(#', f'="url(#{prefix}-')
    for space in _XML_SPACE:
        svg = svg.replace(f'{space}id="', f'{space}id="{prefix}-')
        svg = svg.replace(f'{space}href="#', f'{space}href="#{prefix}-')
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
