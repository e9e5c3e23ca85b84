"""Import: journeys from what people already have, as specs that validate.

* Spreadsheets (CSV or XLSX) as people make them: one row per step, or the template
  layout with lanes as rows and stages as columns; headers in any case and spacing, with
  the common synonyms ("User Action", "Customer Thoughts", "Feeling", "Touchpoint");
  UTF-8 with or without BOM, UTF-16 or cp1252, comma, semicolon, tab or bar; in a
  workbook, the sheet that holds the journey. The layout ``export --format csv`` writes
  (:mod:`mapgen.sheet`) reads back without loss.
* Mermaid ``journey`` diagrams (:mod:`mapgen.mermaid`), one journey per diagram.
* ``export --format json`` output.

Actors and emotion columns become personas: an existing persona of the workspace when
the id or name matches, else a new persona file carrying the name as written. Ids are
made from names (:func:`make_id`): readable, unique, the same on every run.

Nothing is dropped silently: unknown columns are kept as ``x-`` fields and reported;
what cannot be read is reported by file, line or row, and column, and then nothing is
written.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mapgen import mermaid, sheet, spreadsheet, wording
from mapgen.load import Document
from mapgen.model import (
    DEFAULT_LABELS, EMOTICONS, ID_PATTERN, Channel, EmotionScale, Journey, LaneName, Persona,
    X_KEY_PREFIX, Workspace,
)
from mapgen.sheet import Cell, RowReader, spec_data
from mapgen.spreadsheet import Grid, Layout, SheetError
from mapgen.validate import LATIN_LETTERS, MAX_STEPS, check_document, slugify

SHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
JSON_SUFFIXES = (".json",)
MAX_BYTES = 20 * 1024 * 1024


class ImportFailed(Exception):
    """The file cannot be imported at all; the message says where, why and what to do."""


# --- the result --------------------------------------------------------------------------

@dataclass
class Imported:
    """What one source gives: its journeys, the personas they need, and what was said."""

    journeys: dict[str, Journey] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)  # new ones only
    problems: list[str] = field(default_factory=list)  # errors: nothing is written
    notes: list[str] = field(default_factory=list)  # kept x- columns, widened scales


def yaml_text(item: Journey | Persona, schema: str) -> str:
    """A spec file's text: what a person would write, in the model's order."""
    data = spec_data(item, skip=("id",))
    head = f"# yaml-language-server: $schema=../../schema/{schema}.schema.json\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# --- ids -------------------------------------------------------------------------------------

def make_id(name: str, kind: str, taken: set[str]) -> str:
    """A readable id for ``name``, not in ``taken``, the same on every run.

    Latin names become slugs ("Álvarez" -> "alvarez"). Names in other scripts are
    transliterated and given a short hash of the name as written ("用户" -> "yonghu-8a1f",
    "用戶" -> "yonghu-4c0e"), so distinct names never share an id; when nothing readable
    remains the kind stands in ("persona-3f2a"). A taken id gets a longer hash.
    """
    name = unicodedata.normalize("NFC", name.strip())
    latin = slugify(name)
    readable = latin if _is_latin(name) else _transliterated(name)
    digest = hashlib.sha1(name.encode()).hexdigest()
    base = readable[:40].strip("-") or kind
    candidates = ([base] if _is_latin(name) and latin else []) + [
        f"{base}-{digest[:n]}" for n in (4, 6, 8, 40)]
    return next((c for c in candidates if c not in taken), f"{base}-{digest}")


def _is_latin(name: str) -> bool:
    """True when every letter of ``name`` survives as ASCII without transliteration."""
    stripped = unicodedata.normalize("NFKD", name.translate(LATIN_LETTERS))
    return all(ch.isascii() or unicodedata.category(ch).startswith("M") or
               not ch.isalnum() for ch in stripped)


def _transliterated(name: str) -> str:
    """``name`` in Latin letters; its emoji left out while letters remain ("👤 登录体验"
    -> "denglutiyan", not "bust-in-silhouette-denglutiyan")."""
    from anyascii import anyascii

    letters = "".join(ch for ch in name if not unicodedata.category(ch).startswith("S")
                      and ch not in "\u200d\ufe0f")
    return slugify(anyascii(letters if any(ch.isalnum() for ch in letters) else name))


class Cast:
    """The personas of the workspace, and those an import adds: who an actor is."""

    def __init__(self, existing: dict[str, Persona]):
        self.existing = dict(existing)
        self.new: dict[str, Persona] = {}
        #: What the file says a new persona does, by the name it gives ("Alex, 34, nurse").
        self.roles: dict[str, str] = {}

    def persona(self, text: str) -> str:
        """The id of the persona ``text`` names: the id or the name of an existing or new
        persona (case and spacing ignored; "Shop owner" is also the id shop-owner), else
        a new persona with ``text`` as its name."""
        text = " ".join(text.split())
        everyone = {**self.existing, **self.new}
        key = _name_key(text)
        found = next((p.id for p in everyone.values() if _name_key(p.name) == key), None)
        if text in everyone or found:
            return text if text in everyone else found
        if slugify(text) in everyone and _is_latin(text):
            return slugify(text)
        ident = text if re.fullmatch(ID_PATTERN, text) else make_id(text, "persona",
                                                                    set(everyone))
        self.new[ident] = Persona(id=ident, name=text, role=self.roles.get(text))
        return ident


def _name_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --- what the workspace knows ------------------------------------------------------------

class Target:
    """The workspace imported into: its personas, channels and emotion scale.
    Implements :class:`mapgen.sheet.Context` for reading rows."""

    def __init__(self, ws: Workspace | None):
        self.cast = Cast(ws.personas if ws else {})
        self.scale = ws.config.emotion_scale if ws else EmotionScale()
        self.channels = ws.channels if ws else {c.id: c for c in _default_channels()}
        #: The lanes the workspace shows, before a journey's own are added to them.
        self.lanes = tuple(ws.config.lanes or LaneName.__args__) if ws else LaneName.__args__

    def persona(self, text: str) -> str:
        return self.cast.persona(text)

    def make_id(self, name: str, kind: str, taken: set[str]) -> str:
        return make_id(name, kind, taken)

    def emotion(self, text: str) -> Any:
        """A score from a cell: a whole number, a label of the scale, or an emoticon; on
        the default scale also a feeling as people write it ("anxious+", see
        :func:`_feeling`)."""
        number = text.strip().replace("\u2212", "-")
        try:
            value = float(number)
        except ValueError:
            value = None
        if value is not None:
            if value != int(value):
                raise sheet.CellError(f'"{text}" is not a whole number; write a score such '
                                      f"as {self.scale.min} or {self.scale.max}")
            return int(value)
        rated = _RATING.fullmatch(number)
        if rated and 0 <= float(rated["of"]) <= int(rated["out"]):
            return self._on_scale(float(rated["of"]), int(rated["out"]))
        labels = {self.scale.label(s).casefold(): s for s in self.scale.scores}
        labels |= {EMOTICONS[label]: s for label, s in labels.items() if label in EMOTICONS}
        default = (self.scale.min, self.scale.max) == (-2, 2)
        if default and number in wording.SIGNS:
            return wording.SIGNS[number]
        key = " ".join(text.split()).casefold()
        score = wording.feeling(key, {**wording.FEELINGS, **labels}) if default else labels.get(key)
        if score is None:
            names = ", ".join(self.scale.label(s) for s in self.scale.scores)
            words = ' or a feeling such as "anxious", "confident+"' if default else ""
            raise sheet.CellError(f'"{text}" is not a score; write a whole number from '
                                  f"{self.scale.min} to {self.scale.max}, one of {names}"
                                  f"{words}")
        return score

    def _on_scale(self, rating: float, out_of: int) -> int:
        """A rating "4/5" (1 the worst, ``out_of`` the best; 0 as 1) on the scale."""
        share = (max(rating, 1) - 1) / (out_of - 1)
        exact = self.scale.min + share * (self.scale.max - self.scale.min)
        return int(exact + (0.5 if exact > 0 else -0.5))

    def touchpoint(self, line: str) -> tuple[str, str] | None:
        """(channel, name) for a touchpoint written without a channel column: "email:
        Welcome email", or a name that says its channel ("Website", "Call centre")."""
        head, sep, rest = line.partition(":")
        if sep and rest.strip() and self._channel(head):
            return self._channel(head), rest.strip()
        found = self._channel(line)
        if found:
            return found, line.strip()
        told = wording.told_channel(line, set(self.channels))
        return (told, line.strip()) if told else None

    def channel(self, text: str) -> str | None:
        """The channel a Channel cell names: by id or name, else by a word that tells one."""
        found = self.touchpoint(text)
        return found[0] if found else None

    def _channel(self, text: str) -> str | None:
        key = _name_key(text)
        return next((c.id for c in self.channels.values()
                     if key in (c.id, _name_key(c.name))), None)


