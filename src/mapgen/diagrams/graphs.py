"""Graphs: the views that are graphs, built as DOT (see :mod:`mapgen.diagrams.dot`).

No user text is ever pasted into DOT syntax. Node names are our own (``step_3``), and
every label is an HTML-like label whose text went through :func:`html.escape`, so quotes,
braces, ``<``, ``>``, backslashes, newlines or emoji render as written and cannot change
the graph.

The engine under-measures CJK text (see :mod:`mapgen.diagrams.metrics`): a cell whose
text is drawn wider than the engine thinks gets that width reserved (:func:`text_cell`).
A right-to-left journey's graphs run right to left, their text aligned to the right.
mapgen's own words ("exit", lane names, severities) are in the journey's language
(:func:`~mapgen.messages.drawn_messages`).
"""

from __future__ import annotations

import math
import re
from html import escape
from itertools import pairwise

from mapgen.cache import pure
from mapgen.diagrams import metrics, style
from mapgen.diagrams.dot import Digraph
from mapgen.diagrams.wrap import clip, wrap
from mapgen.messages import Messages, drawn_messages
from mapgen.model import Journey, Step, Workspace

WRAP = 28
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LINES = 4
#: The ``cellpadding`` of a step's table.
CELL_PADDING = 4


@pure(16384)  # channel, persona and emotion labels repeat
def text(value: str, width: int = WRAP, lines: int = MAX_LINES) -> str:
    """User text as HTML-label content: escaped, wrapped, at most ``lines`` lines."""
    wrapped: list[str] = []
    value = _CONTROL.sub("", str(value))  # XML cannot hold them, not even escaped
    for paragraph in value.splitlines() or [""]:
        wrapped += wrap(paragraph, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = clip(wrapped[-1], width - 1) + "…"
    return "<br/>".join(escape(line, quote=True) for line in wrapped)


def _html(content: str) -> str:
    """Mark ``content`` as an HTML-like label (written as it is, see dot.quote)."""
    return f"<{content}>"


def _room(content: str, size: float, padding: float) -> str:
    """A ``width`` attribute that reserves the drawn width of ``content``'s widest line,
    where the engine would make less room (CJK text); else nothing."""
    if content.isascii():
        return ""
    engine, drawn = metrics.label_widths(content, size)
    return f' width="{math.ceil(drawn + 2 * padding)}"' if drawn > engine else ""


def text_cell(content: str, size: float, attrs: str = "") -> str:
    """A ``<td>`` of a step's table, wide enough for its text as a browser draws it."""
    return f"<td{attrs}{_room(content, size, CELL_PADDING)}>{content}</td>"


def fitted(content: str, size: float, rtl: bool = False) -> str:
    """A label's content in a borderless cell as wide as its drawn text, where the engine
    would make less room; else the content as it is.

    The lines start at the cell's edge (the left, the right for ``rtl``): Graphviz places
    a line by its own estimate of the width, so a centred line drawn wider than that
    would stick out of the cell on one side."""
    room = _room(content, size, 0)
    if not room:
        return content
    return (f'<table border="0" cellborder="0" cellspacing="0" cellpadding="0">'
            f"<tr><td{room}{_aligned(rtl)}>{content}</td></tr></table>")


def _aligned(rtl: bool) -> str:
    """Cell text aligned to where lines start: the left, or the right for rtl."""
    side = "right" if rtl else "left"
    return f' align="{side}" balign="{side}"'


def _graph(name: str, **attrs: str) -> Digraph:
    graph = Digraph(name)
    graph.attr(fontname=style.FONT, fontsize="12", bgcolor="transparent", pad="0.2",
               fontcolor=style.INK, **attrs)
    graph.attr("node", fontname=style.FONT, fontsize="11", shape="plain",
               fontcolor=style.INK, color=style.LINE)
    graph.attr("edge", fontname=style.FONT, fontsize="10", color=style.LINE,
               fontcolor=style.MUTED, arrowsize="0.7")
    return graph


def _step_node(step_index: int) -> str:
    return f"step_{step_index}"


# --- flow ----------------------------------------------------------------------------

def flow(ws: Workspace, journey: Journey) -> str:
    """Stages as clusters in reading order, steps in order, emotions, pains, next edges."""
    rtl, words = ws.drawn_dir(journey) == "rtl", drawn_messages(ws, journey)
    graph = _graph(f"flow_{journey.id}", rankdir="RL" if rtl else "LR", newrank="true",
                   nodesep="0.3", ranksep="0.5")
    index = {step.id: i for i, step in enumerate(journey.steps)}
    for s, stage in enumerate(journey.stages):
        with graph.subgraph(name=f"cluster_stage_{s}") as cluster:
            name = fitted(f"<b>{text(stage.name, 40, 2)}</b>", 12, rtl)
            cluster.attr(label=_html(name), style="rounded", color=style.LINE,
                         labeljust="r" if rtl else "l", margin="12")
            for step in stage.steps:
                cluster.node(_step_node(index[step.id]),
                             _html(_step_label(ws, journey, step, words)),
                             id=f"step-{step.id}", **{"class": "step"})
    _flow_edges(graph, journey, index, words)
    return graph.source


def _step_label(ws: Workspace, journey: Journey, step: Step, words: Messages) -> str:
    scale = ws.scale_of(journey)
    scores = step.scores(journey.personas, scale)
    average = sum(scores.values()) / len(scores) if scores else None
    fill, ink = (style.emotion_fill(average, scale.min, scale.max) if average is not None
                 else (style.PAPER, style.INK))
    rtl = ws.drawn_dir(journey) == "rtl"
    aligned = _aligned(rtl)
    cells = [text_cell(f'<font color="{ink}"><b>{text(step.name)}</b></font>', 11,
                       f' bgcolor="{fill}"{aligned}')]
    for tp in step.touchpoints:
        channel = ws.channels.get(tp.channel)
        cells.append(text_cell(f'<font point-size="9" color="{style.MUTED}">'
                               f"{text(channel.name if channel else tp.channel, 30, 1)}: "
                               f"{text(tp.name, 30, 2)}</font>", 11, aligned))
    feelings = _emotion_text(ws, journey, scores, words)
    cells.append(text_cell(f'<font point-size="9">{feelings}</font>', 11, aligned))
    for pain in step.pain_points:
        colour = style.SEVERITY_COLOURS[pain.severity]
        severity = escape(words.text(f"severity.{pain.severity}"))
        cells.append(text_cell(f'<font point-size="9" color="{colour}">'
                               f"{_pain_text(severity, text(pain.text, 30, 2), rtl)}"
                               "</font>", 11, aligned))
    rows = [f"<tr>{cell}</tr>" for cell in cells]
    return (f'<table border="1" cellborder="0" cellspacing="0" cellpadding="4" '
            f'color="{style.LINE}" bgcolor="{style.PAPER}">{"".join(rows)}</table>')


def _pain_text(severity: str, wrapped: str, rtl: bool) -> str:
    """"⚠ high: text", the severity first in reading order: Graphviz lays a line's runs
    out left to right, so for right-to-left text the severity is written after the text
    of the first line."""
    if not rtl:
        return f"<b>⚠ {severity}</b>: {wrapped}"
    first, _, rest = wrapped.partition("<br/>")
    return f": {first}<b>⚠ {severity}</b>" + (f"<br/>{rest}" if rest else "")


def _emotion_text(ws: Workspace, journey: Journey, scores: dict[str, int],
                  words: Messages) -> str:
    if not scores:
        return escape(words.text("flow.no_emotion"))
    scale = ws.scale_of(journey)
    # In right-to-left text "(+1)" would show as "(1+)": the figure is isolated as
    # left-to-right (U+2066 ... U+2069, drawn as nothing).
    isolate = ("\u2066", "\u2069") if ws.drawn_dir(journey) == "rtl" else ("", "")
    parts = []
    for persona, score in scores.items():
        who = f"{text(_persona_name(ws, persona), 20, 1)} " if len(scores) > 1 else ""
        parts.append(f"{who}{scale.emoticon(score)} {escape(scale.label(score))} "
                     f"{isolate[0]}({signed(score)}){isolate[1]}")
    return "<br/>".join(parts)


def signed(score: int) -> str:
    """+1, 0, -1: a score as people write it."""
    return f"{score:+d}" if score else "0"


def _persona_name(ws: Workspace, persona_id: str) -> str:
    persona = ws.personas.get(persona_id)
    return persona.name if persona else persona_id


def _flow_edges(graph: Digraph, journey: Journey, index: dict[str, int],
                words: Messages) -> None:
    for step in journey.steps:
        here = index[step.id]
        targets = [t for t in journey.next_steps(step) if t in index]
        for target in targets:
            there = index[target]
            if there <= here:
                graph.edge(_step_node(here), _step_node(there),
                           label=_html(fitted(text(words.text("flow.revisit"), 20, 1), 10)),
                           style="dashed", color=style.REVISIT, fontcolor=style.REVISIT,
                           constraint="false", penwidth="1.5", **{"class": "revisit"})
            else:
                graph.edge(_step_node(here), _step_node(there), **{"class": "next"})
        if step.next is not None and not step.next:
            _exit(graph, here, words.text("flow.exit"))


def _exit(graph: Digraph, step_index: int, word: str) -> None:
    node = f"exit_{step_index}"
    graph.node(node, _html(fitted(text(word, 12, 1), 9)), shape="octagon", style="filled",
               fillcolor="#ffebe9", color=style.EXIT, fontcolor=style.EXIT, fontsize="9",
               margin="0.05", **{"class": "exit"})
    graph.edge(_step_node(step_index), node, color=style.EXIT, style="bold",
               **{"class": "exit"})


# --- blueprint -----------------------------------------------------------------------

#: The blueprint's lanes below the steps, and the message of each one's title.
LANES = (
    ("actions", "blueprint.actions"),
    ("touchpoints", "lane.touchpoints"),
    ("frontstage", "lane.frontstage"),
    ("backstage", "lane.backstage"),
    ("support", "blueprint.support"),
)


def blueprint(ws: Workspace, journey: Journey) -> str:
    """Service blueprint: one row per lane, one aligned column per step, in reading order."""
    graph = _graph(f"blueprint_{journey.id}", rankdir="TB", nodesep="0.15", ranksep="0.25",
                   newrank="true")
    graph.attr("node", shape="box", style="rounded,filled", fillcolor=style.PAPER,
               width="2.2", margin="0.12,0.08")
    rows = [("step", "blueprint.step")] + list(LANES)
    rtl, words = ws.drawn_dir(journey) == "rtl", drawn_messages(ws, journey)
    for lane, title in rows:
        with graph.subgraph(name=f"lane_{lane}") as row:
            row.attr(rank="same")
            head = fitted(f"<b>{text(words.text(title), 20, 2)}</b>", 11, rtl)
            row.node(f"{lane}_head", _html(head), shape="plaintext", style="", width="1.6")
            for i, step in enumerate(journey.steps):
                row.node(f"{lane}_{i}", _html(fitted(_lane_text(ws, step, lane), 11, rtl)),
                         id=f"{lane}-{step.id}", **_lane_style(lane))
    _blueprint_edges(graph, journey, [lane for lane, _ in rows], rtl)
    return graph.source


def _lane_text(ws: Workspace, step: Step, lane: str) -> str:
    if lane == "step":
        return f"<b>{text(step.name)}</b>"
    if lane == "touchpoints":
        items = [f"{ws.channels[tp.channel].name if tp.channel in ws.channels else tp.channel}:"
                 f" {tp.name}" for tp in step.touchpoints]
    elif lane == "support":
        items = list(step.support)
    else:
        value = getattr(step, lane)
        items = [value] if value else []
    return "<br/>".join(text(item, WRAP, 3) for item in items) or "–"


def _lane_style(lane: str) -> dict[str, str]:
    fills = {"step": "#eaeef2", "actions": "#ddf4ff", "touchpoints": "#fff8c5",
             "frontstage": "#dafbe1", "backstage": "#fbefff", "support": "#f6f8fa"}
    return {"fillcolor": fills[lane]}


def _blueprint_edges(graph: Digraph, journey: Journey, lanes: list[str],
                     rtl: bool = False) -> None:
    """Invisible edges hold columns and rows in place; actions flow in reading order."""
    columns = ["head"] + [str(i) for i in range(len(journey.steps))]
    for column in columns:
        for upper, lower in pairwise(lanes):
            graph.edge(f"{upper}_{column}", f"{lower}_{column}", style="invis", weight="100")
    order = columns[::-1] if rtl else columns  # from the left
    for left, right in pairwise(order):  # the top row fixes the order of the columns
        graph.edge(f"{lanes[0]}_{left}", f"{lanes[0]}_{right}", style="invis")
    for left, right in pairwise(order[:-1] if rtl else order[1:]):
        # An edge within a row runs from left to right: from the right, the arrow turns.
        graph.edge(f"actions_{left}", f"actions_{right}", color=style.LINE,
                   **({"dir": "back"} if rtl else {}))
