"""Canvas: one journey laid out as a journey map, as plain data.

A journey map is a grid: one column per step, under stage headers that span their
steps, and one row ("lane") per kind of thing teams write down about a step: actions,
thoughts, emotions, pain points... This module works out that grid once, from the model,
so every way of drawing it (the journey page, the printed poster, an exported SVG, PNG
or PDF) shows the same lanes in the same order with the same cells in the same columns.

Nothing here knows about HTML or pixels. Columns are counted in steps: a cell starts at
a step column (``start``, from 0) and covers ``span`` columns (1, or the whole stage for
a KPI). The emotion lane also carries what a curve needs: each persona's score per
column, where each score sits on the lane's height (:meth:`Canvas.height`), and each
column's piece of the curve in a box 100 units square (:attr:`CurvePoint.piece`), worked
out here once rather than for each cell of a page.

Use :func:`canvas` to make one: ``canvas(ws, journey)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from mapgen.messages import Messages, load_messages
from mapgen.model import (
    X_KEY_PREFIX, EmotionScale, Journey, LaneName, Workspace, describe_duration,
)

#: Every lane, in the default order: the customer's side first, then the blueprint.
LANES: tuple[str, ...] = get_args(LaneName)

#: The service-blueprint lanes, and how deep behind the customer each one lies. Between a
#: lane and a deeper one below it runs a line: message ``line.<depth>`` ("line of
#: visibility"). A lane's title is message ``lane.<lane>`` (see :mod:`mapgen.messages`).
BLUEPRINT_DEPTH = {"frontstage": 1, "backstage": 2, "support": 3}

#: A glyph for each default channel, shown beside its name; other channels get "•".
CHANNEL_ICONS = {
    "web": "🌐", "app": "📱", "email": "✉️", "sms": "💬", "social": "📣", "phone": "📞",
    "chat": "💭", "store": "🏬", "sales": "🤝", "post": "📮",
}
DEFAULT_CHANNEL_ICON = "•"

#: A shape per pain-point severity, so severity never rests on colour alone.
SEVERITY_ICONS = {"critical": "✖", "high": "▲", "medium": "◆", "low": "●"}
#: A shape per opportunity status.
STATUS_ICONS = {"idea": "○", "planned": "◔", "in-progress": "◑", "done": "●"}


@dataclass(frozen=True)
class StageHeader:
    """A stage above the step columns it spans."""

    id: str
    name: str
    #: "before", "during" or "after" the purchase, or None.
    phase: str | None
    goal: str | None
    #: Customers who reached the stage (``reached``), or None.
    reached: int | None
    #: Customers lost since the previous stage with a ``reached`` figure, and their share
    #: of that stage (0.25 for a quarter); None for the first such stage or without a
    #: figure. Negative when the funnel widens (the validator warns about it).
    drop_off: int | None
    drop_off_share: float | None
    #: The first step column of the stage and how many columns it spans (0 when empty).
    start: int
    span: int
    #: The team or role that owns the stage, and how long it takes as people say it
    #: ("3–6 months", "6 weeks" for P6W); None when the stage does not say.
    owner: str | None = None
    duration: str | None = None


@dataclass(frozen=True)
class Jump:
    """Where a step's ``next`` sends customers other than on to the following step."""

    step_id: str
    step_name: str
    #: The target's step column.
    index: int
    #: "revisit": back to this or an earlier step; "forward": on to a later step other
    #: than the following one (a branch or a skip).
    kind: str


@dataclass(frozen=True)
class StepColumn:
    """One step: a column of the canvas."""

    id: str
    name: str
    #: Position among all steps of the journey, from 0: the column.
    index: int
    stage_id: str
    #: The revisits and skips of the step's ``next``, in the order written.
    jumps: tuple[Jump, ...]
    #: True when ``next: []``: customers leave the journey here.
    exits: bool
    #: The names of the personas taking part, when the step names them (``personas``);
    #: empty when every persona of the journey does.
    taking_part: tuple[str, ...] = ()


