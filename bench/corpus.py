"""A deterministic corpus of journeys for benchmarks: `python bench/corpus.py N DIR`.

Each journey has 5 stages x 4 steps, 2 personas, touchpoints, pain points,
opportunities, `reached` figures and, every third journey, a revisit. The same N gives
the same files, byte for byte.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")
CHANNELS = ("web", "email", "social", "phone", "store", "app")
PERSONAS = 10


def persona_text(index: int) -> str:
    return (f"name: Persona {index}\nrole: Customer segment {index}\n"
            f"goals: [Goal {index}]\nchannels: [web, email]\n")


def journey_text(index: int) -> str:
    rng = random.Random(index)
    personas = [f"p{index % PERSONAS}", f"p{(index + 1) % PERSONAS}"]
    lines = [f"title: Journey {index}", f"personas: [{', '.join(personas)}]",
             "status: current", f"period: 2026-Q{index % 4 + 1}",
             "sources: [{id: survey, title: Survey}]", "stages:"]
    reached = 10000 + rng.randint(0, 5000)
    for s, stage in enumerate(STAGES):
        lines += [f"  - id: {stage}", f"    name: {stage.title()}", f"    reached: {reached}",
                  "    steps:"]
        reached = int(reached * rng.uniform(0.4, 0.9))
        for k in range(4):
            step = f"{stage}-{k}"
            lines += [
                f"      - id: {step}",
                f"        name: Step {k + 1} of {stage} in journey {index}",
                "        actions: Does something useful.",
                f"        touchpoints: [{{channel: {rng.choice(CHANNELS)}, name: Page {k}}}]",
                (f"        emotion: {{{personas[0]}: {rng.randint(-2, 2)}, "
                 f"{personas[1]}: {rng.randint(-2, 2)}}}"),
            ]
            if k == 1:
                pain = f"pain-{s}"
                lines += ["        pain_points:",
                          (f"          - {{id: {pain}, text: Something hurts, "
                           f"severity: high, evidence: [survey]}}"),
                          "        opportunities:",
                          f"          - {{text: Fix it, addresses: [{pain}], status: planned}}"]
            if index % 3 == 0 and s == 2 and k == 3:
                lines.append(f"        next: [{STAGES[1]}-0, {STAGES[3]}-0]")
    return "\n".join(lines) + "\n"


def write_corpus(n: int, root: Path) -> Path:
    """Write a workspace of ``n`` journeys under ``root``; returns ``root``."""
    (root / "specs/personas").mkdir(parents=True, exist_ok=True)
    (root / "specs/journeys").mkdir(parents=True, exist_ok=True)
    (root / "mapgen.yml").write_text("title: Benchmark corpus\n", encoding="utf-8")
    for i in range(PERSONAS):
        (root / f"specs/personas/p{i}.yml").write_text(persona_text(i), encoding="utf-8")
    for i in range(n):
        (root / f"specs/journeys/j{i:04d}.yml").write_text(journey_text(i), encoding="utf-8")
    return root


if __name__ == "__main__":
    write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
