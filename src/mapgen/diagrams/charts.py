"""Charts: the views that are charts, not graphs, drawn as plain SVG by our own code.

* :func:`emotion_curve`: one line per persona across the journey's steps, the stages as
  bands behind them, the scale's labels (with emoticons) up the side. A step without a
  persona's score breaks that persona's line: a gap is not a neutral.
* :func:`funnel`: ``reached`` per stage, the drop-off between consecutive stages, and the
  biggest loss highlighted: where the business loses most customers.
* :func:`overview`: the workspace as a persona x journey matrix: one column per persona,
  one row per journey, a mark where a journey features a persona, and each journey's
  stages as a strip of chips. Its size and cost grow with the journeys, the personas and
  the links between them, nothing more (no layout engine, no empty cells drawn).

No layout engine is involved, so the geometry is fixed and simple: one column per step,
one row per stage (per journey, in the overview). Every piece of user text is escaped and shortened to fit its place
(the full text stays in a ``<title>`` tooltip), and every number is written with fixed
decimals, so the same journey always gives the same bytes. mapgen's own words and the
figures people read are in the journey's language (:func:`~mapgen.messages.drawn_messages`).

A right-to-left journey's charts are drawn left to right and then mirrored
(:func:`_mirrored`): the steps run from the right, the scale's labels stand on the right,
and ``direction="rtl"`` makes each text's anchor its right end.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from mapgen.cache import pure
from mapgen.diagrams import metrics, style, svg
from mapgen.diagrams.wrap import clip, wrap
from mapgen.messages import Messages, drawn_messages, load_messages
from mapgen.model import EmotionScale, Journey, Stage, Step, Workspace

FONT_FAMILY = svg.FONT_STACK  # the widths text is measured with; Arimo where none is there
#: Average advance of one character at the 11px body size, to decide where text is cut.
CHAR_WIDTH = 6.5
BAND_FILLS = ("#f6f8fa", "#eaeef2")
GRID = "#d0d7de"
#: The blue end of the emotion scale: 4.9:1 against white, so bars meet the 3:1 rule.
BAR_FILL = style.EMOTION_COLOURS[4]
#: Characters XML 1.0 cannot carry at all (YAML's "\x01" escapes can produce them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --- text ----------------------------------------------------------------------------

def _number(value: float) -> str:
    return f"{value:.1f}"


def _plain(text: str) -> str:
    """``text`` with the characters XML cannot carry replaced."""
    return _NOT_XML.sub("\ufffd", str(text))


@pure(16384)  # names and labels repeat across steps and journeys
def _escape(text: str) -> str:
    """Escape user text for SVG, and hide ``url(#`` from :func:`svg.finish`'s id rewrite."""
    return escape(_plain(text)).replace("url(#", "url(&#35;")


@pure(16384)
def _shorten(text: str, chars: int, lines: int = 1) -> tuple[str, ...]:
    """``text`` wrapped to ``lines`` lines of ``chars``; an ellipsis marks what was cut."""
    chars = max(2, chars)
    wrapped = wrap(" ".join(str(text).split()), chars) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = clip(wrapped[-1], chars - 1).rstrip() + "…"
    return tuple(wrapped)


def _text(x: float, y: float, lines: list[str], **attrs: str) -> str:
    """A ``<text>`` of one ``<tspan>`` per line; attribute names use ``_`` for ``-``."""
    extra = "".join(f' {key.replace("_", "-")}="{value}"' for key, value in attrs.items())
    spans = "".join(
        f'<tspan x="{_number(x)}" dy="{"0" if i == 0 else "1.2em"}">{_escape(line)}</tspan>'
        for i, line in enumerate(lines))
    return f'<text x="{_number(x)}" y="{_number(y)}"{extra}>{spans}</text>'


def _tooltip(text: str) -> str:
    return f"<title>{_escape(text)}</title>"


def _document(width: float, height: float, body: list[str], direction: str = "ltr") -> str:
    """The chart's SVG; a right-to-left one mirrored (see :func:`_mirrored`)."""
    size = f'width="{_number(width)}" height="{_number(height)}"'
    content = "".join(body)
    mirror = ""
    if direction == "rtl":
        content, mirror = _mirrored(content, width), ' direction="rtl"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" {size} '
            f'viewBox="0 0 {_number(width)} {_number(height)}" '
            f'font-family="{FONT_FAMILY}" font-size="11" fill="{style.INK}"{mirror}>'
            f'<rect {size} fill="{style.PAPER}"/>{content}</svg>')


