"""Cache: an unchanged diagram is never laid out twice.

Entries live under ``.mapgen-cache/diagrams/`` keyed by a hash of everything that
decides the output: the DOT source, the engine, the engine's version and the format.
Writes go through a temporary file and a rename, so a crash never leaves half an entry.
:class:`CacheStats` counts hits and misses: tests assert on it, never on a timer.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mapgen.diagrams.engine import Engine, Job

CACHE_DIR = ".mapgen-cache"


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


class DiagramCache:
    def __init__(self, root: Path | None):
        """``root`` is the cache folder; None disables caching (every layout runs)."""
        self.root = root / "diagrams" if root is not None else None
        self.stats = CacheStats()

    @staticmethod
    def key(dot: str, engine: str, version: str, fmt: str) -> str:
        digest = hashlib.sha256()
        for part in (engine, version, fmt, dot):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _path(self, key: str, fmt: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.{fmt}"

    def get(self, key: str, fmt: str) -> bytes | None:
        if self.root is None:
            return None
        try:
            return self._path(key, fmt).read_bytes()
        except OSError:
            return None

    def put(self, key: str, fmt: str, data: bytes) -> None:
        if self.root is None:
            return
        path = self._path(key, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)

    def layout(self, engine: Engine, jobs: list[Job], fmt: str = "svg") -> list[bytes]:
        """Each job's output: from the cache when there, else laid out (in one batch)."""
        keys = [self.key(job.dot, engine.name, engine.version, fmt) for job in jobs]
        found = [self.get(key, fmt) for key in keys]
        todo = [i for i, data in enumerate(found) if data is None]
        self.stats.hits += len(jobs) - len(todo)
        self.stats.misses += len(todo)
        fresh = engine.layout([jobs[i] for i in todo], fmt)
        for index, data in zip(todo, fresh):
            self.put(keys[index], fmt, data)
            found[index] = data
        return found  # type: ignore[return-value]
