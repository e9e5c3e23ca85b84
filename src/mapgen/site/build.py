"""Build: a validated workspace in, every file of the static site out.

:func:`render_site` is pure apart from the diagram engine and cache: it returns the
site as a mapping of relative path -> bytes, so a failure anywhere leaves the output
folder as it was. :func:`build` then hands the files to :mod:`mapgen.site.write`.

Builds are incremental. Every file has a key (:class:`Keys`) naming what it is made
from; a file whose key is unchanged is taken from the :class:`RenderMemo` (a live
preview) or left as it is on disk (a build, through :mod:`mapgen.site.manifest`), and
only the diagrams of the pages rendered again are drawn.

Every template sees these variables besides its page's own (see docs/themes.md):
``site``, ``page``, ``theme``, ``nav``, ``diagrams``, ``generator``, and the functions
``url``, ``asset``, ``markdown``, ``safe_url``, ``label``, ``emoticon``, ``signed``,
``channel_name``, ``persona_name``, ``sparkline``, ``edit_url``.
"""

from __future__ import annotations

import json
import posixpath
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mapgen import __version__, diagrams, schema
from mapgen.diagrams import graphs
from mapgen.diagrams.cache import CACHE_DIR, DiagramCache
from mapgen.diagrams.engine import Engine, get_engine
from mapgen.diagrams.graphs import signed
from mapgen.diagrams.sparkline import sparkline
from mapgen.model import Journey, Workspace
from mapgen.site import pages as site_pages
from mapgen.site import search, write
from mapgen.site.manifest import Manifest
from mapgen.site.markup import render_markdown, safe_url
from mapgen.site.theme import Theme, load_theme
from mapgen.storage import code_fingerprint, digest

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
    engine = get_engine(options.engine or ws.config.engine, jobs=options.jobs)
    site = render_site(ws, engine, cache, options.site_url, progress, current=manifest.current)
    result = write.sync(options.site_dir, site.files)
    manifest.save(site.keys)
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
    """A rendered site: each file's bytes, or None where the file on disk is current."""

    files: dict[str, bytes | None]
    #: What each file was made from (see :class:`Keys`), for the manifest.
    keys: dict[str, str]
    #: Pages rendered, and diagrams drawn, by this render (not reused).
    rendered_pages: int
    diagrams: int


class Keys:
    """What each file and diagram of a site is made from, as a digest.

    A key covers mapgen's code, the theme's files and options, the config, the site URL,
    and the bytes of the spec files named by the page's or diagram's ``depends``. Two
    renders with the same key make the same bytes.
    """

    def __init__(self, ws: Workspace, theme_fingerprint: str, site_url: str | None):
        self.ws = ws
        self.base = digest(code_fingerprint(), theme_fingerprint,
                           self._source("config"), site_url or "")
        self.everything = digest(self.base, *(f"{name}={self._source(name)}"
                                              for name in sorted(self._names())))

    def _names(self) -> list[str]:
        return [f"journeys/{j}" for j in self.ws.journeys] + [
            f"personas/{p}" for p in self.ws.personas]

    def _source(self, name: str) -> str:
        """The digest of the file ``name`` was read from (of its model when none is known)."""
        known = self.ws.digests.get(name)
        if known:
            return known
        if name == "config":
            return digest(_json(self.ws.config.model_dump(mode="json")))
        kind, _, ident = name.partition("/")
        item = (self.ws.journeys if kind == "journeys" else self.ws.personas).get(ident)
        return digest(_json(_dumped(item))) if item is not None else "missing"

    def of(self, depends: frozenset[str], *name: str) -> str:
        if site_pages.ALL in depends:
            return digest(self.everything, *name)
        return digest(self.base, *name, *(f"{dep}={self._dependency(dep)}"
                                          for dep in sorted(depends)))

    def _dependency(self, dep: str) -> str:
        kind, _, ident = dep.partition(":")
        return self._source(f"{kind}s/{ident}")


@dataclass(frozen=True)
class _Output:
    """A file of the site: its path, its key, and how to make it."""

    path: str
    key: str
    make: Callable[[], bytes]
    page: site_pages.Page | None = None