def _default_channels() -> tuple[Channel, ...]:
    from mapgen.model import DEFAULT_CHANNELS

    return DEFAULT_CHANNELS


# --- spreadsheets ----------------------------------------------------------------------------

def table_rows(grid: Grid, layout: Layout, target: Target, notes: list[str]
               ) -> tuple[list[dict[str, Cell]], dict[str, str]]:
    """The rows under the header (or the columns after the label column) as cells keyed
    by layout column; and the journey fields written above the table."""
    lines = spreadsheet.transpose(grid.cells) if layout.transposed else grid.cells
    names = dict(layout.columns)
    for position, header in layout.unknown.items():
        where = (f"row {position + 1}" if layout.transposed
                 else f"column {spreadsheet.column_letter(position)}")
        if grid.places is not None:
            where = "line {}, column {}".format(*grid.line_and_column(
                *spreadsheet.place(layout, layout.label_index, position)))
        if layout.transposed and header.casefold() in wording.SUMMARIES:
            notes.append(_summary_left_out(where, header, "a lane"))
            continue
        names[position] = _own_key(header)
        notes.append(f'{where} "{header}" is not a field of the format; kept as '
                     f"`{names[position]}` on each step")
    if not layout.as_written:
        names = {p: _persona_column(n, target) for p, n in names.items()}
    kept = (lambda text: text.strip()) if layout.as_written else _filled
    feelings = set() if layout.as_written else {  # a blank one is said: a gap in a curve
        p for p, n in names.items() if n.startswith(sheet.EMOTION)}
    rows = []
    for index in range(layout.label_index + 1, len(lines)):
        line = lines[index] + [""] * (max(feelings, default=-1) + 1 - len(lines[index]))
        row = {names[p]: Cell(sheet.restore_formula(text), *spreadsheet.place(layout, index, p))
               for p, text in enumerate(line) if p in names and (kept(text) or p in feelings)}
        if not any(kept(cell.text) for cell in row.values()):
            continue
        label = None if layout.as_written else _summary(row, lines[index])
        if label:
            where = spreadsheet.place(layout, index, layout.label_index)
            notes.append(_summary_left_out(f"row {where[0]}" if not layout.transposed
                                           else f"column {where[1]}", label, "a step"))
            continue
        rows.append(row)
    above = grid.cells[:layout.first] if layout.transposed else lines[:layout.label_index]
    return rows, spreadsheet.above_table(above)


