"""Layout: a journey's canvas (:mod:`mapgen.canvas`) placed on a landscape poster.

The poster reads like the journey maps teams pin on a wall: a title block with the
personas and a key, stage headers spanning their steps, a numbered header per step, then
one row per lane with its label on the left and a card per item in each step's column.
The emotion lane draws each persona's curve through the centres of the step columns,
with a face and the scale's label for every level; pain points carry their severity as an
icon shape and a word, never colour alone.

Sizes are in px. Text is wrapped with the real widths of the faces it is set in
(:mod:`mapgen.poster.fonts`) and every row grows to what it holds, so nothing is cut off
and nothing overflows. Columns widen, never shrink, until the poster is landscape.

mapgen's own words on it (lane names, "Key", severities, stage facts) and its figures are
in the journey's language (:func:`~mapgen.messages.drawn_messages`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass

import nh3

from mapgen.canvas import Canvas, Cell, Feeling, Lane, Touch
from mapgen.canvas import canvas as make_canvas
from mapgen.diagrams import style
from mapgen.messages import Messages, drawn_messages
from mapgen.model import Journey, Kpi, Opportunity, PainPoint, Workspace
from mapgen.poster.drawing import Circle, Drawing, Path, Rect, Text
from mapgen.poster.fonts import text_width, wrap
from mapgen.site.markup import render_markdown

MARGIN = 48
LABEL_WIDTH = 176
#: The narrowest step column; columns widen to make the poster landscape.
COLUMN = 216
GUTTER = 8
PAD = 9
CARD_GAP = 7
LEADING = 1.3
TITLE, HEADING, BODY, SMALL = 34, 16, 13, 10.5
#: Width over height, at least: A-series paper's landscape proportion.
LANDSCAPE = math.sqrt(2)
EMOTION_PLOT = 30  # px per level of the emotion scale
EMOTION_TOP = 48  # the highest level, below the lane's name
KEY_WIDTH = 300
#: The narrowest poster: room for the title block beside the key.
MIN_WIDTH = 1400
ICON = 12

INK, MUTED, RULE, PAPER = style.INK, style.MUTED, "#d0d7de", style.PAPER
STAGE_FILLS = ("#1f4e79", "#2e6b5a", "#5b3f86", "#8a4515", "#3d4a5c")
BANDS = ("#f6f8fa", "#ffffff")
LANE_FILLS = {
    "actions": "#e8f1fd", "thoughts": "#fff6c7", "motivations": "#e9f7e6",
    "touchpoints": "#f0ebfb", "pain_points": "#fdecea", "opportunities": "#e6f6ef",
    "kpis": "#eef1f4", "frontstage": "#eef1f4", "backstage": "#eef1f4", "support": "#eef1f4",
}
SEVERITY_INK = style.SEVERITY_COLOURS
#: A pain point's card by its severity, as the site's journey map fills it (mapgen.css).
SEVERITY_FILLS = {"critical": "#ffebe9", "high": "#fff1e5", "medium": "#fff8d6",
                  "low": "#f3f4f6"}


@dataclass(frozen=True)
class Card:
    """One item in a cell: an optional small-caps line above its text, an optional icon."""

    text: str
    fill: str
    kicker: str = ""
    kicker_ink: str = MUTED
    icon: str | None = None
    quote: bool = False


def poster(ws: Workspace, journey: Journey) -> Drawing:
    """The journey's canvas as a landscape poster."""
    words = drawn_messages(ws, journey)
    board = make_canvas(ws, journey, words)
    column = COLUMN
    for _ in range(4):  # wider columns wrap less, so the poster only gets flatter
        sheet = _Sheet(ws, board, column, words)
        wanted = max(LANDSCAPE * sheet.height, MIN_WIDTH)
        if sheet.width >= wanted:
            break
        steps = max(1, len(board.steps))
        column = math.ceil(column + (wanted - sheet.width) / steps)
    return sheet.draw()


# --- what the cards say -----------------------------------------------------------------

