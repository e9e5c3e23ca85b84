"""Embeds: a view of a journey placed in a Markdown page by a fenced block.

A page written beside the maps (in mapgen's own site, or in a MkDocs site through the
plugin) shows a view of a journey where it has a block such as::

    ```mapgen
    journey: first-purchase
    view: emotion
    ```

This module only finds the blocks and reads them (:func:`embeds_in`, :func:`split`);
whether the journey and view exist is a rule of :mod:`mapgen.validate`
(``check_embeds``), and drawing them is the site's or :mod:`mapgen.api`'s. The block is
two ``key: value`` lines, not YAML: there is nothing else it may say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mapgen import diagrams
from mapgen.messages import drawn_messages
from mapgen.model import Journey, Workspace

#: An opening fence of three or more backticks or tildes whose info string is ``mapgen``;
#: its body; and a closing fence of the same characters, as far in. A fence four or more
#: spaces in is a block only inside something (:data:`_CONTAINER`); elsewhere it is an
#: indented code block, shown as it is written.
_BLOCK = re.compile(
    r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})[ \t]*mapgen[ \t]*\r?\n"
    r"(?P<body>(?:.*\r?\n)*?)"
    r"(?P=indent)(?P=fence)[`~]*[ \t]*(?:\r?\n|\Z)",
    re.MULTILINE)
KEYS = ("journey", "view")

@dataclass(frozen=True)
class OtherView:
    """A view drawn another way than :data:`mapgen.diagrams.VIEWS`: its title in English
    ("<title> of <journey title>", or message ``view.<name>`` where there is one: see
    :func:`mapgen.diagrams.title_of`) and ``draw(ws, journey)``, which gives its SVG (or
    HTML) text."""

    title: str
    draw: Callable[[Workspace, Journey], str]


def _canvas(ws: Workspace, journey: Journey) -> str:
    """The journey map (the canvas of the journey page) as the poster draws it, made
    page-ready as every diagram is (no fixed size, a title, ids of its own)."""
    from mapgen import poster  # fonts and writers, loaded only when a block asks for it
    from mapgen.diagrams.svg import finish

    drawn = poster.render(ws, journey, "svg").decode("utf-8")
    opening = re.search(r"<svg\b[^>]*>", drawn)
    if opening:  # finish gives it its role and names; the poster's own would come first
        tag = re.sub(r'\s(?:role|aria-labelledby)="[^"]*"', "", opening[0])
        drawn = drawn[:opening.start()] + tag + drawn[opening.end():]
    return finish(drawn, f"canvas-{journey.id}",
                  diagrams.title_of(ws, "canvas", OTHER_VIEWS["canvas"].title, journey),
                  drawn_messages(ws, journey).text("alt.canvas"))


#: Views of one journey drawn another way than :data:`mapgen.diagrams.VIEWS`. A view
#: added here can be embedded, and rendered by :func:`mapgen.api.render_view`, with no
#: other change.
OTHER_VIEWS: dict[str, OtherView] = {
    "canvas": OtherView("Journey map", _canvas),
}


def view_names() -> tuple[str, ...]:
    """Every view a block may name, read from the tables when asked."""
    return (*diagrams.VIEWS, *OTHER_VIEWS)


def per_journey(view: str) -> bool:
    """True when ``view`` is of one journey (it needs ``journey:``)."""
    return view in OTHER_VIEWS or diagrams.VIEWS[view].per_journey


@dataclass(frozen=True)
class Embed:
    """One ``mapgen`` block of a page: what it asks for and where it is."""

    journey: str | None
    view: str | None
    #: The line and column (1-based) of the opening fence in the text it was found in.
    line: int
    column: int
    #: The block's place in the text, as offsets.
    start: int
    end: int
    #: (line, column, what is wrong) for each line of the block that cannot be read.
    problems: tuple[tuple[int, int, str], ...] = ()
    #: Where each key's value is: key -> (line, column).
    places: tuple[tuple[str, int, int], ...] = ()

    def place(self, key: str) -> tuple[int, int]:
        """The line and column of ``key``'s value, or of the fence when it is not written."""
        return next(((line, col) for k, line, col in self.places if k == key),
                    (self.line, self.column))

    def title(self, ws: Workspace) -> str:
        """The caption of the view this (valid) block shows."""
        journey = ws.journeys[self.journey] if self.journey else None
        other = OTHER_VIEWS.get(str(self.view))
        if other is not None and journey is not None:
            return diagrams.title_of(ws, str(self.view), other.title, journey)
        return diagrams.describe(ws, diagrams.Request(str(self.view), journey))[0]

    @property
    def indent(self) -> str:
        """The spaces before the fence: what keeps its replacement inside an admonition,
        a content tab or a list item."""
        return " " * (self.column - 1)

    @property
    def name(self) -> str:
        """The diagram's name as the site knows it: ``emotion-first-purchase``."""
        return f"{self.view}-{self.journey}" if self.journey else str(self.view)


#: A line that opens something a fence four or more spaces in can sit inside: a list
#: item, an admonition (``!!!``, ``???``) or a content tab (``===``).
_CONTAINER = re.compile(r"[ \t]*(?:[-*+]|\d+[.)]|!!!|\?\?\?\+?|===)(?:[ \t]|$)")


def embeds_in(text: str) -> list[Embed]:
    """Every ``mapgen`` block of ``text``, in order."""
    return [_read(text, match) for match in _BLOCK.finditer(text) if _inside(text, match)]


def _inside(text: str, match: re.Match) -> bool:
    """Whether a fence is where Markdown reads it as a fence: less than four spaces in, or
    in a container (the first line above it that is less far in opens one)."""
    indent = len(match["indent"])
    if indent < 4:
        return True
    for line in reversed(text[:match.start()].splitlines()):
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            return bool(_CONTAINER.match(line))
    return False


def _read(text: str, match: re.Match) -> Embed:
    line = text.count("\n", 0, match.start()) + 1
    values: dict[str, str] = {}
    places, problems = [], []
    for offset, raw in enumerate(match["body"].splitlines(), start=1):
        content = raw.split(" #", 1)[0].rstrip()
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        key, colon, value = content.partition(":")
        key = key.strip()
        where = line + offset
        if not colon or key not in KEYS:
            problems.append((where, len(raw) - len(raw.lstrip()) + 1, (
                f'"{content.strip()}" is not one of the block\'s lines: write '
                "`journey: <journey id>` and `view: <view>`")))
            continue
        column = len(content) - len(value.lstrip()) + 1
        values[key] = value.strip().strip("\"'")
        places.append((key, where, column))
    return Embed(values.get("journey") or None, values.get("view") or None, line,
                 len(match["indent"]) + 1, match.start(), match.end(), tuple(problems),
                 tuple(places))


def split(text: str) -> list[str | Embed]:
    """``text`` as its Markdown pieces and its blocks, in order."""
    out: list[str | Embed] = []
    at = 0
    for embed in embeds_in(text):
        out.append(text[at:embed.start])
        out.append(embed)
        at = embed.end
    out.append(text[at:])
    return [part for part in out if part != ""]
