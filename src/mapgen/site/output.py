"""Output: put a built site into its folder, whole, and touch nothing mapgen did not write.

An output folder holds a manifest, ``.mapgen-manifest.json``: every file mapgen wrote
there, with what it was made from (its key and the parts of the workspace it read, see
:mod:`mapgen.cache`) and a digest of its bytes. It holds no times, so two builds of the
same input are byte-identical, manifest included. From it:

* **Nothing foreign is removed or overwritten.** Only files in the manifest are ever
  replaced or removed; any other file in the folder is kept as it is, ``--clean``
  included. A first build into a folder that holds files and no manifest is refused
  (unless asked to keep them), and so is a new file whose path a foreign file holds.
* **The whole new site or the whole old one, at any instant.** A build makes its files
  in a staging folder beside the output folder (:class:`Staging`); the files it did not
  make again, and every foreign file, are hard-linked in beside them; then the two
  folders are exchanged in one step (``renameat2(RENAME_EXCHANGE)`` on Linux) and the old
  one deleted. A killed build leaves a staging folder, which the next build deletes.
* **A rebuild writes only what changed.** A file whose key is unchanged and that is
  still as written is not made again (:meth:`OutputFolder.intact`); one made again with
  the same bytes keeps its old file. When nothing differs, the folder is not touched.
"""

from __future__ import annotations

import ctypes
import logging
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Self

from mapgen.cache import digest, file_digest, file_stat

log = logging.getLogger(__name__)
MANIFEST = ".mapgen-manifest.json"
#: Written first into every staging folder: only folders holding it are ever deleted.
STAGING_MARK = ".mapgen-staging"
#: How many foreign files a refusal names before "and N more".
SHOWN = 3


class OutputError(Exception):
    """An output folder mapgen must not write to, or could not write to."""


@dataclass(frozen=True)
class Staged:
    """A file made into the staging folder, waiting to be published."""

    path: Path


@dataclass(frozen=True)
class Published:
    """A file made again with the bytes of the output folder's file, as the last build
    wrote them (their digest): known to be the same without reading it (most of the
    search index after a one-journey change, see :mod:`mapgen.site.reindex`)."""

    digest: str


@dataclass(frozen=True)
class Made:
    """One file of a site as a build made it: its key, the parts of the workspace it read,
    and its bytes: in memory, :class:`Staged`, made when first asked for (a preview), or
    None when the file in the output folder is already this one."""

    key: str
    reads: tuple[str, ...]
    data: object = None


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def check_output_dir(site_dir: Path, root: Path, inputs: list[Path]) -> None:
    """Refuse an output folder that is a file, is the workspace, or holds or lies in an
    input."""
    if site_dir.exists() and not site_dir.is_dir():
        raise OutputError(f"the output folder {site_dir} is a file, which a build would "
                          "replace; choose a folder for the site, e.g. `site_dir: site` "
                          "in mapgen.yml")
    site = site_dir.resolve()
    if site == root.resolve():
        raise OutputError(f"the output folder {site_dir} is the workspace itself, which "
                          "holds the specs; choose a folder inside it, e.g. `site_dir: site` "
                          "in mapgen.yml")
    for folder in (p.resolve() for p in inputs):
        if site == folder or site in folder.parents:
            raise OutputError(f"the output folder {site_dir} is or contains {folder}, which "
                              "mapgen reads; choose another, e.g. `site_dir: site`")
        if folder in site.parents:
            raise OutputError(f"the output folder {site_dir} is inside {folder}, which "
                              "mapgen reads; choose one outside it, e.g. `site_dir: site`")


