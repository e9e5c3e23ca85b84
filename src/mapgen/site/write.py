"""Write: put a built site on disk without ever leaving a broken one behind.

A build makes every file first, in memory or in a :class:`Staging` folder beside the
output folder (so memory holds one page, not the site); only when all of it succeeded
does :func:`sync` touch the output folder. Each changed file is renamed into place from a
temporary or staged file, unchanged files are not touched (so a no-op rebuild writes
nothing and a web server's caches stay valid), files the specs no longer produce are
removed, and dotfiles (``.git``, ``.nojekyll`` of someone else's) and ``CNAME`` are kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from mapgen.storage import atomic_write

KEPT = frozenset({"CNAME"})


class OutputError(Exception):
    """An output folder mapgen must not write to."""


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def check_output_dir(site_dir: Path, root: Path, specs_dir: Path) -> None:
    """Refuse an output folder that would overwrite or delete the specs."""
    site, specs, root = site_dir.resolve(), specs_dir.resolve(), root.resolve()
    if site in (root, specs) or site in specs.parents:
        raise OutputError(f"the output folder {site_dir} is or contains the specs folder; "
                          "choose another, e.g. `site_dir: site` in mapgen.yml")
    if specs in site.parents:
        raise OutputError(f"the output folder {site_dir} is inside the specs folder; "
                          "choose one outside it, e.g. `site_dir: site`")


@dataclass(frozen=True)
class Staged:
    """A file made into the staging folder, waiting to be moved into the site."""

    path: Path


class Staging:
    """A folder beside the output folder for a build's files until :func:`sync`.

    Use it as a context manager: whatever :func:`sync` did not move is deleted on exit,
    whether the build succeeded or not.
    """

    def __init__(self, site_dir: Path):
        site_dir = site_dir.resolve()
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.mapgen-",
                                            dir=site_dir.parent))

    def put(self, rel: str, data: bytes) -> Staged:
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return Staged(path)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def sync(site_dir: Path, files: Mapping[str, bytes | Staged | None]) -> WriteReport:
    """Make ``site_dir`` hold exactly ``files`` (relative path -> bytes), plus dotfiles.

    A file's bytes may be :class:`Staged` (moved in when they differ), or None: the
    file on disk is already right and is kept as it is.
    """
    site_dir.mkdir(parents=True, exist_ok=True)
    written, unchanged = [], 0
    for rel, data in sorted(files.items()):
        target = site_dir / rel
        if data is None or _same(target, data):
            unchanged += 1
            continue
        if isinstance(data, Staged):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(data.path, 0o644)
            os.replace(data.path, target)
        else:
            atomic_write(target, data)
        written.append(rel)
    removed = _remove_stale(site_dir, set(files))
    return WriteReport(tuple(written), tuple(removed), unchanged)


def _same(path: Path, data: bytes | Staged) -> bool:
    try:
        if isinstance(data, Staged):
            return path.stat().st_size == data.path.stat().st_size and (
                path.read_bytes() == data.path.read_bytes())
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _remove_stale(site_dir: Path, wanted: set[str]) -> list[str]:
    removed = []
    for path in sorted(site_dir.rglob("*"), reverse=True):
        rel = path.relative_to(site_dir)
        if _kept(rel):
            continue
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif rel.as_posix() not in wanted:
            path.unlink()
            removed.append(rel.as_posix())
    return sorted(removed)


def _kept(rel: Path) -> bool:
    """Dotfiles and dot-folders anywhere, and CNAME at the top, are not ours to remove."""
    return any(part.startswith(".") for part in rel.parts) or (
        len(rel.parts) == 1 and rel.name in KEPT)
