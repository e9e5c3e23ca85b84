"""Storage: files written whole or not at all, and the cache folder they are kept in.

The cache folder (``.mapgen-cache/`` in the workspace) holds what one build can reuse
from the last one: a :class:`Store` (a file per entry) or a :class:`Pack` (one file):

==================  ==========================================  ==============================
entry               what                                        keyed by
==================  ==========================================  ==============================
``diagrams/``       laid-out graphs (:mod:`.diagrams.cache`)    DOT, engine and its version
``specs.pack``      each spec file read (:mod:`.workspace`)     its bytes and mapgen's code
``checks.pack``     each journey's findings (:mod:`.validate`)  its file, the config, personas
``finished.pack``   page-ready diagrams (:mod:`.site.build`)    what each is drawn from
``sites/``          what an output folder holds (manifest)      the folder's path
==================  ==========================================  ==============================

Nothing in it is needed: deleting the folder makes the next build a cold one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable
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



class Pack:
    """Many small entries in one file: one read and one write a run, not one per entry.

    Each entry has a name (a spec file, a diagram) and holds the latest value stored
    for it with the key it was made from; :meth:`get` returns it only for that same key.
    The file is read when first used, entries are unpickled one by one when asked for,
    and :meth:`save` writes the file only when something changed, keeping just the
    names still in use, so the pack never holds more than one build's worth.
    """

    def __init__(self, file: Path | None):
        self.file = file
        self._stored: dict[str, tuple[str, bytes]] | None = None
        self._fresh: dict[str, tuple[str, bytes]] = {}

    def _entries(self) -> dict[str, tuple[str, bytes]]:
        if self._stored is None:
            self._stored = _unpickle(self.file.read_bytes() if self.file and
                                     self.file.is_file() else b"", dict) or {}
        return self._stored

    def get(self, name: str, key: str) -> Any:
        """The value stored for ``name`` from ``key``; None when there is none."""
        if self.file is None:
            return None
        entry = self._fresh.get(name) or self._entries().get(name)
        if not isinstance(entry, tuple) or len(entry) != 2 or entry[0] != key:
            return None
        return _unpickle(_inflate(entry[1]), object)

    def put(self, name: str, key: str, value: Any) -> None:
        """Keep ``value`` (mapgen's own objects only: entries are unpickled)."""
        if self.file is not None:
            self.put_pickled(name, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, name: str, key: str, data: bytes) -> None:
        """Keep a value already pickled."""
        if self.file is not None:
            self._fresh[name] = (key, zlib.compress(data, 1))

    def save(self, names: Iterable[str]) -> None:
        """Write the entries of ``names`` (the ones in use) when anything changed."""
        if self.file is None:
            return
        wanted = set(names)
        stored = self._entries()
        if not self._fresh and set(stored) <= wanted:
            return
        entries = {name: entry for name, entry in {**stored, **self._fresh}.items()
                   if name in wanted}
        atomic_write(self.file, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
        self._stored, self._fresh = entries, {}


def _inflate(data: bytes) -> bytes:
    """Entries are compressed (SVG and pickles shrink five to ten times); b"" if damaged."""
    try:
        return zlib.decompress(data)
    except (zlib.error, TypeError):
        return b""


def _unpickle(data: bytes, kind: type) -> Any:
    """``data`` unpickled, or None when it is empty, damaged or not a ``kind``."""
    try:
        value = pickle.loads(data) if data else None
    except Exception:  # noqa: BLE001 - whatever a damaged entry raises is a miss
        return None
    return value if isinstance(value, kind) else None
