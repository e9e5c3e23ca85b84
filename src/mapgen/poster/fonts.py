"""Fonts: the faces the poster is set in, how wide text is in them, and where lines break.

Two faces, both installed from PyPI with mapgen (SIL Open Font License):

* **Arimo** (``fontpkg-arimo``): Latin, Greek, Cyrillic and Hebrew, with the same advance
  widths as Arial and Helvetica. A viewer that shows the SVG in Arial or Helvetica
  therefore breaks nothing we measured. It is a variable font; bold is its ``wght`` 700.
* **Noto Sans CJK JP** (``noto-cjk-sans-jp-regular``): Japanese, Chinese and Korean
  characters, which Arimo has none of. CJK glyphs are a full em wide in every CJK face, so
  a viewer's own CJK font fits as well.

Text that Arimo can set alone is measured with Arimo's advances. Text with a character
Arimo lacks is measured, character by character, at the widest advance either face gives
(a character neither face has counts as 1.25 em, an emoji's width): renderers differ in
which face they then use for its Latin letters (resvg uses the fallback face for the whole
run), and whichever they pick the text is no wider than measured. So text wrapped to a
box's width stays inside the box in the SVG, the PNG and the PDF.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import fontTools

from mapgen.cache import JSON, TEXT, Cache, code_fingerprint, digest

#: What the SVG asks for: our faces first, then the ones that share their widths.
FONT_FAMILY = ("Arimo, Arial, Helvetica, 'Liberation Sans', 'Noto Sans CJK JP', "
               "'Noto Sans JP', sans-serif")
#: Width of a character neither face has (emoji, most symbols), in em.
UNKNOWN_EM = 1.25
BOLD = 700


@dataclass(frozen=True)
class Face:
    """One font file, and what we need of it: advance widths by character."""

    name: str
    path: Path

    @functools.cached_property
    def _font(self):
        from fontTools.ttLib import TTFont

        return TTFont(str(self.path), lazy=True)

    @functools.cached_property
    def cmap(self) -> dict[int, str]:
        return self._font.getBestCmap()

    @functools.cached_property
    def units_per_em(self) -> int:
        return self._font["head"].unitsPerEm

    @functools.cached_property
    def _variable(self) -> bool:
        return "fvar" in self._font

    @functools.lru_cache(maxsize=4)  # noqa: B019 (faces live as long as the process)
    def _glyphs(self, weight: int):
        location = {"wght": weight} if self._variable else None
        return self._font.getGlyphSet(location=location)

    def has(self, char: str) -> bool:
        table = _widths_here.get(self.path)
        return ord(char) in (table if table is not None else self.cmap)

    def advance(self, char: str, weight: int) -> float | None:
        """The advance of ``char`` in em, or None when the face does not have it."""
        table = _widths_here.get(self.path)
        if table is not None and weight in (400, BOLD):
            widths = table.get(ord(char))
            return None if widths is None else widths[weight == BOLD]
        glyph = self.cmap.get(ord(char))
        if glyph is None:
            return None
        return self._glyphs(weight)[glyph].width / self.units_per_em

    def widths(self) -> dict[int, tuple[float, float]]:
        """The advance, regular and bold, of every character the face has, in em."""
        return {code: (self._glyphs(400)[glyph].width / self.units_per_em,
                       self._glyphs(BOLD)[glyph].width / self.units_per_em)
                for code, glyph in self.cmap.items()}


@functools.cache
def faces() -> tuple[Face, Face]:
    """(Arimo, Noto Sans CJK JP), from the packages that install them."""
    import fontpkg
    import noto_cjk_sans_jp_regular

    return (Face("Arimo", Path(fontpkg.path("Arimo"))),
            Face("Noto Sans CJK JP", Path(str(noto_cjk_sans_jp_regular.FONT_PATH))))


#: The cache kind of Arimo's advance widths (see :func:`use_widths`).
WIDTHS_KIND = "font-widths"
#: The advance widths read by this process, by font file.
_widths_here: dict[Path, dict[int, tuple[float, float]]] = {}


def use_widths(cache: Cache | None) -> None:
    """Measure with Arimo's advance widths as kept in ``cache`` (worked out from the
    font and kept there the first time). Working them out means opening the font and
    instancing its weight axis: a tenth of a second in each new process, where a build's
    posters are made, against a few milliseconds to read them as data."""
    sans = faces()[0]
    if cache is None or sans.path in _widths_here:
        return
    key = _font_key()
    table = _widths_from(cache.get(WIDTHS_KIND, key, key, JSON))
    if table is None:
        table = sans.widths()
        cache.put(WIDTHS_KIND, key, key, {str(code): list(pair) for code, pair
                                          in table.items()}, JSON)
        cache.save(latest={WIDTHS_KIND: 1})
    _widths_here[sans.path] = table
    _em.cache_clear()
    _mixed.cache_clear()


def _widths_from(kept: object) -> dict[int, tuple[float, float]] | None:
    """The widths as :func:`use_widths` keeps them; None for anything else (another
    version's, or a damaged entry: they are worked out again)."""
    if not isinstance(kept, dict) or not kept:
        return None
    try:
        return {int(code): (float(pair[0]), float(pair[1])) for code, pair in kept.items()}
    except (TypeError, ValueError, IndexError, KeyError):
        return None


@functools.lru_cache(maxsize=65536)
def _em(char: str, bold: bool, mixed: bool) -> float:
    """The advance of ``char`` in em: Arimo's, or in ``mixed`` text the widest of both."""
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufe0f":
        return 0.0
    weight = BOLD if bold else 400
    chosen = faces() if mixed else faces()[:1]
    widths = [w for face in chosen if (w := face.advance(char, weight)) is not None]
    return max(widths) if widths else UNKNOWN_EM


@functools.lru_cache(maxsize=16384)
def _mixed(text: str) -> bool:
    """True when Arimo lacks a character of ``text``. Renderers may then set all of it,
    Latin too, in the fallback face (resvg does), so each character counts at its widest."""
    if EMBEDDED.issuperset(text):  # most text: no character is looked up one by one
        return False
    sans = faces()[0]
    return not all(sans.has(char) or unicodedata.combining(char) for char in set(text))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide ``text`` is at ``size`` px, whichever of our faces draws each character."""
    return size * _ems(text, bold, _mixed(text))


#: The characters every embedded Arimo has: Latin-1, Latin Extended-A, punctuation and
#: the arrows and signs the poster uses. One cut serves every poster of a build.
EMBEDDED = frozenset(chr(c) for c in (
    *range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2027), *range(0x2030, 0x203B),
    0x20AC, 0x2122, 0x2190, 0x2192, 0x2212, 0x25A0))


def font_face_css(texts: Iterable[str], cuts: Cache | None = None) -> str:
    """An ``@font-face`` rule carrying Arimo as a WOFF data URL (regular and bold: the
    variable font keeps its weight axis), with :data:`EMBEDDED` and any other character
    of ``texts`` that Arimo has.

    With it every SVG viewer sets the Latin text in the face it was measured with, even
    one with neither Arial, Helvetica nor Liberation Sans (about 36 kB a poster). CJK
    characters are left to the viewer's own CJK face, which is as wide as Noto's.
    The cut is kept in ``cuts`` when given (see :func:`woff`).
    """
    sans = faces()[0]
    extra = frozenset(c for c in set("".join(texts)) - EMBEDDED if sans.has(c))
    return (f"@font-face{{font-family:{sans.name};font-weight:400 {BOLD};"
            f"src:url(data:font/woff;base64,{woff(extra, cuts)}) format('woff')}}")


def site_font(cuts: Cache | None = None) -> bytes:
    """Arimo cut down to :data:`EMBEDDED`, as a WOFF file: the face a site's diagrams are
    shown in where the browser has none of Helvetica's metric twins (a Linux machine or
    container with only DejaVu, whose wider letters ran out of Graphviz's boxes). The
    theme's stylesheet names it with ``@font-face``; the same cut as a poster's."""
    import base64

    return base64.b64decode(woff(frozenset(), cuts))


def site_font_key() -> str:
    """What :func:`site_font` is made from (the font, fontTools, mapgen's code)."""
    return _cut_key(frozenset())


#: The cache kind of font cuts, and how many of them a cache keeps.
CUT_KIND = "font-cut"
CUTS_KEPT = 16


def woff(extra: frozenset[str], cuts: Cache | None = None) -> str:
    """Arimo cut down to :data:`EMBEDDED` and ``extra``, as base64 WOFF: from ``cuts``
    when a cut of the same characters of the same font file was made before (cutting
    takes half a second in each new process, the longest part of a one-journey change's
    poster), else made now, and kept there."""
    if cuts is None:
        return _woff(extra)
    here = (extra, cuts.store.file)
    found = _cuts_here.get(here)
    if found is None:  # once a process and cache: a build's posters share one cut
        key = _cut_key(extra)
        found = cuts.get(CUT_KIND, key, key, TEXT)
        if found is None:
            found = _woff(extra)
            cuts.put(CUT_KIND, key, key, found, TEXT)
            cuts.save(latest={CUT_KIND: CUTS_KEPT})
        if len(_cuts_here) >= 64:  # posters of many scripts: keep it small
            _cuts_here.clear()
        _cuts_here[here] = found
    return found


#: The cuts this process has made or read, by their characters and cache file.
_cuts_here: dict[tuple[frozenset[str], object], str] = {}


@functools.lru_cache(maxsize=8)
def _cut_key(extra: frozenset[str]) -> str:
    """What a cut is made from: the font (see :func:`_font_key`) and the characters."""
    return digest(_font_key(), "".join(sorted(EMBEDDED | extra)))


@functools.cache
def _font_key() -> str:
    """What is made from Arimo depends on: mapgen's code, the font file, fontTools."""
    font = faces()[0].path
    stat = font.stat()
    return digest(code_fingerprint(), str(font), str(stat.st_size), str(stat.st_mtime_ns),
                  fontTools.version)


@functools.lru_cache(maxsize=8)
def _woff(extra: frozenset[str]) -> str:
    """Arimo cut down to :data:`EMBEDDED` and ``extra``, as base64 WOFF (half a second)."""
    import base64
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(faces()[0].path), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(EMBEDDED | extra)))
    subsetter.subset(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")


def face_for(char: str) -> Face:
    """The face a PDF sets ``char`` in: Arimo where it has the character, else Noto."""
    sans, cjk = faces()
    return sans if sans.has(char) or not cjk.has(char) else cjk


# --- line breaking --------------------------------------------------------------------

#: A break may come before or after each of these: CJK scripts put no spaces between words.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
#: Punctuation that must not start a line (Japanese kinsoku): it stays with what precedes.
_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》’”ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


#: A line may break after these inside a word (a long hyphenated name, an address).
_BREAK_AFTER = frozenset("-/")
#: White space a line may break at: not the no-break spaces that keep "75 %" or
#: "1 000" (French) together.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")
#: The pieces of a word of ASCII, where the only breaks are after a hyphen or a slash.
_ASCII_PIECES = re.compile(r"[^-/]*[-/]*")


def _units(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, space before it): words, single CJK characters, and the parts
    of a word after a hyphen or a slash."""
    units: list[tuple[str, bool]] = []
    for word_index, word in enumerate(w for w in _BREAKING_SPACE.split(text) if w):
        spaced = word_index > 0
        if word.isascii():  # no CJK, nothing that may not start a line
            pieces = [piece for piece in _ASCII_PIECES.findall(word) if piece]
            units += [(piece, spaced and i == 0) for i, piece in enumerate(pieces)]
            continue
        piece = ""
        for char in word:
            if piece and _breaks_between(piece[-1], char):
                units.append((piece, spaced))
                spaced, piece = False, ""
            piece += char
        if piece:
            units.append((piece, spaced))
    return units


def _breaks_between(before: str, char: str) -> bool:
    if char in _NO_LINE_START:
        return False
    return bool(_CJK.match(char) or _CJK.match(before)) or (
        before in _BREAK_AFTER and char not in _BREAK_AFTER)


@functools.lru_cache(maxsize=32768)  # a poster wraps each text twice: to size, to draw
def wrap(text: str, width: float, size: float, bold: bool = False) -> tuple[str, ...]:
    """``text`` broken into lines no wider than ``width`` px at ``size``.

    Lines break at spaces, between CJK characters and after a hyphen or slash inside a
    word; a word still wider than a line is broken between its characters. Runs of white space count as one space. A text with any
    character Arimo lacks is measured at the widest on every line (see the module).
    """
    mixed = _mixed(text)
    limit = width / size
    space = _em(" ", bold, mixed)
    lines: list[str] = []
    line, used = "", 0.0
    for piece, spaced in _units(text):
        gap = space if line and spaced else 0.0
        advance = _ems(piece, bold, mixed)
        if used + gap + advance <= limit:
            line, used = line + (" " if gap else "") + piece, used + gap + advance
            continue
        if line:
            lines.append(line)
        line, used = piece, advance
        while used > limit and len(line) > 1:
            head = _longest_fitting(line, limit, bold, mixed)
            lines.append(line[:head])
            line = line[head:]
            used = _ems(line, bold, mixed)
    if line:
        lines.append(line)
    return tuple(lines)


@functools.lru_cache(maxsize=65536)  # words recur from text to text and poster to poster
def _ems(text: str, bold: bool, mixed: bool) -> float:
    return sum(_em(char, bold, mixed) for char in text)


def _longest_fitting(text: str, limit: float, bold: bool, mixed: bool) -> int:
    """How many leading characters of ``text`` fit ``limit`` em (at least one)."""
    total = 0.0
    for index, char in enumerate(text):
        total += _em(char, bold, mixed)
        if total > limit:
            return max(1, index)
    return len(text)
