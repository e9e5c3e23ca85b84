"""Build: a validated workspace in, every file of the static site out.

:func:`render_site` makes the files of a site; :func:`build` puts them into the output
folder (see :mod:`mapgen.site.output`) and a live preview keeps them in memory (see
:mod:`mapgen.serve`). Both go through the same plan of outputs, and the same records.

Builds are incremental. Each file is made from the workspace through a watched view of
it (see :mod:`mapgen.cache`) that records which journeys and personas the file read; the
file's record keeps those names and the key they gave. The next render takes a file as
it is while the key from the same names is unchanged (from the output folder for a
build, from memory for a preview), and makes the others again; only the diagrams of the
pages made again are drawn. So a template may read anything the context offers, the
whole workspace included, and what it read is what its key covers.

Every template sees these variables besides its page's own (see docs/themes.md):
``site``, ``page``, ``theme``, ``nav``, ``diagrams``, ``workspace``, ``generator``, and the
functions ``url``, ``asset``, ``markdown``, ``safe_url``, ``label``, ``emoticon``,
``signed``, ``channel_name``, ``persona_name``, ``sparkline``, ``edit_url``; and the
interface text in the site's language: ``t(key, count=None, **values)`` (see
:mod:`mapgen.messages`), ``number``, ``page_title`` and ``script_text`` (what mapgen.js
says, as JSON).
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mapgen import __version__, compact, poster, schema
from mapgen.cache import CACHE_DIR, JSON, Cache, JourneyParts, Reads, Sources, digest, watched
from mapgen.diagrams import layouts
from mapgen.diagrams.engine import Engine, get_engine
from mapgen.diagrams.graphs import signed
from mapgen.diagrams.sparkline import sparkline
from mapgen.messages import Messages
from mapgen.model import Journey, Workspace
from mapgen.site import data as data_files
from mapgen.site import pages as site_pages
from mapgen.site import pieces as site_pieces
from mapgen.site import reindex, search
from mapgen.site.ahead import Templates
from mapgen.site.drawings import Drawings
from mapgen.site.elsewhere import Elsewhere, closing
from mapgen.site.pieces import VARIABLE as PIECES
from mapgen.site.pieces import Piece, Pieces, utf8_size
from mapgen.site.markup import render_markdown, safe_url, summary
from mapgen.site.output import (
    FileStore,
    Made,
    OutputError,
    OutputFolder,
    Staged,
    Staging,
    check_output_dir,
)
from mapgen.site.theme import CONTEXTS, Theme, let_go, load_theme, placed

log = logging.getLogger(__name__)

#: The cache kind keeping what the output folder's files looked like after the last
#: build (:meth:`OutputFolder.seen_now`), so the next one hashes only files touched since.
SEEN = "site-files"

#: Pages rendered between two hand-backs of freed memory (:func:`mapgen.compact.give_back`):
#: each journey page frees what it rendered from, in pieces the allocator keeps.
GIVE_BACK_EVERY = 500
#: Called as pages are rendered: (pages done, pages in all, the page's path).
Progress = Callable[[int, int, str], None]

#: The top navigation: each page and the message key of its label (see mapgen.messages).
NAV = (
    ("index.html", "page.journeys"),
    ("touchpoints.html", "page.touchpoints"),
    ("pain-points.html", "page.pain_points"),
    ("opportunities.html", "page.opportunities"),
    ("search.html", "page.search"),
)


def site_nav(ws: Workspace) -> tuple[tuple[str, str], ...]:
    """The top navigation: :data:`NAV` (labels as message keys), with the workspace's
    Markdown pages (labels as their titles) before Search.
    Every page shows it, so it is a part of every page's key of its own (``nav``): a page's
    title changing makes every page again, its text only its own page."""
    prose = tuple((site_pages.prose_path(p.id), p.title) for p in ws.pages.values())
    return NAV[:-1] + prose + NAV[-1:]


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    site_url: str | None = None
    engine: str | None = None
    jobs: int | None = None
    cache_dir: Path | None = None
    #: Render every page and diagram again, whatever the last build recorded (layouts
    #: still come from the cache; foreign files in the output folder are still kept).
    clean: bool = False
    #: Build into a folder that holds files mapgen did not write, keeping them.
    keep_existing: bool = False


@dataclass(frozen=True)
class BuildReport:
    journeys: int
    personas: int
    diagrams: int
    #: Diagrams drawn by this build: graphs the engine laid out, graphs whose layout
    #: came from the cache, and charts, which our own code draws.
    laid_out: int
    cached: int
    pages: int
    #: Pages rendered by this build; the others were already current on disk.
    rendered: int
    written: int
    removed: int
    seconds: float

    def summary(self) -> str:
        charts = self.diagrams - self.laid_out - self.cached
        return (f"Built {_n(self.journeys, 'journey')}, {_n(self.personas, 'persona')}: "
                f"{self.rendered} of {_n(self.pages, 'page')} rendered, "
                f"{_n(self.diagrams, 'diagram')} drawn ({self.laid_out} laid out, "
                f"{self.cached} cached, {charts} charts), {_n(self.written, 'file')} "
                f"written in {self.seconds:.1f} s")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def build(ws: Workspace, options: BuildOptions, progress: Progress | None = None,
          templates: Templates | None = None) -> BuildReport:
    """Render what changed since the last build and put the site in ``options.site_dir``.

    The output folder holds the old site or the new one at every instant; a failure
    (the disk full included) leaves it as it was and raises :class:`OutputError`.
    ``templates``, made before the workspace was read, are used while its theme is still
    the workspace's.
    """
    started = time.perf_counter()
    compact.one_heap()  # before the page and drawing threads start
    compact.give_back()  # what reading the specs parsed and let go
    root = Path(ws.root)
    check_output_dir(options.site_dir, root, _inputs(ws))
    cache = Cache(options.cache_dir or root / CACHE_DIR)
    seen_as = str(options.site_dir.resolve())
    folder = OutputFolder.open(options.site_dir, options.keep_existing,
                               cache.get(SEEN, seen_as, SEEN, JSON))
    engine = get_engine(options.engine or ws.config.engine, jobs=options.jobs)
    try:
        with folder.staging(reuse=not options.clean) as staging:
            site = render_site(ws, engine, cache, options.site_url, progress,
                               past={} if options.clean else folder.intact(),
                               staging=staging, fresh_diagrams=options.clean,
                               templates=templates)
            result = folder.publish(site.files, staging)
    except OSError as exc:
        raise OutputError(_write_problem(exc, folder.path)) from None
    cache.put(SEEN, seen_as, SEEN, folder.seen_now(site.files), JSON)
    cache.save({"diagram": site.diagram_names, "diagram-source": site.diagram_names,
                site_pieces.KIND: site.files, search.PART_KIND: ws.journeys,
                data_files.PART_KIND: ws.journeys},
               {layouts.KIND: 2 * len(site.diagram_names) + 64})  # room for one change
    return BuildReport(len(ws.journeys), len(ws.personas), site.diagrams,
                       layouts.laid_out(cache), layouts.reused(cache),
                       sum(p.endswith(".html") for p in site.files), site.rendered_pages,
                       len(result.written), len(result.removed), time.perf_counter() - started)


def _inputs(ws: Workspace) -> list[Path]:
    """The folders a build reads: the specs, and the theme's own folder if any."""
    root = Path(ws.root)
    folders = [root / ws.config.specs_dir, root / ws.config.pages_dir]
    if ws.config.theme.custom_dir:
        folders.append(root / ws.config.theme.custom_dir)
    return folders


