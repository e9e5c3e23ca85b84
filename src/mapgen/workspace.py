"""Workspace: find a workspace's files and run load, model and validate over them.

This module finds and reads files; every rule about what is in them, their names
included, is :mod:`mapgen.validate`'s.

A workspace is a folder with an optional ``mapgen.yml`` and a specs folder holding
``personas/<id>.yml`` and ``journeys/<id>.yml``. :func:`read_workspace` is the one entry
point later stages use: it returns the model (when the specs are sound enough to build
one) and every finding, sorted by file and position.

Reading is the first thing every command does, so it is made cheap to repeat: a build
and a live preview pass a :class:`~mapgen.cache.Cache`, and a file whose bytes were read
before is not parsed again (nor an unchanged journey's rules checked again).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
import multiprocessing
import os
import re
import signal
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from mapgen import compact
from mapgen.cache import DATA, JSON, Cache, Codec, code_fingerprint, digest, file_stat
from mapgen.findings import FINDINGS, Finding
from mapgen.load import Document, LoadError, is_yaml_name, load_bytes, read_bytes, read_text
from mapgen.model import (
    DOCUMENT_MODELS,
    Config,
    Journey,
    JourneySummary,
    ProsePage,
    Spec,
    Workspace,
)
from mapgen.validate import (
    JourneyContext,
    Reuse,
    check_document,
    check_journey,
    check_page_file,
    check_spec_file,
    check_specs_folder,
    check_workspace,
    duplicate_spec,
    journey_keys,
    nested_folder,
)

CONFIG_NAMES = ("mapgen.yml", "mapgen.yaml")
log = logging.getLogger(__name__)
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


def repository_root(path: Path) -> Path | None:
    """The root of the git repository ``path`` is in (it need not exist yet), or None.

    Tools that point into a repository (GitHub annotations, SARIF, a workflow's paths)
    name files from there, whatever folder of it the workspace is in. A ``.git`` file
    counts too: worktrees and submodules have one instead of a folder.
    """
    path = path.resolve()
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def read_workspace(root: Path, cache: Cache | None = None) -> Result:
    """Load, model and validate the workspace at ``root``.

    With a ``cache`` (see :mod:`mapgen.cache`), a spec file whose bytes were read before
    is not parsed again, and an unchanged journey's rules are not checked again.
    """
    root = root.resolve()
    findings: list[Finding] = []
    documents = _Documents()
    config_doc, config, config_findings, config_digest = _read_config(root)
    if config_doc is not None:
        documents[config_doc.file] = config_doc
    findings += config_findings
    if config is None:
        return Result(None, _sorted(findings), documents)
    items: dict[str, compact.Specs] = {kind: compact.Specs(_unpacked(cache, kind))
                                       for kind in DOCUMENT_MODELS}
    files: dict[str, str] = {}
    digests = {"config": config_digest}
    specs = root / config.specs_dir
    missing = check_specs_folder(specs, config.specs_dir, config_doc, CONFIG_NAMES[0])
    if missing is not None:
        return Result(None, _sorted([*findings, missing]), documents)
    spec_files, nested = _spec_files(specs, root)
    findings += nested
    with _gc_paused():
        specs_read, context = _read_specs(spec_files, root, cache or Cache(), config)
    log.debug("read %d spec files", len(specs_read))
    for kind, path, spec in specs_read:
        findings += spec.findings
        if not spec.parsed:
            continue
        documents[spec.file] = spec
        ident = spec.id
        if ident is not None and ident in items[kind]:
            findings.append(duplicate_spec(kind, ident, spec.document,
                                           files[f"{kind}/{ident}"]))
            continue
        if ident is not None:
            items[kind].add(ident, spec.packed, spec.summary)
            files[f"{kind}/{ident}"] = spec.file
            digests[f"{kind}/{ident}"] = spec.digest
    pages = _read_pages(root, root / config.pages_dir, files, digests, findings)
    ws = Workspace(str(root), config, items["personas"], items["journeys"], files, digests,
                   pages)
    checked = {spec.file: (context.key(spec.digest, config_digest), spec.checks)
               for _, _, spec in specs_read if spec.checks is not None}
    findings += check_workspace(ws, documents, config_doc, _reuse(cache, checked, ws))
    if cache is not None:
        cache.save({"spec": (spec.file for _, _, spec in specs_read),
                    "checks": ws.files.values()})
    return Result(ws, _sorted(findings), documents)


def _unpacked(cache: Cache | None, kind: str) -> compact.Unpacked:
    """The unpacked specs of ``kind``: kept across reads by a preview's cache, so a save
    unpacks only what changed (see :mod:`mapgen.compact`)."""
    return cache.kept(f"unpacked-{kind}", "", compact.Unpacked) if cache else \
        compact.Unpacked()


def _read_pages(root: Path, folder: Path, files: dict[str, str], digests: dict[str, str],
                findings: list[Finding]) -> dict[str, ProsePage]:
    """The Markdown pages of ``folder`` (``pages_dir``; none when it is not there) by id, in
    file-name order. Each one's file and digest join ``files`` and ``digests`` (so a page
    made from it is made again when, and only when, its bytes change), and what reading
    it found joins ``findings``."""
    pages: dict[str, ProsePage] = {}
    paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    for path in paths:
        shown = _display(path, root)
        problem = check_page_file(path, shown)
        try:
            text, found = read_text(path, shown)
        except LoadError as exc:
            findings.append(exc.finding)
            continue
        findings += found
        if problem is not None:
            findings.append(problem)
            continue
        pages[path.stem] = prose_page(path.stem, text)
        files[f"pages/{path.stem}"] = shown
        digests[f"pages/{path.stem}"] = digest(text)
    return pages


def prose_page(page_id: str, text: str) -> ProsePage:
    """A Markdown page: its first line, when it is a ``# heading``, is its title (else its
    id, as words), and the rest its body."""
    first, _, rest = text.lstrip("\n").partition("\n")
    skipped = len(text) - len(text.lstrip("\n"))
    heading = re.fullmatch(r"#[ \t]+(.+?)[ \t#]*", first.rstrip("\r"))
    if heading:
        return ProsePage(page_id, heading[1], rest, skipped + 2)
    return ProsePage(page_id, page_id.replace("-", " ").capitalize(), text, 1)


def _reuse(cache: Cache | None, checked: dict[str, tuple[str, tuple[Finding, ...]]],
           ws: Workspace) -> Reuse:
    """Each journey's findings: those its reading worker found (``checked``: by file, the
    key and the findings, see :func:`_parse_job`) when found for the same key, else those
    kept in the cache under its file's name (all read at once), else checked now; kept in
    the cache."""
    code = code_fingerprint()
    kept = cache.get_many("checks", {file: f"{code} {key}" for file, key
                                     in journey_keys(ws).items()}, FINDINGS) if cache else {}

    def reuse(file: str, key: str, check) -> list[Finding]:
        found_for, found = checked.get(file, ("", ()))
        if found_for != key and file in kept:
            return kept[file]
        findings = list(found) if found_for == key else check()
        if cache is not None:
            cache.put("checks", file, f"{code} {key}", findings, FINDINGS)
        return findings

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


def read_config(root: Path) -> tuple[Path | None, bytes, Config | None]:
    """(the file, its bytes, the Config) of the workspace at ``root``, with no finding
    said: the defaults when there is no mapgen.yml, a None Config when it has a problem
    (:func:`read_workspace` reports it)."""
    for name in CONFIG_NAMES:
        path = root / name
        if os.path.lexists(path):
            _, config, findings, _ = _config_from(path, name)
            if config is None or any(f.fails(False) for f in findings):
                return path, b"", None
            return path, path.read_bytes(), config
    return None, b"", _DEFAULT_CONFIG


def input_paths(root: Path, config: Config) -> list[Path]:
    """The files and folders the workspace at ``root`` is made from: mapgen.yml, the specs
    and pages folders, the workspace's themes/, custom_dir, and a theme given by path."""
    paths = [root / name for name in CONFIG_NAMES]
    paths += [root / config.specs_dir, root / config.pages_dir, root / "themes"]
    if config.theme.custom_dir:
        paths.append(root / config.theme.custom_dir)
    if (root / config.theme.name).is_dir():
        paths.append(root / config.theme.name)
    return paths


