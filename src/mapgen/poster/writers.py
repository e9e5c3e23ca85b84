"""Writers: a :class:`~mapgen.poster.drawing.Drawing` as SVG, PNG or PDF bytes.

* SVG is written here, element by element: every number with one decimal, user text
  escaped, no date or generator stamp, so the same journey gives the same bytes.
* PNG is that SVG rendered by resvg (the ``resvg-py`` wheel: a self-contained Rust
  library, no Cairo) with our two faces only and no system fonts, so the picture is
  the same on every machine.
* PDF is drawn by fpdf2 (pure Python) from the same shapes, as vector paths and real
  text in the embedded, subsetted faces: it prints sharp at any size and its words can be
  searched and copied. The page is the poster's own size, landscape.
"""

from __future__ import annotations

import functools
import math
import os
from datetime import datetime, timezone

from mapgen.cache import Cache, pure
from mapgen.diagrams.charts import _escape as escape_text
from mapgen.poster import fonts
from mapgen.poster.drawing import Circle, Drawing, Path, Rect, Text

#: PNG pixels per poster px, and the most pixels we draw: a 60-step journey still gets
#: more than one pixel per px, and resvg needs 4 bytes a pixel (under 150 MB) to draw it.
PNG_ZOOM, PNG_MAX_PIXELS = 2.0, 36_000_000
#: PDF points per poster px (CSS: 96 px to the inch, 72 pt), and the widest page PDF
#: readers open (200 inches): a longer poster is scaled down to it, still in vector.
PT_PER_PX, PDF_MAX_PT = 0.75, 14400


def _n(value: float) -> str:
    """``value`` with one decimal, none when it is 0: "12.5", "12", "-0.3"."""
    return _one_decimal(value) if value else _decimal(value)  # -0.0 == 0.0: not memoised


def _decimal(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


#: A poster writes some 1,500 numbers, most of them the same few coordinates.
_one_decimal = pure(65536)(_decimal)


# --- SVG ----------------------------------------------------------------------------------

def to_svg(drawing: Drawing, cuts: Cache | None = None) -> bytes:
    """The poster as SVG; the font cut it embeds is kept in ``cuts`` when given."""
    texts = [shape.text for shape in drawing.shapes if isinstance(shape, Text)]
    w, h = _n(drawing.width), _n(drawing.height)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" role="img" aria-labelledby="poster-title poster-desc" '
            f'lang="{escape_text(drawing.lang)}" font-family="{fonts.FONT_FAMILY}">'
            f'<title id="poster-title">{escape_text(drawing.title)}</title>'
            f'<desc id="poster-desc">{escape_text(drawing.description)}</desc>'
            f"<defs><style>{fonts.font_face_css(texts, cuts)}</style></defs>")
    body = "\n".join(_svg_shape(shape) for shape in drawing.shapes)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}\n{body}\n</svg>\n'.encode()


def _paint(fill: str | None, stroke: str | None, width: float) -> str:
    out = f' fill="{fill or "none"}"'
    if stroke:
        out += f' stroke="{stroke}" stroke-width="{_n(width)}"'
    return out


def _svg_shape(shape) -> str:
    if isinstance(shape, Text):
        anchor = "" if shape.anchor == "start" else f' text-anchor="{shape.anchor}"'
        weight = ' font-weight="bold"' if shape.bold else ""
        return (f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}"'
                f'{weight}{anchor} fill="{shape.fill}">{escape_text(shape.text)}</text>')
    if isinstance(shape, Rect):
        radius = f' rx="{_n(shape.radius)}"' if shape.radius else ""
        return (f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" '
                f'height="{_n(shape.h)}"{radius}{_paint(shape.fill, shape.stroke, shape.width)}/>')
    if isinstance(shape, Circle):
        return (f'<circle cx="{_n(shape.cx)}" cy="{_n(shape.cy)}" r="{_n(shape.r)}"'
                f'{_paint(shape.fill, shape.stroke, shape.width)}/>')
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
    tag = "polygon" if shape.closed else "polyline"
    dash = f' stroke-dasharray="{_n(shape.dash[0])} {_n(shape.dash[1])}"' if shape.dash else ""
    joins = ' stroke-linejoin="round" stroke-linecap="round"' if shape.stroke else ""
    return (f'<{tag} points="{points}"{_paint(shape.fill, shape.stroke, shape.width)}'
            f'{dash}{joins}/>')