@dataclass(frozen=True)
class Touch:
    """A touchpoint with its channel's name and icon."""

    channel: str
    channel_name: str
    icon: str
    name: str
    description: str | None


@dataclass(frozen=True)
class Feeling:
    """One persona's emotion at one step."""

    persona: str
    persona_name: str
    score: int
    label: str
    #: An emoticon for the label ("🙂"), or "" when the label has none.
    emoticon: str


@dataclass(frozen=True)
class Cell:
    """What a lane holds at one step (or, for KPIs, one stage).

    ``items`` depends on the lane: text (``str``) for actions, thoughts, motivations,
    frontstage, backstage and support; :class:`Touch` for touchpoints; :class:`Feeling`
    for emotion (one per persona with a score); the model's ``PainPoint``,
    ``Opportunity`` and ``Kpi`` for pain points, opportunities and KPIs.
    """

    start: int
    span: int
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Lane:
    """A row of the canvas: its cells, left to right, covering every step column once."""

    #: One of :data:`LANES`.
    id: str
    #: The lane's name in the workspace's language.
    title: str
    cells: tuple[Cell, ...]
    #: The blueprint line drawn above this lane ("line of visibility"...), or None.
    line_above: str | None
    #: How deep behind the customer the lane lies: 0 on the customer's side, 1 to 3 for
    #: frontstage, backstage and support (the line above is message ``line.<depth>``).
    depth: int = 0


@dataclass(frozen=True)
class Level:
    """A score of the emotion scale, as its axis shows it."""

    score: int
    label: str
    emoticon: str


@dataclass(frozen=True)
class Curve:
    """One persona's line across the emotion lane: a score per step column, or None."""

    persona: str
    persona_name: str
    scores: tuple[int | None, ...]


@dataclass(frozen=True)
class CurvePoint:
    """A curve at one step column, for drawings made of one piece per column.

    Heights are as :meth:`Canvas.height` gives them. ``before`` and ``after`` are the
    heights halfway to the neighbouring columns' points (the line crosses the column's
    edges there, so the pieces join up), or None where that neighbour has no score.
    """

    #: Position of the curve's persona in the journey's ``personas``, from 0.
    curve: int
    persona: str
    score: int
    height: float
    before: float | None
    after: float | None
    #: The persona's name and the score's label, as the point's tooltip shows them.
    persona_name: str = ""
    label: str = ""

    @property
    def piece(self) -> str:
        """The curve's piece in this step column, 100 wide and 100 high, as SVG path data:
        a smooth line from halfway to the previous point, level through this one, to
        halfway to the next. At the column's edges it runs along the line joining the two
        points, so the pieces of neighbouring columns meet without a kink."""
        h = self.height * 100
        if self.before is None:
            path = f"M50,{round(h, 2)}"
        else:
            b = self.before * 100
            path = f"M0,{round(b, 2)} C16.67,{round(b + (h - b) / 3, 2)} 33.33,{round(h, 2)} " \
                   f"50,{round(h, 2)}"
        if self.after is not None:
            a = self.after * 100
            path += f" C66.67,{round(h, 2)} 83.33,{round(a - (a - h) / 3, 2)} 100,{round(a, 2)}"
        return path


