"""The Python API: what the command line does, for code.

Scripts, CI jobs and other tools (the MkDocs plugin, :mod:`mapgen.mkdocs_plugin`, uses
nothing else) call these functions instead of running ``mapgen`` in a subprocess::

    from mapgen import api

    result = api.load_workspace("path/to/workspace")
    for finding in result.findings:
        print(finding.location, finding.code, finding.message)
    svg = api.render_view(result.workspace, "first-purchase", "emotion")
    report = api.build("path/to/workspace", "public")

Nothing here prints or exits: problems come back as findings, or as a
:class:`MapgenError` whose message says what to do. docs/api.md documents every name;
names not in ``__all__`` may change in any release.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import click
from markupsafe import escape

from mapgen import content, diagrams, embed, report
from mapgen.cache import CACHE_DIR, Cache, digest
from mapgen.content import Link, MarkdownPage
from mapgen.diagrams.engine import EngineError, get_engine
from mapgen.findings import Finding, Location
from mapgen.model import Journey, Persona, Workspace
from mapgen.site.build import BuildOptions, BuildReport
from mapgen.site.output import OutputError
from mapgen.site.theme import ThemeError
from mapgen.validate import check_embeds, embed_problems
from mapgen.workspace import Result, WorkspaceError, find_root, read_workspace

__all__ = [
    "BuildError", "BuildReport", "Finding", "Journey", "Location", "MapgenError",
    "MarkdownPage", "Persona", "Result", "STYLESHEET", "SpecError", "Validation", "ViewError",
    "Workspace",
    "build", "check_page", "diagram_font", "embed_views", "finding_text", "load_workspace",
    "markdown_pages",
    "put_views", "render_view", "render_views", "validate", "views",
]

PathLike = str | os.PathLike[str]
#: The stylesheet :func:`markdown_pages` and :func:`embed_views` need in the host site.
STYLESHEET: Path = content.STYLESHEET


def diagram_font(path: PathLike = ".") -> bytes:
    """Arimo, cut down, as a WOFF file: the face :data:`STYLESHEET` sets the diagrams in
    where the browser has no face with Helvetica's letter widths (their text was laid
    out with those); put it beside the stylesheet as ``arimo.woff``. Kept in the
    workspace's ``.mapgen-cache/`` (making it takes half a second)."""
    from mapgen.poster import fonts

    return fonts.site_font(Cache(find_root(Path(path)) / CACHE_DIR))


class MapgenError(Exception):
    """Anything mapgen cannot do, with a message that says what to do instead."""


class SpecError(MapgenError):
    """The specs have findings that fail the run; ``findings`` holds every finding."""

    def __init__(self, findings: tuple[Finding, ...], strict: bool = False):
        self.findings = findings
        failing = sum(f.fails(strict) for f in findings)
        super().__init__(f"the specs have {failing} problem(s) to fix first:\n"
                         + report.render(findings, "text", strict).rstrip())


class ViewError(MapgenError, ValueError):
    """A journey or view, asked for by name, that cannot be drawn."""


class BuildError(MapgenError):
    """The site could not be built: the layout engine, the theme or the output folder."""


@dataclass(frozen=True)
class Validation:
    """What :func:`validate` found: every finding, sorted by file and position."""

    findings: tuple[Finding, ...]
    #: Whether warnings fail the run (asked for, or ``strict: true`` in mapgen.yml).
    strict: bool

    @property
    def ok(self) -> bool:
        """True when no finding fails the run."""
        return not any(f.fails(self.strict) for f in self.findings)

    def text(self, fmt: str = "text") -> str:
        """The findings as ``mapgen validate --format`` prints them (text, json, github)."""
        return report.render(self.findings, fmt, self.strict)


def finding_text(finding: Finding, strict: bool = False) -> str:
    """One finding as one plain line: ``file:line:col: error MG304 message``."""
    return click.unstyle(report.render([finding], "text", strict)).rstrip("\n")


