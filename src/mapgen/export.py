"""Export: one journey in the formats other tools read.

* ``mermaid``: Mermaid's ``journey`` diagram, which GitHub renders in Markdown. Scores are
  mapped onto Mermaid's 1..5; a step's score is the mean over its personas, who are the
  task's actors. The characters its grammar treats specially (``:`` ``;`` ``#`` ``,``)
  are written as Mermaid entity codes (``#58;``), which it shows as the character.
* ``csv``: one row per step, the layout a team's spreadsheet would have; several values
  in one cell are one per line.
* ``json``: the compiled journey, as in the site's journeys.json.
"""

from __future__ import annotations

import csv
import io
import json

from mapgen.model import Journey, Workspace

FORMATS = ("mermaid", "csv", "json")
MERMAID_ENTITIES = {"#": "#35;", ":": "#58;", ";": "#59;", ",": "#44;"}
#: ``personas`` is who takes part in the step (one per line; blank: every persona);
#: the ``emotion:<persona>`` cells hold scores, labels written in the spec read as numbers.
CSV_FIXED = ("stage", "stage_name", "stage_owner", "stage_duration", "step", "step_name",
             "personas", "actions", "touchpoints", "channel")
CSV_TRAILING = ("pain_points", "opportunities")


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
    scale = ws.scale_of(journey)
    lines = ["journey", f"    title {mermaid_text(journey.title)}"]
    for stage in journey.stages:
        lines.append(f"    section {mermaid_text(stage.name)}")
        for step in stage.steps:
            scores = step.scores(journey.personas, scale)
            mean = sum(scores.values()) / len(scores) if scores else (scale.min + scale.max) / 2
            actors = ",".join(mermaid_text(_persona_name(ws, p)) for p in scores)
            task = f"      {mermaid_text(step.name)}: {mermaid_score(mean, scale.min, scale.max)}"
            lines.append(f"{task}: {actors}" if actors else task)
    return "\n".join(lines) + "\n"


def _persona_name(ws: Workspace, persona_id: str) -> str:
    persona = ws.personas.get(persona_id)
    return persona.name if persona else persona_id


def csv_columns(journey: Journey) -> list[str]:
    return [*CSV_FIXED, *(f"emotion:{p}" for p in journey.personas), *CSV_TRAILING]


def to_csv(ws: Workspace, journey: Journey) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_columns(journey), lineterminator="\n")
    writer.writeheader()
    scale = ws.scale_of(journey)
    for stage in journey.stages:
        for step in stage.steps:
            scores = step.scores(journey.personas, scale)
            row = {
                "stage": stage.id, "stage_name": stage.name,
                "stage_owner": stage.owner or "", "stage_duration": stage.duration or "",
                "step": step.id, "step_name": step.name,
                "personas": "\n".join(step.personas or ()), "actions": step.actions or "",
                "touchpoints": "\n".join(tp.name for tp in step.touchpoints),
                "channel": "\n".join(tp.channel for tp in step.touchpoints),
                "pain_points": "\n".join(f"{p.severity}: {p.text}" for p in step.pain_points),
                "opportunities": "\n".join(o.text for o in step.opportunities),
            }
            row.update({f"emotion:{p}": scores.get(p, "") for p in journey.personas})
            writer.writerow(row)
    return out.getvalue()


def to_json(ws: Workspace, journey: Journey) -> str:
    return json.dumps(journey.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


EXPORTERS = {"mermaid": to_mermaid, "csv": to_csv, "json": to_json}


def export(ws: Workspace, journey: Journey, fmt: str) -> str:
    return EXPORTERS[fmt](ws, journey)
