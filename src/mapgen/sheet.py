"""The journey as a table: one row per step, the layout ``export --format csv`` writes and
``import`` reads back without loss.

Every field of a journey has a column, derived from the model, so a field added to the
format gets a column without a change here:

* step fields under their own name (``actions``, ``thoughts``, ...); the step's id and
  name are ``step`` and ``step_name``; a touchpoint's channel is in ``channel``;
* stage fields as ``stage_<field>`` on the first row of each stage (``stage`` is its id);
  a blank stage cell continues the stage above, as merged cells do;
* journey fields as ``journey_<field>`` on the first row;
* ``x-`` fields as ``x-<name>``, ``stage_x-<name>`` and ``journey_x-<name>``;
* the emotion as ``emotion`` (one score for every persona) or ``emotion:<persona>``.

Several values in one cell are one per line. An item of a list (a pain point, a KPI, a
source) is written as its text alone when that says everything ("high: The form is
slow." for a pain point), else as a one-line YAML mapping
(``{id: slow-form, text: The form is slow., severity: high}``). A cell is decoded by the
same rules, so every cell written reads back as the value it came from.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from mapgen import wording
from mapgen.load import LoadError, load_text
from mapgen.model import Journey, Spec, Stage, Step, Touchpoint, X_KEY_PREFIX

STAGE_PREFIX, JOURNEY_PREFIX = "stage_", "journey_"
EMOTION, EMOTION_PREFIX = "emotion", "emotion:"
#: Columns every export has, even when the journey leaves them empty: the layout people
#: recognise. The others appear only when some step, stage or the journey has a value.
CORE = ("stage", "stage_name", "step", "step_name", "actions", "touchpoints", "channel",
        "pain_points", "opportunities")
#: The field whose text stands for the whole item when nothing else is set.
MAIN_TEXT = {"PainPoint": "text", "Opportunity": "text", "Kpi": "name", "Touchpoint": "name"}
SEVERITY_SHORTHAND = re.compile(r"^(low|medium|high|critical):\s+(\S.*)$", re.S)


#: Where a sheet's touchpoints of no known channel are kept (see RowReader).
X_TOUCHPOINTS = X_KEY_PREFIX + "touchpoints"


#: What an import says of a step scored none ("N/A" in Mermaid, a blank emotion cell).
NO_SCORE_SAID = ("no score: its step has no feeling (a gap in the curve, which "
                 "`mapgen validate` warns of: MG401)")


class CellError(ValueError):
    """A cell that cannot be read; the message says what to write instead."""


# --- the model's data, x- keys included -------------------------------------------------

def spec_data(item: Any, *, defaults: bool = False, skip: tuple[str, ...] = ()) -> Any:
    """``item`` as the plain data of a spec file: what a user would write, ``x-`` keys
    included (pydantic's own dump leaves them out). Without ``defaults``, fields that
    hold their default are left out, as a person writing the file would."""
    if isinstance(item, BaseModel):
        out = {}
        for name, info in type(item).model_fields.items():
            if name == "extensions" or name in skip:
                continue
            value = getattr(item, name)
            if not defaults and not info.is_required() and \
                    value == info.get_default(call_default_factory=True):
                continue
            out[name] = spec_data(value, defaults=defaults)
        out.update({k: _plain(v) for k, v in getattr(item, "extensions", {}).items()})
        return out
    return _plain(item, defaults)


def _plain(value: Any, defaults: bool = False) -> Any:
    if isinstance(value, BaseModel):
        return spec_data(value, defaults=defaults)
    if isinstance(value, (tuple, list)):
        return [_plain(v, defaults) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, defaults) for k, v in value.items()}
    return value


# --- what kind of column a field is ------------------------------------------------------

Kind = Literal["text", "int", "lines", "items", "yaml"]


def field_kind(annotation: Any) -> tuple[Kind, type[Spec] | None]:
    """How a field is written in a cell, from its type: text, a whole number, one text
    per line, one item per line, or YAML (anything else, read back exactly)."""
    ann = _bare(annotation)
    if ann is str or typing.get_origin(ann) is Literal:
        return "text", None
    if ann is int:
        return "int", None
    if typing.get_origin(ann) is tuple:
        (arg, *_) = typing.get_args(ann)
        arg = _bare(arg)
        if arg is str:
            return "lines", None
        if isinstance(arg, type) and issubclass(arg, Spec):
            return "items", arg
    return "yaml", None


def _bare(annotation: Any) -> Any:
    """The type under ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


@dataclass(frozen=True)
class Column:
    """One column of the layout: which level and field it holds, and how."""

    name: str
    level: Literal["journey", "stage", "step"]
    field: str
    kind: Kind
    item: type[Spec] | None = None


def _columns(model: type[Spec], level, prefix: str, named: dict[str, str],
             skip: tuple[str, ...]) -> list[Column]:
    out = []
    for name, info in model.model_fields.items():
        if name in skip or name == "extensions":
            continue
        kind, item = field_kind(info.annotation)
        out.append(Column(named.get(name, prefix + name), level, name, kind, item))
    return out


STEP_COLUMNS = _columns(Step, "step", "", {"id": "step", "name": "step_name"},
                        ("emotion", "touchpoints"))
STAGE_COLUMNS = _columns(Stage, "stage", STAGE_PREFIX, {"id": "stage"}, ("steps",))
JOURNEY_COLUMNS = _columns(Journey, "journey", JOURNEY_PREFIX, {}, ("id", "stages"))
TOUCHPOINTS = Column("touchpoints", "step", "touchpoints", "items", Touchpoint)
CHANNEL = Column("channel", "step", "channel", "lines")
#: Every named column, by its header.
COLUMNS: dict[str, Column] = {c.name: c for c in (
    *STAGE_COLUMNS, *STEP_COLUMNS, TOUCHPOINTS, CHANNEL, *JOURNEY_COLUMNS)}


def x_column(header: str) -> Column | None:
    """The column of an ``x-`` field: ``x-team``, ``stage_x-team``, ``journey_x-team``."""
    for level, prefix in (("journey", JOURNEY_PREFIX), ("stage", STAGE_PREFIX), ("step", "")):
        if header.startswith(prefix + X_KEY_PREFIX) and len(header) > len(prefix) + 2:
            return Column(header, level, header[len(prefix):], "yaml")
    return None


# --- cells -------------------------------------------------------------------------------

def encode(column: Column, value: Any) -> str:
    """The text of a cell holding ``value``; :func:`decode` gives the value back."""
    if value is None:
        return ""
    if column.kind == "text":
        return str(value)
    if column.kind == "int":
        return str(value)
    if column.kind == "lines":
        return "\n".join(encode_line(v) for v in value) if value else "[]"
    if column.kind == "items":
        return "\n".join(encode_item(column.item, v) for v in value)
    return flow(spec_data(value))


def decode(column: Column, cell: str) -> Any:
    """The value of a cell; raises :class:`CellError` saying what to write instead."""
    if column.kind == "text":
        return cell
    if column.kind == "int":
        try:
            return int(cell.strip().replace(",", "").replace("_", ""))
        except ValueError:
            raise CellError(f'"{cell}" is not a whole number; write one such as 1200') from None
    if column.kind == "lines":
        return [] if cell.strip() == "[]" else [decode_line(line) for line in _lines(cell)]
    if column.kind == "items":
        return [decode_item(column.item, line) for line in _lines(cell)]
    return read_flow(cell)


def _lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.splitlines() if line.strip()]