def load_workspace(path: PathLike = ".", *, cache: bool = False) -> Result:
    """Read, model and check the workspace at or above ``path``.

    The :class:`~mapgen.workspace.Result` holds the ``workspace`` (None when the specs are
    too broken to model), every finding, and ``fails(strict)``. With ``cache``, what each
    spec gave is kept in the workspace's ``.mapgen-cache/`` for the next read.
    Raises :class:`MapgenError` when ``path`` is in no workspace.
    """
    try:
        root = find_root(Path(path))
    except WorkspaceError as exc:
        raise MapgenError(str(exc)) from None
    return read_workspace(root, Cache(root / CACHE_DIR) if cache else None)


def validate(path: PathLike = ".", strict: bool = False) -> Validation:
    """Check the workspace at ``path`` as ``mapgen validate`` does."""
    result = load_workspace(path)
    ws = result.workspace
    return Validation(result.findings, strict or bool(ws and ws.config.strict))


def build(path: PathLike = ".", site_dir: PathLike | None = None, *, strict: bool = False,
          site_url: str | None = None, engine: str | None = None, jobs: int | None = None,
          clean: bool = False, keep_existing: bool = False) -> BuildReport:
    """Build the site of the workspace at ``path`` as ``mapgen build`` does, into
    ``site_dir`` (default: ``site_dir`` of mapgen.yml), and say what was made.

    Raises :class:`SpecError` when the specs fail (``strict``: warnings too) and
    :class:`BuildError` when the site cannot be made or written.
    """
    from mapgen.site.build import build as build_site

    ws = _valid(load_workspace(path, cache=True), strict)
    target = Path(site_dir) if site_dir is not None else Path(ws.root) / ws.config.site_dir
    options = BuildOptions(site_dir=target, site_url=site_url, engine=engine, jobs=jobs,
                           clean=clean, keep_existing=keep_existing)
    try:
        return build_site(ws, options)
    except (EngineError, OutputError, ThemeError) as exc:
        raise BuildError(str(exc)) from None


def views() -> tuple[str, ...]:
    """The names of the views :func:`render_view` draws and a ``mapgen`` block embeds."""
    return embed.view_names()


def render_view(workspace: Workspace | Result, journey_id: str | None, view: str,
                fmt: str = "svg", *, engine: str | None = None, cache: bool = True) -> bytes:
    """One view of one journey (``journey_id`` None for the workspace ``overview``), as
    ``mapgen render`` draws it: SVG (page-ready: no fixed size, a title and a text
    alternative), PNG or DOT for graph views.

    Raises :class:`ViewError` for a journey or view there is not (or a view the journey
    has nothing for), :class:`SpecError` for a workspace that failed to read.
    """
    return render_views(workspace, [(journey_id, view)], fmt, engine=engine,
                        cache=cache)[(journey_id, view)]


def render_views(workspace: Workspace | Result, wanted: Iterable[tuple[str | None, str]],
                 fmt: str = "svg", *, engine: str | None = None,
                 cache: bool = True) -> dict[tuple[str | None, str], bytes]:
    """Several views at once, by ``(journey id, view)``: graphs are laid out in one batch,
    in parallel. With ``cache``, layouts are kept in the workspace's ``.mapgen-cache/``."""
    ws = _workspace_of(workspace)
    wanted = list(dict.fromkeys(wanted))
    out: dict[tuple[str | None, str], bytes] = {}
    requests: dict[tuple[str | None, str], diagrams.Request] = {}
    for journey_id, view in wanted:
        if view in embed.OTHER_VIEWS and journey_id in ws.journeys:
            out[(journey_id, view)] = embed.OTHER_VIEWS[view].draw(
                ws, ws.journeys[journey_id]).encode("utf-8")
            continue
        try:
            requests[(journey_id, view)] = diagrams.request_for(ws, journey_id, view)
        except diagrams.ViewError as exc:
            raise ViewError(str(exc)) from None
    if fmt == "dot":
        return out | {key: diagrams.dot_source(ws, r).encode("utf-8")
                      for key, r in requests.items()}
    store = Cache(Path(ws.root) / CACHE_DIR if cache else None)
    try:
        drawn = diagrams.render(ws, list(requests.values()),
                                get_engine(engine or ws.config.engine), store, fmt)
    except EngineError as exc:
        raise ViewError(str(exc)) from None
    store.save()
    return out | {key: d.content for key, d in zip(requests, drawn, strict=True)}