_SHAPE = re.compile(r"<(rect|text|tspan|line|circle|polyline|polygon)\b([^>]*)>")
_X = re.compile(r' (x|x1|x2|cx)="(-?[0-9.]+)"')
_RECT_WIDTH = re.compile(r' width="([0-9.]+)"')
_POINTS = re.compile(r' points="([^"]*)"')


def _mirrored(body: str, width: float) -> str:
    """``body`` (our own chart markup) mirrored left to right within ``width``.

    Each x becomes ``width - x`` (a rectangle's its right edge's); text keeps its
    ``text-anchor``: in a ``direction="rtl"`` drawing "start" is the right end, which is
    where the left end of left-to-right text lands in the mirror.
    """
    def point(pair: str) -> str:
        x, y = pair.split(",")
        return f"{_number(width - float(x))},{y}"

    def shape(match: re.Match) -> str:
        name, attrs = match.groups()
        found = _RECT_WIDTH.search(attrs) if name == "rect" else None
        extent = float(found.group(1)) if found else 0.0
        attrs = _X.sub(lambda a: f' {a.group(1)}="{_number(width - float(a.group(2)) - extent)}"',
                       attrs)
        attrs = _POINTS.sub(lambda p: f' points="{" ".join(map(point, p.group(1).split()))}"',
                            attrs)
        return f"<{name}{attrs}>"

    return _SHAPE.sub(shape, body)


def _signed(score: int) -> str:
    """+1, 0, -1: a score as people write it."""
    return f"{score:+d}" if score else "0"


def _feeling(scale: EmotionScale, score: int) -> str:
    """"sad (-1)" on a labelled scale, "-1" on one without labels."""
    label, number = scale.label(score), _signed(score)
    return number if label == number else f"{label} ({number})"


def _tick_label(scale: EmotionScale, score: int) -> str:
    """"😠 angry" on a labelled scale, the number on one without labels."""
    return f"{scale.emoticon(score)} {scale.label(score)}".strip()


def _persona_name(workspace: Workspace, persona: str) -> str:
    found = workspace.personas.get(persona)
    return found.name if found else persona


# --- the emotion curve ---------------------------------------------------------------

STEP_LABEL_CHARS, STEP_LABEL_LINES, STEP_LABELS_HEIGHT = 16, 3, 70
TICK_CHARS, LEGEND_CHARS, LEGEND_ROW, LEGEND_LEFT = 20, 60, 22, 16
BAND_HEADER, MARGIN, MIN_TICK_GAP = 30, 16, 18


@dataclass(frozen=True)
class _Plot:
    """Where things go: one column per step, the scale from ``high`` (top) to ``low``."""

    steps: int
    low: int
    high: int
    left: float = 160
    top: float = 44
    column: float = 104
    height: float = 240

    @property
    def right(self) -> float:
        return self.left + self.column * max(1, self.steps)

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def x(self, index: int) -> float:
        return self.left + self.column * (index + 0.5)

    def y(self, score: float) -> float:
        share = (self.high - score) / max(1, self.high - self.low)
        return self.top + self.height * min(1.0, max(0.0, share))


def emotion_curve(workspace: Workspace, journey: Journey) -> str:
    """How each persona feels at each step of ``journey``, as finished SVG text."""
    scale = workspace.scale_of(journey)
    plot = _Plot(len(journey.steps), scale.min, scale.max)
    words = drawn_messages(workspace, journey)
    names = [_persona_name(workspace, persona) for persona in journey.personas]
    legend_top = plot.bottom + STEP_LABELS_HEIGHT
    width = max(plot.right + MARGIN, LEGEND_LEFT + 46 + LEGEND_CHARS * CHAR_WIDTH)
    height = legend_top + LEGEND_ROW * max(1, len(names))
    body = [_stage_bands(journey, plot), _emotion_axis(scale, plot, width),
            _step_labels(journey, plot)]
    body += [_persona_line(journey, scale, plot, index, name, words)
             for index, name in enumerate(names)]
    body.append(_legend(names, legend_top))
    direction = workspace.drawn_dir(journey)
    return svg.finish(_document(width, height, body, direction), f"emotion-{journey.id}",
                      _plain(words.text("view.emotion", journey=journey.title)),
                      _plain(_curve_description(workspace, journey, words)))


