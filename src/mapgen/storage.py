"""Storage: files written whole or not at all, and the cache folder they are kept in.

The cache folder (``.mapgen-cache/`` in the workspace) holds what one build can reuse
from the last one, each part in a :class:`Store` of its own:

=============  =================================================  ==========================
folder         what                                               keyed by
=============  =================================================  ==========================
``diagrams/``  laid-out diagrams (:mod:`mapgen.diagrams.cache`)   DOT, engine, version
``specs/``     read and checked spec files (:mod:`.workspace`)    the file's bytes, the code
``sites/``     what an output folder holds (:mod:`.site.manifest`)  the folder's path
=============  =================================================  ==========================

Nothing in it is needed: deleting the folder makes the next build a cold one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

CACHE_DIR = ".mapgen-cache"


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``path`` through a temporary file and a rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mapgen-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest(*parts: str | bytes) -> str:
    """A sha256 hex digest of ``parts``, each one kept apart from the next."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """A digest of mapgen's own code: cached results never outlive the code that made them."""
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    return digest(*(part for path in files
                    for part in (path.relative_to(package).as_posix(), path.read_bytes())))


class Store:
    """Files by key under one folder of the cache; ``None`` as the folder stores nothing."""

    def __init__(self, root: Path | None):
        self.root = root

    def _path(self, key: str, suffix: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.{suffix}"

    def get(self, key: str, suffix: str) -> bytes | None:
        if self.root is None:
            return None
        try:
            return self._path(key, suffix).read_bytes()
        except OSError:
            return None

    def put(self, key: str, suffix: str, data: bytes) -> None:
        if self.root is not None:
            atomic_write(self._path(key, suffix), data)

    def load(self, key: str) -> Any:
        """The object stored under ``key``; None when there is none or it is damaged."""
        stored = self.get(key, "pickle")
        try:
            return pickle.loads(stored) if stored else None
        except Exception:  # noqa: BLE001 - whatever a damaged entry raises is a miss
            return None

    def dump(self, key: str, value: Any) -> None:
        """Keep ``value`` (mapgen's own objects only: entries are unpickled)."""
        if self.root is not None:
            self.put(key, "pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