def _write_problem(exc: OSError, site_dir: Path) -> str:
    where = exc.filename or site_dir
    return (f"{where}: cannot write: {exc.strerror or exc}; the site in {site_dir} is "
            "unchanged (free some space or fix the folder's permissions, then build again)")


@dataclass(frozen=True)
class Rendered:
    """A rendered site: each file as made (see :class:`~mapgen.site.output.Made`)."""

    files: dict[str, Made]
    #: Pages rendered, and diagrams drawn, by this render (not reused).
    rendered_pages: int
    diagrams: int
    diagram_names: tuple[str, ...]


#: The face of the diagrams, next to the stylesheet that names it (``@font-face``).
SITE_FONT = "arimo.woff"


@dataclass(frozen=True, eq=False)  # each output is its own: compared by identity
class _Output:
    """A file of the site: its path, and how to make it from a watched workspace.

    Its key is traced (what ``make`` read, see :mod:`mapgen.cache`) unless ``key`` is
    given: the static assets are named by their own bytes."""

    path: str
    make: Callable[[Workspace, Reads], bytes]
    key: str | None = None
    page: site_pages.Page | None = None
    #: Made from every journey: a live preview makes it when asked for.
    listing: bool = False
    #: A download no page shows (a poster): a live preview makes it when asked for too.
    download: bool = False