def _stage_bands(journey: Journey, plot: _Plot) -> str:
    out, first = [], 0
    for index, stage in enumerate(journey.stages):
        if stage.steps:
            out.append(_stage_band(stage, index, first, plot))
        first += len(stage.steps)
    return "".join(out)


def _stage_band(stage: Stage, index: int, first: int, plot: _Plot) -> str:
    left, width = plot.left + plot.column * first, plot.column * len(stage.steps)
    name = _shorten(stage.name, int((width - 12) / (CHAR_WIDTH + 0.5)))
    return (f'<g class="stage-band" data-stage="{_escape(stage.id)}">{_tooltip(stage.name)}'
            f'<rect x="{_number(left)}" y="{_number(plot.top - BAND_HEADER)}" '
            f'width="{_number(width)}" height="{_number(plot.height + BAND_HEADER)}" '
            f'fill="{BAND_FILLS[index % 2]}"/>'
            + _text(left + 6, plot.top - BAND_HEADER + 18, name, font_weight="bold")
            + "</g>")


def _emotion_axis(scale: EmotionScale, plot: _Plot, width: float) -> str:
    """A grid line and a label per score; on long scales every n-th, so labels never touch."""
    gap = plot.height / max(1, scale.max - scale.min)
    stride = max(1, math.ceil(MIN_TICK_GAP / gap))
    out = []
    for score in range(scale.min, scale.max + 1, stride):
        y, label = plot.y(score), _tick_label(scale, score)
        out.append(f'<line x1="{_number(plot.left)}" x2="{_number(width - MARGIN)}" '
                   f'y1="{_number(y)}" y2="{_number(y)}" '
                   f'stroke="{style.LINE if score == 0 else GRID}" stroke-width="1"/>')
        out.append(f'<g class="tick">{_tooltip(label)}'
                   + _text(plot.left - 8, y + 4, _shorten(label, TICK_CHARS),
                           text_anchor="end") + "</g>")
    return f'<g class="axis">{"".join(out)}</g>'


def _step_labels(journey: Journey, plot: _Plot) -> str:
    return "".join(
        f'<g class="step-label">{_tooltip(step.name)}'
        + _text(plot.x(i), plot.bottom + 16, _shorten(step.name, STEP_LABEL_CHARS,
                                                      STEP_LABEL_LINES),
                text_anchor="middle", font_size="10")
        + "</g>" for i, step in enumerate(journey.steps))


def _persona_style(index: int) -> tuple[str, str, str]:
    """(colour, dash pattern, marker): lines differ by more than colour; six and up cycle."""
    return (style.PERSONA_COLOURS[index % len(style.PERSONA_COLOURS)],
            style.PERSONA_DASHES[index % len(style.PERSONA_DASHES)],
            style.PERSONA_MARKERS[index % len(style.PERSONA_MARKERS)])


def _persona_scores(journey: Journey, scale: EmotionScale, persona: str) -> list[int | None]:
    """The persona's score at each step, ``None`` where the step has none for them."""
    return [step.scores(journey.personas, scale).get(persona) for step in journey.steps]


def _runs(scores: list[int | None]) -> list[list[tuple[int, int]]]:
    """(step index, score) runs between the gaps."""
    runs: list[list[tuple[int, int]]] = [[]]
    for index, score in enumerate(scores):
        if score is None:
            runs.append([])
        else:
            runs[-1].append((index, score))
    return [run for run in runs if run]


def _persona_line(journey: Journey, scale: EmotionScale, plot: _Plot, index: int,
                  name: str, words: Messages) -> str:
    persona = journey.personas[index]
    colour, dash, marker = _persona_style(index)
    # Personas who feel the same sit side by side instead of hiding each other.
    nudge = (index - (len(journey.personas) - 1) / 2) * 3

    def at(step: int, score: int) -> tuple[float, float]:
        return plot.x(step) + nudge, plot.y(score)

    runs = _runs(_persona_scores(journey, scale, persona))
    lines = "".join(_polyline([at(step, score) for step, score in run], colour, dash)
                    for run in runs if len(run) > 1)
    points = "".join(
        _marker(marker, *at(step, score), colour,
                words.text("emotion.point", persona=name, step=journey.steps[step].name,
                           feeling=_feeling(scale, score)))
        for run in runs for step, score in run)
    return (f'<g class="persona-line" data-persona="{_escape(persona)}">{_tooltip(name)}'
            f"{lines}{points}</g>")


