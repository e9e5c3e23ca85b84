"""Drawings: the site's diagrams, drawn in batches while pages are being rendered.

A build asks for the diagrams of the pages it is about to render (:meth:`Drawings.prepare`).
Those drawn before from the same parts of the workspace come from the cache (kind
``diagram``, traced: see :mod:`mapgen.cache`); the others have their DOT built and their
layout started in the background, so the engine's processes work while this one renders
the pages before. Looking a diagram up waits for its batch and finishes it. Then
journeys' diagrams are let go (:meth:`~Drawings.forget`), so memory holds a batch, not
the site.

A page sees the diagrams through :meth:`Drawings.seen_by`, which adds what each diagram
read to what the page read: a page showing a diagram depends on what the diagram shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from markupsafe import Markup

from mapgen import diagrams
from mapgen.cache import Cache, Reads, Sources, digest, watched
from mapgen.diagrams.engine import Engine
from mapgen.diagrams.layouts import lay_out
from mapgen.messages import drawn_messages
from mapgen.model import Workspace

#: The views a site shows (those of the table marked ``on_site``).
SITE_VIEWS = diagrams.SITE_VIEWS
#: Page-ready diagrams, by what they read (traced), and graphs and the charts that say
#: what they show (``View.shows``), by what they are drawn from: a graph whose trace is
#: out of date but whose DOT, title, text alternative and language are the same is not
#: laid out nor finished again, and such a chart is not drawn again (the overview reads every
#: journey, but shows little of each).
KIND, BY_SOURCE = "diagram", "diagram-source"
log = logging.getLogger(__name__)


@dataclass
class _Batch:
    requests: list[diagrams.Request]
    reads: dict[str, Reads]
    sources: dict[str, str]  # the graphs' keys by what they are drawn from
    layouts: Future  # of the graph views' laid-out bytes, in order


class _Requests(Mapping[str, diagrams.Request]):
    """The diagrams a site may show, by name: the site's views and ``also``. Each one is
    kept as its view and journey id, and made a request again when asked for: the
    journeys of a large workspace are not all held at once (see mapgen.compact)."""

    def __init__(self, ws: Workspace, also: Iterable[diagrams.Request]):
        self._ws = ws
        self._where = {diagrams.diagram_name(view, journey_id): (view, journey_id)
                       for view, journey_id in diagrams.diagrams_of(ws, SITE_VIEWS)}
        self._also = {r.name: r for r in also}

    def for_journey(self, name: str) -> bool:
        """True when ``name`` is the diagram of one journey (not a workspace view)."""
        request = self._also.get(name)
        return request.journey is not None if request else self._where[name][1] is not None

    def __getitem__(self, name: str) -> diagrams.Request:
        if name in self._also:
            return self._also[name]
        view, journey_id = self._where[name]
        return diagrams.Request(view, self._ws.journeys[journey_id] if journey_id else None)

    def __contains__(self, name: object) -> bool:
        return name in self._where or name in self._also

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._where), **dict.fromkeys(self._also)})

    def __len__(self) -> int:
        return len(self._where.keys() | self._also.keys())


class Drawings(Mapping[str, Markup]):
    def __init__(self, ws: Workspace, engine: Engine, cache: Cache, sources: Sources,
                 pool: ThreadPoolExecutor | None, redraw: bool = False,
                 also: Iterable[diagrams.Request] = ()):
        """Layouts run in ``pool``, or on the spot when it is None; ``redraw`` draws every
        diagram again (their layouts still come from the cache). Pages may show the
        site's views and ``also`` these (the views Markdown pages embed)."""
        self.ws, self.engine, self.cache, self.sources, self.pool = (
            ws, engine, cache, sources, pool)
        self.redraw = redraw
        self.requests = _Requests(ws, also)
        self._ready: dict[str, tuple[tuple[str, ...], Markup]] = {}
        self._pending: dict[str, _Batch] = {}
        #: Diagrams drawn (not reused) so far.
        self.drawn = 0

    def prepare(self, names: Iterable[str]) -> None:
        """Start drawing ``names`` (those not ready, pending or cached) in the background."""
        fresh = []
        for name in names:
            if name not in self.requests or name in self._ready or name in self._pending:
                continue
            known = None if self.redraw else self.cache.recall(KIND, name, self.sources)
            if known is not None:
                self._ready[name] = (known[0], Markup(known[1].decode("utf-8")))
            else:
                fresh.append(self.requests[name])
        reads = {r.name: Reads() for r in fresh}
        jobs, sources = [], {}
        for request in list(fresh):
            graph = diagrams.is_graph(request)
            if not graph and diagrams.VIEWS[request.view].shows is None:
                continue  # a chart drawn again whenever what it read changed
            seen = self._seen(request, reads[request.name])
            language = drawn_messages(seen, request.journey).lang
            if graph:
                job = diagrams.layout_job(seen, request)
                source = digest(self.engine.name, self.engine.version, job.dot,
                                *diagrams.describe(seen, request), language)
            else:
                job = None
                source = digest(self.sources.base, diagrams.shown(seen, request),
                                *diagrams.describe(seen, request), language)
            sources[request.name] = source
            known = None if self.redraw else self.cache.get(BY_SOURCE, request.name, source)
            if known is None:
                if job is not None:
                    jobs.append(job)
                continue
            fresh.remove(request)
            self._keep(request.name, reads[request.name], known)
        if fresh:
            log.debug("drawing %d diagrams, %d graphs to lay out", len(fresh), len(jobs))
            batch = _Batch(fresh, reads, sources, self._start(jobs))
            self._pending.update((r.name, batch) for r in fresh)

    def _seen(self, request: diagrams.Request, reads: Reads) -> Workspace:
        """The workspace as the diagram sees it: reading its journey, and the engine."""
        ws = watched(self.ws, reads)
        if diagrams.is_graph(request):
            reads.add("engine")
        if request.journey is not None:
            ws.journeys[request.journey.id]  # noqa: B018 - the diagram shows this journey
        return ws

    def _start(self, jobs: list) -> Future:
        if self.pool is not None:
            return self.pool.submit(lay_out, self.cache, self.engine, jobs)
        done: Future = Future()
        done.set_result(lay_out(self.cache, self.engine, jobs))
        return done

    def _finish(self, batch: _Batch) -> None:
        graph_names = [r.name for r in batch.requests if diagrams.is_graph(r)]
        laid_out = dict(zip(graph_names, batch.layouts.result()))
        for request in batch.requests:
            reads = batch.reads[request.name]
            seen = self._seen(request, reads)
            [diagram] = diagrams.finish_all(seen, [request], laid_out)
            if request.name in batch.sources:
                self.cache.put(BY_SOURCE, request.name, batch.sources[request.name],
                               diagram.content)
            self._keep(request.name, reads, diagram.content)
            self._pending.pop(diagram.name, None)
        self.drawn += len(batch.requests)

    def _keep(self, name: str, reads: Reads, content: bytes) -> None:
        self.cache.remember(KIND, name, reads, self.sources, content)
        self._ready[name] = (reads.parts(), Markup(content.decode("utf-8")))

    def forget(self, names: Iterable[str]) -> None:
        """Let go of diagrams once their pages are rendered. The overview stays in the
        cache (compressed: a Markdown page may show it too); at 10,000 journeys it is
        15 MB of text, which the rest of the build need not hold."""
        for name in names:
            self._ready.pop(name, None)
            if self.requests.for_journey(name):
                self.cache.forget(KIND, name)
                self.cache.forget(BY_SOURCE, name)

    def drawn_with(self, name: str) -> tuple[tuple[str, ...], Markup]:
        """(what the diagram read, the diagram), drawn now if it is not ready."""
        if name not in self._ready:
            self.prepare([name])
            if name in self._pending:
                self._finish(self._pending[name])
        return self._ready[name]

    def __getitem__(self, name: str) -> Markup:
        return self.drawn_with(name)[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self.requests)

    def __len__(self) -> int:
        return len(self.requests)

    def seen_by(self, reads: Reads) -> Mapping[str, Markup]:
        """The diagrams as one page sees them: each one it shows adds what that one read."""
        return _SeenDrawings(self, reads)


class _SeenDrawings(Mapping[str, Markup]):
    def __init__(self, drawings: Drawings, reads: Reads):
        self._drawings, self._reads = drawings, reads

    def __getitem__(self, name: str) -> Markup:
        parts, svg = self._drawings.drawn_with(name)
        self._reads.update(parts)
        return svg

    def __iter__(self) -> Iterator[str]:
        return iter(self._drawings)

    def __len__(self) -> int:
        return len(self._drawings)
