"""Export: one journey in the formats other tools read.

* ``mermaid``: Mermaid's ``journey`` diagram, which GitHub renders in Markdown. Scores are
  mapped onto Mermaid's 1..5; each persona is an actor with their own score (personas who
  feel differently in a step get a task line each). The characters its grammar treats
  specially (``:`` ``;`` ``#`` ``,``) are written as Mermaid entity codes (``#58;``),
  which it shows as the character.
* ``csv``: one row per step, the layout a team's spreadsheet would have, with every field
  of the journey (:mod:`mapgen.sheet`); ``mapgen import`` reads it back without loss.
* ``json``: every field of the journey, defaults and ``x-`` fields included; ``mapgen
  import`` reads it back without loss.
"""

from __future__ import annotations

import csv
import io
import json

from mapgen.model import EmotionScale, Journey, Step, Workspace

FORMATS = ("mermaid", "csv", "json")
MERMAID_ENTITIES = {"#": "#35;", ":": "#58;", ";": "#59;", ",": "#44;"}


def mermaid_text(text: str) -> str:
    """``text`` safe inside a Mermaid journey: one line, special characters as entities."""
    out = "".join(MERMAID_ENTITIES.get(ch, ch) for ch in " ".join(str(text).split()))
    return out or "#32;"


def mermaid_score(score: float, low: int, high: int) -> int:
    """A score on ``low..high`` as Mermaid's 1..5."""
    if high <= low:
        return 3
    return max(1, min(5, round(1 + 4 * (score - low) / (high - low))))


def to_mermaid(ws: Workspace, journey: Journey) -> str:
    """One task line per step, or one per group of personas who feel the same there, so
    each actor carries their own score (Mermaid gives a task one score)."""
    scale = ws.scale_of(journey)
    lines = ["journey", f"    title {mermaid_text(journey.title)}"]
    for stage in journey.stages:
        lines.append(f"    section {mermaid_text(stage.name)}")
        for step in stage.steps:
            lines += _mermaid_tasks(ws, journey, step, scale)
    return "\n".join(lines) + "\n"


def _mermaid_tasks(ws: Workspace, journey: Journey, step: Step,
                   scale: EmotionScale) -> list[str]:
    scores = step.scores(journey.personas, scale)
    if not scores:
        return [f"      {mermaid_text(step.name)}: {mermaid_score(_middle(scale), scale.min, scale.max)}"]
    groups: dict[int, list[str]] = {}
    for persona, score in scores.items():
        groups.setdefault(mermaid_score(score, scale.min, scale.max), []).append(persona)
    return [f"      {mermaid_text(step.name)}: {score}: "
            + ",".join(mermaid_text(_persona_name(ws, p)) for p in personas)
            for score, personas in groups.items()]


def _middle(scale: EmotionScale) -> float:
    return (scale.min + scale.max) / 2


def _persona_name(ws: Workspace, persona_id: str) -> str:
    persona = ws.personas.get(persona_id)
    return persona.name if persona else persona_id


def to_csv(ws: Workspace, journey: Journey) -> str:
    """Every field of the journey in the table layout of :mod:`mapgen.sheet`; cells that
    would start a formula are neutralised."""
    from mapgen import sheet  # here: every command imports this module, for FORMATS

    header, rows = sheet.journey_rows(journey)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([sheet.neutralise_formula(row[column]) for column in header])
    return out.getvalue()


def to_json(ws: Workspace, journey: Journey) -> str:
    """The journey with every field, defaults and ``x-`` fields included."""
    from mapgen import sheet

    data = {"id": journey.id, **sheet.spec_data(journey, defaults=True)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


EXPORTERS = {"mermaid": to_mermaid, "csv": to_csv, "json": to_json}


def export(ws: Workspace, journey: Journey, fmt: str) -> str:
    return EXPORTERS[fmt](ws, journey)
