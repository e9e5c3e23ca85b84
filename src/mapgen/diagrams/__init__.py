"""Diagrams: the pictures of a journey, from the validated model to page-ready SVG.

Every view is one entry of :data:`VIEWS` (a :class:`View`): its name, its title, the
function that draws it, whether Graphviz lays it out or mapgen draws it as SVG, whether
it is of each journey or of the workspace, whether the site shows it, and which
journeys it applies to. The CLI's ``render --view`` choices, the site's diagrams,
:func:`requests_for`, :func:`describe` and the finishing of each SVG all read that table,
so adding a view is one entry and the one function that draws it.

=========  ====================================================  ================
view       what it shows                                         drawn by
=========  ====================================================  ================
flow       stages, steps, touchpoints, emotions, pains, `next`   Graphviz
blueprint  service-blueprint swimlanes, one column per step      Graphviz
emotion    one line per persona across the steps                 our SVG code
funnel     `reached` per stage and the drop-off between them     our SVG code
overview   who goes through what: persona x journey matrix,      our SVG code
           each journey's stages as chips (the workspace)
=========  ====================================================  ================

:func:`render` builds the DOT of every graph view asked for, lays all of them out in one
batch through the cache and the engine, and finishes every SVG (see :mod:`.svg`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from mapgen.diagrams import charts, graphs, svg
from mapgen.cache import Cache
from mapgen.diagrams.layouts import lay_out
from mapgen.diagrams.engine import Engine, EngineError, Job
from mapgen.messages import drawn_messages
from mapgen.model import Journey, JourneySummary, Workspace

__all__ = ["CHART", "GRAPH", "VIEWS", "Diagram", "EngineError", "Request", "View", "ViewError",
           "describe", "diagram_name", "diagrams_of", "dot_source", "finish_all", "has_funnel",
           "is_graph", "layout_job", "render", "request_for", "requests_for", "shown",
           "site_diagrams", "title_of"]

#: How a view is drawn: Graphviz lays out the DOT its function writes, or its function
#: writes the finished SVG itself.
GRAPH: Literal["graph"] = "graph"
CHART: Literal["chart"] = "chart"


def _every_journey(journey: JourneySummary) -> bool:
    return True


def _stages_and_steps(ws: Workspace, journey: Journey) -> str:
    """The text alternative of a journey's diagram: its stages and their steps, in order."""
    return drawn_messages(ws, journey).text("alt.stages_and_steps", stages="; ".join(
        f"{st.name}: {', '.join(s.name for s in st.steps)}" for st in journey.stages))


@dataclass(frozen=True)
class View:
    """One kind of diagram, and everything the CLI, the site and the renderer ask of it."""

    name: str
    #: The view's title in English. On diagrams the title is message ``view.<name>`` in
    #: the language of what it draws ("Flow of {journey}"); a view with no such message
    #: is titled "<title> of <journey title>" (a workspace view: this).
    title: str
    #: ``draw(ws, journey)`` (``journey`` is None for a workspace view): the DOT of a
    #: graph, or the finished SVG of a chart (None when there is nothing to draw).
    draw: Callable[[Workspace, Journey | None], str | None]
    kind: Literal["graph", "chart"] = GRAPH
    #: One diagram per journey, or one of the whole workspace.
    per_journey: bool = True
    #: Drawn for the site (its pages show it by name: ``flow-<journey id>``, ``overview``).
    on_site: bool = False
    #: The journeys that have this view (a funnel needs `reached` figures), asked of
    #: their summaries: which diagrams a site has is known without unpacking a journey.
    applies_to: Callable[[JourneySummary], bool] = _every_journey
    #: What a journey it does not apply to lacks, and what to write: `mapgen render` says
    #: 'journey "x" has <missing>'.
    missing: str = ""
    #: The diagram's short text alternative (read by screen readers, shown on hover).
    description: Callable[[Workspace, Journey | None], str] = _stages_and_steps
    #: For a chart: what it shows, as plain data (JSON), all it is drawn from. While that,
    #: the code, the config, the title and the text alternative are the same, the site
    #: does not draw it again (as a graph is not while its DOT is the same), however
    #: much else of what it read changed. None: drawn again whenever what it read changed.
    shows: Callable[[Workspace, Journey | None], Any] | None = None
    #: Shown at its drawn size (scrolled where the page is narrower), never shrunk to a
    #: page's width: set for graphs, and for a chart whose text must stay readable.
    at_size: bool = False

    @property
    def keeps_size(self) -> bool:
        return self.kind == GRAPH or self.at_size