def check_page(workspace: Workspace | Result, file: str, text: str) -> list[Finding]:
    """The findings (MG320) of the ``mapgen`` blocks of a Markdown page: its ``text``, from
    ``file`` (as findings should name it)."""
    return check_embeds(_workspace_of(workspace), file, text)


def embed_views(workspace: Workspace | Result, text: str, *, engine: str | None = None,
                cache: bool = True, held: dict[str, str] | None = None) -> str:
    """``text`` (Markdown) with each ``mapgen`` block replaced by the view it names, as a
    captioned figure in an HTML block. A block that names no journey or view there is
    shows what is wrong in its place; :func:`check_page` reports it as a finding.

    With ``held`` (a dict), the figures stay out of the Markdown: a paragraph of a key of
    its own (``mapgen-view-…``) takes each block's place, as far in as the block was, so
    an admonition, a content tab or a list item still holds it, and ``held[key]`` is the
    figure's HTML. :func:`put_views` puts them in the HTML the Markdown becomes."""
    ws = _workspace_of(workspace)
    parts = embed.split(text)
    blocks = [p for p in parts if isinstance(p, embed.Embed) and not embed_problems(ws, p)]
    svgs = render_views(ws, [(b.journey, str(b.view)) for b in blocks], engine=engine,
                        cache=cache)
    page = digest(text)[:12]
    out = []
    for part in parts:
        if not isinstance(part, embed.Embed):
            out.append(part)
        elif held is None:
            out.append(f"\n{_shown_view(ws, part, svgs)}\n\n")
        else:
            key = f"mapgen-view-{len(held)}-{page}"  # not the start of another key
            held[key] = _shown_view(ws, part, svgs)
            out.append(f"\n{part.indent}{key}\n\n")
    return "".join(out)


def put_views(html: str, held: Mapping[str, str]) -> str:
    """``html`` (what Markdown made of :func:`embed_views`' text) with each held figure
    where its key is."""
    for key, figure in held.items():
        html = html.replace(f"<p>{key}</p>", figure).replace(key, figure)
    return html


def _shown_view(ws: Workspace, block: embed.Embed,
                svgs: Mapping[tuple[str | None, str], str | bytes]) -> str:
    """The HTML of one block: its figure, or what is wrong with it."""
    problems = embed_problems(ws, block)
    if problems:
        return ('<p class="mapgen-error"><strong>This view cannot be shown:</strong> '
                f"{escape(problems[0][2])}</p>")
    return str(content.figure_html(svgs[(block.journey, str(block.view))], block.title(ws),
                                   block.name))


def markdown_pages(workspace: Workspace | Result, *, engine: str | None = None,
                   cache: bool = True) -> list[tuple[MarkdownPage, _Writer]]:
    """The journey, persona and register pages as Markdown for another site's theme (see
    :mod:`mapgen.content`): each :class:`MarkdownPage` (its path, title and section) with
    a function ``write(link) -> str`` that gives its Markdown, where ``link(path)`` is the
    address of another page's path as seen from this one. Every diagram is drawn here,
    once, in one batch."""
    ws = _workspace_of(workspace)
    shown = content.diagrams_shown(ws)
    svgs = render_views(ws, [(r.journey.id if r.journey else None, r.view) for r in shown],
                        engine=engine, cache=cache)
    by_name = {r.name: svgs[(r.journey.id if r.journey else None, r.view)] for r in shown}
    return [(page, _Writer(ws, page, by_name)) for page in content.plan(ws)]


class _Writer:
    """``write(link)``: one page's Markdown (see :func:`markdown_pages`)."""

    def __init__(self, ws: Workspace, page: MarkdownPage, svgs: Mapping[str, bytes]):
        self._ws, self._page, self._svgs = ws, page, svgs

    def __call__(self, link: Link) -> str:
        return content.markdown(self._ws, self._page, self._svgs, link)


def _workspace_of(workspace: Workspace | Result) -> Workspace:
    if isinstance(workspace, Result):
        return _valid(workspace, False)
    return workspace


def _valid(result: Result, strict: bool) -> Workspace:
    ws = result.workspace
    strict = strict or bool(ws and ws.config.strict)
    if ws is None or result.fails(strict):
        raise SpecError(result.findings, strict)
    return ws
