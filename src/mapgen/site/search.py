"""Search: the index the search page reads, as a script so it works from ``file://``.

Browsers refuse ``fetch`` of a local JSON file from a page opened from disk, but load a
``<script src>`` beside it, so the index is a script that sets ``window.MAPGEN_SEARCH``:
a list of entries ``{k: kind, t: title, x: text, u: url relative to the site root}``.
"""

from __future__ import annotations

import json

from mapgen.model import Workspace
from mapgen.site.pages import journey_path, persona_path, prose_path


def entries(ws: Workspace) -> list[dict[str, str]]:
    out = []
    for persona in ws.personas.values():
        out.append(_entry("persona", persona.name, persona_path(persona.id),
                          persona.role, persona.description, *persona.goals))
    for journey in ws.journeys.values():
        url = journey_path(journey.id)
        out.append(_entry("journey", journey.title, url, journey.objective,
                          journey.description, *journey.tags))
        for stage in journey.stages:
            for step in stage.steps:
                anchor = f"{url}#step-{step.id}"
                out.append(_entry("step", step.name, anchor, journey.title, stage.name,
                                  step.actions, step.motivations, *step.thoughts))
                for tp in step.touchpoints:
                    out.append(_entry("touchpoint", tp.name, anchor, tp.channel,
                                      step.name, journey.title))
                for pain in step.pain_points:
                    out.append(_entry("pain point", pain.text, anchor, pain.severity,
                                      step.name, journey.title))
    for page in ws.pages.values():
        out.append(_entry("page", page.title, prose_path(page.id), page.body))
    return out


def _entry(kind: str, title: str, url: str, *text: str | None) -> dict[str, str]:
    return {"k": kind, "t": title, "u": url, "x": " ".join(t for t in text if t)}


def index_script(ws: Workspace) -> bytes:
    data = json.dumps(entries(ws), ensure_ascii=False, separators=(",", ":"))
    # "</" would end an inline script early; the escape keeps the JSON equal in value.
    data = data.replace("</", "<\\/")
    return f"window.MAPGEN_SEARCH = {data};\n".encode()
