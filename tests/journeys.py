"""Journeys written for tests and screenshots: any number of steps, every lane filled."""

from __future__ import annotations

PERSONAS = {"ana": "name: Ana Ruiz\n", "ben": "name: Ben Okoye\n"}


def generated_journey(steps: int, per_stage: int = 4) -> str:
    """A journey of ``steps`` steps in stages of ``per_stage``, every lane filled, two
    personas whose curves cross, a revisit and an exit: the worst case for the map."""
    lines = ["title: A journey of many steps", "personas: [ana, ben]", "stages:"]
    for start in range(0, steps, per_stage):
        stage = start // per_stage
        lines += [f"  - id: stage-{stage}", f"    name: Stage {stage + 1} of the journey",
                  f"    phase: {('before', 'during', 'after')[stage % 3]}",
                  f"    reached: {10000 - stage * 100}",
                  "    kpis: [{name: Conversion, value: 40%, target: 50%}]", "    steps:"]
        for index in range(start, min(steps, start + per_stage)):
            lines += _step(index, steps)
    return "\n".join(lines) + "\n"


def _step(index: int, steps: int) -> list[str]:
    lines = [
        f"      - id: step-{index}",
        f"        name: Step {index + 1} where the customer does a thing",
        "        actions: Reads the page, compares two options and picks one.",
        "        motivations: Wants it done before lunch.",
        "        thoughts: [\"Is this the right one?\"]",
        "        touchpoints: [{channel: web, name: Product page}]",
        f"        emotion: {{ana: {index % 5 - 2}, ben: {2 - index % 5}}}",
        f"        pain_points: [{{id: pain-{index}, text: The price is hard to find.,"
        f" severity: {('low', 'medium', 'high', 'critical')[index % 4]}}}]",
        f"        opportunities: [{{text: Show the price first., addresses: [pain-{index}],"
        " priority: high, status: planned}]",
        "        frontstage: The page shows prices.",
        "        backstage: Prices come from the catalogue.",
        "        support: [Catalogue service]",
    ]
    if index == 3:
        lines.append("        next: [step-1, step-4]")
    if index == steps - 1 and steps > 2:
        lines.append("        next: []")
    return lines


def generated_workspace(*lengths: int) -> dict[str, str]:
    """The files of a workspace with a generated journey ``steps-N`` of each length N."""
    files = {"mapgen.yml": "title: Generated journeys\n"}
    files |= {f"specs/journeys/steps-{n}.yml": generated_journey(n) for n in lengths}
    files |= {f"specs/personas/{pid}.yml": text for pid, text in PERSONAS.items()}
    return files
