"""Charts: the views that are charts, not graphs, drawn as plain SVG by our own code.

* :func:`emotion_curve`: one line per persona across the steps, stage bands behind, the
  scale's labels (with emoticons) on the axis. A step without a persona's score breaks
  that persona's line: a gap is not a neutral.
* :func:`funnel`: ``reached`` per stage, the drop-off between stages, and the biggest
  loss highlighted: where the business loses most customers.

Both escape every piece of user text and format every number with fixed decimals, so
the same journey always gives the same bytes.
"""

from __future__ import annotations

import textwrap
from html import escape
from itertools import pairwise

from mapgen.diagrams import style, svg
from mapgen.diagrams.graphs import signed
from mapgen.model import Journey, Workspace

LEFT, TOP, STEP_WIDTH, PLOT_HEIGHT, LABEL_HEIGHT = 130, 40, 96, 220, 64


def _n(value: float) -> str:
    return f"{value:.1f}"


def _wrap(value: str, width: int, lines: int) -> list[str]:
    out = textwrap.wrap(" ".join(str(value).split()), width) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def _text(x: float, y: float, lines: list[str], **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    spans = "".join(f'<tspan x="{_n(x)}" dy="{0 if i == 0 else 1.2}em">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{spans}</text>'


def _document(width: float, height: float, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}pt" '
            f'height="{_n(height)}pt" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'font-family="{style.FONT},Arial,sans-serif" font-size="11" '
            f'fill="{style.INK}">{body}</svg>')


# --- the emotion curve ---------------------------------------------------------------

def emotion_curve(ws: Workspace, journey: Journey) -> str:
    scale = ws.scale_of(journey)
    steps = journey.steps
    personas = list(journey.personas)
    width = LEFT + STEP_WIDTH * max(1, len(steps)) + 20
    legend_top = TOP + PLOT_HEIGHT + LABEL_HEIGHT
    height = legend_top + 22 * max(1, len(personas)) + 10
    span = max(1, scale.max - scale.min)

    def x(index: int) -> float:
        return LEFT + STEP_WIDTH * index + STEP_WIDTH / 2

    def y(score: float) -> float:
        return TOP + PLOT_HEIGHT * (scale.max - score) / span

    parts = [_bands(journey, x), _axis(scale, y, width)]
    parts += [_step_labels(steps, x)]
    for index, persona in enumerate(personas):
        parts.append(_persona_line(ws, journey, persona, index, x, y))
    parts.append(_legend(ws, personas, legend_top))
    title = f"Emotion curve of {journey.title}"
    return svg.finish(_document(width, height, "".join(parts)), f"emotion-{journey.id}",
                      title, _curve_description(ws, journey))


def _bands(journey: Journey, x) -> str:
    out, first = [], 0
    for index, stage in enumerate(journey.stages):
        count = len(stage.steps)
        if not count:
            continue
        left = x(first) - STEP_WIDTH / 2
        fill = "#f6f8fa" if index % 2 == 0 else "#eaeef2"
        out.append(
            f'<g class="stage-band" data-stage="{escape(stage.id)}">'
            f'<rect x="{_n(left)}" y="{TOP - 28}" width="{_n(STEP_WIDTH * count)}" '
            f'height="{PLOT_HEIGHT + 28}" fill="{fill}"/>'
            + _text(left + 6, TOP - 14, _wrap(stage.name, int(STEP_WIDTH * count / 7), 1),
                    font_weight="bold", fill=style.MUTED)
            + "</g>")
        first += count
    return "".join(out)


def _axis(scale, y, width: float) -> str:
    out = []
    for score in scale.scores:
        label = f"{scale.emoticon(score)} {scale.label(score)}".strip()
        out.append(f'<line x1="{LEFT}" x2="{_n(width - 20)}" y1="{_n(y(score))}" '
                   f'y2="{_n(y(score))}" stroke="{style.LINE}" stroke-width="0.5" '
                   f'stroke-dasharray="{"" if score == 0 else "3 3"}"/>')
        out.append(_text(LEFT - 8, y(score) + 4, [f"{label} ({signed(score)})"],
                         text_anchor="end"))
    return f'<g class="axis">{"".join(out)}</g>'


def _step_labels(steps, x) -> str:
    return "".join(
        f'<g class="step-label"><title>{escape(step.name)}</title>'
        + _text(x(i), TOP + PLOT_HEIGHT + 16, _wrap(step.name, 15, 3), text_anchor="middle",
                font_size="10")
        + "</g>" for i, step in enumerate(steps))


def _persona_line(ws, journey, persona: str, index: int, x, y) -> str:
    scale = ws.scale_of(journey)
    colour = style.PERSONA_COLOURS[index % len(style.PERSONA_COLOURS)]
    dash = style.PERSONA_DASHES[index % len(style.PERSONA_DASHES)]
    marker = style.PERSONA_MARKERS[index % len(style.PERSONA_MARKERS)]
    name = _persona_name(ws, persona)
    runs: list[list[str]] = [[]]
    points = []
    for i, step in enumerate(journey.steps):
        score = step.scores(journey.personas).get(persona)
        if score is None:
            runs.append([])
            continue
        runs[-1].append(f"{_n(x(i))},{_n(y(score))}")
        tip = f"{name} at {step.name}: {scale.label(score)} ({signed(score)})"
        points.append(_marker(marker, x(i), y(score), colour, tip))
    lines = "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5" '
        f'stroke-dasharray="{dash}" stroke-linejoin="round"/>' for run in runs if len(run) > 1)
    return (f'<g class="persona-line" data-persona="{escape(persona)}">'
            f"{lines}{''.join(points)}</g>")


