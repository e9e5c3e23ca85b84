"""Drawing: the poster as a flat list of shapes, in px, that each output format writes.

The layout (:mod:`mapgen.poster.layout`) decides everything: where each shape goes, how
each text is broken into lines. The writers (:mod:`mapgen.poster.writers`) only translate
these few shapes into SVG elements or PDF operators, so the SVG, the PNG made from it and
the PDF show the same poster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    width: float = 1.0
    radius: float = 0.0


@dataclass(frozen=True)
class Path:
    """A polyline, or a polygon when ``closed``; ``dash`` is "on off" lengths in px."""

    points: tuple[Point, ...]
    stroke: str | None = None
    width: float = 1.0
    fill: str | None = None
    closed: bool = False
    dash: tuple[float, float] | None = None


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str | None = None
    stroke: str | None = None
    width: float = 1.0


@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is its baseline. ``anchor``: "start", "middle" or "end"."""

    x: float
    y: float
    text: str
    size: float
    fill: str
    bold: bool = False
    anchor: str = "start"


Shape = Rect | Path | Circle | Text


@dataclass
class Drawing:
    """A poster: its size in px, what it is (for the SVG's title and the PDF's metadata)
    and its shapes, back to front."""

    width: float
    height: float
    title: str
    description: str
    lang: str = "en"
    shapes: list[Shape] = field(default_factory=list)

    def add(self, *shapes: Shape) -> None:
        self.shapes.extend(shapes)