class OutputFolder:
    """An output folder, as its manifest says mapgen left it."""

    def __init__(self, path: Path, entries: dict[str, list], adopted: bool = False,
                 seen: Mapping[str, list] | None = None):
        self.path = path
        #: rel -> [key, reads, digest of the bytes] of every file mapgen wrote here.
        self.entries = entries
        #: rel -> [*file_stat, digest] of the files as the last build left them (see
        #: :meth:`seen_now`): a file whose metadata is unchanged is not read to be hashed.
        self.seen = seen or {}
        #: rel -> the digest of the file there now, for the files of the manifest.
        self._on_disk: dict[str, str] | None = None
        self._intact: dict[str, str] | None = None
        #: A folder an earlier mapgen built without a manifest: the files the new site
        #: has are taken as its own; the others are kept.
        self.adopted = adopted

    def _at(self, rel: str) -> str:
        """Where site path ``rel`` is in the folder: a string, not a ``Path`` (a build
        asks for each of the site's files a few times; at 1000 journeys, 2,900 of them,
        making a ``Path`` each time took as long as the stat it was made for)."""
        return f"{self.path}{os.sep}{rel}"

    @classmethod
    def open(cls, path: Path, keep_existing: bool = False,
             seen: Mapping[str, list] | None = None) -> OutputFolder:
        """The folder at ``path``, after removing what killed builds left beside it.

        Refuses a folder holding files and no manifest, unless ``keep_existing`` (those
        files are then kept, never touched) or an earlier mapgen made it. ``seen`` is what
        :meth:`seen_now` gave after the last build.
        """
        path = path.resolve()
        remove_leftovers(path)
        entries = _read_manifest(path)
        if entries is not None:
            return cls(path, entries, seen=seen if isinstance(seen, dict) else None)
        foreign = sorted(_files_in(path)) if path.is_dir() else []
        if not foreign or keep_existing:
            return cls(path, {})
        if _made_by_mapgen(path):
            return cls(path, {}, adopted=True)
        named = ", ".join(foreign[:SHOWN]) + (f" and {len(foreign) - SHOWN} more"
                                              if len(foreign) > SHOWN else "")
        raise OutputError(
            f"the output folder {path} already holds files mapgen did not write ({named}); "
            "build into a new or empty folder (e.g. `site_dir: site` or `-d site`), or pass "
            "--keep-existing to build beside those files without ever touching them")

    def intact(self) -> dict[str, Made]:
        """The files of the last build that are still as it wrote them."""
        intact = self._intact_digests()
        return {rel: Made(key, tuple(reads)) for rel, (key, reads, _)
                in self.entries.items() if rel in intact}

    def _intact_digests(self) -> dict[str, str]:
        """The digest of each file of the last build that is still as it wrote it
        (worked out once: :meth:`intact` and :meth:`staging` both ask)."""
        if self._intact is None:
            on_disk = self._digests()
            self._intact = {rel: written for rel, (_, _, written) in self.entries.items()
                            if on_disk.get(rel) == written}
        return self._intact

    def _digests(self) -> dict[str, str]:
        if self._on_disk is None:
            self._on_disk = {}
            for rel in self.entries:
                try:
                    self._on_disk[rel] = self._digest_of(rel)
                except OSError:
                    continue
        return self._on_disk

    def _digest_of(self, rel: str) -> str:
        """The digest of the file at ``rel``: the one recorded for it when its metadata,
        change time included, is as the last build left it, else of its bytes."""
        recorded = self.seen.get(rel)
        if isinstance(recorded, list) and recorded[:-1] == file_stat(self._at(rel)):
            return recorded[-1]
        return file_digest(Path(self._at(rel)))

    def seen_now(self, files: Iterable[str]) -> dict[str, list]:
        """The metadata and digest of each of ``files`` in the folder as it is now (after
        a build), for the next build's :meth:`open`."""
        entries = _read_manifest(self.path) or {}
        out = {}
        for rel in files:
            if rel in entries:
                try:
                    out[rel] = [*file_stat(self._at(rel)), entries[rel][2]]
                except OSError:
                    continue
        return out

    def staging(self, reuse: bool = True) -> Staging:
        """A staging folder for the next site; with ``reuse``, one that stages no file
        whose bytes the folder's intact file already has (see :meth:`Staging.put`)."""
        return Staging(self.path, self._intact_digests() if reuse else {})

    def publish(self, files: Mapping[str, Made], staging: Staging) -> WriteReport:
        """Make the folder hold ``files`` (and every foreign file), in one step."""
        foreign = [] if not self.path.is_dir() else [
            rel for rel in _files_in(self.path) if rel not in self.entries]
        self._refuse_clashes(foreign, files)
        written: list[str] = []
        digests: dict[str, str] = {}
        for rel, made in sorted(files.items()):
            digests[rel], same = self._compare(rel, made)
            if not same:
                if not isinstance(made.data, Staged):
                    staging.put(rel, _bytes_of(made.data))
                written.append(rel)
            elif isinstance(made.data, Staged):
                made.data.path.unlink()  # the old file stays: same bytes, same inode
        removed = sorted(rel for rel in self.entries if rel not in files
                         and (self.path / rel).exists())
        manifest = _manifest_bytes(files, digests)
        report = WriteReport(tuple(written), tuple(removed), len(files) - len(written))
        if not written and not removed and manifest == _read_bytes(self.path / MANIFEST):
            return report
        done = set(written) | staging.linked
        kept = [*(rel for rel in files if rel not in done), *foreign]
        log.debug("staged %d new files, linking %d kept ones (%d linked already)",
                  len(written), len(kept), len(staging.linked))
        for rel in kept:
            staging.link(self._at(rel), rel)
        staging.put(MANIFEST, manifest)
        log.debug("publishing %s", self.path)
        staging.publish_as(self.path)
        log.debug("published %s; removing the previous site", self.path)
        return report

    def _refuse_clashes(self, foreign: list[str], files: Mapping[str, Made]) -> None:
        clashes = [rel for rel in foreign if rel in files]
        if self.adopted:
            foreign[:] = [rel for rel in foreign if rel not in files]
            return
        if clashes:
            raise OutputError(
                f"{self.path / clashes[0]} was not written by mapgen and the site needs that "
                "path; move the file out of the output folder (mapgen never overwrites "
                "files it did not write)")

    def _compare(self, rel: str, made: Made) -> tuple[str, bool]:
        """(the digest of the file's new bytes, whether the file there already has them)."""
        if made.data is None:  # intact, as :meth:`intact` found
            return self.entries[rel][2], True
        if isinstance(made.data, Staged):
            new_digest = file_digest(made.data.path)
        else:
            new_digest = digest(_bytes_of(made.data))
        if rel in self.entries:
            return new_digest, self._digests().get(rel) == new_digest
        there = self.path / rel
        return new_digest, self.adopted and there.is_file() and file_digest(there) == new_digest


