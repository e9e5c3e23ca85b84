"""Elsewhere: files of a build made by a process of their own, while the build renders
its pages.

A cold build of 1000 journeys has some 4 s of CPU to spend on files that are not journey
pages (the posters, the search index, journeys.json) and more on the listings that
show no diagram, while the layout engine leaves a core idle for much of the time the
journey pages take. :meth:`Elsewhere.start` forks one process for them before any
thread starts, hands it the workspace and the outputs (so their closures need no
pickling) and the staging folder, and collects, in order, what each file read and where
it was staged; the build works out the keys, as for any file. The same process then
links the files the build keeps as they are into the staging folder.

What is made there is anything with a ``path`` and a ``make(workspace, reads)`` giving
its bytes or its parts (:class:`Making`): :mod:`mapgen.site.build` decides what goes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol

from mapgen.cache import Reads, watched
from mapgen.model import Workspace
from mapgen.site.output import FileStore, Made, Published, Staged, Staging
from mapgen.workspace import ignore_interrupts, interrupts_held


class Making(Protocol):
    """A file to make: its site path, and how to make it from a watched workspace (its
    bytes, its parts as made, or :class:`Published`: the file the output folder has)."""

    path: str
    make: Callable[[Workspace, Reads], bytes | Iterable[bytes] | Published]


#: Files to make, at least, before a build makes them in a process of their own (fewer
#: are not worth a fork).
ELSEWHERE_FROM = 64
#: Files per task sent to that process.
ELSEWHERE_CHUNK = 32


class Elsewhere:
    """Files of a build made by a forked process while this one renders its pages, and
    recorded here as they come back, in order.

    The child is forked before any thread starts, with the workspace, the outputs (so
    their closures need no pickling) and the staging folder; it writes each file there
    and sends back what it read and where it is. Keys are worked out here, as for any
    file."""

    def __init__(self, pool: ProcessPoolExecutor, outputs: list[Making],
                 kept: list[str], staging: FileStore):
        self.pool = pool
        self.waiting: list[tuple[list[Making], Future]] = [
            (outputs[i:i + ELSEWHERE_CHUNK], pool.submit(_make_adopted, i, ELSEWHERE_CHUNK))
            for i in range(0, len(outputs), ELSEWHERE_CHUNK)]
        #: The :class:`Made` records of the files done, by path.
        self.made: dict[str, Made] = {}
        #: Linking the files kept as they are into the next site, last (see :meth:`start`).
        self.staging = staging
        self.linking = pool.submit(_link_adopted, kept) if isinstance(
            staging, Staging) and kept else None

    @classmethod
    def start(cls, ws: Workspace, outputs: list[Making], staging: FileStore,
              kept: list[str]) -> Elsewhere | None:
        """Start making ``outputs`` in another process, then linking the files ``kept``
        into the build's staging folder (publishing then leaves them be: at 1000
        journeys a one-journey change keeps 2,885 files); None where it does not pay
        (few files) or cannot be done safely (no fork, or other threads, whose locks a
        fork could copy held)."""
        if len(outputs) < ELSEWHERE_FROM or threading.active_count() > 1 or (
                "fork" not in multiprocessing.get_all_start_methods()):
            return None
        with interrupts_held():  # the worker is forked as the first task is sent
            pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_adopt, initargs=(ws, outputs, staging))
            return cls(pool, outputs, kept, staging)

    def collect(self, made: Callable[[Making, tuple[str, ...], Staged | None], Made],
                wait: bool = False) -> None:
        """Stage what came back (all of it, waiting for the rest and the links, with
        ``wait``)."""
        staging = self.staging if isinstance(self.staging, Staging) else None
        while self.waiting and (wait or self.waiting[0][1].done()):
            chunk, future = self.waiting.pop(0)
            for output, (parts, data) in zip(chunk, future.result(), strict=True):
                self.made[output.path] = made(output, parts, data)
                if data is None and staging is not None:  # linked there (Staging.put)
                    staging.linked.add(output.path)
        if wait and self.linking is not None and staging is not None:
            staging.linked.update(self.linking.result())

    def close(self, failed: bool = False) -> None:
        """Let the process end; what it has not started is dropped. After a failure,
        wait for what it is doing: the staging folder it writes in is deleted next, and
        a file or folder it made after that would be left behind, unmarked."""
        self.pool.shutdown(wait=failed, cancel_futures=True)


@contextlib.contextmanager
def closing(elsewhere: Elsewhere | None) -> Iterator[None]:
    """Let the process end with the block; after a failure, once it stops writing."""
    try:
        yield
    except BaseException:
        if elsewhere is not None:
            elsewhere.close(failed=True)
        raise
    if elsewhere is not None:
        elsewhere.close()


#: In the forked process of :class:`Elsewhere`: the workspace, the outputs to make, and
#: the staging folder they go to.
_adopted: tuple[Workspace, list[Making], FileStore] | None = None


def _adopt(ws: Workspace, outputs: list[Making], staging: FileStore) -> None:
    global _adopted
    _adopted = (ws, outputs, staging)
    ignore_interrupts()


def _make_adopted(start: int, count: int) -> list[tuple[tuple[str, ...], Staged | None]]:
    """(what it read, where it was staged) of each adopted output from ``start``, ``count``
    of them: the files go to the staging folder from here, not through the pipe."""
    assert _adopted is not None, "only in a process started by Elsewhere"
    ws, outputs, staging = _adopted
    out = []
    for output in outputs[start:start + count]:
        reads = Reads()
        staged = staging.put(output.path, output.make(watched(ws, reads), reads))
        out.append((reads.parts(), staged))
    return out


def _link_adopted(kept: list[str]) -> list[str]:
    """Link the files ``kept`` from the output folder into the adopted staging folder;
    the files linked."""
    assert _adopted is not None, "only in a process started by Elsewhere"
    staging = _adopted[2]
    assert isinstance(staging, Staging)
    for rel in kept:
        staging.link_published(rel)
    return kept
