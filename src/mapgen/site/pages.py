"""Pages: which pages a site has and what each one shows.

Every page is a :class:`Page`: an output path, a template, a title and its own context
(the variables its template sees besides the shared ones, see :mod:`mapgen.site.build`),
made from the workspace only when the page is rendered. What a page depends on is not
declared here: the build gives ``context`` a watched workspace that records every
journey and persona the page reads (see :mod:`mapgen.cache`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from mapgen import compact, diagrams
from mapgen.cache import digest
from mapgen.canvas import SEVERITY_ICONS, STATUS_ICONS, canvas
from mapgen.embed import OTHER_VIEWS, Embed, split
from mapgen.model import (
    SEVERITY_RANK,
    Channel,
    EmotionScale,
    Journey,
    JourneySummary,
    Persona,
    ProsePage,
    Stage,
    Step,
    Workspace,
)
from mapgen.site.listings import (
    Counted,
    JourneyRef,
    Lazy,
    Listed,
    OpportunityRef,
    PainRef,
    Record,
    Rows,
    StageRef,
    StepRef,
)
from mapgen.site.markup import render_markdown

#: The shapes that mark pain points and opportunities on the journey map.
MARKS = {"severity": SEVERITY_ICONS, "status": STATUS_ICONS}


def _nothing(ws: Workspace) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    title: str
    #: The page's own template variables, made from the workspace it is given when the
    #: page is rendered.
    context: Callable[[Workspace], dict[str, Any]] = _nothing
    #: The names of the diagrams the page shows (e.g. "flow-checkout"), drawn ahead.
    diagrams: tuple[str, ...] = ()
    #: Listed in the sitemap and the search index.
    public: bool = True
    #: Made from every journey (the home page, the registers, a persona's journeys): a
    #: live preview makes such pages when they are asked for, not after every save.
    listing: bool = False
    #: The message key of the page's title in the site's language ("page.search"), for
    #: pages whose title is mapgen's, not a team's; ``title`` is then the English one.
    label: str | None = None


def journey_path(journey_id: str) -> str:
    return f"journeys/{journey_id}.html"


def persona_path(persona_id: str) -> str:
    return f"personas/{persona_id}.html"


def prose_path(page_id: str) -> str:
    return f"pages/{page_id}.html"


def poster_path(journey_id: str) -> str:
    """The journey map as an SVG poster: the home page's thumbnail, a download."""
    return f"posters/{journey_id}.svg"


#: The most journeys whose overview the home page shows in place. The overview is about
#: 1.4 KB of SVG a journey (a row of text, marks and stage chips): beyond this many it is
#: a page of its own (:data:`OVERVIEW_PAGE`) that the home page links to, so the home
#: page carries at most about 150 KB of it however many journeys there are.
OVERVIEW_ON_HOME = 100
OVERVIEW_PAGE = "overview.html"


def overview_page(ws: Workspace) -> str | None:
    """The page of the overview when it is not on the home page (too many journeys),
    else None."""
    return OVERVIEW_PAGE if len(ws.journeys) > OVERVIEW_ON_HOME else None


def plan(ws: Workspace) -> list[Page]:
    """Every page of the site, in a stable order."""
    workspace_views = diagrams.site_diagrams(None)
    elsewhere = overview_page(ws)
    pages = [Page("index.html", "home.html", ws.config.title,
                  lambda ws: {"cards": journey_cards(ws), "figures": figures(ws),
                              "overview_page": overview_page(ws)},
                  diagrams=tuple(n for n in workspace_views if not elsewhere or n != "overview"),
                  listing=True)]
    if elsewhere:
        pages.append(Page(elsewhere, "overview.html", "Who goes through what",
                          diagrams=("overview",), listing=True, label="home.overview"))
    pages += [_journey_page(journey) for journey in ws.summaries.values()]
    pages += [_persona_page(persona) for persona in ws.personas.values()]
    pages += [_prose_page(ws, page) for page in ws.pages.values()]
    pages += [
        Page("touchpoints.html", "touchpoints.html", "Touchpoints",
             lambda ws: {"matrix": touchpoint_matrix(ws)}, listing=True,
             label="page.touchpoints"),
        Page("pain-points.html", "pain-points.html", "Pain points",
             lambda ws: {"register": pain_register(ws)}, listing=True,
             label="page.pain_points"),
        Page("opportunities.html", "opportunities.html", "Opportunities",
             lambda ws: {"backlog": backlog(ws)}, listing=True, label="page.opportunities"),
        Page("search.html", "search.html", "Search", label="page.search"),
        Page("404.html", "404.html", "Page not found", public=False, label="page.not_found"),
    ]
    return pages