def render_site(ws: Workspace, engine: Engine, cache: Cache,
                site_url: str | None = None, progress: Progress | None = None,
                past: Mapping[str, Made] | None = None,
                staging: FileStore | None = None, defer: bool = False,
                fresh_diagrams: bool = False, templates: Templates | None = None) -> Rendered:
    """Every file of the site, made again where its record in ``past`` is out of date.

    A file of ``past`` is reused while its key, worked out again from the parts it read,
    is the same. With ``staging`` (a build's staging folder, a preview's kept files) each
    file made goes there as it is made, so memory holds a page, not the site; without it
    the bytes are kept in the result. With ``defer`` (a live preview), the
    files made from every journey and the posters are made when first asked for
    (:class:`Deferred`).
    ``fresh_diagrams`` draws every diagram, and renders every piece of a page, again
    (``build --clean``). ``templates`` are used when made from the same theme.
    """
    past = past or {}
    site_url = _with_slash(site_url if site_url is not None else ws.config.site_url)
    theme = load_theme(Path(ws.root), ws.config.theme.name, ws.config.theme.custom_dir,
                       ws.config.theme.options)
    fingerprint = theme.fingerprint()
    env = templates.environment if templates and templates.theme == theme else cache.kept(
        "templates", digest(fingerprint, *map(str, theme.layers)),
        theme.environment)  # a preview compiles each template once
    nav = site_nav(ws)
    sources = Sources(ws, {"theme": fingerprint, "site_url": site_url or "",
                           "engine": f"{engine.name} {engine.version}",
                           "nav": digest(*(part for entry in nav for part in entry))})
    outputs = _outputs(ws, theme, site_pages.plan(ws), site_url, cache, sources,
                       fresh=fresh_diagrams,
                       previous=staging if isinstance(staging, Staging) else None)
    files, todo = _reused(outputs, past, sources)

    def is_later(output: _Output) -> bool:
        return defer and (output.listing or output.download)

    later = [o for o in todo if is_later(o)]
    todo = [o for o in todo if not is_later(o)]
    pages = [o for o in todo if o.page is not None]
    others = [o for o in todo if o.page is None]
    shared = _site_context(ws, theme, site_url, nav)
    aside = _pages_aside(pages) if staging else []
    made_aside = _Aside(env, ws, shared, site_url, sources, cache.twin(), engine, past,
                        staging, fresh_diagrams) if aside else None
    # before any thread starts: the other files are made by a forked process meanwhile
    elsewhere = Elsewhere.start(ws, [*(made_aside.output(o) for o in aside), *others],
                                staging, list(files)) if staging else None
    if elsewhere is None:
        aside = []  # rendered here after all
    not_aside = set(map(id, aside))
    pages = [o for o in pages if id(o) not in not_aside]
    with closing(elsewhere), ThreadPoolExecutor(max_workers=2) as pool:
        drawings = Drawings(ws, engine, cache, sources, pool, redraw=fresh_diagrams,
                            also=site_pages.embedded_requests(ws))

        def make(output: _Output) -> Made:
            reads = Reads()
            pieces = None
            if output.page is not None:
                pieces = _page_pieces(output.path, cache, sources, reads, fresh_diagrams,
                                      past, staging)
                data = _render_page(env, output.page, ws, shared, drawings, reads, site_url,
                                    pieces)
            else:
                data = output.make(watched(ws, reads), reads)
            # a page is rendered as it is written: what it read is known after
            kept = staging.put(output.path, data) if staging else (
                data if isinstance(data, bytes) else b"".join(data))
            made = record(output, reads.parts(), kept)
            if pieces is not None:
                pieces.keep(made.key)
            return made

        def record(output: _Output, parts: tuple[str, ...], kept: object) -> Made:
            return Made(output.key or sources.key(parts), parts, kept)

        log.debug("rendering %d pages (%d files in all)", len(pages), len(outputs))
        for done, output in enumerate(_in_batches(pages, drawings), start=1):
            if progress:
                progress(done, len(pages), output.path)
            files[output.path] = make(output)
            log.debug("rendered %s", output.path)
            if done % GIVE_BACK_EVERY == 0 or output.page.listing:
                compact.give_back()
            if elsewhere:
                elsewhere.collect(record)
        drawings.pool = None  # from here on, a diagram asked for is drawn on the spot
        if elsewhere:
            elsewhere.collect(record, wait=True)
        for output in [*aside, *others]:
            files[output.path] = elsewhere.made.pop(output.path) if elsewhere else make(
                output)
    for output in later:
        files[output.path] = Made("", (), Deferred(lambda o=output: make(o)))
    return Rendered(files, len(pages) + len(aside), drawings.drawn, tuple(drawings.requests))