def _polyline(points: list[tuple[float, float]], colour: str, dash: str) -> str:
    joined = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
    return (f'<polyline points="{joined}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-dasharray="{dash}" stroke-linejoin="round"/>')


_MARKER_CORNERS = {
    "diamond": ((0, -6), (6, 0), (0, 6), (-6, 0)),
    "triangle": ((0, -6), (6, 5), (-6, 5)),
    "cross": ((-5, -2), (-2, -2), (-2, -5), (2, -5), (2, -2), (5, -2), (5, 2), (2, 2),
              (2, 5), (-2, 5), (-2, 2), (-5, 2)),
}


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    """One point of a line, with what it means as its tooltip."""
    if shape == "circle":
        body = f'<circle cx="{_number(x)}" cy="{_number(y)}" r="5"'
    elif shape == "square":
        body = f'<rect x="{_number(x - 5)}" y="{_number(y - 5)}" width="10" height="10"'
    else:
        corners = " ".join(f"{_number(x + dx)},{_number(y + dy)}"
                           for dx, dy in _MARKER_CORNERS[shape])
        body = f'<polygon points="{corners}"'
    return (f'<g class="point">{_tooltip(tip)}{body} fill="{colour}" '
            f'stroke="{style.PAPER}" stroke-width="1"/></g>')


def _legend(names: list[str], top: float) -> str:
    out = []
    for index, name in enumerate(names):
        colour, dash, marker = _persona_style(index)
        row = top + LEGEND_ROW * index + 8
        out.append(
            f'<g class="legend-entry">{_tooltip(name)}'
            f'<line x1="{LEGEND_LEFT}" x2="{LEGEND_LEFT + 36}" y1="{_number(row)}" '
            f'y2="{_number(row)}" stroke="{colour}" stroke-width="2.5" '
            f'stroke-dasharray="{dash}"/>'
            + _marker(marker, LEGEND_LEFT + 18, row, colour, name)
            + _text(LEGEND_LEFT + 46, row + 4, _shorten(name, LEGEND_CHARS)) + "</g>")
    return f'<g class="legend">{"".join(out)}</g>'


def _curve_description(workspace: Workspace, journey: Journey, words: Messages) -> str:
    """Per persona, the lowest and highest point: the curve in one sentence each."""
    scale = workspace.scale_of(journey)
    parts = []
    for persona in journey.personas:
        name = _shorten(_persona_name(workspace, persona), 80)[0]
        scored = [(score, step) for score, step in
                  zip(_persona_scores(journey, scale, persona), journey.steps) if score is not None]
        if not scored:
            parts.append(words.text("emotion.none", persona=name))
            continue
        low = min(scored, key=lambda pair: pair[0])
        high = max(scored, key=lambda pair: pair[0])
        parts.append(words.text(
            "emotion.range", persona=name, lowest=_feeling(scale, low[0]),
            low_step=_step_name(low[1]), highest=_feeling(scale, high[0]),
            high_step=_step_name(high[1])))
    return words.text("format.sentence",
                      text="; ".join(parts) or words.text("emotion.no_personas"))


def _step_name(step: Step) -> str:
    return _shorten(step.name, 80)[0]


# --- the funnel ----------------------------------------------------------------------

BAR_HEIGHT, DROP_GAP, FUNNEL_TOP = 32, 36, 12
NAME_CHARS, BARS_LEFT, BARS_WIDTH, FIGURES_WIDTH = 26, 210, 400, 90


def funnel(journey: Journey, direction: str = "ltr", words: Messages | None = None
           ) -> str | None:
    """Customers reached per stage and lost between stages; ``None`` without figures.

    ``direction`` "rtl" puts the stage names on the right, the figures on the left;
    mapgen's words and the figures are in the language of ``words`` (English by default)."""
    stages = [stage for stage in journey.stages if stage.reached is not None]
    if not stages:
        return None
    words = words or load_messages("en")
    losses = [a.reached - b.reached for a, b in pairwise(stages)]
    biggest = _biggest_loss(losses)
    widest = max(stage.reached for stage in stages) or 1
    body = []
    for index, stage in enumerate(stages):
        top = FUNNEL_TOP + index * (BAR_HEIGHT + DROP_GAP)
        body.append(_funnel_bar(stage, top, widest, words))
        if index < len(losses):
            body.append(_drop_off(stage.reached, losses[index],
                                  top + BAR_HEIGHT + DROP_GAP / 2 + 4, index == biggest, words))
    height = 2 * FUNNEL_TOP + len(stages) * (BAR_HEIGHT + DROP_GAP) - DROP_GAP
    width = BARS_LEFT + BARS_WIDTH + FIGURES_WIDTH
    return svg.finish(_document(width, height, body, direction), f"funnel-{journey.id}",
                      _plain(words.text("view.funnel", journey=journey.title)),
                      _plain(_funnel_description(stages, losses, biggest, words)))


