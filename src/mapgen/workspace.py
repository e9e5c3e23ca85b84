"""Workspace: find a workspace's files and run load, model and validate over them.

This module finds and reads files; every rule about what is in them, their names
included, is :mod:`mapgen.validate`'s.

A workspace is a folder with an optional ``mapgen.yml`` and a specs folder holding
``personas/<id>.yml`` and ``journeys/<id>.yml``. :func:`read_workspace` is the one entry
point later stages use: it returns the model (when the specs are sound enough to build
one) and every finding, sorted by file and position.

Reading is the first thing every command does, so it is made cheap to repeat: a live
preview passes a :class:`FileMemo` (files whose stat is unchanged are not read again), and
a build passes its cache folder (a file whose bytes were seen before is not parsed again).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from mapgen.findings import Finding
from mapgen.load import YAML_SUFFIXES, Document, LoadError, load_bytes, read_bytes
from mapgen.model import DOCUMENT_MODELS, Config, Spec, Workspace
from mapgen.storage import Pack, code_fingerprint, digest
from mapgen.validate import (
    check_document,
    check_spec_file,
    check_specs_folder,
    check_workspace,
    duplicate_spec,
)

CONFIG_NAMES = ("mapgen.yml", "mapgen.yaml")
_DEFAULT_CONFIG = Config()  # immutable: one instance, so it is the same every read


class WorkspaceError(Exception):
    """A path that is not a workspace; the CLI turns it into a usage error."""


@dataclass(frozen=True)
class Result:
    workspace: Workspace | None
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]

    def fails(self, strict: bool = False) -> bool:
        """True when the findings fail the run; ``strict`` or the config's makes warnings do."""
        strict = strict or bool(self.workspace and self.workspace.config.strict)
        return self.workspace is None or any(f.fails(strict) for f in self.findings)


def find_root(path: Path) -> Path:
    """The workspace root for ``path``: a folder with mapgen.yml, or a specs folder's parent.

    ``path`` may be the root itself, the specs folder, or any file or folder inside.
    """
    path = path.resolve()
    if not path.exists():
        raise WorkspaceError(f"{path}: no such file or folder")
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):  # the nearest workspace wins
        if any((folder / name).is_file() for name in CONFIG_NAMES) or (
                folder / "specs").is_dir():
            return folder
        if any((folder / kind).is_dir() for kind in DOCUMENT_MODELS):
            parent = folder.parent
            return parent if any((parent / n).is_file() for n in CONFIG_NAMES) or \
                folder.name == "specs" else folder
    raise WorkspaceError(
        f"{path}: not a mapgen workspace (no mapgen.yml and no specs/personas or "
        "specs/journeys folder); create one with `mapgen init`")


class FileMemo:
    """What each file gave last time, reused while the file is unchanged.

    A live preview reads the workspace after every save; with the memo only the files
    that changed are parsed and modelled again, and every unchanged persona or journey
    is the very same object as before, so later stages can tell what changed by
    identity alone.
    """

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple, tuple]] = {}
        #: The findings of each journey's rules, by key (see :func:`check_workspace`).
        self.checks: dict[str, list[Finding]] = {}

    def get(self, path: Path, compute):
        """What ``compute()`` gave for ``path`` last time while it is unchanged, else its own."""
        stamp, value = self.lookup(path)
        if value is None:
            value = compute()
            self.keep(path, stamp, value)
        return value

    def lookup(self, path: Path) -> tuple[tuple | None, object]:
        """(the file's stamp now, what was kept for that stamp or None)."""
        try:
            stat = path.stat()
        except OSError:
            return None, None
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        entry = self._entries.get(path)
        return stamp, entry[1] if entry is not None and entry[0] == stamp else None

    def keep(self, path: Path, stamp: tuple | None, value: object) -> None:
        """Remember ``value`` for ``path`` as it was at ``stamp`` (taken before reading)."""
        if stamp is not None:
            self._entries[path] = (stamp, value)

    def reuse_checks(self, file: str, key: str, check) -> list[Finding]:
        if key not in self.checks:
            if len(self.checks) > 100_000:  # a long preview session: forget the old
                self.checks.clear()
            self.checks[key] = check()
        return self.checks[key]