def input_holding(path: Path, root: Path | None = None) -> Path | None:
    """The input of a workspace (:func:`input_paths`) that ``path`` is or lies in, or None:
    of the workspace at ``root``, and of the one ``path`` is in. No command writes there."""
    place = path.absolute()
    roots = [root] if root is not None else []
    with contextlib.suppress(WorkspaceError):
        roots.append(find_root(next(p for p in place.parents if p.exists())))
    target = place.resolve()
    for folder in roots:
        config = read_config(folder)[2] or _DEFAULT_CONFIG
        for held in (p.resolve() for p in input_paths(folder, config)):
            if target == held or held in target.parents:
                return held
    return None


def _read_config(root: Path):
    """(document, Config, findings, digest) for mapgen.yml; the defaults without one."""
    for name in CONFIG_NAMES:
        path = root / name
        if os.path.lexists(path):  # a folder or a broken link by that name is reported
            return _config_from(path, name)
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
    them; "" when it could not be read). The document's positions are only needed to
    place a finding: they are kept apart from its data, as JSON text (see
    :func:`_document_parts`), and decoded when asked for, so a workspace of thousands of
    files holds no positions in memory.

    A file read back from the cache (see :meth:`read_back`) keeps its id, summary and
    findings as they were found, and its spec is validated again from the document's
    data only when it is first looked up (:class:`_Later`): a build after a one-journey
    change validates one journey.
    """

    def __init__(self, file: str, document: Document | tuple[bytes, bytes] | None,
                 item: Spec | None, loading: tuple[Finding, ...],
                 shape: tuple[Finding, ...], digest: str):
        self.file, self.digest = file, digest
        #: The spec's id, and the spec packed (see :mod:`mapgen.compact`): a reading
        #: worker sends these bytes back, and the workspace keeps them as they are. Read
        #: back from the cache, a :class:`_Later` that packs it when first called.
        self.id = item.id if item is not None else None
        self.packed: bytes | _Later | None = compact.pack(item) if item is not None else None
        #: A journey's summary (see :class:`~mapgen.model.JourneySummary`), else None.
        self.summary = JourneySummary.of(item) if isinstance(item, Journey) else None
        #: What reading the file found, and what checking its document's shape found.
        self.loading, self.shape = loading, shape
        #: A journey's own rules' findings, when checked as it was parsed (else None).
        self.checks: tuple[Finding, ...] | None = None
        self.parsed = document is not None
        #: The document's data and its positions, each compressed JSON.
        self._parts = _document_parts(document) if isinstance(document, Document) else document

    @classmethod
    def read_back(cls, file: str, digest: str, head: dict,
                  document: tuple[bytes, bytes] | None, kind: str, path: Path) -> SpecFile:
        """What :func:`_spec_codec` kept: ``head`` holds what validating gave but the
        spec (its id, summary and findings), ``document`` the document's two parts."""
        spec = cls(file, document, None, tuple(map(Finding.from_data, head["loading"])),
                   tuple(map(Finding.from_data, head["shape"])), digest)
        if head["id"] is not None and document is not None:
            spec.id = str(head["id"])
            spec.packed = _Later(kind, path, file, spec.id, document[0])
            spec.summary = JourneySummary.from_data(head["summary"]) if head[
                "summary"] is not None else None
        return spec

    def head(self) -> dict:
        """What validating the file gave but the spec, as JSON data (see
        :meth:`read_back`)."""
        return {"loading": [f.to_data() for f in self.loading],
                "shape": [f.to_data() for f in self.shape], "id": self.id,
                "summary": self.summary.to_data() if self.summary else None}

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.loading + self.shape

    @property
    def document(self) -> Document | None:
        """The document, decoded anew each time (it is seldom asked for)."""
        if self._parts is None:
            return None
        data, positions = self._parts
        tables = _decompressed(positions)
        return Document(self.file, _decompressed(data), _Positions(tables["values"]),
                        _Positions(tables["keys"]))