def has_funnel(journey: JourneySummary) -> bool:
    return journey.funnel


def _personas_and_journeys(ws: Workspace, journey: None) -> str:
    words = drawn_messages(ws)
    return words.text(
        "alt.personas_and_journeys", personas=words.text("count.personas", len(ws.personas)),
        journeys=words.text("count.journeys", len(ws.journeys)),
        list="; ".join(f"{j.title} ({', '.join(j.personas)})" for j in ws.summaries.values()))


def _table(*views: View) -> dict[str, View]:
    return {view.name: view for view in views}


#: Every view, by name, in the order `mapgen render --view` lists them.
VIEWS: dict[str, View] = _table(
    View("flow", "Flow", graphs.flow, on_site=True),
    View("blueprint", "Service blueprint", graphs.blueprint),
    View("emotion", "Emotion curve", charts.emotion_curve, CHART, on_site=True),
    View("funnel", "Funnel", lambda ws, journey: charts.funnel(
             journey, ws.drawn_dir(journey), drawn_messages(ws, journey)),
         CHART, on_site=True, applies_to=has_funnel,
         missing="no `reached` figures to draw a funnel from; add `reached:` to its stages"),
    View("overview", "Overview of personas and journeys",
         lambda ws, _: charts.overview(ws, *describe(ws, Request("overview"))), CHART,
         per_journey=False, on_site=True, description=_personas_and_journeys,
         shows=lambda ws, _: charts.overview_inputs(ws), at_size=True),
)

#: Names of views, taken from :data:`VIEWS` when mapgen is imported (code that must see
#: a view added later reads :data:`VIEWS` itself).
GRAPH_VIEWS = tuple(name for name, view in VIEWS.items() if view.kind == GRAPH)
SITE_VIEWS = tuple(name for name, view in VIEWS.items() if view.on_site)


@dataclass(frozen=True)
class Request:
    """One diagram to draw: a view of a journey, or the workspace overview."""

    view: str
    journey: Journey | None = None

    @property
    def name(self) -> str:
        return diagram_name(self.view, self.journey.id if self.journey else None)


def diagram_name(view: str, journey_id: str | None) -> str:
    """A diagram's name: ``<view>-<journey id>``, or the view's for a workspace view."""
    return f"{view}-{journey_id}" if journey_id is not None else view


@dataclass(frozen=True)
class Diagram:
    name: str
    view: str
    journey_id: str | None
    title: str
    content: bytes
    fmt: str


class ViewError(ValueError):
    """A view or journey asked for by name that cannot be drawn; the message says why."""


def request_for(ws: Workspace, journey_id: str | None, view: str) -> Request:
    """The diagram of ``view`` of the journey ``journey_id`` (None for a workspace view),
    or :class:`ViewError` saying what to ask for instead."""
    from mapgen.findings import did_you_mean, one_of

    if view not in VIEWS:
        raise ViewError(f'no view "{view}"{did_you_mean(view, VIEWS)}; the views are '
                        f"{one_of(VIEWS)}")
    if not VIEWS[view].per_journey:
        return Request(view)
    if journey_id is None:
        raise ViewError(f"which journey? Give its id: {', '.join(ws.journeys)}")
    if journey_id not in ws.journeys:
        raise ViewError(f'no journey "{journey_id}"{did_you_mean(journey_id, ws.journeys)}; '
                        f"known: {', '.join(ws.journeys)}")
    if not VIEWS[view].applies_to(ws.summaries[journey_id]):
        raise ViewError(f'journey "{journey_id}" has {VIEWS[view].missing}')
    return Request(view, ws.journeys[journey_id])


