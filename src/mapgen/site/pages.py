"""Pages: which pages a site has, what each one shows, and what each depends on.

Every page is a :class:`Page`: an output path, a template, a title and its own context
(the variables its template sees besides the shared ones, see :mod:`mapgen.site.build`),
made only when the page is rendered. ``depends`` names the parts of the workspace a page
is made from (``journey:<id>``, ``persona:<id>``, ``all``) and ``diagrams`` the diagrams it
shows, so a build or a live preview knows what to make again after a change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mapgen.canvas import SEVERITY_ICONS, STATUS_ICONS, canvas
from mapgen.model import SEVERITY_RANK, Journey, PainPoint, Persona, Stage, Step, Workspace

ALL = "all"
#: The shapes that mark pain points and opportunities on the journey map.
MARKS = {"severity": SEVERITY_ICONS, "status": STATUS_ICONS}


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    title: str
    #: The page's own template variables, computed when the page is rendered.
    context: Callable[[], dict[str, Any]] = dict
    depends: frozenset[str] = frozenset({ALL})
    #: The names of the diagrams the page shows (e.g. "flow-checkout").
    diagrams: tuple[str, ...] = ()
    #: Listed in the sitemap and the search index.
    public: bool = True


def journey_path(journey_id: str) -> str:
    return f"journeys/{journey_id}.html"


def persona_path(persona_id: str) -> str:
    return f"personas/{persona_id}.html"


def poster_path(journey_id: str) -> str:
    """The journey map as an SVG poster: the home page's thumbnail, a download."""
    return f"posters/{journey_id}.svg"


def plan(ws: Workspace) -> list[Page]:
    """Every page of the site, in a stable order."""
    if len(_VIEWS) > 2 * len(ws.journeys) + 64:  # a long preview session: forget the old
        _VIEWS.clear()
    pages = [Page("index.html", "home.html", ws.config.title,
                  lambda: {"cards": journey_cards(ws), "figures": figures(ws)},
                  diagrams=("overview",))]
    pages += [_journey_page(ws, journey) for journey in ws.journeys.values()]
    pages += [_persona_page(ws, persona) for persona in ws.personas.values()]
    pages += [
        Page("touchpoints.html", "touchpoints.html", "Touchpoints",
             lambda: {"matrix": touchpoint_matrix(ws)}),
        Page("pain-points.html", "pain-points.html", "Pain points",
             lambda: {"register": pain_register(ws)}),
        Page("opportunities.html", "opportunities.html", "Opportunities",
             lambda: {"backlog": backlog(ws)}),
        Page("search.html", "search.html", "Search", depends=frozenset()),
        Page("404.html", "404.html", "Page not found", depends=frozenset(), public=False),
    ]
    return pages


def _journey_page(ws: Workspace, journey: Journey) -> Page:
    """The journey map, then the flow diagram and the funnel (the map draws the emotion
    curve in its own lane)."""
    return Page(journey_path(journey.id), "journey.html", journey.title,
                lambda: {"journey": journey, "view": JourneyView.of(ws, journey),
                         "canvas": canvas(ws, journey), "marks": MARKS},
                journey_depends(journey),
                tuple(f"{view}-{journey.id}" for view in ("flow", "funnel")))


def journey_depends(journey: Journey) -> frozenset[str]:
    """The specs a journey's page and poster are made from: it and its personas."""
    return frozenset({f"journey:{journey.id}"} | {f"persona:{p}" for p in journey.personas})


def _persona_page(ws: Workspace, persona: Persona) -> Page:
    featured = {f"journey:{j.id}" for j in ws.journeys.values() if persona.id in j.personas}
    return Page(persona_path(persona.id), "persona.html", persona.name,
                lambda: {"persona": persona, "appearances": appearances(ws, persona)},
                frozenset({f"persona:{persona.id}"} | featured))


# --- what the pages show -------------------------------------------------------------

@dataclass(frozen=True)
class StepView:
    step: Step
    stage_id: str
    scores: dict[str, int]
    average: float | None


#: id(journey) -> (journey, config, personas, view). The journey is kept alive with its
#: entry, so its id cannot be reused by another object while the entry stands.
_VIEWS: dict[int, tuple] = {}


