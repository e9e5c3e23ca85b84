"""Build: a validated workspace in, every file of the static site out.

:func:`render_site` is pure apart from the diagram engine and cache: it returns the
site as a mapping of relative path -> bytes, so a failure anywhere leaves the output
folder as it was. :func:`build` then hands the files to :mod:`mapgen.site.write`.

Builds are incremental. Every file has a key (:mod:`mapgen.site.keys`) naming what it is made
from; a file whose key is unchanged is taken from the :class:`RenderMemo` (a live
preview) or left as it is on disk (a build, through :mod:`mapgen.site.manifest`), and
only the diagrams of the pages rendered again are drawn.

Every template sees these variables besides its page's own (see docs/themes.md):
``site``, ``page``, ``theme``, ``nav``, ``diagrams``, ``generator``, and the functions
``url``, ``asset``, ``markdown``, ``safe_url``, ``label``, ``emoticon``, ``signed``,
``channel_name``, ``persona_name``, ``sparkline``, ``edit_url``.
"""

from __future__ import annotations

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

from mapgen import __version__, diagrams, poster, schema
from mapgen.diagrams.cache import CACHE_DIR, DiagramCache
from mapgen.diagrams.engine import Engine, get_engine
from mapgen.diagrams.graphs import signed
from mapgen.diagrams.sparkline import sparkline
from mapgen.model import Journey, Workspace
from mapgen.site import data as data_files
from mapgen.site import pages as site_pages
from mapgen.site import search, write
from mapgen.site.drawings import SITE_VIEWS, Drawings
from mapgen.site.drawings import key_of as drawings_key_of
from mapgen.site.keys import Keys
from mapgen.site.manifest import Manifest
from mapgen.site.markup import render_markdown, safe_url
from mapgen.site.theme import Theme, load_theme
from mapgen.storage import Pack, digest

#: Called as pages are rendered: (pages done, pages in all, the page's path).
Progress = Callable[[int, int, str], None]

NAV = (
    ("index.html", "Journeys"),
    ("touchpoints.html", "Touchpoints"),
    ("pain-points.html", "Pain points"),
    ("opportunities.html", "Opportunities"),
    ("search.html", "Search"),
)


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    site_url: str | None = None
    engine: str | None = None
    jobs: int | None = None
    cache_dir: Path | None = None
    #: Render every page again, whatever the last build recorded (layouts still cached).
    clean: bool = False


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


def build(ws: Workspace, options: BuildOptions,
          progress: Progress | None = None) -> BuildReport:
    """Render what changed since the last build and write it to ``options.site_dir``."""
    started = time.perf_counter()
    root = Path(ws.root)
    write.check_output_dir(options.site_dir, root, root / ws.config.specs_dir)
    cache_dir = options.cache_dir or root / CACHE_DIR
    cache = DiagramCache(cache_dir)
    manifest = Manifest.load(cache_dir, options.site_dir)
    if options.clean:
        manifest.entries.clear()
    engine = get_engine(options.engine or ws.config.engine, jobs=options.jobs)
    finished = Pack(None if options.clean else cache_dir / "finished.pack")
    with write.Staging(options.site_dir) as staging:
        site = render_site(ws, engine, cache, options.site_url, progress,
                           current=manifest.current, finished=finished, staging=staging)
        result = write.sync(options.site_dir, site.files)
    manifest.save(site.keys)
    finished.save(r.name for r in diagrams.requests_for(ws, SITE_VIEWS))
    return BuildReport(len(ws.journeys), len(ws.personas), site.diagrams, cache.stats.misses,
                       cache.stats.hits, sum(p.endswith(".html") for p in site.files),
                       site.rendered_pages, len(result.written), len(result.removed),
                       time.perf_counter() - started)


