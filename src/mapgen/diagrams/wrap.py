"""Wrap: labels broken into lines, as :func:`textwrap.wrap` breaks them, only faster.

Diagrams wrap every name, touchpoint and pain point they show: hundreds of thousands of
labels in a large workspace, where ``textwrap`` took a fifth of the time spent drawing.
Most labels are plain words separated by single spaces, none longer than a line; those
are wrapped here by a greedy loop that gives ``textwrap``'s lines exactly. Anything else
(hyphens, tabs, runs of spaces, a word longer than a line) goes to ``textwrap`` itself.
"""

from __future__ import annotations

import textwrap


def wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width, break_long_words=True)``."""
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