@dataclass(frozen=True)
class JourneyView:
    """A journey with what its pages compute from it."""

    journey: Journey
    personas: tuple[Persona, ...]
    steps: tuple[StepView, ...]
    open_pains: int
    scale_min: int
    scale_max: int

    @classmethod
    def of(cls, ws: Workspace, journey: Journey) -> JourneyView:
        """The view of ``journey``, computed once per journey object."""
        personas = tuple(ws.personas.get(p) for p in journey.personas)
        known = _VIEWS.get(id(journey))
        if known and known[0] is journey and known[1] is ws.config and all(
                a is b for a, b in zip(known[2], personas, strict=True)):
            return known[3]
        view = cls._compute(ws, journey)
        _VIEWS[id(journey)] = (journey, ws.config, personas, view)
        return view

    @classmethod
    def _compute(cls, ws: Workspace, journey: Journey) -> JourneyView:
        scale = ws.scale_of(journey)
        steps = []
        for stage in journey.stages:
            for step in stage.steps:
                scores = step.scores(journey.personas)
                average = sum(scores.values()) / len(scores) if scores else None
                steps.append(StepView(step, stage.id, scores, average))
        return cls(journey, tuple(ws.personas[p] for p in journey.personas if p in ws.personas),
                   tuple(steps), len(open_pain_points(journey)), scale.min, scale.max)

    @property
    def averages(self) -> list[float | None]:
        return [s.average for s in self.steps]

    @property
    def stages(self) -> list[tuple[Stage, tuple[StepView, ...]]]:
        """Each stage with the views of its steps, in order (the journey map's columns)."""
        out, start = [], 0
        for stage in self.journey.stages:
            out.append((stage, self.steps[start:start + len(stage.steps)]))
            start += len(stage.steps)
        return out


def open_pain_points(journey: Journey) -> list[PainPoint]:
    """Pain points that no finished (``done``) opportunity addresses."""
    done = {ref for s in journey.steps for o in s.opportunities if o.status == "done"
            for ref in o.addresses}
    return [p for s in journey.steps for p in s.pain_points if not (p.id and p.id in done)]


def journey_cards(ws: Workspace) -> list[JourneyView]:
    return [JourneyView.of(ws, journey) for journey in ws.journeys.values()]


def figures(ws: Workspace) -> list[tuple[str, int]]:
    """A few headline numbers for the home page."""
    steps = [s for j in ws.journeys.values() for s in j.steps]
    pains = [p for s in steps for p in s.pain_points]
    opportunities = [o for s in steps for o in s.opportunities]
    return [
        ("journeys", len(ws.journeys)),
        ("personas", len(ws.personas)),
        ("steps", len(steps)),
        ("touchpoints", sum(len(s.touchpoints) for s in steps)),
        ("pain points", len(pains)),
        ("critical or high", sum(p.severity in ("critical", "high") for p in pains)),
        ("opportunities", len(opportunities)),
    ]


@dataclass(frozen=True)
class Appearance:
    """A persona in one journey: their score at each step."""

    journey: Journey
    view: JourneyView
    scores: tuple[int | None, ...]


def appearances(ws: Workspace, persona: Persona) -> list[Appearance]:
    out = []
    for journey in ws.journeys.values():
        if persona.id in journey.personas:
            view = JourneyView.of(ws, journey)
            out.append(Appearance(journey, view,
                                  tuple(s.scores.get(persona.id) for s in view.steps)))
    return out


@dataclass(frozen=True)
class TouchpointUse:
    journey: Journey
    stage_name: str
    step: Step
    name: str
    average: float | None


def touchpoint_matrix(ws: Workspace) -> dict[str, Any]:
    """Channels x stage names across all journeys, each cell the touchpoints there."""
    stages: list[str] = []
    cells: dict[tuple[str, str], list[TouchpointUse]] = defaultdict(list)
    for journey in ws.journeys.values():
        view = JourneyView.of(ws, journey)
        by_step = {s.step.id: s for s in view.steps}
        for stage in journey.stages:
            if stage.name not in stages:
                stages.append(stage.name)
            for step in stage.steps:
                for tp in step.touchpoints:
                    cells[(tp.channel, stage.name)].append(TouchpointUse(
                        journey, stage.name, step, tp.name, by_step[step.id].average))
    used = {channel for channel, _ in cells}
    channels = [c for c in ws.config.channels if c.id in used]
    return {"stages": stages, "channels": channels, "cells": dict(cells)}


@dataclass(frozen=True)
class RegisteredPain:
    pain: PainPoint
    journey: Journey
    stage_name: str
    step: Step
    opportunities: tuple


def pain_register(ws: Workspace) -> list[RegisteredPain]:
    """Every pain point across journeys, most severe first."""
    out = []
    for journey in ws.journeys.values():
        opportunities = [o for s in journey.steps for o in s.opportunities]
        for stage in journey.stages:
            for step in stage.steps:
                for pain in step.pain_points:
                    fixes = tuple(o for o in opportunities if pain.id and pain.id in o.addresses)
                    out.append(RegisteredPain(pain, journey, stage.name, step, fixes))
    return sorted(out, key=lambda r: -SEVERITY_RANK[r.pain.severity])


@dataclass(frozen=True)
class BacklogItem:
    opportunity: Any
    journey: Journey
    step: Step


STATUS_ORDER = ("in-progress", "planned", "idea", "done")
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def backlog(ws: Workspace) -> list[tuple[str, list[BacklogItem]]]:
    """Opportunities grouped by status, highest priority first within each."""
    groups: dict[str, list[BacklogItem]] = {status: [] for status in STATUS_ORDER}
    for journey in ws.journeys.values():
        for step in journey.steps:
            for opportunity in step.opportunities:
                groups[opportunity.status].append(BacklogItem(opportunity, journey, step))
    return [(status, sorted(items, key=lambda i: PRIORITY_ORDER[i.opportunity.priority]))
            for status, items in groups.items()]