class _Later:
    """A spec read back from the cache, not validated yet: validated from its document's
    data when first looked up (see :meth:`mapgen.compact.Specs.add`), then kept packed.
    It holds that data alone, compressed (some 800 bytes a journey): the findings are
    known, so validating needs no positions."""

    __slots__ = ("kind", "path", "file", "id", "data", "packed")

    def __init__(self, kind: str, path: Path, file: str, ident: str, data: bytes):
        self.kind, self.path, self.file, self.id, self.data = kind, path, file, ident, data
        self.packed: bytes | None = None

    def __call__(self) -> bytes:
        if self.packed is None:
            document = Document(self.file, _decompressed(self.data))
            item, _ = check_spec_file(self.kind, self.path, document)
            if item is None or item.id != self.id:  # the same code, the same bytes
                raise RuntimeError(f"{self.file}: validated apart from the cache's record")
            self.packed, self.data = compact.pack(item), b""
        return self.packed


def _document_parts(doc: Document) -> tuple[bytes, bytes]:
    """A document as two compressed JSON texts: its data, and its positions (decoded
    only when a finding needs a place)."""
    def positions(table: dict) -> str:
        return json.dumps([[list(path), *place] for path, place in table.items()],
                          separators=(",", ":"), ensure_ascii=False)

    # DATA, not JSON: YAML may hold .inf and .nan, which strict JSON refuses
    return _compressed(doc.data), _compressed({"values": positions(doc.values),
                                               "keys": positions(doc.keys)})


