"""Wrap: labels broken into lines by display width, as :func:`textwrap.wrap` breaks them.

Diagrams wrap every name, touchpoint and pain point they show: hundreds of thousands of
labels in a large workspace, where ``textwrap`` took a fifth of the time spent drawing.
Most labels are plain words separated by single spaces, none longer than a line; those
are wrapped here by a greedy loop that gives ``textwrap``'s lines exactly. Anything else
(hyphens, tabs, runs of spaces, a word longer than a line) goes to ``textwrap`` itself.

``textwrap`` counts characters, and a Japanese or Chinese character is drawn twice as wide
as a Latin one, and such text has no spaces to break at: text with wide characters is
wrapped by :func:`wrap_wide`, by display columns (see :mod:`mapgen.diagrams.metrics`).
"""

from __future__ import annotations

import textwrap

from mapgen.diagrams.metrics import char_columns, columns, has_wide

#: What may not start a line in Japanese and Chinese (closing brackets and punctuation,
#: small kana, the prolonged sound mark): kept with the character before.
NO_LINE_START = frozenset("、。，．・：；？！ー‐–—…）］｝〉》」』】〕〙〗〟’”"
                          "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々ゝゞヽヾ"
                          ",.:;?!)]}%")
#: What may not end a line (opening brackets): kept with the character after.
NO_LINE_END = frozenset("（［｛〈《「『【〔〘〖〝‘“([{")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (``textwrap.wrap`` for Latin text)."""
    if has_wide(text):
        return wrap_wide(text, width)
    if text.isprintable() and text.strip() == text and "  " not in text and "-" not in text:
        words = text.split(" ") if text else []
        if all(len(word) <= width for word in words):
            return _greedy(words, width)
    return textwrap.wrap(text, width, break_long_words=True)


def _greedy(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    line = None
    for word in words:
        if line is None:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    return lines + [line] if line is not None else lines


def wrap_wide(text: str, width: int) -> list[str]:
    """Text with CJK characters in lines of at most ``width`` columns.

    A line may break at a space or between two wide characters (CJK text has no
    spaces), never before closing punctuation nor after an opening bracket; a Latin word
    is kept whole unless it is longer than a line.
    """
    width = max(2, width)
    lines: list[str] = []
    line = ""
    for unit in _units(" ".join(text.split())):
        if unit == " ":
            line = line + " " if line else line
            continue
        if columns(line) + columns(unit) <= width:
            line += unit
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        for piece in _pieces(unit, width):  # a unit longer than a line is cut
            if line:
                lines.append(line)
            line = piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _units(text: str) -> list[str]:
    """What a line may not be broken inside: Latin words, single wide characters (with
    the punctuation that must stay with them), and the spaces between."""
    units: list[str] = []
    for char in text:
        wide = char_columns(char) > 1
        previous = units[-1] if units else ""
        if char == " " or not previous or previous == " ":
            units.append(char)
        elif char in NO_LINE_START or previous[-1] in NO_LINE_END or not (
                wide or char_columns(previous[-1]) > 1):
            units[-1] += char  # glued: punctuation, a bracket's content, a Latin word
        else:
            units.append(char)
    return units


def _pieces(unit: str, width: int) -> list[str]:
    """``unit`` cut into pieces of at most ``width`` columns."""
    pieces, piece = [], ""
    for char in unit:
        if piece and columns(piece) + char_columns(char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return pieces + [piece] if piece else pieces


def clip(line: str, width: int) -> str:
    """The start of ``line`` that fits in ``width`` columns."""
    if line.isascii():
        return line[:width]
    used = 0
    for index, char in enumerate(line):
        used += char_columns(char)
        if used > width:
            return line[:index]
    return line