def _filled(text: str) -> bool:
    return bool(text.strip()) and text.strip().casefold() not in wording.PLACEHOLDERS


def _summary_left_out(where: str, label: str, not_what: str) -> str:
    return f'{where}: a summary ("{label}"), not {not_what}; left out'


def _summary(row: dict[str, Cell], line: list[str]) -> str | None:
    """The label of a line that sums the steps up ("Average", "Total"), when it names no
    other step: a line of formulas under the table."""
    named = row.get("step_name") or row.get("actions")
    if named and named.text.strip().casefold() not in wording.SUMMARIES:
        return None
    return next((t.strip() for t in line if t.strip().casefold() in wording.SUMMARIES), None)


def _named_above(data: dict, value: str, cast: Cast) -> None:
    """The personas a line above the table names ("Persona: Sam, Priya"; "Persona: Alex,
    34, office worker" is one, Alex, whose role is the rest), unless the sheet has a
    feelings column per persona: they name who is in the journey already, and "Sam
    (renter)" above would be a persona apart from the column's "Sam"."""
    scored = any(isinstance(step.get("emotion"), dict)
                 for stage in data.get("stages", []) for step in stage.get("steps", []))
    if scored or "personas" in data:
        return
    names = [n.strip() for n in re.split(r"[,;](?![^()]*\))", value)
             if n.strip()]  # not at a comma in brackets: "Dana (34, IT)"
    if len(names) > 1 and not all(map(_is_a_name, names)) and _is_a_name(names[0]):
        cast.roles[" ".join(names[0].split())] = ", ".join(names[1:])
        names = names[:1]
    data["personas"] = names


def _is_a_name(text: str) -> bool:
    """Whether ``text`` reads as someone's name ("Priya", "Shop owner", "Dr. Lee") rather
    than something said of them ("34", "office worker with back pain")."""
    words = text.split()
    return (0 < len(words) <= 3 and not any(ch.isdigit() for ch in text)
            and not (text[0].isalpha() and text[0].islower()))