def _compressed(stored: object) -> bytes:
    """What a spec file gave, as kept in memory and in the cache: compressed JSON (a
    workspace of 10,000 journeys holds some 40 kB of positions for each)."""
    return zlib.compress(DATA.encode(stored), 1)


def _decompressed(data: bytes) -> Any:
    """The inverse of :func:`_compressed`; ValueError for damaged bytes (a cache miss)."""
    try:
        return DATA.decode(zlib.decompress(data))
    except zlib.error as exc:
        raise ValueError(f"not a stored spec file: {exc}") from None


class _Positions(Mapping[tuple, tuple[int, int]]):
    """A document's positions, decoded from their JSON text when first looked up."""

    def __init__(self, text: str):
        self._text = text
        self._table: dict[tuple, tuple[int, int]] | None = None

    def _decoded(self) -> dict[tuple, tuple[int, int]]:
        if self._table is None:
            self._table = {tuple(path): (line, col)
                           for path, line, col in json.loads(self._text)}
        return self._table

    def __getitem__(self, path: tuple) -> tuple[int, int]:
        return self._decoded()[path]

    def __iter__(self):
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


def _spec_codec(kind: str, path: Path, shown: str, key: str) -> Codec:
    """A parsed spec file as data: what validating it found (its id, summary and
    findings; the key names the code that validated it), then its document's data and
    positions. The spec itself is made again from the data when first looked up (see
    :class:`SpecFile`): the cache holds data only."""
    def encode(spec: SpecFile) -> bytes:
        data, positions = spec._parts or (b"", b"")
        return _framed(_compressed(spec.head())) + _framed(data) + positions

    def decode(stored: bytes) -> SpecFile:
        head, rest = _unframed(stored)
        data, positions = _unframed(rest)
        return SpecFile.read_back(shown, key, _decompressed(head),
                                  (data, positions) if data else None, kind, path)

    return Codec(encode, decode, compressed=True)


def _framed(part: bytes) -> bytes:
    return len(part).to_bytes(4, "big") + part


def _unframed(stored: bytes) -> tuple[bytes, bytes]:
    """(the part :func:`_framed` put first, the rest); ValueError when cut short."""
    size = int.from_bytes(stored[:4], "big")
    if len(stored) < 4 + size:
        raise ValueError("not a stored spec file: cut short")
    return stored[4:4 + size], stored[4 + size:]


class _Documents(Mapping[str, Document]):
    """File name -> document, each decoded when first looked up (see :class:`SpecFile`)."""

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


def _read_specs(entries: list[tuple[str, Path]], root: Path, cache: Cache,
                config: Config) -> tuple[list[tuple], JourneyContext]:
    """(kind, path, SpecFile) of every spec file, and what the journeys' own rules were
    checked with. Personas are read first: with their ids known, each journey parsed now
    is checked where it was validated (in its reading worker), so checking the workspace
    need not unpack it again."""
    seen = _SeenFiles(cache)
    personas = _read_files([e for e in entries if e[0] == "personas"], root, cache, seen,
                           None)
    context = JourneyContext(config, dict.fromkeys(
        spec.id for _, _, spec in personas if spec.parsed and spec.id is not None))
    journeys = _read_files([e for e in entries if e[0] == "journeys"], root, cache, seen,
                           context)
    seen.keep()
    return personas + journeys, context


