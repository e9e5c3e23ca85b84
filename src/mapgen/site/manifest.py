"""Manifest: what an output folder holds, and what each of its files was made from.

After a build has written the site, it records, for every file, the key of what the file
was made from (see :class:`mapgen.site.keys.Keys`) and the size and modification time
the file had once written. The next build into the same folder makes a file again only
when its key changed or the file on disk is no longer the one written (edited, touched or
deleted since). So an unchanged workspace renders nothing and writes nothing, and one
changed journey renders its own page and diagrams, its personas' pages and the pages that
list every journey.

Manifests live in the cache folder (``sites/``), one per output folder; deleting the cache
makes the next build render everything again.
"""

from __future__ import annotations

import json
from pathlib import Path

from mapgen.storage import atomic_write, digest


class Manifest:
    def __init__(self, site_dir: Path, file: Path | None = None,
                 entries: dict[str, list] | None = None):
        self.site_dir = site_dir
        self.file = file
        self.entries = entries or {}

    @classmethod
    def load(cls, cache_dir: Path | None, site_dir: Path) -> Manifest:
        """The manifest of ``site_dir``; empty without a cache folder or a readable one."""
        if cache_dir is None:
            return cls(site_dir)
        file = cache_dir / "sites" / f"{digest(str(site_dir.resolve()))[:20]}.json"
        try:
            entries = json.loads(file.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            entries = {}
        return cls(site_dir, file, entries if isinstance(entries, dict) else {})

    def current(self, rel: str, key: str) -> bool:
        """True when ``rel`` on disk is the file the last build made from ``key``."""
        entry = self.entries.get(rel)
        if not entry or entry[0] != key:
            return False
        try:
            stat = (self.site_dir / rel).stat()
        except OSError:
            return False
        return [stat.st_size, stat.st_mtime_ns] == entry[1:]

    def save(self, keys: dict[str, str]) -> None:
        """Record the files of the folder as they are now, each with its key."""
        if self.file is None:
            return
        entries = {}
        for rel, key in keys.items():
            try:
                stat = (self.site_dir / rel).stat()
            except OSError:
                continue
            entries[rel] = [key, stat.st_size, stat.st_mtime_ns]
        self.entries = entries
        atomic_write(self.file, json.dumps({"files": entries}, separators=(",", ":"),
                                           sort_keys=True).encode("utf-8"))