def requests_for(ws: Workspace, views: Iterable[str] | None = None) -> Iterator[Request]:
    """Every diagram of ``views`` (default: all) a workspace has: each journey view of each
    journey it applies to, then the workspace views; one journey at a time."""
    for view, journey_id in diagrams_of(ws, views):
        yield Request(view, ws.journeys[journey_id] if journey_id is not None else None)


def diagrams_of(ws: Workspace, views: Iterable[str] | None = None
                ) -> Iterator[tuple[str, str | None]]:
    """(view, journey id) of each diagram :func:`requests_for` gives, from the journeys'
    summaries: a journey's id, None for a workspace view."""
    table = [VIEWS[name] for name in (VIEWS if views is None else views)]
    for journey in ws.summaries.values():
        yield from ((view.name, journey.id) for view in table
                    if view.per_journey and view.applies_to(journey))
    yield from ((view.name, None) for view in table if not view.per_journey)


def site_diagrams(journey: JourneySummary | None) -> tuple[str, ...]:
    """The names of the site's diagrams of ``journey`` (None: of the whole workspace)."""
    if journey is None:
        return tuple(name for name, view in VIEWS.items() if view.on_site and not view.per_journey)
    return tuple(diagram_name(name, journey.id) for name, view in VIEWS.items()
                 if view.on_site and view.per_journey and view.applies_to(journey))


def is_graph(request: Request) -> bool:
    """True when Graphviz lays the diagram out (its view writes DOT, not SVG)."""
    return VIEWS[request.view].kind == GRAPH


def shown(ws: Workspace, request: Request) -> str:
    """What a chart shows, as JSON text (see :attr:`View.shows`; its view must say)."""
    shows = VIEWS[request.view].shows
    assert shows is not None, f"the {request.view} view does not say what it shows"
    return json.dumps(shows(ws, request.journey), ensure_ascii=False, separators=(",", ":"))


def dot_source(ws: Workspace, request: Request) -> str:
    """The DOT of a graph view's diagram."""
    return VIEWS[request.view].draw(ws, request.journey)


def render(ws: Workspace, requests: list[Request], engine: Engine, cache: Cache,
           fmt: str = "svg") -> list[Diagram]:
    """Draw every request. Graph views are laid out together, in parallel, via the cache."""
    graphs_asked = [r for r in requests if is_graph(r)]
    laid_out = lay_out(cache, engine, [layout_job(ws, r) for r in graphs_asked], fmt)
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
        return f"the workspace {request.view}"
    return f'the {request.view} view of journey "{request.journey.id}"'


def _finish(ws: Workspace, request: Request, raw: bytes | None, fmt: str) -> Diagram:
    title, description = describe(ws, request)
    if is_graph(request):
        content = raw if fmt != "svg" else svg.finish(
            _page_text(ws, request, raw), request.name, title, description)
    else:
        if fmt != "svg":
            raise EngineError(f"the {request.view} view is drawn as SVG only; use --format svg")
        content = (VIEWS[request.view].draw(ws, request.journey) or "").encode("utf-8")
    journey_id = request.journey.id if request.journey else None
    return Diagram(request.name, request.view, journey_id, title, content, fmt)


def _page_text(ws: Workspace, request: Request, raw: bytes) -> bytes:
    """A graph's SVG (the engine's UTF-8 bytes) with our fonts, without node titles, and
    read right to left when its journey (or, for a workspace view, the site) is written so."""
    text = svg.metric_fonts(svg.strip_titles(raw))
    if ws.drawn_dir(request.journey) == "rtl":
        return svg.right_to_left(text.decode("utf-8")).encode("utf-8")
    return text


def describe(ws: Workspace, request: Request) -> tuple[str, str]:
    """A title and a short text alternative for the diagram, in its language."""
    view, journey = VIEWS[request.view], request.journey
    return title_of(ws, view.name, view.title, journey), view.description(ws, journey)


def title_of(ws: Workspace, view: str, english: str, journey: Journey | None) -> str:
    """A view's title in the language of what it draws: message ``view.<view>``, else
    ``english`` ("<english> of <journey title>")."""
    words = drawn_messages(ws, journey)
    if f"view.{view}" in words:
        return words.text(f"view.{view}", journey=journey.title if journey else "")
    return english if journey is None else f"{english} of {journey.title}"