def _journey_page(journey: JourneySummary) -> Page:
    """The journey map, then the flow diagram and the funnel (the map draws the emotion
    curve in its own lane)."""
    def context(ws: Workspace) -> dict[str, Any]:
        journey = ws.journeys[journey_id]
        _keep_records(ws, journey_id)
        return {"journey": journey, "view": JourneyView.of(ws, journey),
                "canvas": canvas(ws, journey), "marks": MARKS}

    journey_id = journey.id
    shown = tuple(name for name in diagrams.site_diagrams(journey)
                  if name != f"emotion-{journey_id}")  # a custom template may still ask
    return Page(journey_path(journey_id), "journey.html", journey.title, context, shown)


def _persona_page(persona: Persona) -> Page:
    def context(ws: Workspace) -> dict[str, Any]:
        persona = ws.personas[persona_id]
        return {"persona": persona, "appearances": appearances(ws, persona)}

    persona_id = persona.id
    return Page(persona_path(persona_id), "persona.html", persona.name, context, listing=True)


def _prose_page(ws: Workspace, page: ProsePage) -> Page:
    def context(ws: Workspace) -> dict[str, Any]:
        return {"prose": ws.pages[page_id], "parts": prose_parts(ws, ws.pages[page_id])}

    page_id = page.id
    return Page(prose_path(page_id), "page.html", page.title, context,
                tuple(r.name for r in embedded_requests(ws, page)))


# --- Markdown pages and what they embed ------------------------------------------------

@dataclass(frozen=True)
class Part:
    """A piece of a Markdown page: its HTML, or the view a ``mapgen`` block shows:
    ``diagram`` names one of the site's diagrams (as the template's ``diagrams`` do), or
    ``svg`` is a view drawn another way (the journey map); ``title`` captions it."""

    html: Markup | None = None
    diagram: str | None = None
    title: str = ""
    svg: Markup | None = None


def prose_parts(ws: Workspace, page: ProsePage) -> list[Part]:
    """The page's body as HTML, with each ``mapgen`` block replaced by the diagram it asks
    for. The Markdown is rendered whole (so lists, links and references across a block
    work), with a marker paragraph where each block was, then cut at the markers."""
    pieces = split(page.body)
    marker = "mapgen-embed-" + digest(page.body)[:16]
    text = "".join(f"\n\n{p.indent}{marker}\n\n" if isinstance(p, Embed) else p
                   for p in pieces)
    html = render_markdown(text, page=True).split(f"<p>{marker}</p>")
    parts = [Part(Markup(html[0]))]
    blocks = (p for p in pieces if isinstance(p, Embed))
    for embed, after in zip(blocks, html[1:], strict=False):
        other = OTHER_VIEWS.get(str(embed.view))
        if other is not None:
            parts.append(Part(title=embed.title(ws), svg=Markup(
                other.draw(ws, ws.journeys[str(embed.journey)]))))
        else:
            parts.append(Part(diagram=embed_request(ws, embed).name, title=embed.title(ws)))
        parts.append(Part(Markup(after)))
    return [part for part in parts if part.diagram or part.svg or str(part.html).strip()]


def embed_request(ws: Workspace, embed: Embed) -> diagrams.Request:
    """The diagram a (valid) block asks for."""
    journey = ws.journeys[embed.journey] if embed.journey else None
    return diagrams.Request(str(embed.view), journey)


def embedded_requests(ws: Workspace, page: ProsePage | None = None) -> list[diagrams.Request]:
    """The diagrams the Markdown pages (or one of them) show."""
    chosen = [page] if page is not None else list(ws.pages.values())
    return [embed_request(ws, part) for p in chosen for part in split(p.body)
            if isinstance(part, Embed) and part.view not in OTHER_VIEWS]


# --- what the pages show -------------------------------------------------------------

@dataclass(frozen=True, slots=True)  # a listing holds many
class StepView:
    step: Step
    stage_id: str
    scores: dict[str, int]
    average: float | None


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
        """The view of ``journey`` and its personas in ``ws``."""
        scale = ws.scale_of(journey)
        steps = []
        for stage in journey.stages:
            for step in stage.steps:
                scores = step.scores(journey.personas, scale)
                steps.append(StepView(step, stage.id, scores, _average(scores)))
        return cls(journey, _personas_of(ws, journey), tuple(steps),
                   len(journey.open_pain_points()), scale.min, scale.max)

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