#: A list item's marker at the start of a line: "- ", "* ", "• ", "1. ", "2) ".
_BULLET = re.compile(r"^\s*(?:[-*+•‣◦▪●–—]|\d{1,2}[.)])\s+")
#: What ends a sentence: a line ending so is an item of its own.
_SENTENCE_ENDS = (".", "!", "?", ";", "。", "！", "？", "…")


#: The columns whose items are sentences, which people wrap over lines in a cell (the
#: others list names and ids: `maya` under `leo` is two personas).
PROSE = frozenset({"thoughts", "pain_points", "opportunities"})


def as_items(cell: str, wrapped: bool = True) -> str:
    """A cell's list as people write one in a sheet (a line each, or bulleted: "- ",
    "• ", "1."; with ``wrapped``, a sentence wrapped over two lines) as one item per
    line: the markers taken off, a line that goes on with the one before joined to it."""
    items: list[str] = []
    bulleted = wrapped and any(_BULLET.match(line) for line in cell.splitlines())
    for line in cell.splitlines():
        marker = _BULLET.match(line)
        text = line[marker.end():].strip() if marker else line.strip()
        if not text:
            continue
        if not marker and items and (bulleted or wrapped and _goes_on(items[-1], text)):
            items[-1] += " " + text
        else:
            items.append(text)
    return "\n".join(items)