@dataclass(frozen=True)
class Canvas:
    """A journey as a journey map: stage headers, step columns and lanes, in order."""

    journey: Journey
    stages: tuple[StageHeader, ...]
    steps: tuple[StepColumn, ...]
    #: Only the lanes chosen (``lanes:`` in the journey, else in mapgen.yml, else all)
    #: that have something in them, in the chosen order.
    lanes: tuple[Lane, ...]
    #: The emotion scale from the highest score to the lowest: the emotion lane's axis.
    levels: tuple[Level, ...]
    #: One curve per persona of the journey, in the journey's order.
    curves: tuple[Curve, ...]

    def lane(self, lane_id: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.id == lane_id), None)

    def height(self, score: int) -> float:
        """Where ``score`` sits in the emotion lane: 0.0 at the top (the highest score)
        to 1.0 at the bottom (the lowest)."""
        top, bottom = self.levels[0].score, self.levels[-1].score
        return 0.5 if top == bottom else (top - score) / (top - bottom)

    def points(self, column: int) -> tuple[CurvePoint, ...]:
        """Where each curve passes through step column ``column`` (personas without a
        score there are left out)."""
        out = []
        labels = {level.score: level.label for level in self.levels}
        for index, curve in enumerate(self.curves):
            score = curve.scores[column]
            if score is None:
                continue
            here = self.height(score)
            out.append(CurvePoint(index, curve.persona, score, here,
                                  self._midway(curve, column - 1, here),
                                  self._midway(curve, column + 1, here),
                                  curve.persona_name,
                                  labels.get(score, f"{score:+d}" if score else "0")))
        return tuple(out)

    def _midway(self, curve: Curve, column: int, here: float) -> float | None:
        if not 0 <= column < len(curve.scores) or curve.scores[column] is None:
            return None
        return (here + self.height(curve.scores[column])) / 2


def canvas(ws: Workspace, journey: Journey, messages: Messages | None = None) -> Canvas:
    """The journey map of ``journey``, with the lanes its journey or config chooses, named
    in ``messages`` (by default mapgen's, in the workspace's language)."""
    messages = messages or load_messages(ws.config.lang)
    scale = ws.scale_of(journey)
    levels = tuple(Level(s, scale.label(s), scale.emoticon(s)) for s in reversed(scale.scores))
    scores = [s.scores(journey.personas, scale) for s in journey.steps]
    names = {p: _persona_name(ws, p) for p in journey.personas}
    curves = tuple(Curve(p, names[p], tuple(at.get(p) for at in scores))
                   for p in journey.personas)
    feelings = _feelings(journey, scale, scores, names)
    return Canvas(journey, _stage_headers(journey, messages), _step_columns(ws, journey),
                  _lanes(ws, journey, messages, feelings), levels, curves)


def chosen_lanes(ws: Workspace, journey: Journey) -> tuple[str, ...]:
    """The lane names asked for, in order, before empty lanes are left out."""
    names = journey.lanes or ws.config.lanes or LANES
    return tuple(dict.fromkeys(names))


def _stage_headers(journey: Journey, messages: Messages) -> tuple[StageHeader, ...]:
    def amount(n: int, unit: str) -> str:  # "12 Stunden": a duration's parts in words
        return messages.text(f"duration.{unit}", n=n)

    headers, start, previous = [], 0, None
    for stage in journey.stages:
        drop_off = share = None
        if stage.reached is not None and previous is not None:
            drop_off = previous - stage.reached
            share = drop_off / previous if previous else None
        headers.append(StageHeader(
            stage.id, stage.name, stage.phase, stage.goal, stage.reached, drop_off, share,
            start, len(stage.steps), stage.owner,
            describe_duration(stage.duration, amount) if stage.duration else None))
        start += len(stage.steps)
        previous = stage.reached if stage.reached is not None else previous
    return tuple(headers)


def _step_columns(ws: Workspace, journey: Journey) -> tuple[StepColumn, ...]:
    position = {step_id: i for i, step_id in enumerate(journey.step_ids)}
    names = {step.id: step.name for step in journey.steps}
    stage_ids = {step.id: stage.id for stage in journey.stages for step in stage.steps}
    columns = []
    for index, step in enumerate(journey.steps):
        jumps = tuple(
            Jump(target, names[target], position[target],
                 "revisit" if position[target] <= index else "forward")
            for target in step.next or () if target in position
            and position[target] != index + 1)
        taking_part = tuple(_persona_name(ws, p) for p in step.taking_part(journey.personas)
                            ) if step.personas is not None else ()
        columns.append(StepColumn(step.id, step.name, index, stage_ids.get(step.id, ""),
                                  jumps, step.next is not None and not step.next, taking_part))
    return tuple(columns)