def _biggest_loss(losses: list[int]) -> int | None:
    """Index of the largest loss (the first on a tie); ``None`` when nobody is lost."""
    if not losses or max(losses) <= 0:
        return None
    return losses.index(max(losses))


def _funnel_bar(stage: Stage, top: float, widest: int, words: Messages) -> str:
    width = max(2.0, BARS_WIDTH * stage.reached / widest)
    left = BARS_LEFT + (BARS_WIDTH - width) / 2
    middle = top + BAR_HEIGHT / 2 + 4
    return (f'<g class="funnel-stage" data-stage="{_escape(stage.id)}">{_tooltip(stage.name)}'
            f'<rect x="{_number(left)}" y="{_number(top)}" width="{_number(width)}" '
            f'height="{BAR_HEIGHT}" rx="3" fill="{BAR_FILL}"/>'
            + _text(BARS_LEFT - 10, middle, _shorten(stage.name, NAME_CHARS),
                    text_anchor="end", font_weight="bold")
            + _text(BARS_LEFT + BARS_WIDTH + 10, middle, [words.number(stage.reached)])
            + "</g>")


def _drop_off(previous: int, lost: int, y: float, biggest: bool, words: Messages) -> str:
    text = _loss_text(previous, lost, words)
    x = BARS_LEFT + BARS_WIDTH / 2
    # Figures, and words of a language written left to right (mapgen ships no other):
    # left to right even in a right-to-left chart.
    if biggest:
        text = f"{text} · {words.text('funnel.biggest')}"
        return ('<g class="drop-off biggest">'
                + _text(x, y, [text], text_anchor="middle", font_weight="bold",
                        fill=style.EXIT, direction="ltr") + "</g>")
    return ('<g class="drop-off">'
            + _text(x, y, [text], text_anchor="middle", fill=style.MUTED, direction="ltr")
            + "</g>")


def _loss_text(previous: int, lost: int, words: Messages) -> str:
    """"−600 (67%)": customers lost and their share of the previous stage; "+100 (+10%)"
    where the funnel widens (the validator warns, the chart says so plainly)."""
    gained = "+" if lost < 0 else ""
    share = f" ({gained}{_percent(abs(lost), previous, words)})" if previous else ""
    return f"{gained or '−'}{words.number(abs(lost))}{share}"


def _percent(part: int, whole: int, words: Messages) -> str:
    share = 100 * part / whole
    value = "<1" if part and share < 0.5 else f"{share:.0f}"
    return words.text("format.percent", value=value)


def _funnel_description(stages: list[Stage], losses: list[int], biggest: int | None,
                        words: Messages) -> str:
    figures = "; ".join(f"{_shorten(stage.name, 80)[0]} {words.number(stage.reached)}"
                        for stage in stages)
    text = words.text("format.sentence", text=words.text("funnel.reaching", figures=figures))
    if biggest is None:
        return text
    before, after = (_shorten(stages[i].name, 80)[0] for i in (biggest, biggest + 1))
    loss = _loss_text(stages[biggest].reached, losses[biggest], words)
    return f"{text} " + words.text("format.sentence", text=words.text(
        "funnel.biggest_between", loss=loss, before=before, after=after))


# --- the overview --------------------------------------------------------------------

#: Text size everywhere in the overview: it is shown at its drawn size, so this is what a
#: reader sees (the browser tests ask for 10 px at least).
OVERVIEW_FONT = 11.0
#: Text is measured with Helvetica's widths (:func:`metrics.drawn_width`); DejaVu Sans,
#: what a browser draws with where neither Helvetica nor Arial is installed, is up to a
#: fifth wider. The overview makes room for that, so text never runs out of its cell.
WIDEST_FACE = 1.2
OV_MARGIN, OV_TITLE, OV_STATUS, OV_COLUMN, OV_STRIP = 16, 280, 80, 100, 360
OV_HEAD, OV_ROW, OV_PAD = 84, 26, 6
#: Columns of a persona's name in its header (two lines at most) and of a stage's chip.
OV_NAME_CHARS, OV_CHIP_CHARS = 12, 16
OV_CHIP_FILL, OV_STRIPE = "#eaeef2", "#f6f8fa"