def _goes_on(before: str, line: str) -> bool:
    """Whether ``line`` goes on with the sentence ``before`` (wrapped in its cell)."""
    return line[:1].islower() and not before.endswith(_SENTENCE_ENDS)


def encode_line(text: str) -> str:
    """One text of a list as one line: as written, or JSON-quoted when it would not
    read back the same (a line break inside, spaces around, a quote first)."""
    text = str(text)
    return text if decode_line(text) == text and "\n" not in text and text == text.strip() \
        and text and text != "[]" else json.dumps(text, ensure_ascii=False)


def decode_line(line: str) -> str:
    line = line.strip()
    if len(line) >= 2 and line[0] == line[-1] == '"':
        try:
            return str(json.loads(line))
        except ValueError:
            pass
    return line


def encode_item(model: type[Spec], item: Spec, skip: tuple[str, ...] = ()) -> str:
    """An item of a list as one line: its text alone when that reads back the same.
    ``skip``: fields another column holds (a touchpoint's channel)."""
    data = spec_data(item, skip=skip)
    held = {name: getattr(item, name) for name in skip}
    for short in _shorthands(model, data):
        try:
            if spec_data(model(**decode_item(model, short), **held), skip=skip) == data:
                return short
        except (CellError, ValueError):
            continue
    return flow(data)


def _shorthands(model: type[Spec], data: dict) -> list[str]:
    main = MAIN_TEXT.get(model.__name__)
    text = data.get(main) if main else None
    if not isinstance(text, str) or "\n" in text or text != text.strip() or not text:
        return []
    forms = [text]
    if model.__name__ == "PainPoint":
        forms.append(f"{data.get('severity', 'medium')}: {text}")
    return forms


def decode_item(model: type[Spec], line: str) -> dict[str, Any]:
    """The data of one item: a one-line mapping, or its text ("high: text" for a pain)."""
    if line.startswith("{"):
        value = read_flow(line)
        if isinstance(value, dict):
            return value
    main = MAIN_TEXT.get(model.__name__)
    if main is None:
        fields = ", ".join(n for n, i in model.model_fields.items() if i.is_required())
        raise CellError(f'"{line}" is not a mapping; write one per line such as '
                        f"{{{fields.replace(', ', ': ..., ')}: ...}}")
    if model.__name__ == "PainPoint":
        match = SEVERITY_SHORTHAND.match(line)
        if match:
            return {"text": match[2], "severity": match[1]}
    return {main: line}


def flow(value: Any) -> str:
    """``value`` as YAML on one line where it fits: ``{min: 1, max: 5}``."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True,
                          sort_keys=False, width=1 << 30)
    text = text.removesuffix("\n").removesuffix("\n...").strip()
    if "\n" not in text and _reads_back(text, value):
        return text
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML, read back exactly


def _reads_back(text: str, value: Any) -> bool:
    """PyYAML writes YAML 1.1; the loader reads 1.2: "0o17" is text to one, a number to
    the other. Such values are written as JSON instead."""
    try:
        return read_flow(text) == value
    except CellError:
        return False


def read_flow(cell: str) -> Any:
    try:
        return load_text(cell, "cell").data
    except LoadError as exc:
        raise CellError(exc.finding.message) from None


# --- a journey as rows -------------------------------------------------------------------

def journey_rows(journey: Journey) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of ``journey`` in the layout: every field, nothing lost."""
    rows: list[dict[str, str]] = []
    for stage in journey.stages or [None]:
        for index, step in enumerate((stage.steps if stage else ()) or [None]):
            row = step_cells(step) if step else {}
            if index == 0 and stage is not None:
                row.update(level_cells(stage, STAGE_COLUMNS, STAGE_PREFIX))
            rows.append(row)
    rows[0].update(level_cells(journey, JOURNEY_COLUMNS, JOURNEY_PREFIX))
    used = {name for row in rows for name, cell in row.items() if cell != ""}
    header = [c for c in _header_order(rows) if c in used or c in CORE]
    return header, [{c: row.get(c, "") for c in header} for row in rows]