#: The cache kind of the one row that keeps each spec file's metadata with the digest of
#: its bytes (see :class:`_SeenFiles`).
FILES_SEEN = "spec-files"
#: A file whose change time is less than this before it was looked at is read again the
#: next time: a second write within the same tick of the file system's clock (a few
#: milliseconds) would leave its metadata as it was.
SETTLED_NS = 2_000_000_000
#: Whether a file's ``st_ctime`` is when it last changed: on Windows it is when it was
#: made, so an edit that kept the size and the modification time would go unseen; there
#: every spec file is read.
CHANGE_TIME = os.name != "nt"


class _SeenFiles:
    """Each spec file's size, inode, modification and change times, with the digest of
    its bytes, as the last read found them: a file whose metadata is unchanged is not read
    and hashed again (40 ms of each rebuild at 1000 journeys), as git trusts its index.
    The change time cannot be set back, so an edit is seen even when it keeps the size
    and the modification time; a file changed just before it was looked at
    (:data:`SETTLED_NS`) is not trusted."""

    def __init__(self, cache: Cache):
        self.cache = cache
        before = cache.get(FILES_SEEN, "", FILES_SEEN, JSON)
        self.found = isinstance(before, dict)
        self.before: dict[str, Any] = before if isinstance(before, dict) else {}
        self.now: dict[str, list[Any]] = {}
        self.started = time.time_ns()

    def metadata(self, path: Path) -> list[int] | None:
        try:
            return file_stat(path)
        except OSError:
            return None  # reading it says why

    def digest_of(self, shown: str, metadata: list[int] | None) -> str | None:
        """The digest of the file's bytes as recorded, when its metadata is unchanged."""
        known = self.before.get(shown)
        if metadata is None or not isinstance(known, list) or known[:-1] != metadata:
            return None
        self.now[shown] = known
        return known[-1] if isinstance(known[-1], str) else None

    def saw(self, shown: str, metadata: list[int] | None, file_digest: str) -> None:
        """Note the file's digest under its metadata as looked at before it was read."""
        if CHANGE_TIME and metadata is not None and metadata[3] < self.started - SETTLED_NS:
            self.now[shown] = [*metadata, file_digest]

    def keep(self) -> None:
        if self.now != self.before or not self.found:  # a no-op build writes nothing
            self.cache.put(FILES_SEEN, "", FILES_SEEN, self.now, JSON)


def _read_files(entries: list[tuple[str, Path]], root: Path, cache: Cache,
                seen: _SeenFiles, context: JourneyContext | None) -> list[tuple]:
    """(kind, path, SpecFile) of each file: from the cache where its bytes were read
    before (in memory for a live preview, on disk for a build, all in one read; not even
    read again while its metadata is unchanged, see :class:`_SeenFiles`), the others
    parsed, in one process per core when there are many (a cold read of 1000 journeys
    would otherwise leave a core idle for seconds)."""
    out: list = []
    looked: dict[str, tuple[int, str, Path, str, bytes | None]] = {}  # by file name
    for kind, path in entries:
        shown = _display(path, root)
        metadata = seen.metadata(path)
        raw = None
        file_digest = seen.digest_of(shown, metadata)
        try:
            if file_digest is None:
                raw = read_bytes(path, shown)
                file_digest = digest(raw)
                seen.saw(shown, metadata, file_digest)
        except LoadError as exc:
            out.append((kind, path, SpecFile(shown, None, None, (exc.finding,), (), "")))
            continue
        key = _spec_key(kind, file_digest)
        looked[shown] = (len(out), kind, path, key, raw)
        out.append((kind, path, None))
    kept = cache.get_many("spec", {shown: entry[3] for shown, entry in looked.items()},
                          lambda shown: _spec_codec(*looked[shown][1:3], shown,
                                                    looked[shown][3]))
    todo: list[tuple[int, str, str, str, bytes, str]] = []
    for shown, (index, kind, path, key, raw) in looked.items():
        if shown in kept:
            out[index] = (kind, path, kept[shown])
            continue
        try:
            if raw is None:  # its parse is no longer kept: its key from what is read
                raw = read_bytes(path, shown)
                key = _spec_key(kind, digest(raw))
        except LoadError as exc:
            out[index] = (kind, path, SpecFile(shown, None, None, (exc.finding,), (), ""))
            continue
        todo.append((index, kind, str(path), shown, raw, key))
    for (index, kind, path, shown, _, key), spec in zip(todo, _parse_all(todo, context)):
        cache.put("spec", shown, key, spec, _spec_codec(kind, Path(path), shown, key))
        out[index] = out[index][:2] + (spec,)
    return out