# --- PNG ----------------------------------------------------------------------------------

def to_png(drawing: Drawing) -> bytes:
    import resvg_py

    most = (PNG_MAX_PIXELS / (drawing.width * drawing.height)) ** 0.5
    zoom = min(PNG_ZOOM, math.floor(most * 100) / 100)  # down: pixels are rounded up
    sans, cjk = fonts.faces()
    return bytes(resvg_py.svg_to_bytes(
        svg_string=to_svg(drawing).decode(), zoom=zoom, background="white",
        font_files=[str(sans.path), str(cjk.path)], skip_system_fonts=True,
        font_family=sans.name, sans_serif_family=sans.name))


# --- PDF ----------------------------------------------------------------------------------

def to_pdf(drawing: Drawing) -> bytes:
    from fpdf import FPDF

    scale = min(PT_PER_PX, PDF_MAX_PT / drawing.width)
    pdf = FPDF(orientation="L", unit=scale, format=(drawing.height, drawing.width))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creation_date(_creation_date())
    pdf.set_creator("mapgen")
    pdf.set_title(drawing.title)
    pdf.set_lang(drawing.lang)
    pdf.add_page()
    used = {fonts.face_for(ch).name for s in drawing.shapes if isinstance(s, Text)
            for ch in s.text}
    for face in fonts.faces():
        if face.name in used:
            _add_face(pdf, face)
    for shape in drawing.shapes:
        _pdf_shape(pdf, shape, scale)
    return bytes(pdf.output())


def _creation_date() -> datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else 1980-01-01, as in
    reproducible zip files: a PDF must have a date, and the clock would make the same
    journey give different bytes."""
    seconds = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    return datetime.fromtimestamp(seconds, timezone.utc)


def _add_face(pdf, face: fonts.Face) -> None:
    pdf.add_font(face.name, "", str(face.path))
    if face is fonts.faces()[0]:
        pdf.add_font(face.name, "B", str(face.path), variations={"wght": fonts.BOLD})


@functools.lru_cache(maxsize=64)
def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _style(pdf, fill: str | None, stroke: str | None, width: float) -> str:
    if fill:
        pdf.set_fill_color(*_rgb(fill))
    if stroke:
        pdf.set_draw_color(*_rgb(stroke))
        pdf.set_line_width(width)
    return ("F" if fill else "") + ("D" if stroke else "")


def _pdf_shape(pdf, shape, scale: float) -> None:
    if isinstance(shape, Text):
        _pdf_text(pdf, shape, scale)
        return
    style = _style(pdf, shape.fill, shape.stroke, shape.width)
    if not style:
        return
    if isinstance(shape, Rect):
        pdf.rect(shape.x, shape.y, shape.w, shape.h, style=style,
                 round_corners=bool(shape.radius), corner_radius=shape.radius)
    elif isinstance(shape, Circle):
        pdf.ellipse(shape.cx - shape.r, shape.cy - shape.r, 2 * shape.r, 2 * shape.r, style)
    else:
        pdf.set_dash_pattern(*(shape.dash or (0, 0)))
        if shape.closed:
            pdf.polygon(list(shape.points), style=style)
        else:
            pdf.polyline(list(shape.points), style="D")
        pdf.set_dash_pattern()


def _runs(text: str) -> list[tuple[fonts.Face, str]]:
    """``text`` cut where the face that has its characters changes."""
    runs: list[tuple[fonts.Face, str]] = []
    for char in text:
        face = fonts.face_for(char)
        if runs and runs[-1][0] is face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    return runs


def _pdf_text(pdf, text: Text, scale: float) -> None:
    """One line of text, each run in the face that has its characters. Font sizes are in
    points whatever the page's unit, hence ``scale`` (points per px)."""
    pdf.set_text_color(*_rgb(text.fill))
    size = text.size * scale
    runs = []
    for face, chars in _runs(text.text):
        pdf.set_font(face.name, "B" if text.bold and face is fonts.faces()[0] else "", size)
        runs.append((face, chars, pdf.get_string_width(chars)))
    total = sum(width for _, _, width in runs)
    x = text.x - {"start": 0, "middle": total / 2, "end": total}[text.anchor]
    for face, chars, width in runs:
        pdf.set_font(face.name, "B" if text.bold and face is fonts.faces()[0] else "", size)
        pdf.text(x, text.y, chars)
        x += width
