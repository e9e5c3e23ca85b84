"""Poster: a journey's canvas as one landscape page to print, mail or pin on a wall.

``mapgen export JOURNEY --format svg|png|pdf`` writes it; the site links each journey's
SVG and shows it as the journey's thumbnail on the home page.

Why these tools (tried here, on a bare Debian with no Cairo, Graphviz or browser):

* **SVG by our own code** (:mod:`.layout`, :mod:`.writers`). The poster is a grid with
  cards and a curve, not a graph, so no layout engine is needed, and our code decides
  every line break with real font metrics: text fits its box by construction.
* **Fonts from PyPI** (:mod:`.fonts`): Arimo (Arial's widths) for Latin, Greek and
  Cyrillic, Noto Sans CJK JP for Japanese, Chinese and Korean. graphviz-pure has the
  same metric-compatible faces, but compiled into its binary, not as files we could use.
* **PNG by resvg** (``resvg-py``): one self-contained Rust extension (it links libc
  only), renders our SVG exactly, with our fonts and no system ones, so every machine
  gets the same pixels. Pillow would have meant drawing everything a second time;
  CairoSVG needs the system Cairo; a browser is not a pip install.
* **PDF by fpdf2**: pure Python (with fontTools and Pillow, both wheels), draws vector
  shapes and embeds subsetted TrueType/OpenType faces, so the PDF is vector and its text
  can be searched. It is fed the same shapes as the SVG, not the SVG itself, whose import
  in fpdf2 does not handle text. graphviz-pure writes no PDF; ReportLab would do, but is
  larger and needs its own font registration for the same result.
"""

from __future__ import annotations

from mapgen.cache import Cache
from mapgen.model import Journey, Workspace

FORMATS = ("svg", "png", "pdf")


def render(ws: Workspace, journey: Journey, fmt: str, cuts: Cache | None = None) -> bytes:
    """The poster of ``journey`` in ``fmt`` (one of :data:`FORMATS`); an SVG's font cut,
    and the font's advance widths, are kept in ``cuts`` when given (see
    :func:`mapgen.poster.fonts.woff` and :func:`~mapgen.poster.fonts.use_widths`)."""
    from mapgen.poster import fonts, writers
    from mapgen.poster.layout import poster

    fonts.use_widths(cuts)
    drawing = poster(ws, journey)
    if fmt == "svg":
        return writers.to_svg(drawing, cuts)
    return {"png": writers.to_png, "pdf": writers.to_pdf}[fmt](drawing)