SITE_VIEWS = ("flow", "emotion", "funnel", "overview")


def render_site(ws: Workspace, engine: Engine, cache: DiagramCache,
                site_url: str | None = None, progress: Progress | None = None,
                memo: RenderMemo | None = None,
                current: Callable[[str, str], bool] | None = None) -> Rendered:
    """Every file of the site, made again only where its key changed.

    A file is reused from ``memo`` when it holds the same key, and left as it is on disk
    (None) when ``current(path, key)`` says the file there was made from that key.
    """
    memo = memo or RenderMemo()
    config = ws.config
    site_url = _with_slash(site_url if site_url is not None else config.site_url)
    if memo.theme is None:
        theme = load_theme(Path(ws.root), config.theme.name, config.theme.custom_dir,
                           config.theme.options)
        memo.theme = (theme, theme.environment(), theme.fingerprint())
    theme, env, fingerprint = memo.theme
    keys = Keys(ws, fingerprint, site_url)
    plan = site_pages.plan(ws)
    outputs = _outputs(ws, theme, plan, keys, site_url)
    files: dict[str, bytes | None] = {}
    todo: list[_Output] = []
    for output in outputs:
        known = memo.files.get(output.path)
        if known is not None and known[0] == output.key:
            files[output.path] = known[1]
        elif current is not None and current(output.path, output.key):
            files[output.path] = None
        else:
            todo.append(output)
    pages = [o.page for o in todo if o.page is not None]
    svgs = _draw(ws, engine, cache, memo, keys, {name for p in pages for name in p.diagrams})
    shared = _shared_context(ws, theme, svgs, site_url)
    for index, output in enumerate(todo):
        if progress and output.page is not None:
            progress(index + 1, len(todo), output.path)
        data = output.make() if output.page is None else _render_page(
            env, output.page, shared, site_url)
        memo.files[output.path] = (output.key, data)
        files[output.path] = data
    return Rendered(files, {o.path: o.key for o in outputs}, len(pages), svgs.drawn)


def _outputs(ws: Workspace, theme: Theme, plan: list[site_pages.Page], keys: Keys,
             site_url: str | None) -> list[_Output]:
    """Every file of the site, in the plan's order, then assets and data files."""
    outputs = [_Output(page.path, keys.of(page.depends, page.path, page.template),
                       bytes, page) for page in plan]
    for rel, path in theme.static_files().items():
        data = path.read_bytes()
        outputs.append(_Output(f"assets/{rel}", digest(data), lambda data=data: data))
    everything = keys.of(frozenset({site_pages.ALL}))
    outputs += [
        _Output(".nojekyll", "", bytes),
        _Output("journeys.json", everything, lambda: _json(compiled_model(ws))),
        _Output("assets/search-index.js", everything, lambda: search.index_script(ws)),
    ]
    outputs += [_Output(f"schema/{kind}.schema.json", keys.base,
                        lambda kind=kind: schema.dumps(kind).encode("utf-8"))
                for kind in schema.KINDS]
    if site_url:
        public = [p for p in plan if p.public]
        outputs.append(_Output("sitemap.xml", everything, lambda: _sitemap(site_url, public)))
    return outputs


class _Diagrams(Mapping[str, Markup]):
    """The site's diagrams as page-ready SVG, by name; any not drawn yet is drawn on use.

    A build draws, in one batch, the diagrams of the pages it renders; a custom template
    that shows another diagram still gets it, drawn on its own.
    """

    def __init__(self, requests: dict[str, diagrams.Request],
                 draw: Callable[[list[diagrams.Request]], list[diagrams.Diagram]]):
        self._requests = requests
        self._draw = draw
        self._svgs: dict[str, Markup] = {}
        self.drawn = 0

    def fetch(self, names: list[str]) -> None:
        todo = [self._requests[n] for n in names if n in self._requests and n not in self._svgs]
        for diagram in self._draw(todo):
            self._svgs[diagram.name] = Markup(diagram.content.decode("utf-8"))

    def __getitem__(self, name: str) -> Markup:
        if name not in self._svgs:
            self.fetch([name])
        return self._svgs[name]

    def __iter__(self):
        return iter(self._requests)

    def __len__(self) -> int:
        return len(self._requests)