def cards(lane: str, items: Iterable[object], words: Messages) -> list[Card]:
    fill = LANE_FILLS.get(lane, "#eef1f4")
    out = []
    for item in items:
        if isinstance(item, Touch):
            out.append(Card(item.name, fill, item.channel_name.upper()))
        elif isinstance(item, PainPoint):
            out.append(Card(item.text, SEVERITY_FILLS[item.severity],
                            words.text(f"severity.{item.severity}").upper(),
                            SEVERITY_INK[item.severity], icon=item.severity))
        elif isinstance(item, Opportunity):
            priority = words.text("canvas.priority",
                                  priority=words.text(f"priority.{item.priority}"))
            status = words.text(f"opportunity.{item.status}")
            out.append(Card(item.text, fill, f"{priority} · {status}".upper()))
        elif isinstance(item, Kpi):
            figures = " · ".join(f for f in (item.value, item.target and words.text(
                "canvas.target", target=item.target)) if f)
            out.append(Card(figures or words.text("poster.no_figure"), fill, item.name.upper()))
        elif not isinstance(item, Feeling):
            out.append(Card(str(item), fill, quote=lane == "thoughts"))
    return out


def plain(markdown: str | None) -> str:
    """Markdown as the words it shows, on one line."""
    if not markdown:
        return ""
    text = html.unescape(nh3.clean(str(render_markdown(markdown)), tags=set()))
    return " ".join(text.split())


# --- the sheet ----------------------------------------------------------------------------