def read_workspace(root: Path, memo: FileMemo | None = None,
                   cache_dir: Path | None = None) -> Result:
    """Load, model and validate the workspace at ``root``.

    ``memo`` (for a live preview) skips the files that did not change since last time;
    ``cache_dir`` (for a build) keeps what each spec file gave, by its bytes, across runs.
    """
    root = root.resolve()
    findings: list[Finding] = []
    documents = _Documents()
    config_doc, config, config_findings, config_digest = _read_config(root, memo)
    if config_doc is not None:
        documents[config_doc.file] = config_doc
    findings += config_findings
    if config is None:
        return Result(None, _sorted(findings), documents)
    items: dict[str, dict] = {kind: {} for kind in DOCUMENT_MODELS}
    files: dict[str, str] = {}
    digests = {"config": config_digest}
    specs = root / config.specs_dir
    missing = check_specs_folder(specs, config.specs_dir, config_doc, CONFIG_NAMES[0])
    if missing is not None:
        return Result(None, _sorted([*findings, missing]), documents)
    store = Pack(cache_dir / "specs.pack" if cache_dir is not None else None)
    with _gc_paused():
        specs_read = _read_specs(list(_spec_files(specs)), root, store, memo)
    store.save(spec.file for _, _, spec in specs_read)
    for kind, path, spec in specs_read:
        findings += spec.findings
        if not spec.parsed:
            continue
        documents[spec.file] = spec
        item = spec.item
        if item is not None and item.id in items[kind]:
            findings.append(duplicate_spec(kind, item.id, spec.document,
                                           files[f"{kind}/{item.id}"]))
            continue
        if item is not None:
            items[kind][item.id] = item
            files[f"{kind}/{item.id}"] = spec.file
            digests[f"{kind}/{item.id}"] = spec.digest
    ws = Workspace(str(root), config, items["personas"], items["journeys"], files, digests)
    if memo is not None:
        findings += check_workspace(ws, documents, config_doc, memo.reuse_checks)
    elif cache_dir is not None:
        checks = Pack(cache_dir / "checks.pack")
        findings += check_workspace(ws, documents, config_doc, _reuse(checks))
        checks.save(ws.files.values())
    else:
        findings += check_workspace(ws, documents, config_doc)
    return Result(ws, _sorted(findings), documents)


def _reuse(checks: Pack):
    """Keep each journey's findings in ``checks`` under its file's name."""
    def reuse(file: str, key: str, check) -> list[Finding]:
        key = digest(code_fingerprint(), key)
        known = checks.get(file, key)
        if not isinstance(known, list):
            known = check()
            checks.put(file, key, known)
        return known

    return reuse


