"""Cache: an unchanged diagram is never laid out twice.

Entries live under ``.mapgen-cache/diagrams/`` keyed by a hash of everything that
decides the output: the DOT source, the engine, the engine's version and the format.
Entries are written whole or not at all (:func:`mapgen.storage.atomic_write`).
:class:`CacheStats` counts hits and misses: tests assert on it, never on a timer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from mapgen.diagrams.engine import Engine, Job
from mapgen.storage import CACHE_DIR, Store, digest

__all__ = ["CACHE_DIR", "CacheStats", "DiagramCache"]


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


class DiagramCache:
    def __init__(self, root: Path | None):
        """``root`` is the cache folder; None disables caching (every layout runs)."""
        self.store = Store(root / "diagrams" if root is not None else None)
        self.stats = CacheStats()
        self._counting = threading.Lock()

    @staticmethod
    def key(dot: str, engine: str, version: str, fmt: str) -> str:
        return digest(engine, version, fmt, dot)

    def get(self, key: str, fmt: str) -> bytes | None:
        return self.store.get(key, fmt)

    def put(self, key: str, fmt: str, data: bytes) -> None:
        self.store.put(key, fmt, data)

    def layout(self, engine: Engine, jobs: list[Job], fmt: str = "svg") -> list[bytes]:
        """Each job's output: from the cache when there, else laid out (in one batch)."""
        keys = [self.key(job.dot, engine.name, engine.version, fmt) for job in jobs]
        found = [self.get(key, fmt) for key in keys]
        todo = [i for i, data in enumerate(found) if data is None]
        with self._counting:  # layouts may run in several threads at once
            self.stats.hits += len(jobs) - len(todo)
            self.stats.misses += len(todo)
        fresh = engine.layout([jobs[i] for i in todo], fmt)
        for index, data in zip(todo, fresh):
            self.put(keys[index], fmt, data)
            found[index] = data
        return found  # type: ignore[return-value]