class _Sheet:
    """Where everything goes on a poster with step columns ``column`` px wide."""

    def __init__(self, ws: Workspace, board: Canvas, column: float, words: Messages):
        self.ws, self.board, self.column, self.words = ws, board, column, words
        self.left = MARGIN + LABEL_WIDTH
        columns = max(1, len(board.steps))
        self.width = self.left + columns * column + MARGIN
        #: The key sits right of the title, where it is seen first on a long poster too.
        self.key_x = min(self.width - MARGIN - KEY_WIDTH, MARGIN + 1200)
        self.text_width = self.key_x - MARGIN - 40
        self.title_lines = wrap(board.journey.title, self.text_width, TITLE, True)
        self.meta_lines = wrap(" · ".join(self._meta()), self.text_width, BODY + 1)
        self.objective = wrap(plain(board.journey.objective), min(980, self.text_width),
                              BODY + 1)
        self.header = max(self._header_lines()[-1].y + 30, MARGIN + self._key_height() + 16)
        self.stage_height = self._stage_height()
        self.step_height = max(self._step_height(s) for s in board.steps) if board.steps else 40
        self.lane_heights = [self._lane_height(lane) for lane in board.lanes]
        self.grid_top = self.header + self.stage_height + self.step_height
        self.height = self.grid_top + sum(self.lane_heights) + 28 + MARGIN

    # sizes ---------------------------------------------------------------------------

    def x(self, index: int) -> float:
        return self.left + index * self.column

    def inner(self, span: int = 1) -> float:
        """The width of a card's text in a cell of ``span`` columns."""
        return span * self.column - 2 * GUTTER - 2 * PAD

    def _stage_height(self) -> float:
        tallest = max((self._stage_lines(stage)[-1].y for stage in self.board.stages
                       if stage.span), default=0.0)
        return tallest + SMALL + PAD + GUTTER + 4

    def _stage_lines(self, stage, y: float = 0.0) -> list[Text]:
        """A stage header's text from ``y``: its name, phase and figures, and its goal."""
        x, width = self.x(stage.start) + GUTTER + PAD, stage.span * self.column - 2 * GUTTER
        room = width - 2 * PAD
        y += GUTTER + PAD + HEADING
        out = []
        for line in wrap(stage.name, room, HEADING, True):
            out.append(Text(x, y, line, HEADING, PAPER, bold=True))
            y += HEADING * LEADING
        y += 2
        for fact in _stage_facts(stage, self.words):
            for line in wrap(fact, room, SMALL, True):
                out.append(Text(x, y, line, SMALL, PAPER, bold=True))
                y += SMALL * LEADING
        y += 3
        for line in wrap(stage.goal or "", room, SMALL + 1):
            out.append(Text(x, y, line, SMALL + 1, PAPER))
            y += (SMALL + 1) * LEADING
        return out

    def _step_height(self, step) -> float:
        width = self.inner() - 28
        lines = len(wrap(step.name, width, BODY + 1, True)) * (BODY + 1) * LEADING
        notes = sum(len(wrap(n, width, SMALL, True)) * SMALL * LEADING
                    for n, _ in _step_notes(step, self.words))
        return max(lines + notes, 22) + 2 * PAD + 2 * GUTTER

    def _lane_height(self, lane: Lane) -> float:
        if lane.id == "emotion":
            return EMOTION_TOP + EMOTION_PLOT * max(1, len(self.board.levels) - 1) + 24
        title = len(wrap(lane.title, LABEL_WIDTH - 24, BODY + 1, True)) * (BODY + 1) * LEADING
        tallest = max((self._cell_height(cell, lane.id) for cell in lane.cells), default=0)
        return max(tallest + 2 * GUTTER, title + 2 * GUTTER + 8, 52)

    def _cell_height(self, cell: Cell, lane: str) -> float:
        found = cards(lane, cell.items, self.words)
        return sum(self._card_height(c, cell.span) for c in found) + CARD_GAP * max(
            0, len(found) - 1)

    def _card_height(self, card: Card, span: int) -> float:
        height = 2 * PAD + len(self._card_lines(card, span)) * BODY * LEADING
        if card.kicker:
            height += len(self._kicker_lines(card, span)) * SMALL * LEADING + 3
        return height

    def _card_lines(self, card: Card, span: int) -> tuple[str, ...]:
        text = f"“{card.text}”" if card.quote else card.text
        return wrap(text, self.inner(span), BODY) or ("",)

    def _kicker_lines(self, card: Card, span: int) -> tuple[str, ...]:
        room = self.inner(span) - (ICON + 5 if card.icon else 0)
        return wrap(card.kicker, room, SMALL, True)

    def _key_height(self) -> float:
        personas = len(self.board.curves) if self.board.lane("emotion") else 0
        pains = 1 if self.board.lane("pain_points") else 0
        return 18 + personas * 20 + pains * 40

    # drawing -------------------------------------------------------------------------

    def draw(self) -> Drawing:
        journey, words = self.board.journey, self.words
        steps = len(self.board.steps)
        description = words.text("alt.poster", journey=journey.title,
                                 stages=words.text("count.stages", len(journey.stages)),
                                 steps=words.text("count.steps", steps))
        drawing = Drawing(self.width, self.height, journey.title,
                          words.text("format.sentence", text=description),
                          self.ws.lang_of(journey))
        drawing.add(Rect(0, 0, self.width, self.height, fill=PAPER))
        self._draw_header(drawing)
        self._draw_bands(drawing)
        self._draw_stages(drawing)
        self._draw_steps(drawing)
        top = self.grid_top
        for lane, height in zip(self.board.lanes, self.lane_heights, strict=True):
            self._draw_lane(drawing, lane, top, height)
            top += height
        drawing.add(Text(MARGIN, self.height - MARGIN + 4, _footer(journey, steps, words),
                         SMALL, MUTED))
        return drawing

    def _header_lines(self) -> list[Text]:
        """The title, what the map is (personas, owner, status) and its objective."""
        out, y = [], MARGIN + TITLE
        for line in self.title_lines:
            out.append(Text(MARGIN, y, line, TITLE, INK, bold=True))
            y += TITLE * 1.2
        y -= 8
        for lines, colour in ((self.meta_lines, MUTED), (self.objective, INK)):
            for line in lines:
                out.append(Text(MARGIN, y, line, BODY + 1, colour))
                y += (BODY + 1) * LEADING
            y += 6
        return out

    def _draw_header(self, d: Drawing) -> None:
        d.add(*self._header_lines())
        self._draw_key(d, self.key_x, MARGIN)

    def _meta(self) -> list[str]:
        journey, words = self.board.journey, self.words
        people = [words.text("home.for", personas=", ".join(
            self._persona(c.persona) for c in self.board.curves))] if self.board.curves else []
        status = words.text(f"status.{journey.status}")
        return [words.text("journey.map"), *people, *(f for f in (
            journey.owner and words.text("canvas.stage_owner", owner=journey.owner),
            status[:1].upper() + status[1:], journey.period) if f)]

    def _persona(self, persona_id: str) -> str:
        """"Leo Marchetti, freelance designer": a persona's name and role."""
        persona = self.ws.personas.get(persona_id)
        if persona is None:
            return persona_id
        return f"{persona.name} ({persona.role})" if persona.role else persona.name

    def _draw_key(self, d: Drawing, x: float, y: float) -> None:
        """Which line is which persona, and what the severity icons mean."""
        if not (self.board.lane("emotion") or self.board.lane("pain_points")):
            return
        d.add(Text(x, y + 10, self.words.text("poster.key").upper(), SMALL, MUTED, bold=True))
        y += 26
        if self.board.lane("emotion"):
            for index, curve in enumerate(self.board.curves):
                colour, dash = _persona_look(index)
                d.add(Path(((x, y - 4), (x + 36, y - 4)), colour, 2.5, dash=dash))
                d.add(*_marker(index, x + 18, y - 4, colour))
                name = curve.persona_name
                d.add(Text(x + 46, y, name, _fitting(name, KEY_WIDTH - 46, BODY), INK))
                y += 20
        if self.board.lane("pain_points"):
            d.add(Text(x, y + 2, self.words.text("poster.severities"), SMALL, MUTED))
            cx = x
            for severity in ("critical", "high", "medium", "low"):
                word = self.words.text(f"severity.{severity}")
                d.add(*_severity_icon(severity, cx, y + 10))
                d.add(Text(cx + ICON + 4, y + 20, word, SMALL + 0.5, INK))
                cx += ICON + 10 + text_width(word, SMALL + 0.5)

    def _draw_bands(self, d: Drawing) -> None:
        """A tint behind each stage's columns, so a stage reads down the whole sheet."""
        bottom = self.grid_top + sum(self.lane_heights)
        for index, stage in enumerate(self.board.stages):
            if stage.span:
                d.add(Rect(self.x(stage.start), self.header, stage.span * self.column,
                           bottom - self.header, fill=BANDS[index % 2]))

    def _draw_stages(self, d: Drawing) -> None:
        y = self.header
        for index, stage in enumerate(self.board.stages):
            if not stage.span:
                continue
            x, width = self.x(stage.start) + GUTTER, stage.span * self.column - 2 * GUTTER
            d.add(Rect(x, y + GUTTER, width, self.stage_height - 2 * GUTTER,
                       fill=STAGE_FILLS[index % len(STAGE_FILLS)], radius=6))
            d.add(*self._stage_lines(stage, y))

    def _draw_steps(self, d: Drawing) -> None:
        y = self.header + self.stage_height
        stage_index = {s.id: i for i, s in enumerate(self.board.stages)}
        for step in self.board.steps:
            x = self.x(step.index) + GUTTER
            width = self.column - 2 * GUTTER
            d.add(Rect(x, y + GUTTER, width, self.step_height - 2 * GUTTER, fill=PAPER,
                       stroke=RULE, radius=6))
            colour = STAGE_FILLS[stage_index.get(step.stage_id, 0) % len(STAGE_FILLS)]
            d.add(Circle(x + PAD + 9, y + GUTTER + PAD + 9, 10, fill=colour))
            d.add(Text(x + PAD + 9, y + GUTTER + PAD + 13, str(step.index + 1), SMALL, PAPER,
                       bold=True, anchor="middle"))
            tx, ty = x + PAD + 26, y + GUTTER + PAD + BODY + 1
            for line in wrap(step.name, self.inner() - 28, BODY + 1, True):
                d.add(Text(tx, ty, line, BODY + 1, INK, bold=True))
                ty += (BODY + 1) * LEADING
            for note, colour in _step_notes(step, self.words):
                for line in wrap(note, self.inner() - 28, SMALL, True):
                    d.add(Text(tx, ty, line, SMALL, colour, bold=True))
                    ty += SMALL * LEADING

    def _draw_lane(self, d: Drawing, lane: Lane, top: float, height: float) -> None:
        if lane.line_above:
            self._draw_blueprint_line(d, lane.line_above, top)
        else:
            d.add(Path(((MARGIN, top), (self.width - MARGIN, top)), RULE, 1))
        d.add(Rect(MARGIN, top + 1, LABEL_WIDTH - GUTTER, height - 2, fill="#f0f3f6", radius=4))
        ty = top + GUTTER + BODY + 6
        for line in wrap(lane.title, LABEL_WIDTH - 24, BODY + 1, True):
            d.add(Text(MARGIN + 10, ty, line, BODY + 1, INK, bold=True))
            ty += (BODY + 1) * LEADING
        if lane.id == "emotion":
            self._draw_emotion(d, top, height)
            return
        for cell in lane.cells:
            y = top + GUTTER
            for card in cards(lane.id, cell.items, self.words):
                y += self._draw_card(d, card, self.x(cell.start) + GUTTER, y, cell.span)
                y += CARD_GAP

    def _draw_blueprint_line(self, d: Drawing, name: str, y: float) -> None:
        d.add(Path(((MARGIN, y), (self.width - MARGIN, y)), INK, 1.5, dash=(7, 4)))
        label = name.upper()
        d.add(Rect(self.left + 6, y - 8, text_width(label, SMALL, True) + 12, 16, fill=PAPER))
        d.add(Text(self.left + 12, y + 4, label, SMALL, INK, bold=True))

    def _draw_card(self, d: Drawing, card: Card, x: float, y: float, span: int) -> float:
        height = self._card_height(card, span)
        d.add(Rect(x, y, span * self.column - 2 * GUTTER, height, fill=card.fill, radius=5))
        if card.icon:
            d.add(Rect(x, y, 4, height, fill=SEVERITY_INK[card.icon]))
        ty = y + PAD + SMALL
        if card.kicker:
            tx = x + PAD
            if card.icon:
                d.add(*_severity_icon(card.icon, tx, ty - SMALL + 0.5))
                tx += ICON + 5
            for line in self._kicker_lines(card, span):
                d.add(Text(tx, ty, line, SMALL, card.kicker_ink, bold=True))
                ty += SMALL * LEADING
            ty += 3
        ty += BODY - SMALL
        for line in self._card_lines(card, span):
            d.add(Text(x + PAD, ty, line, BODY, INK))
            ty += BODY * LEADING
        return height

    def _draw_emotion(self, d: Drawing, top: float, height: float) -> None:
        board = self.board
        plot_top, plot_bottom = top + EMOTION_TOP, top + height - 24
        right = self.x(len(board.steps))

        def y_of(score: float) -> float:
            return plot_top + board.height(score) * (plot_bottom - plot_top)

        for level in board.levels:
            y = y_of(level.score)
            d.add(Path(((self.left, y), (right, y)), RULE, 1, dash=(3, 4)))
            label = level.label
            size = _fitting(label, LABEL_WIDTH - 64, SMALL + 0.5)
            d.add(Text(self.left - GUTTER - 26, y + 4, label, size, MUTED, anchor="end"))
            share = board.height(level.score)
            d.add(*_face(self.left - GUTTER - 13, y, 8, 1 - 2 * share))
        for index, curve in enumerate(board.curves):
            colour, dash = _persona_look(index)
            points = [(self.x(i) + self.column / 2, y_of(s)) if s is not None else None
                      for i, s in enumerate(curve.scores)]
            for run in _runs(points):
                if len(run) > 1:
                    d.add(Path(tuple(run), colour, 2.5, dash=dash))
            for point, score in zip(points, curve.scores, strict=True):
                if point is None:
                    continue
                if len(board.curves) > 1:
                    d.add(*_marker(index, *point, colour, len(board.curves)))
                    continue
                # One persona: a face per step, coloured by the feeling, with its label.
                low, high = board.levels[-1].score, board.levels[0].score
                fill, ink = style.emotion_fill(score, low, high)
                d.add(*_face(*point, 9, 1 - 2 * board.height(score), fill, ink))
                d.add(Text(point[0], point[1] + 22, _label(board, score), SMALL, MUTED,
                           anchor="middle"))