def _persona_column(name: str, target: Target) -> str:
    if name.startswith(sheet.EMOTION_PREFIX):
        return sheet.EMOTION_PREFIX + target.persona(name[len(sheet.EMOTION_PREFIX):])
    return name


def from_grids(grids: list[Grid], target: Target, source: str
               ) -> tuple[dict, Imported, bool]:
    """The journey data in the sheet that holds the fullest journey table (an
    instructions sheet listing the lanes comes first in many templates, and names as many
    of them as the journey); and whether the sheet is in the layout mapgen writes (ids
    beside names), whose values are read as written."""
    layouts = [(grid, spreadsheet.find_layout(grid.cells)) for grid in grids]
    found = [(g, layout) for g, layout in layouts if layout]
    if not found:
        raise ImportFailed(spreadsheet.unrecognised(source, grids))
    best = max(range(len(found)),  # the first of equals
               key=lambda i: (found[i][1].score, spreadsheet.filled(*found[i]), -i))
    grid, layout = found[best]
    result = Imported()
    if len(grids) > 1:
        result.notes.append(f"read {grid.label}")
    rows, above = table_rows(grid, layout, target, result.notes)
    named = {column: layout.headers[p] for p, column in layout.columns.items()}
    if not layout.as_written:
        _shaped(rows, layout, named, above.get("title"), result.notes)
    reader = RowReader(target, named.get("step_name") or named.get("actions", "Step"),
                       actions_name="step_name" not in named, exact=layout.as_written)
    data = reader.read(rows)
    if not layout.as_written:
        _show_own_columns(data, target.lanes, [_own_key(layout.unknown[p])
                                               for p in sorted(layout.unknown)])
    result.problems += [_said(source, grid, p) for p in reader.problems]
    result.notes += [_said(source, grid, p) for p in reader.notes]
    for key, value in above.items():
        if key == "personas":
            _named_above(data, value, target.cast)
        else:
            data.setdefault(key, value)
    hints = [spreadsheet.scale_hint(header) for header in layout.headers.values()]
    hint = next((h for h in hints if h), None)
    if hint and not layout.as_written and hint != (target.scale.min, target.scale.max):
        data.setdefault("emotion_scale", {"min": hint[0], "max": hint[1]})
    return data, result, layout.as_written



def _show_own_columns(data: dict, lanes: tuple[str, ...], columns: list[str]) -> None:
    """A table's columns of its own (``columns``, in the table's order), kept as the steps'
    ``x-`` fields, shown on the map: each a lane after the workspace's (``lanes: [...,
    x-system-response]``), when a step has something in it."""
    filled = {key for stage in data.get("stages", []) for step in stage["steps"]
              for key in step}
    own = [key for key in columns if key in filled and key != sheet.X_TOUCHPOINTS]
    if own and "lanes" not in data:
        data["lanes"] = [*lanes, *own]


def _own_key(header: str) -> str:
    """The ``x-`` key a column the format does not know is kept as."""
    return X_KEY_PREFIX + (slugify(header) or make_id(header, "column", set()))


def _shaped(rows: list[dict[str, Cell]], layout: Layout, named: dict[str, str],
            title: str | None, notes: list[str]) -> None:
    """Rows of a table made by hand, in the shape of a journey's: a table of stages is a
    step per stage; a table of numbered steps (1, 2, 3) named by their actions is named
    so; a table with no stage column is one stage, named by the title above it."""
    if layout.stages_are_steps:
        for row in rows:
            if "stage_name" in row:
                row["step_name"] = row["stage_name"]
        named["step_name"] = named["stage_name"]
    numbers = [row["step_name"].text for row in rows if "step_name" in row]
    if "actions" in named and numbers and all(_NUMBERED.fullmatch(n.strip()) for n in numbers):
        for row in rows:
            row.pop("step_name", None)
        del named["step_name"]
    if rows and not {"stage", "stage_name"} & set(named):
        first = next(iter(rows[0].values()))
        name = title or "Journey"
        rows[0] = {"stage_name": Cell(name, first.row, first.column), **rows[0]}
        notes.append(f'no stage column: every step is in one stage, "{name}"; add a Stage '
                     "column to split them")


#: A step "named" by its number only: "1", "2.", "3)", "Step 4".
_NUMBERED = re.compile(r"(?:step\s*)?#?\d+[.):]?", re.I)