#: Journey pages (pages with diagrams) to render, at least, before the pages without
#: diagrams are made by the forked process (:func:`_pages_aside`).
ASIDE_FROM = 64


def _pages_aside(pages: list[_Output]) -> list[_Output]:
    """The pages the forked process (:mod:`mapgen.site.elsewhere`) may make: the
    listings that show no diagram (the home page, the persona pages, the registers),
    when this process has many pages with diagrams to render. A cold build of 1000
    journeys rendered them last, some 2.5 s on one core while the other was idle; there
    they are made while this process renders the journey pages. A one-journey change
    renders them here: the forked process has the search index, journeys.json and the
    links to make then."""
    aside = [o for o in pages if o.page.listing and not o.page.diagrams]
    return aside if len(pages) - len(aside) >= ASIDE_FROM else []


class _Aside:
    """Pages made by the forked process (:mod:`mapgen.site.elsewhere`) as this process
    makes them (see ``render_site``), each written as it is rendered. Their pieces are
    noted in ``cache`` (a connection of that process's own, saved there after each
    page); a diagram a theme asks for is drawn there, on the spot."""

    def __init__(self, env: jinja2.Environment, ws: Workspace, shared: dict[str, Any],
                 site_url: str | None, sources: Sources, cache: Cache, engine: Engine,
                 past: Mapping[str, Made], staging: FileStore | None, fresh: bool):
        self.env, self.ws, self.shared, self.site_url = env, ws, shared, site_url
        self.sources, self.cache, self.engine = sources, cache, engine
        self.past, self.staging, self.fresh = past, staging, fresh
        self._drawings: Drawings | None = None

    def output(self, page: _Output) -> _Output:
        """``page`` as a file made by a function of the workspace, as the others there."""
        return _Output(page.path, lambda ws, reads: self._render(page.page, reads))

    def _render(self, page: site_pages.Page, reads: Reads) -> Iterator[bytes]:
        # Templates compiled ahead come through a pipe this process shares with the one it
        # was forked from: read here, they would be read from under it. Here a template
        # that process has not loaded yet is compiled from its source.
        self.env.bytecode_cache = None
        pieces = _page_pieces(page.path, self.cache, self.sources, reads, self.fresh,
                              self.past, self.staging)
        try:
            yield from _render_page(self.env, page, self.ws, self.shared, self._drawn(),
                                    reads, self.site_url, pieces)
        except jinja2.TemplateError as exc:  # where it failed, said in the build's message
            placed(exc)
            raise
        pieces.keep(self.sources.key(reads.parts()))
        self.cache.save()
        compact.give_back()
        log.debug("rendered %s (in the process making the files other than pages)",
                  page.path)

    def _drawn(self) -> Drawings:
        if self._drawings is None:
            self._drawings = Drawings(self.ws, self.engine, self.cache, self.sources, None,
                                      redraw=self.fresh,
                                      also=site_pages.embedded_requests(self.ws))
        return self._drawings


