"""Current: a rebuild with nothing to do finds that out from file metadata alone.

A no-op ``mapgen build`` used to read and validate every spec, and hash every file of
the site, before it could say that nothing had changed: seconds at ten thousand
journeys. After each successful build, this module records two stamps in the cache:

* **inputs**: mapgen's code, the options of the build, the config's bytes, the engine,
  and the path, size, modification and change times and inode of every file the site is
  made from (the specs and pages folders, every theme layer);
* **site**: the path, size, modification time and inode of every file in the output
  folder, as the build left it.

The next build works both out again (a walk of the folders, no file read but the
config) and, when both match, the site is as that build left it and made from the same
files, so there is nothing to do: the summary and the warnings of that build are said
again. Any difference, a file touched, added or removed, on either side, and the build
runs as usual. The change time (ctime) cannot be set back by tools that restore a
modification time, so an edit is never mistaken for no edit. ``--clean`` never takes
this path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from mapgen.cache import JSON, Cache, code_fingerprint, digest
from mapgen.site.build import BuildReport
from mapgen.site.output import remove_leftovers

KIND = "site-current"


@dataclass(frozen=True)
class LastBuild:
    """What a build said, to say again when the next one has nothing to do."""

    #: The findings as the build printed them (the warnings of a build that passed).
    findings: str
    journeys: int
    personas: int
    pages: int
    #: The stamp of the output folder as the build left it.
    site: str


def stamp(root: Path, site_dir: Path | None, options: dict) -> tuple[Path, str] | None:
    """The output folder of a build of the workspace at ``root`` and the stamp of its
    inputs, or None when the config or the theme cannot be read as they are (the build
    then runs, and says what is wrong)."""
    from mapgen.diagrams.engine import EngineError, get_engine
    from mapgen.site.theme import ThemeError, load_theme
    from mapgen.workspace import read_config

    config_file, config_bytes, config = read_config(root)
    if config is None:
        return None
    try:
        theme = load_theme(root, config.theme.name, config.theme.custom_dir,
                           config.theme.options)
        engine = get_engine(options.get("engine") or config.engine)
        version = engine.version
    except (ThemeError, EngineError):
        return None
    target = (site_dir or root / config.site_dir).resolve()
    folders = [root / config.specs_dir, root / config.pages_dir, *theme.layers]
    known = {**options, "engine": f"{engine.name} {version}", "config": str(config_file),
             "site_dir": str(target), "epoch": os.environ.get("SOURCE_DATE_EPOCH")}
    return target, inputs_stamp(config_bytes, folders, known)


def inputs_stamp(config_bytes: bytes, folders: Iterable[Path], options: dict) -> str:
    """A digest of everything a build is made from, read from file metadata."""
    parts: list[str | bytes] = [code_fingerprint(), config_bytes,
                                json.dumps(options, sort_keys=True, default=str)]
    for folder in folders:
        parts.append(str(folder))
        parts += _stats(folder, with_change_time=True)
    return digest(*parts)


def site_stamp(site_dir: Path) -> str:
    """A digest of the output folder's files as they are now, from their metadata."""
    return digest(str(site_dir), *_stats(site_dir, with_change_time=False))


def recall(cache: Cache, site_dir: Path, inputs: str) -> LastBuild | None:
    """The last build into ``site_dir``, when it was made from ``inputs`` and the folder
    is still as it left it; None otherwise."""
    remove_leftovers(site_dir)  # of killed builds, as a build that runs would
    recorded = cache.get(KIND, str(site_dir), inputs, JSON)
    if not isinstance(recorded, dict):
        return None
    try:
        last = LastBuild(**recorded)
    except TypeError:
        return None
    return last if last.site == site_stamp(site_dir) else None


def remember(cache: Cache, site_dir: Path, inputs: str, findings: str,
             built: BuildReport) -> None:
    """Record a build that just finished into ``site_dir`` from ``inputs``."""
    last = LastBuild(findings, built.journeys, built.personas, built.pages,
                     site_stamp(site_dir))
    cache.put(KIND, str(site_dir), inputs, asdict(last), JSON)
    cache.save()


def summary(last: LastBuild, seconds: float) -> str:
    """The summary line of a build that found the site current: nothing made."""
    return BuildReport(last.journeys, last.personas, 0, 0, 0, last.pages, 0, 0, 0,
                       seconds).summary()


def _stats(folder: Path, with_change_time: bool) -> list[str]:
    """One line per file below ``folder`` (symbolic links followed, as a build reads
    them), in a stable order; an unreadable folder counts as empty."""
    lines = []
    for path in _files(folder):
        try:
            st = os.stat(path)
        except OSError:
            lines.append(f"{path}\0missing")
            continue
        changed = f" {st.st_ctime_ns}" if with_change_time else ""
        lines.append(f"{path}\0{st.st_size} {st.st_mtime_ns} {st.st_ino}{changed}")
    return sorted(lines)


def _files(folder: Path) -> Iterable[str]:
    """Every file below ``folder``; a folder link is followed once (no loops)."""
    seen: set[tuple[int, int]] = set()
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            st = os.stat(current)
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(entry.path)
            else:
                yield entry.path