def _label(board: Canvas, score: int) -> str:
    return next((level.label for level in board.levels if level.score == score), str(score))


# --- small pieces --------------------------------------------------------------------------

def _fitting(text: str, room: float, size: float) -> float:
    """``size``, or smaller so that ``text`` fits ``room`` on one line (axis and key labels
    sit at a fixed height, so they cannot wrap)."""
    return min(size, room / max(1.0, text_width(text, 1)))


def _stage_facts(stage, words: Messages) -> list[str]:
    facts = []
    if stage.phase:
        facts.append(words.text(f"canvas.phase.{stage.phase}").upper())
    if stage.owner:
        facts.append(words.text("canvas.stage_owner", owner=stage.owner))
    if stage.duration:
        facts.append(words.text("canvas.duration", duration=stage.duration))
    if stage.reached is not None:
        facts.append(words.text("canvas.reached", stage.reached))
        if stage.drop_off is not None and stage.drop_off > 0:
            facts[-1] += " · " + words.text("poster.lost", stage.drop_off) + _share(stage, words)
    return facts


def _share(stage, words: Messages) -> str:
    """" (25 %)": the share of the previous stage's customers a stage lost, if known."""
    if stage.drop_off_share is None:
        return ""
    return f" ({words.text('format.percent', value=round(100 * stage.drop_off_share))})"


