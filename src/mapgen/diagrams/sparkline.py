"""Sparkline: a word-sized emotion curve for journey cards and persona pages.

Decorative next to the text it sits beside (the card says the same in words), so it is
``aria-hidden``; a missing score breaks the line instead of pretending to be neutral.
"""

from __future__ import annotations

from collections.abc import Sequence

from mapgen.diagrams import style

WIDTH, HEIGHT, PAD = 120, 28, 3


def sparkline(values: Sequence[float | None], low: int, high: int) -> str:
    """An inline SVG polyline of ``values`` on the scale ``low..high``."""
    if not values or high <= low:
        return ""
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)

    def y(value: float) -> float:
        return PAD + (HEIGHT - 2 * PAD) * (high - value) / (high - low)

    runs: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        runs[-1].append(f"{PAD + index * step:.1f},{y(value):.1f}")
    lines = "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="currentColor" '
        f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
        for run in runs if len(run) > 1)
    dots = "".join(
        f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2" fill="currentColor"/>'
        for run in runs if len(run) == 1 for p in run)
    middle = y((low + high) / 2)
    return (f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" aria-hidden="true" focusable="false">'
            f'<line x1="0" x2="{WIDTH}" y1="{middle:.1f}" y2="{middle:.1f}" '
            f'stroke="{style.LINE}" stroke-dasharray="2 2"/>{lines}{dots}</svg>')