def _said(source: str, grid: Grid, problem: sheet.Problem) -> str:
    """What a cell's problem says, beginning with where the cell is: its sheet, row and
    column; in a text file, its line and column."""
    where = grid.where(problem.row, problem.column)
    return f"{source}{':' if grid.places else ': '}{where}: {problem.message}"


# --- the whole import ------------------------------------------------------------------------

def import_source(path: Path, ws: Workspace | None, journey_id: str | None = None,
                  title: str | None = None) -> Imported:
    """The journeys in ``path`` as models, with the new personas they need."""
    target = Target(ws)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportFailed(f"{path}: the file is over {MAX_BYTES // 1048576} MiB; "
                               "split it into one journey per file")
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read the file: {exc.strerror}") from None
    suffix = path.suffix.lower()
    kind = _file_kind(path)
    if kind in spreadsheet.NOT_READ:
        raise ImportFailed(f"{path}: {spreadsheet.NOT_READ[kind]} is not read: save it as "
                           ".xlsx or CSV")
    as_written = False  # a file mapgen wrote: read the values exactly, change nothing
    written_as = Written()  # how the scores were written: a sheet's, as they are
    if (suffix in SHEET_SUFFIXES or kind == "xlsx") and not _mermaid_text(path):
        data, result, as_written = from_grids(_grids(path), target, str(path))
        drafts = [(journey_id or _file_id(path), data, "")]
    elif suffix in JSON_SUFFIXES:
        data, result, as_written = _json(path), Imported(), True
        written = str(data.pop("id", "") or "")
        drafts = [(journey_id or written or _file_id(path), data, "")]
    else:
        text = _text(path)
        try:
            drafts, result = _mermaid(path, mermaid.diagrams(text), target, journey_id)
            written_as = MermaidScores(target.scale)
        except mermaid.MermaidError as exc:  # no journey diagram: journey tables?
            drafts, result, as_written = _table_drafts(
                path, _journey_tables(path, text, exc), target, journey_id)
    for ident, data, where in drafts:
        if title:
            data["title"] = title
        data.setdefault("title", path.stem.replace("-", " ").replace("_", " ").capitalize())
        if not as_written:
            _fit_scale(data, target.scale, result, f"{path}{where}", written_as)
            _add_actors(data)
            _someone_feels(data, target, result, f"{path}{where}")
        _add(result, ident, data, target, f"{path}{where}")
    result.personas = dict(target.cast.new)
    return result