def _draw(ws: Workspace, engine: Engine, cache: DiagramCache, memo: RenderMemo,
          keys: Keys, needed: set[str]) -> _Diagrams:
    """The diagrams the pages need; those drawn from the same key before are reused."""
    requests = {r.name: r for r in diagrams.requests_for(ws, SITE_VIEWS)}

    def draw(todo: list[diagrams.Request]) -> list[diagrams.Diagram]:
        wanted = {r.name: _diagram_key(ws, keys, r) for r in todo}
        fresh = []
        for request in todo:
            key = wanted[request.name]
            if memo.diagrams.get(request.name, ("",))[0] == key:
                continue
            stored = cache.finished.load(key)
            if isinstance(stored, diagrams.Diagram):
                memo.diagrams[request.name] = (key, stored)
            else:
                fresh.append(request)
        for diagram in diagrams.render(ws, fresh, engine, cache):
            key = wanted[diagram.name]
            memo.diagrams[diagram.name] = (key, diagram)
            cache.finished.dump(key, diagram)
        svgs.drawn += len(fresh)
        return [memo.diagrams[r.name][1] for r in todo]

    svgs = _Diagrams(requests, draw)
    svgs.fetch(sorted(needed))
    return svgs


def _diagram_key(ws: Workspace, keys: Keys, request: diagrams.Request) -> str:
    """A journey's diagrams depend on it and its personas; the overview on what it shows."""
    journey = request.journey
    if journey is None:
        return digest(keys.base, request.name, repr(graphs.overview_inputs(ws)))
    return keys.of(frozenset({f"journey:{journey.id}"}
                             | {f"persona:{p}" for p in journey.personas}), request.name)


def _render_page(env: jinja2.Environment, page: site_pages.Page, shared: dict[str, Any],
                 site_url: str | None) -> bytes:
    here = posixpath.dirname(page.path)
    absolute = page.path == "404.html" and site_url

    def url(target: str) -> str:
        if absolute:
            return site_url + target
        if not here:  # a page at the top: every site path is already relative to it
            return target
        return posixpath.relpath(target, here)

    context = {**shared, **page.context(), "page": page, "url": url,
               "asset": lambda rel: url(f"assets/{rel}"),
               "canonical": site_url + page.path if site_url else None}
    return env.get_template(page.template).render(context).encode("utf-8")


def _shared_context(ws: Workspace, theme: Theme, svgs: dict[str, Markup],
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


def compiled_model(ws: Workspace) -> dict[str, Any]:
    """The validated model as plain JSON: for other tools, and `mapgen export`."""
    return {
        "generator": f"mapgen {__version__}",
        "config": ws.config.model_dump(mode="json", exclude={"theme"}),
        "personas": {pid: _dumped(p) for pid, p in ws.personas.items()},
        "journeys": {jid: _dumped(j) for jid, j in ws.journeys.items()},
    }


#: id(model) -> (model, its JSON-ready dump); the model is kept alive with its entry.
_DUMPS: dict[int, tuple[Any, dict]] = {}


def _dumped(item: Any) -> dict:
    """``item.model_dump(mode="json")``, once per (immutable) object."""
    known = _DUMPS.get(id(item))
    if known is None or known[0] is not item:
        if len(_DUMPS) > 10_000:
            _DUMPS.clear()
        known = _DUMPS[id(item)] = (item, item.model_dump(mode="json"))
    return known[1]


def _json(data: Any) -> bytes:
    """Compact JSON: the C encoder only runs without indentation, ten times faster."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _sitemap(site_url: str, public: list[site_pages.Page]) -> bytes:
    from xml.sax.saxutils import escape

    urls = "".join(f"  <url><loc>{escape(site_url + p.path)}</loc></url>\n" for p in public)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n").encode()