def write_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path``: bytes, or pieces as they are made."""
    with path.open("wb") as file:
        file.write(data) if isinstance(data, bytes) else file.writelines(data)


class FileStore(Protocol):
    """Where the files of a site go as they are made: a build's :class:`Staging`, or the
    folder a live preview keeps its sites in (``mapgen.serve.Kept``)."""

    def put(self, rel: str, data: bytes | Iterable[bytes] | Published) -> Staged | None:
        """Keep the file made for site path ``rel``: its bytes, or its pieces as made
        (:class:`Published` only where the store is a build's :class:`Staging`). None:
        the output folder has this file already, with these bytes."""


class Staging:
    """A marked folder beside the output folder, where the next site is put together.

    The next site is made in ``folder``, inside the marked ``container``; publishing
    exchanges it with the output folder, so the old site lands inside the container,
    marked at every instant. Use it as a context manager: the container is deleted on
    exit (its mark last), whether the build succeeded or not.
    """

    def __init__(self, site_dir: Path, published: Mapping[str, str] | None = None):
        """``published``: site path -> the digest of the file the output folder holds
        there now, as the last build wrote it."""
        self.published = published or {}
        self.site_dir = str(site_dir)
        #: The site paths linked from the output folder already (:meth:`link_published`).
        self.linked: set[str] = set()
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.container = Path(tempfile.mkdtemp(prefix=_staging_prefix(site_dir),
                                               dir=site_dir.parent))
        (self.container / STAGING_MARK).touch()
        self.folder = self.container / "next"
        self.folder.mkdir(mode=0o755)
        #: The folders made so far (a site of 1000 journeys puts 2,900 files in a few).
        self._folders: set[str] = {str(self.folder)}

    def put(self, rel: str, data: bytes | Iterable[bytes] | Published) -> Staged | None:
        """Write ``rel``: its bytes, or its pieces as they are made. Bytes the published
        file has already, or :class:`Published`, are not written (None): that file is
        linked into the next site now, by whichever process made them."""
        if isinstance(data, Published):
            if self.published.get(rel) != data.digest:
                raise ValueError(f"{rel}: not as the last build wrote it")
            self.link_published(rel)
            return None
        if isinstance(data, bytes) and rel in self.published and \
                self.published[rel] == digest(data):  # a cold build hashes nothing here
            self.link_published(rel)
            return None
        path = Path(self._place(rel))
        write_file(path, data)
        os.chmod(path, 0o644)
        return Staged(path)

    def published_file(self, rel: str, expected: str) -> bytes | None:
        """The bytes of the output folder's file at ``rel``, when it is as the last build
        wrote it and that was bytes of digest ``expected``; None otherwise."""
        if self.published.get(rel) != expected:
            return None
        try:
            with open(self._published(rel), "rb") as file:
                return file.read()
        except OSError:
            return None

    def link_published(self, rel: str) -> None:
        """Put the output folder's file at ``rel`` in the next site as it is."""
        self.link(self._published(rel), rel)
        self.linked.add(rel)

    def _published(self, rel: str) -> str:
        return os.path.join(self.site_dir, *rel.split("/"))

    def link(self, source: str, rel: str) -> None:
        """Put the file at ``source`` in the next site as it is (same inode, same time)."""
        target = self._place(rel)
        mode = os.lstat(source).st_mode
        if stat.S_ISLNK(mode):
            os.symlink(os.readlink(source), target)
        elif stat.S_ISDIR(mode):
            os.makedirs(target, exist_ok=True)
        else:
            os.link(source, target)

    def _place(self, rel: str) -> str:
        """Where ``rel`` (a site path) goes in the next site, its folder made (once: a
        site of 1000 journeys puts 2,900 files in a few folders). A string, not a
        ``Path``: making thousands of them was a third of linking a site's kept files."""
        path = os.path.join(self.folder, *rel.split("/"))
        folder = os.path.dirname(path)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return path

    def publish_as(self, site_dir: Path) -> None:
        """Put the next site in the place of ``site_dir`` in one step."""
        os.chmod(self.folder, 0o755)
        if not site_dir.exists():
            os.rename(self.folder, site_dir)
        else:
            _exchange(self.folder, site_dir)  # the old site is now in the container

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        _delete_marked(self.container)


def _delete_marked(folder: Path) -> None:
    """Delete a staging folder, its mark last: a build killed half-way through deleting
    leaves a folder the next build still knows as its own."""
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.name == STAGING_MARK:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


# --- the manifest ------------------------------------------------------------------------

def _read_manifest(folder: Path) -> dict[str, list] | None:
    """The manifest's entries; None when there is none (or it is not one of ours)."""
    try:
        entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(entries, dict) or not all(
            isinstance(e, list) and len(e) == 3 and isinstance(e[1], list)
            for e in entries.values()):
        return None
    return {rel: e for rel, e in entries.items() if _safe_rel(rel)}


def _manifest_bytes(files: Mapping[str, Made], digests: Mapping[str, str]) -> bytes:
    entries = {rel: [made.key, list(made.reads), digests[rel]] for rel, made in files.items()}
    return json.dumps({"generator": "mapgen", "files": entries}, separators=(",", ":"),
                      sort_keys=True).encode("utf-8")


def _safe_rel(rel: object) -> bool:
    """A manifest names files inside its folder only (a crafted one cannot reach out)."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel:
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


# --- the folder ----------------------------------------------------------------------------

def _files_in(folder: Path) -> Iterator[str]:
    """Every file, link and empty folder under ``folder`` (relative), but the manifest.
    Every build that writes lists the whole output folder, so its entries' types are
    taken from the folder listing, not asked of each file again."""
    waiting = [""]
    while waiting:
        rel = waiting.pop()
        with os.scandir(folder / rel) as entries:
            empty = True
            for entry in entries:
                empty = False
                name = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    waiting.append(name)
                elif name != MANIFEST:
                    yield name
        if empty and rel:
            yield rel


def _made_by_mapgen(folder: Path) -> bool:
    """A folder an earlier mapgen built, before it kept a manifest there."""
    head = _read_bytes(folder / "index.html")[:4096]
    return b'<meta name="generator" content="mapgen ' in head


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _bytes_of(data: object) -> bytes:
    return data() if callable(data) else data  # a preview's file made when asked for


def _staging_prefix(site_dir: Path) -> str:
    return f".{site_dir.name}.mapgen-"


def remove_leftovers(site_dir: Path) -> None:
    """Delete the staging folders of builds that were killed (they hold the mark)."""
    parent = site_dir.parent
    if not parent.is_dir():
        return
    for folder in parent.glob(_staging_prefix(site_dir) + "*"):
        if folder.is_dir() and not folder.is_symlink() and (
                (folder / STAGING_MARK).exists() or not any(folder.iterdir())):
            _delete_marked(folder)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap the folders at ``a`` and ``b`` atomically where the system can (Linux 3.15+);
    elsewhere with two renames, leaving ``b`` missing for an instant."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                     _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(b))
    aside = a.with_name(a.name + "-old")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)