def _counted(words: Messages, key: str, count: int) -> str:
    """The text of ``key`` for ``count``, the figure written as the language writes it."""
    return words.text(key, n=count, count=words.number(count))


def _width(text: str, bold: bool = False) -> float:
    """How wide a browser draws ``text`` in the overview, at most (see :data:`WIDEST_FACE`)."""
    return metrics.drawn_width(text, OVERVIEW_FONT, bold) * WIDEST_FACE


def _clipped(text: str, width: float, bold: bool = False) -> str:
    """``text`` on one line no wider than ``width`` px (see :func:`_width`); an ellipsis
    marks what was cut."""
    line = " ".join(_plain(text).split())
    if _width(line, bold) <= width:
        return line
    room, used = width - _width("…", bold), 0.0
    for index, char in enumerate(line):
        used += _width(char, bold)
        if used > room:
            return line[:index].rstrip() + "…"
    return line


def overview_inputs(ws: Workspace) -> tuple:
    """What the overview shows, as plain data, and all it is drawn from (see
    :func:`overview`): while this is the same, the overview is the same. Personas as (id,
    name, avatar), journeys as (id, title, status, persona ids, stages as (id, name)), and
    which way the site's diagrams run."""
    return (tuple((p.id, p.name, p.avatar or "") for p in ws.personas.values()),
            tuple((j.id, j.title, j.status, j.personas, j.stages) for j in ws.summaries.values()),
            ws.drawn_dir())


def overview(ws: Workspace, title: str, description: str) -> str:
    """Who goes through what: a persona x journey matrix, as finished SVG text, with
    ``title`` and ``description`` (its text alternative).

    One column per persona (avatar, name, how many journeys they take), one row per
    journey (title, status, a mark in the column of each persona it features, its
    stages as chips, as many as fit a fixed strip, then "+n"). Only what exists is drawn:
    a mark per link, a line per column, a stripe per other row. So its size grows as the
    journeys, the personas and the links between them, and no faster."""
    return _overview(*overview_inputs(ws), _plain(title), _plain(description),
                     drawn_messages(ws))


def _overview(personas: tuple, journeys: tuple, direction: str, title: str,
              description: str, words: Messages) -> str:
    column = {pid: index for index, (pid, _, _) in enumerate(personas)}
    counts = dict.fromkeys(column, 0)
    for journey in journeys:
        for pid in dict.fromkeys(journey[3]):
            if pid in counts:
                counts[pid] += 1
    grid = _Grid(len(personas))
    height = OV_HEAD + OV_ROW * len(journeys) + OV_PAD
    body = [_overview_head(grid, personas, counts, height, words)]
    body += [_overview_row(grid, index, journey, column, words)
             for index, journey in enumerate(journeys)]
    return svg.finish(_document(grid.width, height, body, direction), "overview", title,
                      description)


@dataclass(frozen=True)
class _Grid:
    """Where the overview's columns are, left to right (mirrored for right to left)."""

    personas: int

    @property
    def status(self) -> float:
        return OV_MARGIN + OV_TITLE

    def persona(self, index: int) -> float:
        """The left edge of a persona's column."""
        return self.status + OV_STATUS + OV_COLUMN * index

    @property
    def stages(self) -> float:
        return self.persona(self.personas)

    @property
    def width(self) -> float:
        return self.stages + OV_STRIP + OV_MARGIN


