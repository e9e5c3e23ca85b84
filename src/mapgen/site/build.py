"""Build: a validated workspace in, every file of the static site out.

:func:`render_site` is pure apart from the diagram engine and cache: it returns the
site as a mapping of relative path -> bytes, so a failure anywhere leaves the output
folder as it was. :func:`build` then hands the files to :mod:`mapgen.site.write`.

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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mapgen import __version__, diagrams, schema
from mapgen.diagrams.cache import CACHE_DIR, DiagramCache
from mapgen.diagrams.engine import Engine, get_engine
from mapgen.diagrams.graphs import signed
from mapgen.diagrams.sparkline import sparkline
from mapgen.model import Journey, Workspace
from mapgen.site import pages as site_pages
from mapgen.site import search, write
from mapgen.site.markup import render_markdown, safe_url
from mapgen.site.theme import Theme, load_theme

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
    #: Graphs the engine laid out, and graphs served from the cache; the rest of
    #: ``diagrams`` are charts, which our own code draws every time.
    laid_out: int
    cached: int
    pages: int
    written: int
    removed: int
    seconds: float

    def summary(self) -> str:
        charts = self.diagrams - self.laid_out - self.cached
        return (f"Built {_n(self.journeys, 'journey')}, {_n(self.personas, 'persona')}, "
                f"{_n(self.diagrams, 'diagram')} ({self.laid_out} laid out, "
                f"{self.cached} cached, {charts} charts) in {self.seconds:.1f} s")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def build(ws: Workspace, options: BuildOptions,
          progress: Progress | None = None) -> BuildReport:
    """Render the site and write it to ``options.site_dir``."""
    started = time.perf_counter()
    root = Path(ws.root)
    write.check_output_dir(options.site_dir, root, root / ws.config.specs_dir)
    cache = DiagramCache(options.cache_dir or root / CACHE_DIR)
    engine = get_engine(options.engine or ws.config.engine, jobs=options.jobs)
    files, count = render_site(ws, engine, cache, options.site_url, progress)
    result = write.sync(options.site_dir, files)
    return BuildReport(len(ws.journeys), len(ws.personas), count, cache.stats.misses,
                       cache.stats.hits, sum(p.endswith(".html") for p in files),
                       len(result.written), len(result.removed),
                       time.perf_counter() - started)


class RenderMemo:
    """What the last render made, for a live preview to reuse.

    A diagram or page is reused when everything it depends on is the very same object
    as last time (see :class:`mapgen.workspace.FileMemo`): a changed journey re-renders
    its own diagrams and page, its personas' pages, and the pages that list every
    journey, nothing else. A change to the config or the theme needs :meth:`clear`.
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.theme: tuple[Theme, jinja2.Environment] | None = None
        self.diagrams: dict[str, tuple[tuple, diagrams.Diagram]] = {}
        self.pages: dict[str, tuple[tuple, bytes]] = {}
        self.rendered_pages = 0


def _same(a: tuple | None, b: tuple | None) -> bool:
    return a is not None and b is not None and len(a) == len(b) and all(
        x is y for x, y in zip(a, b))


SITE_VIEWS = ("flow", "emotion", "funnel", "overview")


def render_site(ws: Workspace, engine: Engine, cache: DiagramCache,
                site_url: str | None = None, progress: Progress | None = None,
                memo: RenderMemo | None = None) -> tuple[dict[str, bytes], int]:
    """Every file of the site (path -> bytes) and the number of diagrams drawn."""
    memo = memo or RenderMemo()
    config = ws.config
    site_url = _with_slash(site_url if site_url is not None else config.site_url)
    if memo.theme is None:
        theme = load_theme(Path(ws.root), config.theme.name, config.theme.custom_dir,
                           config.theme.options)
        memo.theme = (theme, theme.environment())
    theme, env = memo.theme
    drawn = _draw(ws, engine, cache, memo)
    svgs = {d.name: Markup(d.content.decode("utf-8")) for d in drawn}
    shared = _shared_context(ws, theme, svgs, site_url)
    plan = site_pages.plan(ws)
    files: dict[str, bytes] = {}
    memo.rendered_pages = 0
    for index, page in enumerate(plan):
        if progress:
            progress(index + 1, len(plan), page.path)
        deps = _dependencies(ws, page.depends)
        known = memo.pages.get(page.path)
        if known is None or not _same(known[0], deps):
            known = (deps, _render_page(env, page, shared, site_url))
            memo.pages[page.path] = known
            memo.rendered_pages += 1
        files[page.path] = known[1]
    for rel, path in theme.static_files().items():
        files[f"assets/{rel}"] = path.read_bytes()
    files.update(_data_files(ws, plan, site_url))
    return files, len(drawn)


def _dependencies(ws: Workspace, depends: frozenset[str]) -> tuple | None:
    """The objects a page or diagram is made from; None when it is made from everything."""
    if site_pages.ALL in depends:
        return None
    objects: list[Any] = [ws.config]
    for dep in sorted(depends):
        kind, _, ident = dep.partition(":")
        objects.append((ws.journeys if kind == "journey" else ws.personas).get(ident))
    return tuple(objects)


def _draw(ws: Workspace, engine: Engine, cache: DiagramCache,
          memo: RenderMemo) -> list[diagrams.Diagram]:
    requests = diagrams.requests_for(ws, SITE_VIEWS)
    keys = [_dependencies(ws, _diagram_depends(r)) for r in requests]
    todo = [r for r, key in zip(requests, keys)
            if not _same(memo.diagrams.get(r.name, (None,))[0], key)]
    for request, diagram in zip(todo, diagrams.render(ws, todo, engine, cache)):
        memo.diagrams[diagram.name] = (_dependencies(ws, _diagram_depends(request)), diagram)
    return [memo.diagrams[r.name][1] for r in requests]


def _diagram_depends(request: diagrams.Request) -> frozenset[str]:
    journey = request.journey
    if journey is None:
        return frozenset({site_pages.ALL})
    return frozenset({f"journey:{journey.id}"} | {f"persona:{p}" for p in journey.personas})


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

    context = {**shared, **page.context, "page": page, "url": url,
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


def _data_files(ws: Workspace, plan: list[site_pages.Page],
                site_url: str | None) -> dict[str, bytes]:
    files = {
        ".nojekyll": b"",
        "journeys.json": _json(compiled_model(ws)),
        "assets/search-index.js": search.index_script(ws),
    }
    for kind in schema.KINDS:
        files[f"schema/{kind}.schema.json"] = schema.dumps(kind).encode("utf-8")
    if site_url:
        files["sitemap.xml"] = _sitemap(site_url, [p for p in plan if p.public])
    return files


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
