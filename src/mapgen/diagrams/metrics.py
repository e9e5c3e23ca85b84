"""Metrics: how wide the layout engine thinks text is, and how wide a browser draws it.

The embedded engine (``graphviz-pure``, like Graphviz built without Cairo) sizes every
label from a table of Helvetica's advance widths (the widths of its bundled Arimo, which
shares them), and it knows those for ASCII only: every *byte* of any other character
counts as a space, 0.278 em. A Japanese character is three bytes in UTF-8, so the engine
makes room for 0.83 em, while the font that draws it (the SVG names Helvetica's
metric-compatible faces, none of which has CJK glyphs, so the browser falls back to a
CJK face) draws it 1 em wide: every Japanese label overflowed its box by a sixth.

:func:`engine_width` reproduces the engine's estimate, :func:`drawn_width` what a
browser draws; :func:`columns` is the display width labels are wrapped by. Where the
drawn text is wider than the engine's estimate, the diagram code reserves the drawn
width explicitly (see :func:`mapgen.diagrams.graphs.text_cell`).
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from mapgen.cache import pure

#: Units per em of the tables below (Arimo's, as the engine reports them).
UNITS = 2048
#: Advance widths of " " to "~" (code points 32..126), as the embedded engine measures
#: them: laid out by ``graphviz-pure`` one character at a time (tests/test_scripts.py
#: checks every entry against the engine installed).
REGULAR = (
    569, 569, 727, 1139, 1139, 1821, 1366, 391, 682, 682, 797, 1196, 569, 682, 569, 569,
    1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 569, 569, 1196, 1196, 1196,
    1139, 2079, 1366, 1366, 1479, 1479, 1366, 1251, 1593, 1479, 569, 1024, 1366, 1139, 1706,
    1479, 1593, 1366, 1593, 1479, 1366, 1251, 1479, 1366, 1933, 1366, 1366, 1251, 569, 569,
    569, 961, 1139, 682, 1139, 1139, 1024, 1139, 1139, 569, 1139, 1139, 455, 455, 1024, 455,
    1706, 1139, 1139, 1139, 1139, 682, 1024, 569, 1139, 1024, 1479, 1024, 1024, 1024, 684,
    532, 684, 1196,
)
BOLD = (
    569, 682, 971, 1139, 1139, 1821, 1479, 487, 682, 682, 797, 1196, 569, 682, 569, 569,
    1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 682, 682, 1196, 1196, 1196,
    1251, 1997, 1479, 1479, 1479, 1479, 1366, 1251, 1593, 1479, 569, 1139, 1479, 1251, 1706,
    1479, 1593, 1366, 1593, 1479, 1366, 1251, 1479, 1366, 1933, 1366, 1366, 1251, 682, 569,
    682, 1196, 1139, 682, 1139, 1251, 1139, 1251, 1139, 682, 1251, 1251, 569, 569, 1139, 569,
    1821, 1251, 1251, 1251, 1251, 797, 1139, 682, 1251, 1139, 1593, 1139, 1139, 1024, 797,
    573, 797, 1196,
)
#: A CJK ideograph, kana, Hangul syllable or full-width form: one em in every CJK font.
WIDE = UNITS
#: The widest a letter of another alphabet is commonly drawn, a capital and the others
#: (measured in Chromium with DejaVu Sans, the widest of the common fallback faces).
CAPITAL, LETTER = 1638, 1249  # 0.8 em, 0.61 em


def _table(bold: bool) -> tuple[int, ...]:
    return BOLD if bold else REGULAR


@pure(65536)
def _engine_units(char: str, bold: bool) -> int:
    code = ord(char)
    if 32 <= code < 127:
        return _table(bold)[code - 32]
    return len(char.encode("utf-8")) * _table(bold)[0]  # a space per byte


@pure(65536)
def _drawn_units(char: str, bold: bool) -> int:
    code = ord(char)
    if 32 <= code < 127:
        return _table(bold)[code - 32]
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0  # accents drawn on the letter before, joiners, direction marks
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return WIDE
    base = unicodedata.normalize("NFKD", char)[:1]
    if base.isascii() and base.isprintable() and base:
        return _table(bold)[ord(base) - 32]  # "é" is as wide as "e"
    # Other scripts (Cyrillic, Greek, Arabic, Hebrew, ...): their letters as wide as
    # Latin ones at most, which the engine's guess of a space per byte can fall short of.
    category = unicodedata.category(char)
    letter = CAPITAL if category == "Lu" else LETTER if category[0] == "L" else 0
    return max(letter, _engine_units(char, bold))


def engine_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points the engine gives ``text`` at ``size`` points."""
    return sum(_engine_units(char, bold) for char in text) * size / UNITS


def drawn_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points a browser draws ``text`` at ``size`` points (at most)."""
    return sum(_drawn_units(char, bold) for char in text) * size / UNITS


@pure(65536)
def char_columns(char: str) -> int:
    """Display columns of one character: 2 for wide (CJK) ones, 0 for marks, else 1.

    A column is an average Latin character, about half an em; labels are wrapped to a
    number of columns, so a line of Japanese holds half as many characters as English.
    """
    if char.isascii():
        return 1
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def columns(text: str) -> int:
    """Display columns of ``text`` (see :func:`char_columns`)."""
    return len(text) if text.isascii() else sum(map(char_columns, text))


def has_wide(text: str) -> bool:
    """True when ``text`` holds a character wider than one column."""
    return not text.isascii() and any(char_columns(char) > 1 for char in text)


# --- HTML-like labels ------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_POINT_SIZE = re.compile(r'point-size="([0-9.]+)"')


def label_lines(markup: str, size: float) -> list[list[tuple[str, float, bool]]]:
    """The lines of an HTML-like label's content, each a list of (text, size, bold) runs.

    Understands what :mod:`mapgen.diagrams.graphs` writes: ``<b>``, ``<br/>`` and
    ``<font point-size=...>``, nested.
    """
    lines: list[list[tuple[str, float, bool]]] = [[]]
    sizes, bold = [size], 0
    for token in _TOKEN.findall(markup):
        if not token.startswith("<"):
            lines[-1].append((unescape(token), sizes[-1], bold > 0))
            continue
        tag = token.strip("</>").split(" ", 1)[0].lower()
        closing = token.startswith("</")
        if tag == "br":
            lines.append([])
        elif tag == "b":
            bold += -1 if closing else 1
        elif tag == "font":
            if closing:
                sizes.pop() if len(sizes) > 1 else None
            else:
                found = _POINT_SIZE.search(token)
                sizes.append(float(found.group(1)) if found else sizes[-1])
    return lines


@pure(16384)  # a journey's graph repeats its emotion and pain-point lines step after step
def label_widths(markup: str, size: float) -> tuple[float, float]:
    """(the engine's width, the drawn width) of a label's widest line, in points."""
    engine = drawn = 0.0
    for line in label_lines(markup, size):
        engine = max(engine, sum(engine_width(t, s, b) for t, s, b in line))
        drawn = max(drawn, sum(drawn_width(t, s, b) for t, s, b in line))
    return engine, drawn