def _personas_of(ws: Workspace, journey: Journey | JourneySummary) -> tuple[Persona, ...]:
    return tuple(ws.personas[p] for p in journey.personas if p in ws.personas)


def _average(scores: dict[str, int]) -> float | None:
    """The personas' average score at a step (None: no persona has one)."""
    return sum(scores.values()) / len(scores) if scores else None


@dataclass(frozen=True, eq=False)  # one per journey shown: compared by identity
class JourneyCard:
    """A journey as the home page and a persona's page show it, made from its summary
    (:class:`~mapgen.model.JourneySummary`), so making the cards of 10,000 journeys
    unpacks none: ``journey`` (a :class:`JourneyRef`), ``personas``, ``scores`` and
    ``averages`` of each step, ``open_pains``, ``scale_min``, ``scale_max``, and
    ``steps``, whose length is known.
    Anything else a template asks of it, and the steps themselves, come from the
    journey's :class:`JourneyView`, made then."""

    journey: JourneyRef
    personas: tuple[Persona, ...]
    #: Each step's score per persona taking part.
    scores: tuple[dict[str, int], ...]
    open_pains: int
    scale_min: int
    scale_max: int
    _ws: Workspace = field(repr=False)

    @classmethod
    def of(cls, ws: Workspace, summary: JourneySummary) -> JourneyCard:
        scale = ws.scale_of(summary)
        scores = tuple(summary.step_scores(scale))
        return cls(JourneyRef.of(summary, ws.journeys), _personas_of(ws, summary), scores,
                   summary.open_pains, scale.min, scale.max, ws)

    @property
    def averages(self) -> list[float | None]:
        """Each step's average score, as :class:`JourneyView` has them."""
        return [_average(scores) for scores in self.scores]

    @property
    def steps(self) -> Counted[StepView]:
        return Counted(len(self.scores), lambda: self._view.steps)

    @functools.cached_property
    def _view(self) -> JourneyView:
        """The journey's view, made once, when a template first asks for more."""
        return JourneyView.of(self._ws, self._ws.journeys[self.journey.id])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._view, name)


def journey_cards(ws: Workspace) -> Listed[JourneyCard]:
    summaries = ws.summaries
    return Listed(summaries, list(summaries), lambda summary: JourneyCard.of(ws, summary))


def figures(ws: Workspace) -> list[tuple[str, int]]:
    """A few headline numbers for the home page: (what, how many); each ``what`` is
    named by the message ``figure.<what>``."""
    counted = ("steps", "touchpoints", "pain_points", "critical_or_high", "opportunities")
    summaries = ws.summaries.values()
    return [("journeys", len(ws.journeys)), ("personas", len(ws.personas)),
            *((what, sum(getattr(journey, what) for journey in summaries)) for what in counted)]


@dataclass(frozen=True, slots=True)  # a listing holds many
class Appearance:
    """A persona in one journey: their score at each step."""

    journey: JourneyRef
    view: JourneyCard
    scores: tuple[int | None, ...]


def appearances(ws: Workspace, persona: Persona) -> Listed[Appearance]:
    """The journeys ``persona`` takes, each made from its summary (see
    :class:`JourneyCard`)."""
    def appearance(summary: JourneySummary) -> Appearance:
        card = JourneyCard.of(ws, summary)
        return Appearance(card.journey, card, tuple(s.get(persona.id) for s in card.scores))

    return Listed(ws.summaries, ws.journeys_of(persona.id), appearance)


@dataclass(frozen=True, slots=True)  # a listing holds many
class TouchpointUse:
    """A touchpoint where it is used: its journey, stage and step, and how customers feel
    at that step (the average of the personas' scores)."""

    journey: JourneyRef
    stage: StageRef
    step: StepRef
    name: str
    average: float | None
    #: The average in words, on the journey's scale: "🙁 sad" ...
    feeling: str | None
    #: ... and as a figure: "-0.5".
    figure: str | None


#: The columns of the touchpoint matrix: the phases of the customer lifecycle, in order,
#: each with the message key of its heading.
PHASES = (("before", "phase.before"), ("during", "phase.during"), ("after", "phase.after"))
#: The column of stages without a ``phase``: shown only when there are some. Guessing a
#: phase from a stage's place would put touchpoints under a heading nobody chose.
NO_PHASE = ("none", "phase.none")


