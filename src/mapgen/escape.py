"""Escape: user text made safe for each output that is not HTML, one helper per output.

Titles, step names and pain points are written by anyone who can open a pull request, and
mapgen prints them where they could do more than be read: on a terminal, where an escape
sequence can clear the screen, retitle the window, hide a line or fake a finding; and in a
Markdown pull-request comment, where ``<script>``, ``# x`` or ``|`` would become markup.
Every such output passes user text through the helper of its kind, so it stays text:

* :func:`for_terminal`: one line, with escape sequences, control characters and the
  bidirectional overrides of "Trojan source" attacks removed;
* :func:`for_markdown`: one line of inline Markdown that shows exactly what was written.

(HTML is Jinja's and the diagrams' escaping; CSV cells are :mod:`mapgen.export`'s.)
"""

from __future__ import annotations

import re

#: Terminal escape sequences, in their 7-bit (ESC ...) and 8-bit (C1) forms: CSI (colours,
#: cursor moves, erasing), OSC, DCS, SOS, PM and APC strings (window titles, hyperlinks,
#: clipboard writes) up to their terminator, and two-character escapes (ESC c resets).
#: An unterminated string loses only its introducer: the rest is shown as the text it is.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])(?:[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c))?"
    r"|\x1b[ -/]*[0-~]?"
)
#: Characters that end or break a line, or move along it: each becomes one space.
_SPACING = re.compile("\r\n|[\t\n\v\f\r\x85\u2028\u2029]")
#: What is left to drop: C0 and C1 controls, DEL, and the bidirectional embeddings,
#: overrides and isolates that make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: The characters that start markup inside a line of GitHub's Markdown: HTML and autolinks
#: (<), entities (&), headings (#), emphasis and strikethrough, code, links and images,
#: table cells (|) and math ($). A backslash before any ASCII punctuation character shows
#: the character itself (CommonMark, 2.4). Text never starts a line here, so list and
#: block markers (- + 1. >) need nothing.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>#!|~&$]")


def for_terminal(text: object) -> str:
    """``text`` as one line a terminal shows as it is: no escape sequences, no controls."""
    text = _ESCAPE_SEQUENCE.sub("", str(text))
    return _CONTROL.sub("", _SPACING.sub(" ", text))


def for_markdown(text: object) -> str:
    """``text`` as inline Markdown that renders as the text itself: one line, with every
    character that could start HTML, a heading, a list, a table cell, a link, emphasis
    or code escaped."""
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), for_terminal(text))


def markdown_fence(content: str) -> str:
    """A code fence longer than any run of backticks in ``content``, so no line of it can
    close the block early (CommonMark, 4.5)."""
    longest = max((len(run) for run in re.findall("`+", content)), default=0)
    return "`" * max(3, longest + 1)
