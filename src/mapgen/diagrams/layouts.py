"""Layouts: an unchanged graph is never laid out twice.

Each graph's layout is kept in the cache (kind ``layout``, see :mod:`mapgen.cache`) under
a digest of everything that decides it: the DOT source, the engine, the engine's version
and the format. The cache's stats count layouts found (hits) and made (misses): tests
assert on them, never on a timer.
"""

from __future__ import annotations

from mapgen.cache import Cache, digest
from mapgen.diagrams.engine import Engine, Job

KIND = "layout"


def lay_out(cache: Cache, engine: Engine, jobs: list[Job], fmt: str = "svg") -> list[bytes]:
    """Each job's output: from the cache when there, else laid out (all in one batch)."""
    keys = [digest(engine.name, engine.version, fmt, job.dot) for job in jobs]
    found = [cache.get(KIND, key, key) for key in keys]
    todo = [i for i, data in enumerate(found) if data is None]
    fresh = engine.layout([jobs[i] for i in todo], fmt)
    for index, data in zip(todo, fresh):
        cache.put(KIND, keys[index], keys[index], data)
        found[index] = data
    return found  # type: ignore[return-value]


def laid_out(cache: Cache) -> int:
    """How many graphs the engine laid out for this cache's runs."""
    return cache.stats.misses.get(KIND, 0)


def reused(cache: Cache) -> int:
    """How many layouts came from the cache."""
    return cache.stats.hits.get(KIND, 0)