def _lanes(ws: Workspace, journey: Journey, messages: Messages,
           feelings: list[tuple[Feeling, ...]]) -> tuple[Lane, ...]:
    lanes, depth = [], 0
    for name in chosen_lanes(ws, journey):
        if name == "kpis":
            cells = _stage_cells(journey)
        else:  # cells are made only for a lane that has something in it
            items = feelings if name == "emotion" else _step_items(ws, journey, name)
            cells = tuple(Cell(i, 1, found) for i, found in enumerate(items)) if any(items) else ()
        if not any(cell.items for cell in cells):
            continue
        lane_depth = BLUEPRINT_DEPTH.get(name, 0)
        line = messages.text(f"line.{lane_depth}") if lane_depth > depth else None
        depth = max(depth, lane_depth)
        title = own_lane_title(name) if name.startswith(X_KEY_PREFIX) else \
            messages.text(f"lane.{name}")
        lanes.append(Lane(name, title, cells, line, lane_depth))
    return tuple(lanes)


def own_lane_title(name: str) -> str:
    """The title of a lane of the team's own, from its field: "x-system-response" ->
    "System response"."""
    words = name.removeprefix("x-").replace("-", " ")
    return words[:1].upper() + words[1:]


def _own_items(journey: Journey, name: str) -> list[tuple[str, ...]]:
    """What a lane of the team's own shows at each step: the step's ``x-`` field of that
    name, as text (a list, an item a line; a mapping is no text, and not shown)."""
    items = []
    for step in journey.steps:
        value = step.extensions.get(name)
        values = value if isinstance(value, list | tuple) else [value]
        items.append(tuple(str(v) for v in values
                           if v is not None and v != "" and not isinstance(v, dict | list)))
    return items


def _stage_cells(journey: Journey) -> tuple[Cell, ...]:
    cells, start = [], 0
    for stage in journey.stages:
        if stage.steps:
            cells.append(Cell(start, len(stage.steps), stage.kpis))
        start += len(stage.steps)
    return tuple(cells)


def _step_items(ws: Workspace, journey: Journey, lane: str) -> list[tuple[Any, ...]]:
    """What ``lane`` shows at each step, in order (the emotion lane's: :func:`_feelings`)."""
    if lane.startswith(X_KEY_PREFIX):
        return _own_items(journey, lane)
    if lane == "touchpoints":
        return [tuple(_touch(ws, tp.channel, tp.name, tp.description) for tp in step.touchpoints)
                for step in journey.steps]
    items = []
    for step in journey.steps:
        value = getattr(step, lane)
        items.append(value if isinstance(value, tuple) else (value,) if value else ())
    return items


def _feelings(journey: Journey, scale: EmotionScale, scores: list[dict[str, int]],
              names: dict[str, str]) -> list[tuple[Feeling, ...]]:
    """The emotion lane at each step: a feeling for each persona with a score there, in the
    journey's order (one :class:`Feeling` per persona and score, shared by the steps)."""
    made: dict[tuple[str, int], Feeling] = {}

    def feeling(persona: str, score: int) -> Feeling:
        if (persona, score) not in made:
            made[persona, score] = Feeling(persona, names[persona], score, scale.label(score),
                                           scale.emoticon(score))
        return made[persona, score]

    return [tuple(feeling(p, at[p]) for p in journey.personas if p in at) for at in scores]


def _touch(ws: Workspace, channel: str, name: str, description: str | None) -> Touch:
    known = ws.channels.get(channel)
    return Touch(channel, known.name if known else channel,
                 CHANNEL_ICONS.get(channel, DEFAULT_CHANNEL_ICON), name, description)


def _persona_name(ws: Workspace, persona_id: str) -> str:
    persona = ws.personas.get(persona_id)
    return persona.name if persona else persona_id

