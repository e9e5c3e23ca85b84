"""Workspace: find a workspace's files and run load, model and validate over them.

A workspace is a folder with an optional ``mapgen.yml`` and a specs folder holding
``personas/<id>.yml`` and ``journeys/<id>.yml``. :func:`read_workspace` is the one entry
point later stages use: it returns the model (when the specs are sound enough to build
one) and every finding, sorted by file and position.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapgen.findings import Finding, Location, finding
from mapgen.load import YAML_SUFFIXES, Document, load_file
from mapgen.model import DOCUMENT_MODELS, ID_PATTERN, Config, Workspace
from mapgen.validate import _bad_id_message, check_document, check_workspace, slugify

CONFIG_NAMES = ("mapgen.yml", "mapgen.yaml")
_DEFAULT_CONFIG = Config()  # immutable: one instance, so it is the same every read


class WorkspaceError(Exception):
    """A path that is not a workspace; the CLI turns it into a usage error."""


@dataclass(frozen=True)
class Result:
    workspace: Workspace | None
    findings: tuple[Finding, ...]
    documents: dict[str, Document]

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

    def get(self, path: Path, compute):
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            return compute()
        entry = self._entries.get(path)
        if entry is not None and entry[0] == stamp:
            return entry[1]
        value = compute()
        self._entries[path] = (stamp, value)
        return value


def read_workspace(root: Path, memo: FileMemo | None = None) -> Result:
    """Load, model and validate the workspace at ``root``.

    ``memo`` (for a live preview) skips the files that did not change since last time.
    """
    root = root.resolve()
    findings: list[Finding] = []
    documents: dict[str, Document] = {}
    config_doc, config, config_findings = _read_config(root, memo)
    if config_doc is not None:
        documents[config_doc.file] = config_doc
    findings += config_findings
    if config is None:
        return Result(None, _sorted(findings), documents)
    items: dict[str, dict] = {kind: {} for kind in DOCUMENT_MODELS}
    files: dict[str, str] = {}
    specs, problem = _specs_folder(root, config.specs_dir)
    if problem:
        where = config_doc.locate(("specs_dir",)) if config_doc else Location(
            CONFIG_NAMES[0])
        findings.append(finding("invalid-value", where, problem))
        return Result(None, _sorted(findings), documents)
    for kind, path in _spec_files(specs):
        shown = _display(path, root)
        doc, item, file_findings = _cached(memo, path, _read_file, kind, path, shown)
        findings += file_findings
        if doc is None:
            continue
        documents[shown] = doc
        if item is not None and item.id in items[kind]:
            findings.append(_duplicate(kind, item.id, doc, files))
            continue
        if item is not None:
            items[kind][item.id] = item
            files[f"{kind}/{item.id}"] = shown
    ws = Workspace(str(root), config, items["personas"], items["journeys"], files)
    findings += check_workspace(ws, documents, config_doc)
    return Result(ws, _sorted(findings), documents)


def _cached(memo: FileMemo | None, path: Path, read, *args):
    """``read(*args)``, or what it gave last time while ``path`` is unchanged."""
    compute = lambda: read(*args)
    return memo.get(path, compute) if memo is not None else compute()


def _read_config(root: Path, memo: FileMemo | None):
    """(document or None, Config or None, findings) for mapgen.yml; defaults without one."""
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file():
            return _cached(memo, path, _config_from, path, name)
    return None, _DEFAULT_CONFIG, []


def _config_from(path: Path, name: str):
    doc, findings = load_file(path, name)
    if doc is None:
        return None, None, findings
    config, shape = check_document(doc, Config)
    return doc, config, findings + shape


def _read_file(kind: str, path: Path, shown: str):
    """(document, persona or journey, findings) of one spec file, all from it alone."""
    doc, findings = load_file(path, shown)
    if doc is None:
        return None, None, findings
    item, item_findings = _read_item(kind, path, doc)
    return doc, item, findings + item_findings


def _specs_folder(root: Path, specs_dir: str) -> tuple[Path, str | None]:
    """The specs folder, or why it cannot be used."""
    specs = root / specs_dir
    try:
        if specs.is_dir():
            return specs, None
    except OSError as exc:
        return specs, f"specs_dir: cannot open {specs_dir!r}: {exc.strerror}"
    return specs, (f'specs_dir: there is no folder "{specs_dir}" in the workspace; create '
                   "it with personas/ and journeys/ inside, or fix the name")


def _spec_files(specs: Path):
    """(kind, path) of every spec file, sorted, so findings and output are stable."""
    for kind in DOCUMENT_MODELS:
        folder = specs / kind
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in YAML_SUFFIXES and path.is_file():
                    yield kind, path


def _read_item(kind: str, path: Path, doc: Document):
    model = DOCUMENT_MODELS[kind]
    stem = path.stem
    findings = []
    if not _valid_id(stem):
        findings.append(finding("invalid-id", Location(doc.file, 1, 1), (
            f"the file name gives the {model.__name__.lower()} id \"{stem}\", "
            + _bad_id_message(stem).split(": ", 1)[1] + "; rename the file")))
    item, shape = check_document(doc, model, id=slugify(stem) or "x")
    findings += shape
    if item is not None and item.id != stem and _valid_id(stem):
        findings.append(finding("id-file-mismatch", doc.locate(("id",)), (
            f'the id "{item.id}" differs from the file name "{path.name}"; '
            f'remove `id:` or rename the file to "{item.id}{path.suffix}"')))
    return item, findings


def _duplicate(kind: str, item_id: str, doc: Document, files: dict) -> Finding:
    noun = DOCUMENT_MODELS[kind].__name__.lower()
    return finding("duplicate-id", Location(doc.file, 1, 1), (
        f'another file, {files[f"{kind}/{item_id}"]}, already defines '
        f'the {noun} "{item_id}"; keep one of them'))


def _valid_id(text: str) -> bool:
    import re

    return re.fullmatch(ID_PATTERN.strip("^$"), text) is not None


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=Finding.sort_key))