@contextlib.contextmanager
def _gc_paused():
    """Reading makes many objects that live as long as the run, and no garbage: the
    collector only costs time here (half of a cached read of 1000 journeys)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what was read is kept, not garbage: later collections skip it
        if enabled:
            gc.enable()


def _cached(memo: FileMemo | None, path: Path, read, *args):
    """``read(*args)``, or what it gave last time while ``path`` is unchanged."""
    compute = lambda: read(*args)
    return memo.get(path, compute) if memo is not None else compute()


def _read_config(root: Path, memo: FileMemo | None):
    """(document, Config, findings, digest) for mapgen.yml; the defaults without one."""
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file():
            return _cached(memo, path, _config_from, path, name)
    return None, _DEFAULT_CONFIG, [], "default"


def _config_from(path: Path, name: str):
    try:
        raw = read_bytes(path, name)
    except LoadError as exc:
        return None, None, [exc.finding], ""
    doc, findings = load_bytes(raw, name)
    if doc is None:
        return None, None, findings, ""
    config, shape = check_document(doc, Config)
    return doc, config, findings + shape, digest(raw)


class SpecFile:
    """What one spec file gave, from its bytes alone.

    ``file`` is its name as shown, ``digest`` names its bytes (and the code that read
    them; "" when it could not be read). The document, with the position of every value,
    is only needed to place a finding: kept pickled, it is unpickled when asked for.
    """

    def __init__(self, file: str, document: Document | None, item: Spec | None,
                 findings: tuple[Finding, ...], digest: str):
        self.file, self.item, self.findings, self.digest = file, item, findings, digest
        self.parsed = document is not None
        self._document: Document | bytes | None = document

    @property
    def document(self) -> Document | None:
        """The document; unpickled anew each time when kept pickled (it is seldom asked for)."""
        if isinstance(self._document, bytes):
            return pickle.loads(self._document)
        return self._document

    def __getstate__(self) -> tuple:
        document = self._document if isinstance(self._document, bytes) else pickle.dumps(
            self._document, protocol=pickle.HIGHEST_PROTOCOL)
        return self.file, self.item, self.findings, self.digest, self.parsed, document

    def __setstate__(self, state: tuple) -> None:
        self.file, self.item, self.findings, self.digest, self.parsed, self._document = state


class _Documents(Mapping[str, Document]):
    """File name -> document, each unpickled when first looked up (see :class:`SpecFile`)."""

    def __init__(self) -> None:
        self._entries: dict[str, Document | SpecFile] = {}

    def __setitem__(self, file: str, value: Document | SpecFile) -> None:
        self._entries[file] = value

    def __getitem__(self, file: str) -> Document:
        value = self._entries[file]
        return value.document if isinstance(value, SpecFile) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


#: Spec files to parse at least before it pays to parse them in several processes.
PARALLEL_FROM = 64


def _read_specs(entries: list[tuple[str, Path]], root: Path, store: Pack,
                memo: FileMemo | None) -> list[tuple]:
    """(kind, path, SpecFile) of every spec file: from the memo while the file's stat is
    unchanged (a live preview), from the cache where its bytes were read before (a
    build), the others parsed, in one process per core when there are many (a cold read
    of 1000 journeys would otherwise leave a core idle for seconds). Every document comes
    back pickled: it is unpickled only when a finding needs a position."""
    out: list = []
    todo: list[tuple[int, str, str, str, bytes, str]] = []
    stamps: dict[int, tuple | None] = {}
    for kind, path in entries:
        stamp, known = memo.lookup(path) if memo is not None else (None, None)
        if isinstance(known, SpecFile):
            out.append((kind, path, known))
            continue
        stamps[len(out)] = stamp
        shown = _display(path, root)
        try:
            raw = read_bytes(path, shown)
        except LoadError as exc:
            out.append((kind, path, SpecFile(shown, None, None, (exc.finding,), "")))
            continue
        key = digest(code_fingerprint(), kind, shown, raw)
        spec = store.get(shown, key)
        if not isinstance(spec, SpecFile):
            todo.append((len(out), kind, str(path), shown, raw, key))
        out.append((kind, path, spec))
    for (index, _, _, shown, _, key), pickled in zip(todo, _parse_all(todo)):
        store.put_pickled(shown, key, pickled)
        out[index] = out[index][:2] + (pickle.loads(pickled),)
    if memo is not None:
        for index, stamp in stamps.items():
            memo.keep(out[index][1], stamp, out[index][2])
    return out


def _parse_all(todo: list[tuple]) -> Iterator[bytes]:
    """Each file parsed, pickled, in order; in parallel when there are many and fork is
    there. One at a time, so memory never holds every file's pickle at once."""
    workers = min(os.cpu_count() or 1, 4)
    if len(todo) < PARALLEL_FROM or workers < 2 or (
            "fork" not in multiprocessing.get_all_start_methods()):
        yield from map(_parse_pickled, todo)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_parse_pickled, todo, chunksize=max(1, len(todo) // (workers * 8)))


def _parse_pickled(job: tuple) -> bytes:
    _, kind, path, shown, raw, key = job
    spec = _parse_spec(kind, Path(path), shown, raw, key)
    return pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)


def _parse_spec(kind: str, path: Path, shown: str, raw: bytes, key: str) -> SpecFile:
    doc, findings = load_bytes(raw, shown)
    if doc is None:
        return SpecFile(shown, None, None, tuple(findings), key)
    item, item_findings = check_spec_file(kind, path, doc)
    return SpecFile(shown, doc, item, tuple(findings + item_findings), key)


def _spec_files(specs: Path):
    """(kind, path) of every spec file, sorted, so findings and output are stable."""
    for kind in DOCUMENT_MODELS:
        folder = specs / kind
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in YAML_SUFFIXES and path.is_file():
                    yield kind, path


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=Finding.sort_key))