class RenderMemo:
    """What the last render made, for a live preview to reuse.

    Every file and diagram is kept with its key (see :class:`Keys`) and reused while the
    key is the same: a changed journey re-renders its own diagrams and page, its
    personas' pages, and the files that list every journey, nothing else. A change to the
    config or the theme needs :meth:`clear` (which also reloads the theme).
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.theme: tuple[Theme, jinja2.Environment, str] | None = None
        self.diagrams: dict[str, tuple[str, diagrams.Diagram]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}


@dataclass(frozen=True)
class Rendered:
    """A rendered site: each file's bytes (or where they are staged), or None where the
    file on disk is current."""

    files: dict[str, bytes | write.Staged | Deferred | None]
    #: What each file was made from (see :class:`Keys`), for the manifest.
    keys: dict[str, str]
    #: Pages rendered, and diagrams drawn, by this render (not reused).
    rendered_pages: int
    diagrams: int


@dataclass(frozen=True, eq=False)  # each output is its own: compared by identity
class _Output:
    """A file of the site: its path, its key, and a page to render or how to make it."""

    path: str
    key: str
    make: Callable[[], bytes] | None = None
    page: site_pages.Page | None = None


def render_site(ws: Workspace, engine: Engine, cache: DiagramCache,
                site_url: str | None = None, progress: Progress | None = None,
                memo: RenderMemo | None = None,
                current: Callable[[str, str], bool] | None = None,
                finished: Pack | None = None,
                staging: write.Staging | None = None, defer: bool = False) -> Rendered:
    """Every file of the site, made again only where its key changed.

    A file is reused from ``memo`` when it holds the same key, and left as it is on disk
    (None) when ``current(path, key)`` says the file there was made from that key. A
    diagram is reused from ``memo``, else from ``finished`` (kept between builds).

    With ``staging`` (a build), each file goes to the staging folder as soon as it is
    made: memory holds a batch of pages, not the site. Without it (a live preview), the
    files stay in ``memo``. Either way a journey's diagrams are let go once its pages are
    rendered.

    With ``defer`` (a live preview), the files made from the whole workspace (the home
    page, the registers, journeys.json, the search index) are :class:`Deferred`: made
    when first asked for, so a change to one journey costs its own pages, not those.
    """
    memo = memo or RenderMemo()
    config = ws.config
    site_url = _with_slash(site_url if site_url is not None else config.site_url)
    if memo.theme is None:
        theme = load_theme(Path(ws.root), config.theme.name, config.theme.custom_dir,
                           config.theme.options)
        memo.theme = (theme, theme.environment(), theme.fingerprint())
    theme, env, fingerprint = memo.theme
    keys = Keys(ws, fingerprint, site_url, f"{engine.name} {engine.version}")
    plan = site_pages.plan(ws)
    outputs = _outputs(ws, theme, plan, keys, site_url)
    files, todo = _reused(outputs, memo, current)
    later = [o for o in todo if defer and (o.page is None or site_pages.ALL in o.page.depends)]
    todo = [o for o in todo if o not in later]
    pages = [o for o in todo if o.page is not None]
    with ThreadPoolExecutor(max_workers=2) as pool:
        drawings = Drawings(ws, engine, cache, drawings_key_of(ws, keys.content, keys.of_content),
                            memo.diagrams, finished or Pack(None), pool)
        shared = _shared_context(ws, theme, drawings, site_url)

        def make(output: _Output) -> bytes:
            if output.make is not None:
                return output.make()
            return _render_page(env, output.page, shared, site_url)

        for done, output in enumerate(_in_batches(pages, drawings), start=1):
            if progress:
                progress(done, len(pages), output.path)
            files[output.path] = _keep(memo, staging, output, make(output))
    drawings.pool = None  # from here on, a diagram asked for is drawn on the spot
    for output in todo:
        if output.page is None:
            files[output.path] = _keep(memo, staging, output, make(output))
    for output in later:
        files[output.path] = Deferred(lambda o=output: _keep(memo, None, o, make(o)))
    return Rendered(files, {o.path: o.key for o in outputs}, len(pages), drawings.drawn)


def _reused(outputs: list[_Output], memo: RenderMemo,
            current: Callable[[str, str], bool] | None) -> tuple[dict, list[_Output]]:
    """(the files whose key is unchanged, the outputs to make): a file with the same key
    is taken from the memo, or left on disk (None) when ``current`` says it is there."""
    files: dict[str, bytes | write.Staged | Deferred | None] = {}
    todo = []
    for output in outputs:
        known = memo.files.get(output.path)
        if known is not None and known[0] == output.key:
            files[output.path] = known[1]
        elif current is not None and current(output.path, output.key):
            files[output.path] = None
        else:
            todo.append(output)
    return files, todo


class Deferred:
    """A file of a live preview, made when first asked for (see ``render_site``)."""

    def __init__(self, make: Callable[[], bytes]):
        self._make = make
        self._data: bytes | None = None
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        with self._lock:
            if self._data is None:
                self._data = self._make()
            return self._data


def _keep(memo: RenderMemo, staging: write.Staging | None, output: _Output,
          data: bytes) -> bytes | write.Staged:
    """A file just made: staged for a build, kept in the memo for a live preview."""
    if staging is not None:
        return staging.put(output.path, data)
    memo.files[output.path] = (output.key, data)
    return data


#: Pages rendered per batch: the diagrams of the next batch are laid out meanwhile.
BATCH = 64


def _in_batches(pages: list[_Output], drawings: Drawings) -> Iterator[_Output]:
    """The pages in batches: each batch's diagrams are started before the batch before it
    is rendered, and let go after. Pages showing the overview (big, laid out alone, and
    started first) go last."""
    pages = sorted(pages, key=lambda o: "overview" in o.page.diagrams)
    drawings.prepare(n for o in pages for n in o.page.diagrams if n == "overview")
    batches = [pages[i:i + BATCH] for i in range(0, len(pages), BATCH)]
    for index, batch in enumerate(batches):
        for upcoming in batches[index:index + 2]:
            drawings.prepare(name for o in upcoming for name in o.page.diagrams)
        yield from batch
        drawings.forget(name for o in batch for name in o.page.diagrams
                        if name in drawings.requests)


def _outputs(ws: Workspace, theme: Theme, plan: list[site_pages.Page], keys: Keys,
             site_url: str | None) -> list[_Output]:
    """Every file of the site, in the plan's order, then assets and data files."""
    outputs = [_Output(page.path, keys.of(page.depends, page.path, page.template), page=page)
               for page in plan]
    for rel, path in theme.static_files().items():
        data = path.read_bytes()
        outputs.append(_Output(f"assets/{rel}", digest(data), lambda data=data: data))
    every_spec = frozenset({site_pages.ALL})
    outputs += [
        _Output(".nojekyll", "", bytes),
        _Output("journeys.json", keys.of_content(every_spec, "journeys.json"),
                lambda: data_files.as_json(data_files.compiled_model(ws))),
        _Output("assets/search-index.js", keys.of_content(every_spec, "search"),
                lambda: search.index_script(ws)),
    ]
    outputs += [_Output(f"schema/{kind}.schema.json", keys.content,
                        lambda kind=kind: schema.dumps(kind).encode("utf-8"))
                for kind in schema.KINDS]
    outputs += _posters(ws, keys)
    if site_url:
        public = [p for p in plan if p.public]
        outputs.append(_Output("sitemap.xml", keys.of(every_spec, "sitemap.xml"),
                               lambda: data_files.sitemap(site_url, public)))
    return outputs