def _step_notes(step, words: Messages) -> list[tuple[str, str]]:
    """Who takes part (when the step names them), revisits, skips and exits of a step, in
    words, with their colour."""
    notes = [(words.text("canvas.taking_part", personas=", ".join(step.taking_part)),
              style.MUTED)] if step.taking_part else []
    for jump in step.jumps:
        back = jump.kind == "revisit"
        where = words.text("canvas.back_to" if back else "canvas.on_to", number=jump.index + 1)
        notes.append((f"{'←' if back else '→'} {where}", style.REVISIT))
    if step.exits:
        notes.append(("■ " + words.text("canvas.exits"), style.EXIT))
    return notes


def _footer(journey: Journey, steps: int, words: Messages) -> str:
    return " · ".join((journey.id, words.text("count.stages", len(journey.stages)),
                       words.text("count.steps", steps),
                       words.text("site.made_with", generator="mapgen")))


def _persona_look(index: int) -> tuple[str, tuple[float, float] | None]:
    colour = style.PERSONA_COLOURS[index % len(style.PERSONA_COLOURS)]
    pattern = style.PERSONA_DASHES[index % len(style.PERSONA_DASHES)].split()
    dash = (float(pattern[0]), float(pattern[1])) if pattern else None
    return colour, dash


def _runs(points: list) -> list[list]:
    """Consecutive points without a gap: a missing score breaks the line."""
    runs: list[list] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _marker(index: int, x: float, y: float, colour: str, personas: int = 1) -> list:
    """Each persona's points have their own shape, so lines differ without colour. Earlier
    personas' markers are larger: where two personas feel the same, both stay visible."""
    shape = style.PERSONA_MARKERS[index % len(style.PERSONA_MARKERS)]
    r = 5.5 + 2.5 * (personas - 1 - index)
    if shape == "square":
        return [Rect(x - r, y - r, 2 * r, 2 * r, fill=colour, stroke=PAPER, width=1.5)]
    if shape == "diamond":
        return [Path(((x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)),
                     PAPER, 1.5, fill=colour, closed=True)]
    if shape == "triangle":
        return [Path(((x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)), PAPER, 1.5,
                     fill=colour, closed=True)]
    if shape == "cross":
        return [Path(((x - r, y - r), (x + r, y + r)), colour, 3),
                Path(((x - r, y + r), (x + r, y - r)), colour, 3)]
    return [Circle(x, y, r, fill=colour, stroke=PAPER, width=1.5)]