def _file_kind(path: Path) -> str | None:
    try:
        return spreadsheet.file_kind(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportFailed(f"{path}: cannot read the file: {exc}") from None


def _mermaid_text(path: Path) -> bool:
    """A .txt file may hold a Mermaid diagram as well as a sheet saved as "Unicode text"."""
    if path.suffix.lower() != ".txt":
        return False
    try:
        text = spreadsheet.decode_text(path.read_bytes(), path)
    except SheetError:
        return False
    return any(line.strip().lower() == "journey" for line in text.splitlines()[:50])


def _grids(path: Path) -> list[Grid]:
    try:
        return spreadsheet.read_grids(path)
    except SheetError as exc:
        raise ImportFailed(str(exc)) from None


def _file_id(path: Path) -> str:
    return make_id(path.stem, "journey", set())


def _add(result: Imported, ident: str, data: dict, target: Target, where: str) -> None:
    """Model the journey; refuse an empty one."""
    data["personas"] = [target.persona(p) for p in data.get("personas", [])]
    if not any(stage.get("steps") for stage in data.get("stages", [])):
        if not result.problems:  # else it follows from what was said
            result.problems.append(f"{where}: no steps found, so no journey is written; "
                                   "give each step a row (or a column) with its name")
        return
    journey, findings = check_document(Document(where, data), Journey, id=ident)
    if findings and not result.problems:  # else they follow from what is reported
        result.problems += [f"{where}: {f.location.path}: {f.message}" for f in findings]
    elif journey is not None and not findings:
        result.journeys[ident] = journey
        if len(journey.steps) > MAX_STEPS:
            result.notes.append(f"{where}: {len(journey.steps)} steps; `mapgen validate` "
                                f"warns past {MAX_STEPS} (MG408): split the journey, a "
                                "stage or two each")


def _add_actors(data: dict) -> None:
    """Personas scored in a step belong to the journey."""
    personas = data.setdefault("personas", [])
    for stage in data.get("stages", []):
        for step in stage.get("steps", []):
            if isinstance(step.get("emotion"), dict):
                personas += [p for p in step["emotion"] if p not in personas]


#: Who feels a journey's emotions when the file names no one.
SOMEONE = "Customer"


def _someone_feels(data: dict, target: Target, result: Imported, where: str) -> None:
    """Give a journey whose steps have feelings but that names no persona (a sheet's
    plain Emotion column, Mermaid tasks without actors) the persona "Customer": a curve
    is drawn for a journey's personas, and with none its feelings showed nowhere."""
    if data.get("personas") or not any(
            step.get("emotion") is not None
            for stage in data.get("stages", []) for step in stage.get("steps", [])):
        return
    data["personas"] = [target.persona(SOMEONE)]
    result.notes.append(f'{where}: no persona is named, so the feelings are "{SOMEONE}"\'s '
                        f"(`personas: [{data['personas'][0]}]`); name the journey's "
                        "persona there, or add an actor or a Persona line to the file")


def _fit_scale(data: dict, scale: EmotionScale, result: Imported, where: str,
               written_as: Written) -> None:
    """Widen the journey's scale when scores lie outside the workspace's, and say so in
    the scores as the file wrote them."""
    if "emotion_scale" in data:
        return
    scores = [v for stage in data.get("stages", []) for step in stage.get("steps", [])
              for v in _scores(step.get("emotion"))]
    if not scores or all(scale.min <= s <= scale.max for s in scores):
        return
    low, high = min(scores), max(scores)
    widened = _written_on(low, high) if written_as.as_is else None
    if widened is None:
        widened = {"min": min(scale.min, low), "max": max(scale.max, high)}
    if scale.labels or (scale.min, scale.max) == (-2, 2):
        labels = scale.labels or DEFAULT_LABELS
        kept = {s: n for s, n in labels.items() if widened["min"] <= s <= widened["max"]}
        if kept and widened["min"] <= scale.min:
            widened["labels"] = kept
    data["emotion_scale"] = widened
    said = f"{written_as.as_written(low)} to {written_as.as_written(high)}"
    result.notes.append(
        f"{where}: scores from {said}{written_as.meaning} lie outside the scale "
        f"{scale.min}..{scale.max}; the journey gets its own scale "
        f"{widened['min']}..{widened['max']}{written_as.mapped(low, high)}")


#: The tops of the scales sheets are scored on from 1 (or 0): 1..5, 1..7, 1..10.
WRITTEN_SCALES = (5, 7, 10)


def _written_on(low: int, high: int) -> dict[str, int] | None:
    """The scale a sheet's scores from ``low`` to ``high`` were written on: the smallest
    of 1..5, 1..7 and 1..10 that holds them (from 0 when a 0 appears); None for scores
    below 0 or past 10."""
    if low < 0 or high > WRITTEN_SCALES[-1]:
        return None
    return {"min": min(low, 1), "max": next(t for t in WRITTEN_SCALES if high <= t)}


def _scores(emotion: Any) -> list[int]:
    values = emotion.values() if isinstance(emotion, dict) else [emotion]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{path}: not UTF-8 text; export the journey again") from None
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{path}:{exc.lineno}:{exc.colno}: this is not JSON: {exc.msg}; "
                           "give a file written by `mapgen export --format json`") from None
    if not isinstance(data, dict):
        raise ImportFailed(f"{path}: the JSON is not an object; give a file written by "
                           "`mapgen export --format json`")
    scale = data.get("emotion_scale")
    if isinstance(scale, dict) and isinstance(scale.get("labels"), dict):
        scale["labels"] = {_int_key(k): v for k, v in scale["labels"].items()}
    data.pop("$schema", None)
    return data


def _int_key(key: str) -> Any:
    try:
        return int(key)
    except ValueError:
        return key


# --- Mermaid ------------------------------------------------------------------------------------

def _text(path: Path) -> str:
    try:
        return spreadsheet.decode_text(path.read_bytes(), path)
    except SheetError as exc:
        raise ImportFailed(str(exc)) from None


def _journey_tables(path: Path, text: str, no_diagram: mermaid.MermaidError) -> list[Grid]:
    """The Markdown tables of ``text``, one of them a journey map; ImportFailed saying
    there is neither a diagram (``no_diagram``) nor such a table."""
    tables = spreadsheet.markdown_grids(text)
    if not any(spreadsheet.find_layout(grid.cells) for grid in tables):
        raise ImportFailed(f"{path}: {no_diagram}; nor a journey table (a Markdown table "
                           "whose header names a step or action column, and another lane)")
    return tables