def _header_order(rows: list[dict[str, str]]) -> list[str]:
    emotions = list(dict.fromkeys(k for row in rows for k in row if k.startswith(EMOTION)))
    extras = list(dict.fromkeys(k for row in rows for k in row if k not in COLUMNS
                                and not k.startswith(EMOTION)))
    steps = [c.name for c in STEP_COLUMNS]
    position = steps.index("actions") + 1
    return [*(c.name for c in STAGE_COLUMNS[:2]), *steps[:position], TOUCHPOINTS.name,
            CHANNEL.name, *emotions, *steps[position:],
            *(x for x in extras if not x.startswith((STAGE_PREFIX, JOURNEY_PREFIX))),
            *(c.name for c in STAGE_COLUMNS[2:]),
            *(x for x in extras if x.startswith(STAGE_PREFIX)),
            *(c.name for c in JOURNEY_COLUMNS),
            *(x for x in extras if x.startswith(JOURNEY_PREFIX))]


def level_cells(item: Spec, columns: list[Column], prefix: str) -> dict[str, str]:
    data = spec_data(item, defaults=False)
    cells = {c.name: encode(c, getattr(item, c.field)) for c in columns if c.field in data}
    cells.update({prefix + k: flow(v) for k, v in item.extensions.items()})
    return cells


def step_cells(step: Step) -> dict[str, str]:
    cells = level_cells(step, STEP_COLUMNS, "")
    if step.touchpoints:
        cells[TOUCHPOINTS.name] = "\n".join(encode_item(Touchpoint, tp, ("channel",))
                                             for tp in step.touchpoints)
        cells[CHANNEL.name] = "\n".join(encode_line(tp.channel) for tp in step.touchpoints)
    if isinstance(step.emotion, dict):
        cells.update({EMOTION_PREFIX + p: flow(s) for p, s in step.emotion.items()})
    elif step.emotion is not None:
        cells[EMOTION] = flow(step.emotion)
    return cells


# --- formulas ---------------------------------------------------------------------------

