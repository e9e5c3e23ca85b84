"""Drawings: the site's diagrams, drawn in batches while pages are being rendered.

A build asks for the diagrams of the pages it is about to render (:meth:`Drawings.prepare`):
those drawn before from the same inputs come from the preview's memo or the
``finished.pack`` of the cache, the others have their DOT built and their layout started
in the background, so the engine's processes work while this one renders the pages
before. Looking a diagram up (``drawings[name]``) waits for its batch and finishes it.
Then they are let go (:meth:`~Drawings.forget`), so memory holds a batch, not the site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from markupsafe import Markup

from mapgen import diagrams
from mapgen.diagrams import graphs
from mapgen.diagrams.cache import DiagramCache
from mapgen.diagrams.engine import Engine
from mapgen.model import Workspace
from mapgen.storage import Pack, digest

#: The views a site shows (those of the table marked ``on_site``).
SITE_VIEWS = diagrams.SITE_VIEWS

#: A diagram's key: what it is drawn from (see :class:`mapgen.site.keys.Keys`).
KeyOf = Callable[[diagrams.Request], str]


@dataclass
class _Batch:
    requests: list[diagrams.Request]
    layouts: Future  # of the graph views' laid-out bytes, in order


class Drawings(Mapping[str, Markup]):
    def __init__(self, ws: Workspace, engine: Engine, cache: DiagramCache, key_of: KeyOf,
                 kept: dict[str, tuple[str, diagrams.Diagram]], finished: Pack,
                 pool: ThreadPoolExecutor | None):
        """``kept`` is the memo (name -> (key, diagram)), ``finished`` the build's pack;
        layouts run in ``pool``, or on the spot when it is None."""
        self.ws, self.engine, self.cache, self.key_of = ws, engine, cache, key_of
        self.kept, self.finished, self.pool = kept, finished, pool
        self.requests = {r.name: r for r in diagrams.requests_for(ws, SITE_VIEWS)}
        self._ready: dict[str, Markup] = {}
        self._pending: dict[str, _Batch] = {}
        #: Diagrams drawn (not reused) so far.
        self.drawn = 0

    def prepare(self, names: Iterable[str]) -> None:
        """Start drawing ``names`` (those not ready, pending or kept) in the background."""
        fresh = []
        for name in names:
            request = self.requests.get(name)
            if request is None or name in self._ready or name in self._pending:
                continue
            reused = self._reused(request)
            if reused is not None:
                self._ready[name] = reused
            else:
                fresh.append(request)
        if fresh:
            jobs = [diagrams.layout_job(self.ws, r) for r in fresh if diagrams.is_graph(r)]
            batch = _Batch(fresh, self._start(jobs))
            self._pending.update((r.name, batch) for r in fresh)

    def _start(self, jobs: list) -> Future:
        if self.pool is not None:
            return self.pool.submit(self.cache.layout, self.engine, jobs)
        done: Future = Future()
        done.set_result(self.cache.layout(self.engine, jobs))
        return done

    def _reused(self, request: diagrams.Request) -> Markup | None:
        key = self.key_of(request)
        known = self.kept.get(request.name)
        if known is None or known[0] != key:
            stored = self.finished.get(request.name, key)
            if not isinstance(stored, diagrams.Diagram):
                return None
            known = self.kept[request.name] = (key, stored)
        return Markup(known[1].content.decode("utf-8"))

    def _finish(self, batch: _Batch) -> None:
        graph_names = [r.name for r in batch.requests if diagrams.is_graph(r)]
        laid_out = dict(zip(graph_names, batch.layouts.result()))
        for diagram in diagrams.finish_all(self.ws, batch.requests, laid_out):
            key = self.key_of(self.requests[diagram.name])
            self.kept[diagram.name] = (key, diagram)
            self.finished.put(diagram.name, key, diagram)
            self._ready[diagram.name] = Markup(diagram.content.decode("utf-8"))
            self._pending.pop(diagram.name, None)
        self.drawn += len(batch.requests)

    def forget(self, names: Iterable[str]) -> None:
        """Let go of a journey's diagrams once its pages are rendered: they are drawn again
        only when the journey changes. The overview, costly to finish and shown again after
        any change, is kept."""
        for name in names:
            if self.requests[name].journey is not None:
                self._ready.pop(name, None)
                self.kept.pop(name, None)

    def __getitem__(self, name: str) -> Markup:
        if name not in self._ready:
            self.prepare([name])
            if name in self._pending:
                self._finish(self._pending[name])
        return self._ready[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.requests)

    def __len__(self) -> int:
        return len(self.requests)


def key_of(ws: Workspace, base: str, journey_key: Callable[[frozenset[str], str], str]) -> KeyOf:
    """A journey's diagrams depend on it and its personas; the overview on what it shows."""
    known: dict[str, str] = {}

    def key(request: diagrams.Request) -> str:
        if request.name not in known:
            known[request.name] = _key(request)
        return known[request.name]

    def _key(request: diagrams.Request) -> str:
        journey = request.journey
        if journey is None:
            return digest(base, request.name, repr(graphs.overview_inputs(ws)))
        return journey_key(frozenset({f"journey:{journey.id}"}
                                     | {f"persona:{p}" for p in journey.personas}), request.name)

    return key