def _page_pieces(path: str, cache: Cache, sources: Sources, reads: Reads, fresh: bool,
                 past: Mapping[str, Made], staging: FileStore | None) -> Pieces:
    """The pieces of the page at ``path`` about to be rendered (all rendered again when
    ``fresh``), with what every page reads noted in ``reads`` first."""
    reads.update(("theme", "site_url", "nav"))
    return Pieces(cache, sources, path, reads, reuse=not fresh,
                  previous=_last_made(past, staging, path))


def _last_made(past: Mapping[str, Made], staging: FileStore | None,
               path: str) -> site_pieces.Previous:
    """The file at ``path`` as the last build (or a preview's last render) made it: its
    key and its bytes, read when asked for; None when there is none, or it has changed
    since."""
    def last() -> tuple[str, bytes] | None:
        known = past.get(path)
        if known is None:
            return None
        if isinstance(known.data, bytes):
            return known.key, known.data
        try:
            if isinstance(known.data, Staged):
                return known.key, known.data.path.read_bytes()
        except OSError:
            return None
        if isinstance(staging, Staging) and path in staging.published:
            data = staging.published_file(path, staging.published[path])
            return (known.key, data) if data is not None else None
        return None

    return last


def _reused(outputs: list[_Output], past: Mapping[str, Made],
            sources: Sources) -> tuple[dict, list[_Output]]:
    """(the files whose record is current, the outputs to make again)."""
    files: dict[str, Made] = {}
    todo = []
    for output in outputs:
        known = past.get(output.path)
        if known is not None and known.key == (output.key or sources.key(known.reads)):
            files[output.path] = known
        else:
            todo.append(output)
    return files, todo


class Deferred:
    """A file of a live preview, made when first asked for (see ``render_site``); its
    :class:`Made` record, once made, is kept for the next render."""

    def __init__(self, make: Callable[[], Made]):
        self._make = make
        self._made: Made | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> Made | None:
        return self._made

    def __call__(self) -> bytes:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made.data


#: Pages rendered per batch: the diagrams of the next batch are laid out meanwhile.
BATCH = 64


def _in_batches(pages: list[_Output], drawings: Drawings) -> Iterator[_Output]:
    """The pages in batches: each batch's diagrams are started before the batch before it
    is rendered, and let go after."""
    batches = [pages[i:i + BATCH] for i in range(0, len(pages), BATCH)]
    for index, batch in enumerate(batches):
        for upcoming in batches[index:index + 2]:
            drawings.prepare(name for o in upcoming for name in o.page.diagrams)
        yield from batch
        drawings.forget(name for o in batch for name in o.page.diagrams
                        if name in drawings.requests)


def _outputs(ws: Workspace, theme: Theme, plan: list[site_pages.Page],
             site_url: str | None, cache: Cache, sources: Sources, fresh: bool = False,
             previous: reindex.Previous | None = None) -> list[_Output]:
    """Every file of the site, in the plan's order, then assets and data files.

    The files that are not pages may be made in another process (:mod:`.elsewhere`),
    so what they keep in the cache (a journey's part of the search index and of
    journeys.json, the posters' font) goes through a cache of their own (``kept``).
    ``fresh`` makes those parts again (``build --clean``). ``previous`` gives the output
    folder's files, for the search index to update the last one (see
    :mod:`mapgen.site.reindex`)."""
    kept = cache.twin()
    outputs = [_Output(page.path, _never, page=page, listing=page.listing) for page in plan]
    for rel, path in theme.static_files().items():
        data = path.read_bytes()
        outputs.append(_Output(f"assets/{rel}", lambda ws, reads, data=data: data,
                               key=digest(data)))
    outputs.append(_site_font(kept))
    outputs += [
        _Output(".nojekyll", lambda ws, reads: b""),
        _Output("journeys.json", lambda ws, reads: data_files.compiled_model(
            ws, JourneyParts(kept, sources, data_files.PART_KIND, reuse=not fresh)),
                listing=True),
    ]
    # the index's files are made together, once per render
    index = reindex.IndexFiles(JourneyParts(kept, sources, search.PART_KIND, JSON,
                                            reuse=not fresh), previous)
    outputs += [_Output(path, index.maker(path), listing=True) for path in search.paths(ws)]
    outputs += [_Output(f"schema/{kind}.schema.json",
                        lambda ws, reads, kind=kind: schema.dumps(kind).encode("utf-8"))
                for kind in schema.KINDS]
    outputs += _posters(ws, kept)
    if site_url and site_url.startswith(("http://", "https://")):  # a sitemap needs hosts
        outputs.append(_Output("sitemap.xml", _sitemap(site_url), listing=True))
    return outputs