#: What a spreadsheet runs as a formula when a cell starts with it (OWASP, "CSV injection").
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise_formula(cell: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading
    single quote (OWASP's rule). A plain number (``-1``) runs nothing and stays a number.
    Cells that already start with quotes before such a character get one more, so
    :func:`restore_formula` can always take exactly one off."""
    if FORMULA_START.match(cell) and not NUMBER.match(cell):
        return "'" + cell
    return cell


def restore_formula(cell: str) -> str:
    """The text :func:`neutralise_formula` was given."""
    if cell.startswith("'") and FORMULA_START.match(cell[1:]) and not NUMBER.match(cell[1:]):
        return cell[1:]
    return cell


# --- rows as a journey -------------------------------------------------------------------

@dataclass
class Problem:
    """A cell that cannot be read: where (``row`` and ``column`` as the sheet shows them)
    and what to write instead."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class Context(typing.Protocol):
    """What reading rows needs from the workspace being imported into."""

    def persona(self, text: str) -> str: ...
    def emotion(self, text: str) -> Any: ...
    def touchpoint(self, line: str) -> tuple[str, str] | None: ...
    def channel(self, text: str) -> str | None: ...
    def make_id(self, name: str, kind: str, taken: set[str]) -> str: ...


@dataclass
class Cell:
    """A non-blank cell: its text and where the sheet shows it."""

    text: str
    row: int
    column: str


class RowReader:
    """Turns rows of cells keyed by column names (of :data:`COLUMNS`, ``emotion``,
    ``emotion:<persona>``, ``x-`` names) into the data of a journey spec."""

    def __init__(self, context: Context, step_header: str = "step_name",
                 actions_name: bool = False, exact: bool = False):
        """``step_header``: what the sheet calls its step column, for messages;
        ``actions_name``: the sheet has no step column, and its actions name the steps;
        ``exact``: the layout mapgen writes, whose emotions are read as written (a label
        stays a label) instead of through the workspace's scale."""
        self.context = context
        self.step_header, self.actions_name = step_header, actions_name
        self.exact = exact
        self.journey: dict[str, Any] = {}
        self.stages: list[dict[str, Any]] = []
        self.problems: list[Problem] = []
        #: What was kept otherwise than asked (a touchpoint of no known channel).
        self.notes: list[Problem] = []
        self.generated: set[int] = set()  # ids made here, not written in the sheet
        self.cells: dict[int, dict[str, Cell]] = {}  # id(item) -> field -> its cell
        #: The steps' emotion cells that say no feeling (blank, "-"): said when a step
        #: elsewhere has one, as then they are gaps in a curve.
        self.gaps: list[Problem] = []
        #: Whether the feelings are written as signs (+, ++): then "-" is one, not a blank.
        self.signs = False

    def read(self, rows: list[dict[str, Cell]]) -> dict[str, Any]:
        self.signs = wording.scores_with_signs(
            [cell.text for row in rows for name, cell in row.items() if name.startswith(EMOTION)])
        for row in rows:
            self._row({k: c for k, c in row.items()
                       if c.text.strip() or k.startswith(EMOTION) and not self.exact})
        if not self.exact:
            self._without_empty_stages()
        if any("emotion" in step for stage in self.stages for step in stage["steps"]):
            self.notes += self.gaps
        self._unique_generated_ids()
        self._check(Journey, self.journey, {"id": "j", "title": "t"})
        for stage in self.stages:
            self._check(Stage, stage)
            for step in stage["steps"]:
                self._check(Step, step)
        return {**self.journey, "stages": self.stages}

    def _check(self, model: type[Spec], item: dict, stand_ins: dict | None = None) -> None:
        """Report what the format refuses in the cells it came from (a phase "Later", a
        severity "huge"), with the format's own message. ``stand_ins``: what is checked
        elsewhere (a journey's id, its title); stages and steps are checked one by one."""
        from mapgen.load import Document
        from mapgen.validate import check_document

        data = {k: v for k, v in item.items() if k not in ("stages", "steps")}
        _, findings = check_document(Document("sheet", data), model, **(stand_ins or {}))
        cells = self.cells.get(id(item), {})
        for found in findings:
            cell = cells.get(re.split(r"[.\[]", found.location.path)[0])
            if cell is not None:
                self.problems.append(Problem(cell.row, cell.column, found.message))

    def _row(self, row: dict[str, Cell]) -> None:
        said = {k: c for k, c in row.items() if not self._no_feeling(k, c)}
        if not said:
            return
        levels: dict[str, dict[str, Cell]] = {"journey": {}, "stage": {}, "step": {}}
        for name, cell in said.items():
            levels[_level_of(name)][name] = cell
        self._fill(self.journey, levels["journey"])
        if levels["stage"]:
            self._stage(levels["stage"])
        if levels["step"]:
            unsaid = {k: c for k, c in row.items() if k not in said}
            self._step({**levels["step"], **unsaid})

    def _no_feeling(self, name: str, cell: Cell) -> bool:
        """Whether ``cell`` is an emotion cell that gives no feeling: blank, or what
        templates leave in an empty cell ("-", "--", "n/a"; in a sheet that scores with
        signs, "-" and "--" are feelings)."""
        text = cell.text.strip().casefold()
        return name.startswith(EMOTION) and not self.exact and (
            not text or text in wording.PLACEHOLDERS and not (
                self.signs and text in wording.SIGNS))

    def _value(self, name: str, cell: Cell) -> Any:
        column = COLUMNS.get(name) or x_column(name)
        if not self.exact and name not in COLUMNS:  # a column of a sheet's own: its text
            return cell.text.strip()
        text = cell.text if self.exact or column.kind not in ("lines", "items") else \
            as_items(cell.text, wrapped=name in PROSE)
        try:
            return decode(column, text)
        except CellError as exc:
            self.problems.append(Problem(cell.row, cell.column, str(exc)))
            return None

    def _fill(self, target: dict[str, Any], cells: dict[str, Cell]) -> None:
        where = self.cells.setdefault(id(target), {})
        for name, cell in cells.items():
            value = self._value(name, cell)
            if value is not None and _field_of(name) not in target:
                target[_field_of(name)] = value
                where[_field_of(name)] = cell

    def _stage(self, cells: dict[str, Cell]) -> None:
        ident = cells["stage"].text.strip() if "stage" in cells else None
        name = cells["stage_name"].text.strip() if "stage_name" in cells else None
        current = self.stages[-1] if self.stages else None
        if current is None or (ident or name) and (
                (ident and ident != current["id"]) or (name and name != current["name"])):
            current = {"id": ident, "name": name or ident, "steps": []}
            if not ident:
                self.generated.add(id(current))
            self.cells[id(current)] = {"id": cells.get("stage"), "name": cells.get("stage_name")}
            self.stages.append(current)
        self._fill(current, {k: c for k, c in cells.items() if k not in ("stage", "stage_name")})

    def _step(self, cells: dict[str, Cell]) -> None:
        step: dict[str, Any] = {}
        name = cells.pop("step_name", None)
        if name is None and "actions" in cells and self.actions_name:
            name = cells.pop("actions")
        if name is None:
            first = next(iter(cells.values()))
            self.problems.append(Problem(first.row, first.column, "this row has no step "
                                         f"name; fill in the {self.step_header} column"))
            return
        if not self.stages:
            self.problems.append(Problem(name.row, name.column, f'no stage for the step '
                                         f'"{name.text.strip()}"; fill in the stage column'))
            return
        step["name"] = name.text.strip() if "\n" not in name.text.strip() else name.text
        if "step" in cells:
            self.cells[id(step)] = {"id": cells["step"]}
            step["id"] = cells.pop("step").text.strip()
        self._touchpoints(step, cells.pop("touchpoints", None), cells.pop("channel", None))
        self._emotion(step, {k: cells.pop(k) for k in list(cells) if k.startswith(EMOTION)})
        self._fill(step, cells)
        if "id" not in step:
            self.generated.add(id(step))
        self.stages[-1]["steps"].append(step)

    def _touchpoints(self, step: dict, names: Cell | None, channels: Cell | None) -> None:
        """The step's touchpoints from its cells; what is said of them names the cell it is
        about (with the stages as columns, a row of its own)."""
        if names is None and channels is not None:  # a Channel column and no Touchpoint
            names, channels = channels, None         # one: each channel is a touchpoint
        if names is None:
            return
        lines = _lines(names.text if self.exact else as_items(names.text, wrapped=False))
        if channels is not None:
            ids = [decode_line(line) for line in _lines(
                channels.text if self.exact else as_items(channels.text, wrapped=False))]
            if len(ids) != len(lines):
                self.problems.append(Problem(channels.row, channels.column, (
                    f"{len(lines)} touchpoint(s) but {len(ids)} channel(s); write one "
                    "channel per touchpoint, one per line")))
                return
            if not self.exact:  # "Website", "in person": a channel's name, or a hint
                lines, ids = self._known_channels(step, lines, ids, channels.row,
                                                  channels.column)
        else:
            lines, ids = self._guess_channels(step, lines, names.row, names.column)
        touchpoints = []
        for line, channel in zip(lines, ids, strict=True):
            try:
                data = decode_item(Touchpoint, line) if channels is not None else {"name": line}
            except CellError as exc:
                self.problems.append(Problem(names.row, names.column, str(exc)))
                return
            touchpoints.append({"channel": channel, **data})
        if touchpoints:
            step["touchpoints"] = touchpoints

    def _known_channels(self, step: dict, lines: list[str], written: list[str], row: int,
                        column: str) -> tuple[list[str], list[str]]:
        """(names, channel ids) of the touchpoints whose Channel cell names a channel of
        the workspace, by id or name or a word that tells one ("in person" -> store)."""
        return self._kept_apart(step, row, column, [
            (line, self.context.channel(text),
             f'no channel "{text}" in the workspace; the touchpoint "{line}" is kept as '
             "`x-touchpoints` on the step: write one of its channels, or declare this one "
             "under `channels` in mapgen.yml")
            for line, text in zip(lines, written, strict=True)])

    def _guess_channels(self, step: dict, lines: list[str], row: int,
                        column: str) -> tuple[list[str], list[str]]:
        """(names, channels) of the touchpoints whose channel their names tell (a real
        sheet's "Scheduled tutorial with data engineer" names none, and a journey that
        keeps it is worth more than none)."""
        told = [told for line in lines for told in self._told_apart(line)]
        return self._kept_apart(step, row, column, [
            (found[1] if found else line, found[0] if found else None,
             f'cannot tell the channel of the touchpoint "{line}"; kept as `x-touchpoints` '
             "on the step: add a Channel column, or write the line as `channel: name` "
             "(e.g. `email: Welcome email`)")
            for line, found in told])

    def _told_apart(self, line: str) -> list[tuple[str, tuple[str, str] | None]]:
        """(name, (channel, name) or None) of the touchpoints of a line: several where it
        lists them with commas and each tells its channel ("Google Maps, clinic
        websites"), else the line as one."""
        parts = [part.strip() for part in line.split(",") if part.strip()]
        if len(parts) > 1:
            found = [self.context.touchpoint(part) for part in parts]
            if all(found):
                return list(zip(parts, found, strict=True))
        return [(line, self.context.touchpoint(line))]

    def _kept_apart(self, step: dict, row: int, column: str,
                    touchpoints: list[tuple[str, str | None, str]]
                    ) -> tuple[list[str], list[str]]:
        """(names, channel ids) of ``touchpoints`` (name, channel or None, what to say
        when None) whose channel is known; the others go to the step's ``x-touchpoints``,
        each said."""
        named, ids, unknown = [], [], []
        for line, channel, said in touchpoints:
            if channel is None:
                unknown.append(line)
                self.notes.append(Problem(row, column, said))
            else:
                named.append(line)
                ids.append(channel)
        if unknown:
            step[X_TOUCHPOINTS] = "\n".join(unknown)
        return named, ids

    def _emotion(self, step: dict, cells: dict[str, Cell]) -> None:
        scores: dict[str, Any] = {}
        unscored = {k: cells.pop(k) for k in list(cells) if self._no_feeling(k, cells[k])}
        for name, cell in cells.items():
            try:
                value = read_flow(cell.text) if self.exact else \
                    self.context.emotion(cell.text.strip())
            except CellError as exc:
                self.problems.append(Problem(cell.row, cell.column, str(exc)))
                continue
            if name == EMOTION:
                step["emotion"] = value
            else:
                scores[name[len(EMOTION_PREFIX):]] = value
        if scores and "emotion" not in step:
            step["emotion"] = scores
        if unscored:
            self._gap(step, unscored)

    def _gap(self, step: dict, unscored: dict[str, Cell]) -> None:
        """A step whose emotion cells (some or all) give no feeling: where others have one,
        the step names who takes part (them alone), else it has no feeling, each said."""
        scored = step.get("emotion")
        if scored is None:
            cell = next(iter(unscored.values()))
            shown = f"{cell.text.strip()!r}" if cell.text.strip() else "blank"
            dash = " (a lone `-` is an empty cell where no feeling is `+`; for a low " \
                "feeling write -1, -2 or a word)" if cell.text.strip() in wording.SIGNS else ""
            self.gaps.append(Problem(cell.row, cell.column, (
                f'the step "{step["name"]}" is scored {shown}, {NO_SCORE_SAID}; write a '
                f"score in the cell to close it{dash}")))
        elif isinstance(scored, dict):
            step["personas"] = list(scored)
            for name, cell in unscored.items():
                who = name[len(EMOTION_PREFIX):]
                self.gaps.append(Problem(cell.row, cell.column, (
                    f'no feeling for "{who}" at the step "{step["name"]}": the step names '
                    f"who takes part, `personas: [{', '.join(scored)}]`; write a score if "
                    f'"{who}" does')))

    def _without_empty_stages(self) -> None:
        """Leave out the stages no step was found in (a template's "[Stage 2]" row of
        "..." cells), each said: the format wants a step in every stage."""
        for stage in self.stages:
            cell = next((c for c in self.cells[id(stage)].values() if c is not None), None)
            if not stage["steps"] and cell is not None:
                said = f'the stage "{stage["name"]}"' if stage["name"] else "a stage with no name"
                self.notes.append(Problem(cell.row, cell.column,
                                          f"{said} has no step (no row names one); left out"))
        self.stages = [stage for stage in self.stages if stage["steps"]]

    def _unique_generated_ids(self) -> None:
        """Ids made from names get ``-2``, ``-3``... when taken; written ids stay as written."""
        for kind, items in (("stage", self.stages),
                            ("step", [s for st in self.stages for s in st["steps"]])):
            taken = {item["id"] for item in items if id(item) not in self.generated}
            for item in items:
                if id(item) in self.generated:
                    item["id"] = self.context.make_id(item["name"], kind, taken)
                    taken.add(item["id"])


def _level_of(name: str) -> str:
    column = COLUMNS.get(name) or x_column(name)
    return column.level if column else "step"


def _field_of(name: str) -> str:
    column = COLUMNS.get(name) or x_column(name)
    return column.field if column else name