@dataclass(frozen=True)
class TouchpointMatrix:
    """Channels (rows) by phase (columns): every touchpoint of every journey in one cell.

    Columns are phases, never stage names, so the matrix stays as wide as it is however
    many journeys and stages a workspace has; each cell groups its touchpoints by journey.
    Which journeys a cell holds comes from their summaries; each group is made from its
    journey when the template looks into it (see :class:`Lazy`).
    """

    channels: tuple[Channel, ...]
    phases: tuple[tuple[str, str], ...]
    cells: dict[tuple[str, str], list[Lazy]]

    def cell(self, channel: str, phase: str) -> list[Lazy]:
        """(journey, its touchpoints) pairs at ``channel`` in ``phase``, in journey order."""
        return self.cells.get((channel, phase), [])


def touchpoint_matrix(ws: Workspace) -> TouchpointMatrix:
    """Channels x phases (before, during, after) across all journeys."""
    cells: dict[tuple[str, str], list[Lazy]] = defaultdict(list)
    groups = _rows(ws, "touchpoints", _touchpoint_group)
    for journey_id, summary in ws.summaries.items():
        for index, (channel, phase) in enumerate(_cells_of(summary)):
            cells[(channel, phase)].append(groups.row(journey_id, index))
    phases = tuple(p for p in (*PHASES, NO_PHASE) if any(ph == p[0] for _, ph in cells))
    return TouchpointMatrix(
        tuple(c for c in ws.config.channels if any((c.id, p) in cells for p, _ in phases)),
        phases, dict(cells))


def _cells_of(summary: JourneySummary) -> list[tuple[str, str]]:
    """The (channel, phase) cells a journey has touchpoints in, in a stable order."""
    return sorted((channel, phase or NO_PHASE[0])
                  for channel, phase in summary.touchpoint_cells())


def _touchpoint_uses(ws: Workspace, journey: Journey) -> tuple[tuple, ...]:
    """The journey's touchpoints in each of its cells, in :func:`_cells_of` order, as plain
    data: (its step's place, its name, and how customers feel there: the average score,
    in words and as a figure)."""
    scale = ws.scale_of(journey)
    by_cell: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    steps = ((stage, step) for stage in journey.stages for step in stage.steps)
    for place, (stage, step) in enumerate(steps):
        average = _average(step.scores(journey.personas, scale))
        feeling, figure = (None, None) if average is None else _feeling(scale, average)
        for tp in step.touchpoints:
            by_cell[(tp.channel, stage.phase or NO_PHASE[0])].append(
                (place, tp.name, average, feeling, figure))
    return tuple(tuple(by_cell[cell]) for cell in sorted(by_cell))


def _touchpoint_group(record: Record, uses: tuple) -> tuple[JourneyRef, tuple]:
    """A journey's (journey, uses) pair in one cell of the matrix."""
    return record.journey, tuple(
        TouchpointUse(record.journey, record.stage_of(place), record.step(place), name,
                      average, feeling, figure)
        for place, name, average, feeling, figure in uses)


def _feeling(scale: EmotionScale, average: float) -> tuple[str, str]:
    """("🙁 sad", "-0.5"): an average score in words (the nearest score's label), and as
    a figure."""
    nearest = round(average)
    figure = f"{average:+.1f}" if round(average, 1) else "0"
    return f"{scale.emoticon(nearest)} {scale.label(nearest)}".strip(), figure


@dataclass(frozen=True, slots=True)  # a listing holds many
class RegisteredPain:
    pain: PainRef
    journey: JourneyRef
    stage_name: str
    step: StepRef
    #: The opportunities that address it (:class:`OpportunityRef`), in journey order.
    opportunities: tuple
    #: Who owns the stage the pain point is in, when the stage says so.
    stage_owner: str | None = None


def pain_register(ws: Workspace) -> list[Lazy]:
    """Every pain point across journeys, most severe first (then in journey order); each
    row a :class:`RegisteredPain` made when the template looks into it."""
    rows = _rows(ws, "pains", _registered_pain)
    order = sorted(((-SEVERITY_RANK[severity], journey_id, index)
                    for journey_id, summary in ws.summaries.items()
                    for index, severity in enumerate(summary.severities)),
                   key=lambda row: row[0])  # stable: journeys stay in order
    return [rows.row(journey_id, index) for _, journey_id, index in order]