def _severity_icon(severity: str, x: float, y: float) -> list:
    """The icon of a severity in an ICON-sized box at (x, y): the same shapes as the
    journey page (✖ critical, ▲ high, ◆ medium, ● low)."""
    colour, s, c = SEVERITY_INK[severity], ICON, ICON / 2
    if severity == "critical":
        return [Path(((x + 1, y + 1), (x + s - 1, y + s - 1)), colour, 3),
                Path(((x + 1, y + s - 1), (x + s - 1, y + 1)), colour, 3)]
    if severity == "high":
        return [Path(((x + c, y), (x + s, y + s), (x, y + s)), None, fill=colour, closed=True)]
    if severity == "medium":
        return [Path(((x + c, y), (x + s, y + c), (x + c, y + s), (x, y + c)), None,
                     fill=colour, closed=True)]
    return [Circle(x + c, y + c, c - 1, fill=colour)]


def _face(x: float, y: float, r: float, mood: float, fill: str = "#fff8d6",
          ink: str = INK) -> list:
    """A face for a feeling: ``mood`` 1 smiles, 0 is a straight mouth, -1 frowns."""
    mouth = [(x + dx, y + r * 0.35 + mood * r * 0.3 * (1 - (dx / (r * 0.5)) ** 2))
             for dx in (-r * 0.5, -r * 0.25, 0, r * 0.25, r * 0.5)]
    eye = max(1.1, r * 0.13)
    return [Circle(x, y, r, fill=fill, stroke=MUTED if fill == "#fff8d6" else PAPER, width=1),
            Circle(x - r * 0.35, y - r * 0.25, eye, fill=ink),
            Circle(x + r * 0.35, y - r * 0.25, eye, fill=ink),
            Path(tuple(mouth), ink, max(1.2, r * 0.15))]