def _sitemap(site_url: str) -> Callable[[Workspace, Reads], bytes]:
    def make(ws: Workspace, reads: Reads) -> bytes:
        reads.add("site_url")
        return data_files.sitemap(site_url, [p for p in site_pages.plan(ws) if p.public])

    return make


def _site_font(cuts: Cache) -> _Output:
    """assets/arimo.woff: the face of the diagrams (see :func:`mapgen.poster.fonts.site_font`),
    the posters' cut, kept in ``cuts`` as theirs is."""
    from mapgen.poster import fonts  # 8 ms to import: not in a build that finds the site current

    return _Output(f"assets/{SITE_FONT}", lambda ws, reads: fonts.site_font(cuts),
                   key=fonts.site_font_key())


def _posters(ws: Workspace, cuts: Cache) -> list[_Output]:
    """posters/<journey>.svg: each journey's map as a poster (see :mod:`mapgen.poster`),
    the home page's thumbnail and the journey page's download. One file per journey.
    Their font cut is kept in ``cuts``: a cache of its own, since the posters of a build
    are made by a forked process, which must not use this one's connection."""
    def poster_of(journey_id: str) -> Callable[[Workspace, Reads], bytes]:
        return lambda ws, reads: poster.render(ws, ws.journeys[journey_id], "svg", cuts)

    return [_Output(site_pages.poster_path(journey_id), poster_of(journey_id), download=True)
            for journey_id in ws.journeys]


def _never(ws: Workspace, reads: Reads) -> bytes:
    raise AssertionError("pages are rendered by _render_page")


def _render_page(env: jinja2.Environment, page: site_pages.Page, ws: Workspace,
                 shared: dict[str, Any], drawings: Drawings, reads: Reads,
                 site_url: str | None, pieces: Pieces) -> Iterator[bytes]:
    """The page rendered from the workspace as it sees it, in parts as it is rendered
    (a listing of 10,000 journeys is tens of megabytes: it goes to its file as it is
    made, never whole in memory); all it reads lands in ``reads`` by the last part.
    What the template marks ``{% piece %}`` comes from ``pieces`` where unchanged."""
    seen = watched(ws, reads)
    here = posixpath.dirname(page.path)
    absolute = page.path == "404.html" and site_url

    def url(target: str) -> str:
        if absolute:
            return site_url + target
        if not here:  # a page at the top: every site path is already relative to it
            return target
        return _relative(target, here)

    messages = shared["messages"]
    own = page.context(seen)
    context = {**shared, **_workspace_context(seen, drawings.seen_by(reads)),
               **own, "page": page, "url": url,
               "page_title": messages.text(page.label) if page.label else page.title,
               "asset": lambda rel: url(f"assets/{rel}"),
               "canonical": site_url + page.path if site_url else None,
               PIECES: pieces, CONTEXTS: []}
    try:
        yield from _encoded(env.get_template(page.template).generate(context), pieces)
    finally:
        let_go(context[CONTEXTS])


#: Characters of a page joined before each part of it is written: a row of a listing
#: kept whole (a ``{% piece %}``) is a string of a few kB, most other strings a few bytes.
PART = 65536


def _encoded(strings: Iterator[str], pieces: Pieces) -> Iterator[bytes]:
    """The page's strings in UTF-8, in parts; where each piece is (in bytes of the page)
    noted in ``pieces``. Bytes are counted only up to a piece: a page without pieces (a
    journey's) measures nothing but the parts it writes."""
    part: list[str] = []
    size = written = 0
    counted = measured = 0  # part[:counted] is ``measured`` bytes
    for string in strings:
        if type(string) is Piece and string.places:
            measured += utf8_size("".join(part[counted:]))
            pieces.placed(string, written + measured)
            measured += string.size
            counted = len(part) + 1
        part.append(string)
        size += len(string)
        if size >= PART:
            data = "".join(part).encode("utf-8")
            yield data
            written += len(data)
            part, size, counted, measured = [], 0, 0, 0
    if part:
        yield "".join(part).encode("utf-8")


