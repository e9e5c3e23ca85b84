"""Import: a journey from a spreadsheet (CSV or XLSX) or from Mermaid ``journey`` text.

Spreadsheets use the columns ``mapgen export --format csv`` writes (see
:mod:`mapgen.export`); only a step's name is required. A blank stage cell continues the
stage above, as merged cells do; ids are made from names when missing. A row that cannot
be placed is reported with its number, never dropped silently.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mapgen.validate import slugify

SEVERITIES = ("low", "medium", "high", "critical")
_ENTITY = re.compile(r"#(\d+);")


class ImportError_(Exception):
    """The whole file cannot be read; the message says where and why."""


@dataclass
class Imported:
    spec: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    def yaml_text(self, schema_line: str | None = None) -> str:
        head = f"# yaml-language-server: $schema={schema_line}\n" if schema_line else ""
        return head + yaml.safe_dump(self.spec, sort_keys=False, allow_unicode=True,
                                     width=100)


# --- spreadsheets --------------------------------------------------------------------

def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file as dicts keyed by the header row."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_(f"{path}: not UTF-8 text; save the sheet as CSV UTF-8") from None
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx_rows(path: Path) -> list[dict[str, str]]:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = [["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)]
    if not rows:
        return []
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


def from_rows(rows: list[dict[str, str]], title: str) -> Imported:
    personas = [c.split(":", 1)[1] for c in (rows[0] if rows else {}) if
                c and c.startswith("emotion:")]
    stages: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        step_name = row.get("step_name") or row.get("step")
        if not step_name:
            problems.append(f"row {number}: no step_name or step; give the step a name")
            continue
        stage_name = row.get("stage_name") or row.get("stage")
        if stage_name and (not stages or stages[-1]["name"] != stage_name):
            stages.append({"id": row.get("stage") or slugify(stage_name),
                           "name": stage_name, "steps": []})
        if not stages:
            problems.append(f"row {number}: no stage for the step {step_name!r}; "
                            "fill in the stage column")
            continue
        step, step_problems = _step(row, step_name, personas, number)
        problems += step_problems
        stages[-1]["steps"].append(step)
    spec = {"title": title, "personas": personas, "stages": stages}
    return Imported(unique_ids(_fit_scale(spec)), problems)


def _step(row: dict[str, str], name: str, personas: list[str], number: int):
    step: dict[str, Any] = {"id": row.get("step") or slugify(name), "name": name}
    problems = []
    if row.get("actions"):
        step["actions"] = row["actions"]
    names = row.get("touchpoints", "").splitlines()
    channels = row.get("channel", "").splitlines()
    if len(names) != len(channels):
        problems.append(f"row {number}: {len(names)} touchpoint(s) but {len(channels)} "
                        "channel(s); write one channel per touchpoint, one per line")
    else:
        step["touchpoints"] = [{"channel": c, "name": n} for n, c in zip(names, channels)]
    scores = {}
    for persona in personas:
        value = row.get(f"emotion:{persona}", "")
        if value:
            try:
                scores[persona] = int(value)
            except ValueError:
                problems.append(f"row {number}: emotion:{persona} is {value!r}; "
                                "write a whole number such as -1")
    if scores:
        step["emotion"] = scores
    pains = [_pain(line) for line in row.get("pain_points", "").splitlines() if line]
    if pains:
        step["pain_points"] = pains
    opportunities = [{"text": t} for t in row.get("opportunities", "").splitlines() if t]
    if opportunities:
        step["opportunities"] = opportunities
    return step, problems


def _fit_scale(spec: dict[str, Any]) -> dict[str, Any]:
    """Widen the emotion scale past the default -2..2 when the sheet's scores need it."""
    scores = [v for st in spec["stages"] for s in st["steps"]
              for v in s.get("emotion", {}).values()]
    if scores and (min(scores) < -2 or max(scores) > 2):
        spec["emotion_scale"] = {"min": min(-2, *scores), "max": max(2, *scores)}
        spec = {k: spec[k] for k in ("title", "personas", "emotion_scale", "stages")}
    return spec


def _pain(line: str) -> dict[str, str]:
    severity, _, text = line.partition(": ")
    if severity in SEVERITIES and text:
        return {"text": text, "severity": severity}
    return {"text": line}


# --- Mermaid -------------------------------------------------------------------------

def from_mermaid(text: str, persona_ids: dict[str, str] | None = None,
                 low: int = -2, high: int = 2) -> Imported:
    """A journey from Mermaid ``journey`` text; actors become personas by name."""
    persona_ids = persona_ids or {}
    spec: dict[str, Any] = {"title": "Imported journey", "personas": [], "stages": []}
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("%%") or line == "journey":
            continue
        if line.startswith("title "):
            spec["title"] = _decode(line[6:])
        elif line.startswith("section "):
            name = _decode(line[8:])
            spec["stages"].append({"id": slugify(name) or f"stage-{number}", "name": name,
                                   "steps": []})
        elif ":" in line and spec["stages"]:
            spec["stages"][-1]["steps"].append(
                _task(line, number, spec["personas"], persona_ids, low, high, problems))
        else:
            problems.append(f"line {number}: cannot place {raw.strip()!r}; expected "
                            "`title ...`, `section ...` or `Task: score: actors`")
    return Imported(unique_ids(spec), problems)


def _task(line, number, personas, persona_ids, low, high, problems) -> dict[str, Any]:
    name, _, data = line.partition(":")
    score_text, _, actors = data.partition(":")
    name = _decode(name.strip())
    step: dict[str, Any] = {"id": slugify(name) or f"step-{number}", "name": name}
    try:
        score = int(score_text.strip())
    except ValueError:
        problems.append(f"line {number}: the score {score_text.strip()!r} is not 1 to 5")
        return step
    value = round(low + (high - low) * (min(5, max(1, score)) - 1) / 4)
    ids = []
    for actor in (a.strip() for a in actors.split(",") if a.strip()):
        actor = _decode(actor)
        pid = persona_ids.get(actor) or slugify(actor)
        ids.append(pid)
        if pid not in personas:
            personas.append(pid)
    step["emotion"] = {pid: value for pid in ids} if ids else value
    return step


def _decode(text: str) -> str:
    return _ENTITY.sub(lambda m: chr(int(m.group(1))), text.strip())



def unique_ids(spec: dict[str, Any]) -> dict[str, Any]:
    """Make stage and step ids unique within the journey: "pays", "pays-2", ..."""
    for kind, items in (("stage", spec["stages"]),
                        ("step", [s for st in spec["stages"] for s in st["steps"]])):
        seen: set[str] = set()
        for item in items:
            base = item["id"] or kind
            ident, n = base, 1
            while ident in seen:
                n += 1
                ident = f"{base}-{n}"
            item["id"] = ident
            seen.add(ident)
    return spec