def _table_drafts(path: Path, tables: list[Grid], target: Target, journey_id: str | None):
    """(drafts, what was said, whether mapgen wrote them) of a page's journey tables: the
    fullest one, or one journey each where the page holds several tables of steps and
    their lanes (a flow per heading), as a page of Mermaid diagrams gives one each."""
    journeys = [grid for grid in tables if _of_steps(spreadsheet.find_layout(grid.cells))]
    if len(journeys) < 2 or journey_id:
        data, result, as_written = from_grids(tables, target, str(path))
        return [(journey_id or _file_id(path), data, "")], result, as_written
    drafts, result, taken = [], Imported(), set()
    for number, grid in enumerate(journeys, start=1):
        data, said, _ = from_grids([grid], target, str(path))
        result.notes += said.notes
        result.problems += said.problems
        ident = make_id(data.get("title") or f"{path.stem} {number}", "journey", taken)
        taken.add(ident)
        drafts.append((ident, data, f":{grid.name}"))
    result.notes.append(f"{path}: {len(journeys)} journey tables, one journey each")
    return drafts, result, False


def _of_steps(layout: Layout | None) -> bool:
    """Whether a table is a journey's: its steps (or actions) and two lanes of theirs."""
    return layout is not None and not layout.stages_are_steps and layout.score >= 3 and \
        not layout.as_written


def _mermaid(path: Path, found: list[mermaid.Diagram], target: Target,
             journey_id: str | None):
    """Drafts (id, data, where) for each journey diagram ``found`` in a Mermaid or
    Markdown file."""
    result, drafts, taken = Imported(), [], set()
    mapping = MermaidScores(target.scale)
    for number, diagram in enumerate(found, start=1):
        result.problems += [f"{path}:{line}:{column}: {message}"
                            for line, column, message in diagram.problems]
        result.notes += [f"{path}:{line}: {message}" for line, message in diagram.notes]
        data = _journey_of(diagram, target, mapping, result, str(path))
        if journey_id and len(found) == 1:
            ident = journey_id
        else:
            name = data.get("title") or (f"{path.stem} {number}" if len(found) > 1
                                         else path.stem)
            ident = make_id(name, "journey", taken)
        taken.add(ident)
        drafts.append((ident, data, f":{diagram.line}" if len(found) > 1 else ""))
    if len(found) > 1:
        result.notes.append(f"{path}: {len(found)} journey diagrams, one journey each")
    return drafts, result


class Written:
    """Scores taken as they are written (a sheet's): a sheet whose scores all lie in
    1..5 gets the scale 1..5, the one it was written on."""

    as_is = True
    meaning = ""

    def as_written(self, score: int) -> int:
        return score

    def mapped(self, low: int, high: int) -> str:
        return ""


class MermaidScores(Written):
    """Mermaid's scores (1 sad to 5 happy) on the workspace's scale.

    On a five-point scale (the default -2..2) a score moves by a fixed offset, so 1 is the
    lowest score and 5 the highest, and scores past 1..5 land past the scale, which the
    journey then widens (never to 1..5: a Mermaid 4 is good, not the bottom of a scale).
    On other scales the journey keeps Mermaid's own 1..5."""

    as_is = False
    meaning = " (Mermaid's 1 sad to 5 happy)"

    def __init__(self, scale: EmotionScale):
        self.offset = scale.min - 1 if scale.max - scale.min == 4 else 0

    def score(self, value: int) -> int:
        return value + self.offset

    def as_written(self, score: int) -> int:
        return score - self.offset

    def mapped(self, low: int, high: int) -> str:
        return f", where they are {low} to {high}" if self.offset else ""