def _spec_key(kind: str, file_digest: str) -> str:
    """The key of a spec file's parse (kept under its name): mapgen's code, the kind of
    spec and the digest of the file's bytes, side by side (a rebuild looks up a thousand:
    no need to hash them again)."""
    return f"{code_fingerprint()} {kind} {file_digest}"


def _parse_all(todo: list[tuple], context: JourneyContext | None) -> Iterator[SpecFile]:
    """Each file parsed, in order; in parallel when there are many and fork is there.
    Workers send what they parsed back through a pipe (between mapgen's own processes,
    never through a file), one at a time, so memory never holds them all at once."""
    parse = functools.partial(_parse_job, context)
    workers = min(os.cpu_count() or 1, 4)
    if len(todo) < PARALLEL_FROM or workers < 2 or (
            "fork" not in multiprocessing.get_all_start_methods()):
        yield from map(parse, todo)
        return
    with interrupts_held():
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=ignore_interrupts)
    with pool:
        yield from pool.imap(parse, todo, chunksize=max(1, len(todo) // (workers * 8)))


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while worker processes are forked: each starts with it held and
    lets it go once it ignores it (:func:`ignore_interrupts`); this process gets it as
    soon as the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def ignore_interrupts() -> None:
    """In a worker process: leave Ctrl-C to the process that started it, which ends the
    workers (each would otherwise print its own traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _parse_job(context: JourneyContext | None, job: tuple) -> SpecFile:
    """One file parsed and validated; a journey also checked by its own rules when
    ``context`` is given (see :func:`_reuse`)."""
    _, kind, path, shown, raw, key = job
    doc, loading = load_bytes(raw, shown)
    if doc is None:
        return SpecFile(shown, None, None, tuple(loading), (), key)
    item, shape = check_spec_file(kind, Path(path), doc)
    spec = SpecFile(shown, doc, item, tuple(loading), tuple(shape), key)
    if context is not None and isinstance(item, Journey):
        spec.checks = tuple(check_journey(context, item, lambda: doc))
    return spec


def _spec_files(specs: Path, root: Path) -> tuple[list[tuple[str, Path]], list[Finding]]:
    """(kind, path) of every spec file, sorted, so findings and output are stable; and a
    finding for each folder among them that holds spec files, which are not read.

    Every name ending in .yml or .yaml (any case) is a spec file, whatever it turns out to
    be: the loader says why a folder, a named pipe or a broken link is not one. Hidden
    names are left alone: editors keep lock files there (Emacs' ``.#signup.yml`` is a
    link to nothing while the file is open).
    """
    files: list[tuple[str, Path]] = []
    findings: list[Finding] = []
    for kind in DOCUMENT_MODELS:
        folder = specs / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir(), key=attrgetter("name")):  # not Path's slow <
            if path.name.startswith("."):
                continue
            if is_yaml_name(path.name):
                files.append((kind, path))
            elif path.is_dir() and (count := _spec_files_in(path)):
                findings.append(nested_folder(kind, _display(path, root), count))
    return files, findings


def _spec_files_in(folder: Path) -> int:
    """How many spec files ``folder`` holds, at any depth (links to folders not followed)."""
    return sum(is_yaml_name(name) for _, _, names in os.walk(folder) for name in names)


def _display(path: Path, root: Path) -> str:
    """``path`` as findings name it: relative to the workspace's root when inside it (by
    its text: a preview's rebuild names every spec file again)."""
    text, base = str(path), str(root)
    if text.startswith(base) and text[len(base):len(base) + 1] == os.sep:
        return text[len(base) + 1:].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return text


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=Finding.sort_key))