def _overview_head(grid: _Grid, personas: tuple, counts: dict[str, int],
                   height: float, words: Messages) -> str:
    """The column headers, a line between each two columns and one under the headers."""
    baseline = OV_HEAD - 10
    out = [_text(OV_MARGIN + OV_PAD, baseline, [words.text("overview.journey")], font_weight="bold"),
           _text(grid.status + OV_PAD, baseline, [words.text("overview.status")], font_weight="bold"),
           _text(grid.stages + OV_PAD, baseline, [words.text("overview.stages")], font_weight="bold")]
    for index, (pid, name, avatar) in enumerate(personas):
        left = grid.persona(index)
        middle = left + OV_COLUMN / 2
        lines = [_clipped(line, OV_COLUMN - 8, bold=True)
                 for line in _shorten(name, OV_NAME_CHARS, 2)]
        top = baseline - 15 - 13.2 * (len(lines) - 1)
        out.append(
            f'<g class="persona" id="persona-{_escape(pid)}" data-persona="{_escape(pid)}">'
            + _tooltip(name)
            + (_text(middle, top - 18, [avatar], text_anchor="middle", font_size="16")
               if avatar and len(avatar) < 8 else "")
            + _text(middle, top, lines, text_anchor="middle", font_weight="bold")
            + _text(middle, baseline, [_counted(words, "overview.persona_journeys", counts[pid])],
                    text_anchor="middle", fill=style.MUTED, direction="ltr")
            + "</g>")
    lines = [OV_MARGIN + OV_TITLE] + [grid.persona(i) for i in range(len(personas) + 1)]
    out += [f'<line x1="{_number(x)}" x2="{_number(x)}" y1="{OV_PAD}" '
            f'y2="{_number(height - OV_PAD)}" stroke="{GRID}"/>' for x in lines]
    out.append(f'<line x1="{OV_MARGIN}" x2="{_number(grid.width - OV_MARGIN)}" '
               f'y1="{OV_HEAD}" y2="{OV_HEAD}" stroke="{style.LINE}"/>')
    return f'<g class="head">{"".join(out)}</g>'


def _overview_row(grid: _Grid, index: int, journey: tuple, column: dict[str, int],
                  words: Messages) -> str:
    jid, title, status, personas, stages = journey
    top = OV_HEAD + OV_ROW * index
    baseline = top + OV_ROW / 2 + 4
    out = [f'<g class="journey" id="journey-{_escape(jid)}" data-journey="{_escape(jid)}">',
           _tooltip(title)]
    if index % 2:
        out.append(f'<rect x="{OV_MARGIN}" y="{_number(top)}" '
                   f'width="{_number(grid.width - 2 * OV_MARGIN)}" height="{OV_ROW}" '
                   f'fill="{OV_STRIPE}"/>')
    out.append(_text(OV_MARGIN + OV_PAD, baseline, [_clipped(title, OV_TITLE - 2 * OV_PAD)]))
    out.append(_text(grid.status + OV_PAD, baseline, [_clipped(words.text(f"status.{status}"),
                                                                  OV_STATUS - 2 * OV_PAD)],
                     fill=style.MUTED))
    for pid in dict.fromkeys(personas):
        if pid in column:
            x = grid.persona(column[pid]) + OV_COLUMN / 2
            out.append(f'<circle class="mark" data-persona="{_escape(pid)}" cx="{_number(x)}" '
                       f'cy="{_number(top + OV_ROW / 2)}" r="6" fill="{BAR_FILL}"/>')
    out.append(_stage_chips(grid.stages + OV_PAD, top, baseline, jid, stages, words))
    return "".join(out) + "</g>"


def _stage_chips(left: float, top: float, baseline: float, jid: str, stages: tuple,
                 words: Messages) -> str:
    """A journey's stages as chips in reading order, as many as fit the strip; "+n" for
    the rest. At most a strip's width of them, whatever the journey holds."""
    right = left + OV_STRIP - 2 * OV_PAD
    more = _counted(words, "overview.more_stages", len(stages))
    room_for_more = _width(more) + 4
    out, x = [], left
    for shown, (sid, name) in enumerate(stages):
        label = _shorten(name, OV_CHIP_CHARS)[0]
        width = _width(label) + 2 * OV_PAD
        last = shown == len(stages) - 1
        if x + width > (right if last else right - room_for_more):
            more = _counted(words, "overview.more_stages", len(stages) - shown)
            out.append(_text(x + _width(more) / 2, baseline, [more], text_anchor="middle",
                             fill=style.MUTED, direction="ltr"))
            break
        out.append(f'<g class="stage" id="stage-{_escape(jid)}-{_escape(sid)}">'
                   + (_tooltip(name) if label != name else "")
                   + f'<rect x="{_number(x)}" y="{_number(top + 4)}" width="{_number(width)}" '
                   f'height="{OV_ROW - 8}" rx="9" fill="{OV_CHIP_FILL}"/>'
                   + _text(x + OV_PAD, baseline, [label]) + "</g>")
        x += width + 4
    return "".join(out)