def _journey_of(diagram: mermaid.Diagram, target: Target, mapping: MermaidScores,
                said: Imported, path: str) -> dict:
    data: dict[str, Any] = {}
    title = diagram.title or diagram.acc_title
    if title:
        data["title"] = title
    if diagram.acc_descr:
        data["description"] = diagram.acc_descr
    if diagram.acc_title and diagram.acc_title != title:
        data["x-acc-title"] = diagram.acc_title
    if diagram.front_matter:
        data["x-mermaid"] = diagram.front_matter
    stages, taken_stages = [], set()
    for section in diagram.sections:
        name = section.name or data.get("title") or "Journey"
        if not section.tasks:  # the format wants a step in every stage
            said.notes.append(f'{path}:{section.line}: the section "{name}" has no tasks; '
                              "left out (Mermaid draws nothing for it)")
            continue
        stage_id = make_id(name, "stage", taken_stages)
        taken_stages.add(stage_id)
        stages.append({"id": stage_id, "name": name, "steps": []})
        for task in section.tasks:
            step = _task(task, target, mapping, said, path)
            if step is not None:
                _merge_or_append(stages[-1]["steps"], step)
    taken_steps: set[str] = set()
    for stage in stages:
        for step in stage["steps"]:
            step["id"] = make_id(step["name"], "step", taken_steps)
            taken_steps.add(step["id"])
    if any("personas" in step for stage in stages for step in stage["steps"]):
        _name_participants(stages)
    data["stages"] = stages
    return data


def _task(task: mermaid.Task, target: Target, mapping: MermaidScores, said: Imported,
          path: str) -> dict | None:
    step: dict[str, Any] = {"name": task.name}
    if task.score.strip().casefold() in NO_SCORE:  # "Score N/A: X", as a cheat sheet shows
        said.notes.append(f'{path}:{task.line}:{task.column}: the task "{task.name}" is '
                          f"scored {task.score.strip()!r}, {sheet.NO_SCORE_SAID}")
        return step
    try:
        score = float(task.score)
    except ValueError:
        score = None
    if score is None or not score.is_integer():
        said.problems.append(f"{path}:{task.line}:{task.column}: "
                             f"{_score_problem(task, score)}")
        return None
    value = mapping.score(int(score))
    actors = list(dict.fromkeys(target.persona(a) for a in task.actors))
    step["emotion"] = {a: value for a in actors} if actors else value
    if actors:
        step["personas"] = actors
    return step


#: A rating out of a whole: "4/5", "7 / 10", "3.5/5" (out of 2 is no scale of feelings).
_RATING = re.compile(r"(?P<of>\d+(?:\.\d+)?)\s*/\s*(?P<out>[3-9]|10|100)")
#: A task's score that says it has none ("N/A", "X"), rather than a mistake.
NO_SCORE = wording.PLACEHOLDERS | {"x", "na"}


def _score_problem(task: mermaid.Task, score: float | None) -> str:
    """What is wrong with a task's score, and the task as it could be written."""
    actors = f": {', '.join(task.actors)}" if task.actors else ""
    whole = min(5, max(1, round(score))) if score is not None and abs(score) < 1e9 else 3
    fixed = f"`{task.name}: {whole}{actors}`"
    if score is None and task.score and re.match(r"\s*\d+\s*(:|$)", ", ".join(task.actors)):
        return (f'the score {task.score!r} of the task "{task.name}" is not a whole number: '
                "Mermaid ends a task's name at its first `:`; write a colon in the name as "
                f"`#58;`: `{mermaid.escaped_colon(task.name, task.score + actors)}`")
    if not task.score:
        return (f'the task "{task.name}" has no score; write one from 1 (sad) to 5 (happy) '
                f"after its name, e.g. {fixed}")
    return (f'the score {task.score!r} of the task "{task.name}" is not a whole number; '
            f"write one from 1 (sad) to 5 (happy), e.g. {fixed}")


def _merge_or_append(steps: list[dict], step: dict) -> None:
    """``Pays: 5: Maya`` then ``Pays: 2: Sam`` is one step with a score for each
    (as ``export --format mermaid`` writes a step whose personas feel differently)."""
    last = steps[-1] if steps else None
    if last and last["name"] == step["name"] and isinstance(last.get("emotion"), dict) and \
            isinstance(step.get("emotion"), dict) and \
            not set(last["emotion"]) & set(step["emotion"]):
        last["emotion"].update(step["emotion"])
        last["personas"] += step["personas"]
    else:
        steps.append(step)


def _name_participants(stages: list[dict]) -> None:
    """A step that scores only some of the journey's personas names them in ``personas``
    (so no gap is reported for the others); a step everyone takes part in needs none."""
    everyone = list(dict.fromkeys(p for stage in stages for step in stage["steps"]
                                  for p in step.get("personas", [])))
    for stage in stages:
        for step in stage["steps"]:
            actors = step.pop("personas", None)
            if actors is not None and actors != everyone:
                step["personas"] = actors
