"""Diagrams: the pictures of a journey, from the validated model to page-ready SVG.

Views, each a pure function of one journey (or of the workspace):

=========  ====================================================  ================
view       what it shows                                         drawn by
=========  ====================================================  ================
flow       stages, steps, touchpoints, emotions, pains, `next`   Graphviz
blueprint  service-blueprint swimlanes, one column per step      Graphviz
overview   personas -> journeys -> stages (the workspace)        Graphviz
emotion    one line per persona across the steps                 our SVG code
funnel     `reached` per stage and the drop-off between them     our SVG code
=========  ====================================================  ================

:func:`render` builds the DOT of every graph view asked for, lays all of them out in one
batch through the cache and the engine, and finishes every SVG (see :mod:`.svg`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mapgen.diagrams import charts, graphs, svg
from mapgen.diagrams.cache import DiagramCache
from mapgen.diagrams.engine import Engine, EngineError, Job
from mapgen.model import Journey, Workspace

JOURNEY_VIEWS = ("flow", "blueprint", "emotion", "funnel")
GRAPH_VIEWS = ("flow", "blueprint", "overview")
VIEWS = JOURNEY_VIEWS + ("overview",)

__all__ = ["Diagram", "EngineError", "Request", "dot_source", "finish_all", "layout_job", "render",
           "requests_for"]


@dataclass(frozen=True)
class Request:
    """One diagram to draw: a view of a journey, or the workspace overview."""

    view: str
    journey: Journey | None = None

    @property
    def name(self) -> str:
        return f"{self.view}-{self.journey.id}" if self.journey else self.view


@dataclass(frozen=True)
class Diagram:
    name: str
    view: str
    journey_id: str | None
    title: str
    content: bytes
    fmt: str


def requests_for(ws: Workspace, views: Iterable[str] = VIEWS) -> list[Request]:
    """Every diagram a workspace has: each journey view, the funnel where `reached` is."""
    views = list(views)
    out = [Request(view, journey) for journey in ws.journeys.values() for view in views
           if view in JOURNEY_VIEWS and (view != "funnel" or has_funnel(journey))]
    if "overview" in views:
        out.append(Request("overview"))
    return out


def has_funnel(journey: Journey) -> bool:
    return any(stage.reached is not None for stage in journey.stages)


def dot_source(ws: Workspace, request: Request) -> str:
    if request.view == "overview":
        return graphs.overview(ws)
    builder: Callable[[Workspace, Journey], str] = getattr(graphs, request.view)
    return builder(ws, request.journey)


def render(ws: Workspace, requests: list[Request], engine: Engine, cache: DiagramCache,
           fmt: str = "svg") -> list[Diagram]:
    """Draw every request. Graph views are laid out together, in parallel, via the cache."""
    graphs_asked = [r for r in requests if r.view in GRAPH_VIEWS]
    laid_out = cache.layout(engine, [layout_job(ws, r) for r in graphs_asked], fmt)
    return finish_all(ws, requests, dict(zip((r.name for r in graphs_asked), laid_out)), fmt)


def layout_job(ws: Workspace, request: Request) -> Job:
    """What the engine lays out for a graph view: its DOT, named as people would name it."""
    return Job(_label(request), dot_source(ws, request))


def finish_all(ws: Workspace, requests: list[Request], laid_out: dict[str, bytes],
               fmt: str = "svg") -> list[Diagram]:
    """Each request as a finished diagram: graphs from ``laid_out`` (by name), charts drawn."""
    return [_finish(ws, r, laid_out.get(r.name), fmt) for r in requests]


def _label(request: Request) -> str:
    """How a person would name the diagram in an error message."""
    if request.journey is None:
        return "the workspace overview"
    return f'the {request.view} view of journey "{request.journey.id}"'


def _finish(ws: Workspace, request: Request, raw: bytes | None, fmt: str) -> Diagram:
    title, description = describe(ws, request)
    if request.view in GRAPH_VIEWS:
        content = raw if fmt != "svg" else svg.finish(
            _page_text(ws, request, raw.decode("utf-8")), request.name, title, description
        ).encode("utf-8")
    else:
        if fmt != "svg":
            raise EngineError(f"the {request.view} view is drawn as SVG only; use --format svg")
        chart = charts.emotion_curve(ws, request.journey) if request.view == "emotion" \
            else charts.funnel(request.journey, ws.drawn_dir(request.journey))
        content = (chart or "").encode("utf-8")
    journey_id = request.journey.id if request.journey else None
    return Diagram(request.name, request.view, journey_id, title, content, fmt)


def _page_text(ws: Workspace, request: Request, raw: str) -> str:
    """A graph's SVG text with our fonts, without node titles, and read right to left
    when its journey (or, for the overview, the site) is written so."""
    text = svg.metric_fonts(svg.strip_titles(raw))
    return svg.right_to_left(text) if ws.drawn_dir(request.journey) == "rtl" else text


def describe(ws: Workspace, request: Request) -> tuple[str, str]:
    """A title and a short text alternative for the diagram."""
    journey = request.journey
    if journey is None:
        return ("Overview of personas and journeys",
                f"{len(ws.personas)} personas and {len(ws.journeys)} journeys: "
                + "; ".join(f"{j.title} ({', '.join(j.personas)})" for j in ws.journeys.values()))
    stages = "; ".join(f"{st.name}: {', '.join(s.name for s in st.steps)}"
                       for st in journey.stages)
    titles = {"flow": "Flow", "blueprint": "Service blueprint", "emotion": "Emotion curve",
              "funnel": "Funnel"}
    return f"{titles[request.view]} of {journey.title}", f"Stages and steps: {stages}"