def _posters(ws: Workspace, keys: Keys) -> list[_Output]:
    """posters/<journey>.svg: each journey's map as a poster (see :mod:`mapgen.poster`),
    the home page's thumbnail and the journey page's download. One file per journey."""
    return [_Output(site_pages.poster_path(journey.id),
                    keys.of_content(site_pages.journey_depends(journey), "poster"),
                    lambda journey=journey: poster.render(ws, journey, "svg"))
            for journey in ws.journeys.values()]


def _render_page(env: jinja2.Environment, page: site_pages.Page, shared: dict[str, Any],
                 site_url: str | None) -> bytes:
    here = posixpath.dirname(page.path)
    absolute = page.path == "404.html" and site_url

    def url(target: str) -> str:
        if absolute:
            return site_url + target
        if not here:  # a page at the top: every site path is already relative to it
            return target
        return _relative(target, here)

    context = {**shared, **page.context(), "page": page, "url": url,
               "asset": lambda rel: url(f"assets/{rel}"),
               "canonical": site_url + page.path if site_url else None}
    return env.get_template(page.template).render(context).encode("utf-8")


def _relative(target: str, folder: str) -> str:
    """``target`` (a site path) as seen from a page in ``folder``: posixpath.relpath
    without asking the operating system for the current folder each time."""
    here, there = folder.split("/"), target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def _shared_context(ws: Workspace, theme: Theme, svgs: Mapping[str, Markup],
                    site_url: str | None) -> dict[str, Any]:
    config = ws.config
    return {
        "site": {"title": config.title, "description": render_markdown(config.description),
                 "url": site_url, "repo_url": safe_url(config.repo_url)
                 if config.repo_url else None},
        "theme": theme.options,
        "accent": _colour(theme.options.get("accent")),
        "nav": NAV,
        "workspace": ws,
        "diagrams": svgs,
        "generator": f"mapgen {__version__}",
        "markdown": render_markdown,
        "safe_url": safe_url,
        "label": lambda journey, score: ws.scale_of(journey).label(score),
        "emoticon": lambda journey, score: ws.scale_of(journey).emoticon(score),
        "signed": signed,
        "channel_name": lambda cid: ws.channels[cid].name if cid in ws.channels else cid,
        "persona_name": lambda pid: ws.personas[pid].name if pid in ws.personas else pid,
        "persona_path": site_pages.persona_path,
        "journey_path": site_pages.journey_path,
        "poster_path": site_pages.poster_path,
        "sparkline": lambda values, low, high: Markup(sparkline(values, low, high)),
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
