"""Style: the colours and fonts every view shares.

Emotions use ColorBrewer's RdYlBu diverging scheme, which stays distinguishable for the
common forms of colour blindness; every coloured mark also carries its label in text, so
colour is never the only signal.
"""

from __future__ import annotations

FONT = "Helvetica"
INK = "#1f2328"
MUTED = "#57606a"
LINE = "#8c959f"
PAPER = "#ffffff"
REVISIT = "#8250df"
EXIT = "#cf222e"

#: Worst to best: red, orange, pale yellow, light blue, blue (RdYlBu, 5 classes).
EMOTION_COLOURS = ("#d73027", "#fc8d59", "#fee090", "#91bfdb", "#4575b4")
#: Text colour that keeps 4.5:1 contrast on each of EMOTION_COLOURS.
EMOTION_INK = ("#ffffff", "#1f2328", "#1f2328", "#1f2328", "#ffffff")
SEVERITY_COLOURS = {"low": "#57606a", "medium": "#9a6700", "high": "#bc4c00", "critical": "#cf222e"}
#: Persona lines in the emotion curve: Okabe-Ito colours, distinct dashes and markers.
PERSONA_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
PERSONA_DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2")
PERSONA_MARKERS = ("circle", "square", "diamond", "triangle", "cross")


def emotion_index(score: float, low: int, high: int) -> int:
    """Which of the five colours a score on ``low..high`` gets."""
    if high <= low:
        return 2
    share = (score - low) / (high - low)
    return max(0, min(4, round(share * 4)))


def emotion_fill(score: float, low: int, high: int) -> tuple[str, str]:
    """(fill, text colour) for a score."""
    index = emotion_index(score, low, high)
    return EMOTION_COLOURS[index], EMOTION_INK[index]