def _relative(target: str, folder: str) -> str:
    """``target`` (a site path) as seen from a page in ``folder``: posixpath.relpath
    without asking the operating system for the current folder each time."""
    here, there = folder.split("/"), target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def _site_context(ws: Workspace, theme: Theme, site_url: str | None,
                  nav: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """What every page sees that comes from the config, the theme and mapgen alone."""
    config = ws.config
    messages = theme.messages(config.lang)
    return {
        "site": {"title": config.title, "description": render_markdown(config.description),
                 "summary": summary(config.description),
                 "url": site_url, "repo_url": safe_url(config.repo_url)
                 if config.repo_url else None},
        "og_image": _og_image(theme.options.get("og_image"), site_url),
        "summary": summary,
        "theme": theme.options,
        "accent": _colour(theme.options.get("accent")),
        "nav": tuple((path, messages.text(label) if (path, label) in NAV else label)
                     for path, label in nav),  # mapgen's pages by message, a team's by title
        "messages": messages,
        "t": messages.markup,
        "number": messages.number,
        "script_text": _script_text(messages),
        "generator": f"mapgen {__version__}",
        "markdown": render_markdown,
        "safe_url": safe_url,
        "signed": signed,
        "persona_path": site_pages.persona_path,
        "journey_path": site_pages.journey_path,
        "poster_path": site_pages.poster_path,
        "sparkline": lambda values, low, high: Markup(sparkline(values, low, high)),
    }


def _og_image(image: Any, site_url: str | None) -> str | None:
    """The picture link previews show (``theme.options.og_image``: a PNG or JPEG, as a
    site path or a URL), absolute as Open Graph requires: so only with ``site_url``.

    None by default: chat tools do not show the SVG posters, and a PNG of each poster
    takes seconds and about a megabyte per journey, shrunk to a card nobody can read."""
    if not image or not site_url or not site_url.startswith(("http://", "https://")):
        return None
    text = safe_url(str(image))
    if text == "#":
        return None
    return text if text.startswith(("http://", "https://")) else site_url + text.lstrip("/")


def _script_text(messages: Messages) -> Markup:
    """What mapgen.js says, in the site's language: JSON for a ``<script
    type="application/json">`` (``</`` escaped, so no text can end the element)."""
    text = {"lang": messages.lang, **messages.for_script(("script.",))}
    return Markup(json.dumps(text, ensure_ascii=False, sort_keys=True).replace("</", "<\\/"))


def _workspace_context(ws: Workspace, svgs: Mapping[str, Markup]) -> dict[str, Any]:
    """What a page sees of the workspace: ``ws`` is the page's watched view of it."""
    return {
        "workspace": ws,
        "diagrams": svgs,
        "label": lambda journey, score: ws.scale_of(journey).label(score),
        "emoticon": lambda journey, score: ws.scale_of(journey).emoticon(score),
        "channel_name": lambda cid: ws.channels[cid].name if cid in ws.channels else cid,
        "persona_name": lambda pid: ws.personas[pid].name if pid in ws.personas else pid,
        "edit_url": lambda journey: edit_url(ws, journey),
    }


def edit_url(ws: Workspace, journey: Journey) -> str | None:
    """Where to edit a journey's file, when ``repo_url`` is set (as in MkDocs)."""
    config = ws.config
    if not config.repo_url:
        return None
    edit_uri = config.edit_uri if config.edit_uri is not None else "edit/main/"
    file = ws.files.get(f"journeys/{journey.id}", "")
    return safe_url(f"{config.repo_url.rstrip('/')}/{edit_uri.strip('/')}/{file}")


def _colour(value: Any, default: str = "#5b4cdb") -> str:
    """A CSS colour from theme options: a #rgb / #rrggbb value, or the default."""
    text = str(value or "")
    return text if re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", text) else default


def _with_slash(url: str | None) -> str | None:
    if not url:
        return None
    return url if url.endswith("/") else url + "/"