def _marker(shape: str, cx: float, cy: float, colour: str, tip: str) -> str:
    tip_el = f"<title>{escape(tip)}</title>"
    r = 5
    if shape == "circle":
        body = f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{r}"'
    elif shape == "square":
        body = f'<rect x="{_n(cx - r)}" y="{_n(cy - r)}" width="{2 * r}" height="{2 * r}"'
    else:
        corners = {
            "diamond": [(0, -r - 1), (r + 1, 0), (0, r + 1), (-r - 1, 0)],
            "triangle": [(0, -r - 1), (r + 1, r), (-r - 1, r)],
            "cross": [(-r, -2), (-2, -2), (-2, -r), (2, -r), (2, -2), (r, -2), (r, 2), (2, 2),
                      (2, r), (-2, r), (-2, 2), (-r, 2)],
        }[shape]
        points = " ".join(f"{_n(cx + dx)},{_n(cy + dy)}" for dx, dy in corners)
        body = f'<polygon points="{points}"'
    return f'<g class="point">{body} fill="{colour}" stroke="#ffffff"/>{tip_el}</g>'


def _legend(ws, personas: list[str], top: float) -> str:
    out = []
    for index, persona in enumerate(personas):
        colour = style.PERSONA_COLOURS[index % len(style.PERSONA_COLOURS)]
        dash = style.PERSONA_DASHES[index % len(style.PERSONA_DASHES)]
        marker = style.PERSONA_MARKERS[index % len(style.PERSONA_MARKERS)]
        row = top + 22 * index
        out.append(f'<line x1="{LEFT}" x2="{LEFT + 40}" y1="{_n(row)}" y2="{_n(row)}" '
                   f'stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/>'
                   + _marker(marker, LEFT + 20, row, colour, _persona_name(ws, persona))
                   + _text(LEFT + 50, row + 4, [_persona_name(ws, persona)]))
    return f'<g class="legend">{"".join(out)}</g>'


def _persona_name(ws: Workspace, persona: str) -> str:
    found = ws.personas.get(persona)
    return found.name if found else persona


def _curve_description(ws: Workspace, journey: Journey) -> str:
    scale = ws.scale_of(journey)
    parts = []
    for persona in journey.personas:
        scored = [(s.scores(journey.personas).get(persona), s.name) for s in journey.steps]
        scored = [(score, name) for score, name in scored if score is not None]
        if not scored:
            continue
        low, high = min(scored, key=lambda p: p[0]), max(scored, key=lambda p: p[0])
        parts.append(f"{_persona_name(ws, persona)}: lowest {scale.label(low[0])} at "
                     f"{low[1]}, highest {scale.label(high[0])} at {high[1]}")
    return "; ".join(parts) or "No emotions recorded."


# --- the funnel ----------------------------------------------------------------------

BAR_HEIGHT, GAP, FUNNEL_WIDTH, FUNNEL_LEFT = 30, 30, 460, 190


def funnel(journey: Journey) -> str | None:
    stages = [stage for stage in journey.stages if stage.reached is not None]
    if not stages:
        return None
    top_value = max(stage.reached for stage in stages) or 1
    losses = [a.reached - b.reached for a, b in pairwise(stages)]
    biggest = max(range(len(losses)), key=lambda i: losses[i]) if losses and \
        max(losses) > 0 else None
    parts = []
    for index, stage in enumerate(stages):
        top = 10 + index * (BAR_HEIGHT + GAP)
        width = max(2.0, FUNNEL_WIDTH * stage.reached / top_value)
        left = FUNNEL_LEFT + (FUNNEL_WIDTH - width) / 2
        parts.append(
            f'<g class="funnel-stage" data-stage="{escape(stage.id)}">'
            f'<rect x="{_n(left)}" y="{top}" width="{_n(width)}" height="{BAR_HEIGHT}" '
            f'rx="3" fill="{style.EMOTION_COLOURS[3]}"/>'
            + _text(FUNNEL_LEFT - 10, top + 19, _wrap(stage.name, 28, 1), text_anchor="end",
                    font_weight="bold")
            + _text(FUNNEL_LEFT + FUNNEL_WIDTH + 10, top + 19, [f"{stage.reached:,}"])
            + "</g>")
        if index < len(losses):
            parts.append(_drop(stage, losses[index], top + BAR_HEIGHT + GAP / 2 + 4,
                               index == biggest))
    height = 20 + len(stages) * (BAR_HEIGHT + GAP) - GAP
    width = FUNNEL_LEFT + FUNNEL_WIDTH + 90
    title = f"Funnel of {journey.title}"
    return svg.finish(_document(width, height, "".join(parts)), f"funnel-{journey.id}",
                      title, _funnel_description(stages, losses, biggest))


def _drop(previous, lost: int, y: float, biggest: bool) -> str:
    share = 100 * lost / previous.reached if previous.reached else 0.0
    text = f"−{lost:,} ({share:.0f}%)"
    if biggest:
        return ('<g class="drop-off biggest">'
                + _text(FUNNEL_LEFT + FUNNEL_WIDTH / 2, y, [f"{text} · Biggest drop-off"],
                        text_anchor="middle", font_weight="bold", fill=style.EXIT)
                + "</g>")
    return ('<g class="drop-off">'
            + _text(FUNNEL_LEFT + FUNNEL_WIDTH / 2, y, [text], text_anchor="middle",
                    fill=style.MUTED)
            + "</g>")


def _funnel_description(stages, losses: list[int], biggest: int | None) -> str:
    figures = ", ".join(f"{stage.name} {stage.reached:,}" for stage in stages)
    if biggest is None:
        return f"Customers reaching each stage: {figures}."
    a, b = stages[biggest], stages[biggest + 1]
    return (f"Customers reaching each stage: {figures}. Biggest drop-off: "
            f"{losses[biggest]:,} between {a.name} and {b.name}.")