def _pains(journey: Journey, opportunities: tuple[tuple, ...]) -> tuple[tuple, ...]:
    """The journey's pain points in journey order, as plain data: (its step's place, its
    place in the step, what a :class:`PainRef` keeps, and the rows of ``opportunities``,
    as :func:`_opportunities` gives them, that address it)."""
    fixes: dict[str, list] = defaultdict(list)  # by pain point id, in journey order
    each = (opportunity for step in journey.steps for opportunity in step.opportunities)
    for row, opportunity in zip(opportunities, each, strict=True):
        for ref in dict.fromkeys(opportunity.addresses):
            fixes[ref].append(row)
    return tuple((place, index, PainRef.keep(pain),
                  tuple(fixes.get(pain.id, ())) if pain.id else ())
                 for place, step in enumerate(journey.steps)
                 for index, pain in enumerate(step.pain_points))


def _registered_pain(record: Record, row: tuple) -> RegisteredPain:
    place, index, kept, fixes = row
    step, stage = record.step(place), record.stage_of(place)
    return RegisteredPain(PainRef(kept, step, index), record.journey, stage.name, step,
                          tuple(_opportunity(record, fix) for fix in fixes), stage.owner)


@dataclass(frozen=True, slots=True)  # a listing holds many
class BacklogItem:
    opportunity: OpportunityRef
    journey: JourneyRef
    step: StepRef
    #: Who owns the step's stage: who to ask when the opportunity names no owner.
    stage_owner: str | None = None


STATUS_ORDER = ("in-progress", "planned", "idea", "done")
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def backlog(ws: Workspace) -> list[tuple[str, list[Lazy]]]:
    """Opportunities grouped by status, highest priority first within each (then in
    journey order); each item a :class:`BacklogItem` made when the template looks into it."""
    rows = _rows(ws, "backlog", _backlog_item)
    groups: dict[str, list[tuple[int, str, int]]] = {status: [] for status in STATUS_ORDER}
    for journey_id, summary in ws.summaries.items():
        for index, (status, priority) in enumerate(summary.opportunity_kinds):
            groups[status].append((PRIORITY_ORDER[priority], journey_id, index))
    return [(status, [rows.row(journey_id, index) for _, journey_id, index
                      in sorted(items, key=lambda item: item[0])])
            for status, items in groups.items()]


def _opportunities(journey: Journey) -> tuple[tuple, ...]:
    """The journey's opportunities in journey order, as plain data: (its step's place,
    its place in the step, what an :class:`OpportunityRef` keeps)."""
    return tuple((place, index, OpportunityRef.keep(opportunity))
                 for place, step in enumerate(journey.steps)
                 for index, opportunity in enumerate(step.opportunities))


def _opportunity(record: Record, row: tuple) -> OpportunityRef:
    place, index, kept = row
    return OpportunityRef(kept, record.step(place), index)


def _backlog_item(record: Record, row: tuple) -> BacklogItem:
    place = row[0]
    return BacklogItem(_opportunity(record, row), record.journey, record.step(place),
                       record.stage_of(place).owner)


# --- what the registers keep of each journey ------------------------------------------

def _rows(ws: Workspace, listing: str, make: Callable[[Record, Any], Any]) -> Rows:
    """The rows of one of the three registers (see :class:`~mapgen.site.listings.Rows`)."""
    return Rows(ws.journeys, listing, functools.partial(_records, ws), make)


def _keep_records(ws: Workspace, journey_id: str) -> None:
    """Make the journey's records (see :func:`_records`) while its page has it unpacked:
    the registers come after every journey's page, and past the journeys a workspace
    keeps unpacked (:data:`mapgen.compact.UNPACKED`) they would unpack it again. Asking
    for one part makes them all."""
    compact.beside(ws.journeys, journey_id, "pains", functools.partial(_records, ws))


def _records(ws: Workspace, journey: Journey) -> dict[str, tuple]:
    """What the pain register, the backlog and the touchpoint matrix show of ``journey``,
    as plain data, each after what every record starts with (:meth:`Record.kept`)."""
    kept, opportunities = Record.kept(journey), _opportunities(journey)
    return {"pains": (*kept, _pains(journey, opportunities)),
            "backlog": (*kept, opportunities),
            "touchpoints": (*kept, _touchpoint_uses(ws, journey))}
