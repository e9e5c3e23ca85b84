"""Cache: the one layer that remembers what mapgen made, so that nothing is made twice.

Everything mapgen reuses between stages, rebuilds and runs goes through a :class:`Cache`,
by one interface: :meth:`Cache.get_or_make` ``(kind, name, key, make)`` gives what
``make()`` gave the last time it ran for that name with the same key, else runs it.

=========  ===============================================  ================================
kind       what                                             key
=========  ===============================================  ================================
spec       a spec file parsed: its document and findings    its bytes, name and mapgen's code
checks     one journey's rule findings                      its bytes, the config, personas
layout     a graph laid out by the engine                   DOT, engine, version, format
diagram    a page-ready diagram                             traced: what it read (see below)
=========  ===============================================  ================================

Keys come in two sorts:

* **given**: the caller names everything the value is made from (a file's bytes, a DOT
  source), as a :func:`digest`.
* **traced**: the value is made from the workspace, and the layer records what it read.
  :func:`watched` gives a view of the workspace that notes every journey and persona
  looked up (and every listing of them) in a :class:`Reads`; the entry keeps those names,
  and :class:`Sources` turns them into a key. The entry is valid while each part it read
  is unchanged, so no call site declares what it depends on, and nothing can read a part
  of the workspace that its key does not cover. Pages use the same records, kept in the
  output folder's manifest (:mod:`mapgen.site.output`) or, for a live preview, in memory.

Every key also covers mapgen's own code and the config: changing either makes everything
again. Where values live:

* in memory, for the life of the :class:`Cache` (a live preview keeps one across saves);
* on disk, in ``.mapgen-cache/cache.sqlite`` of the workspace: one SQLite table of rows
  (kind, name, key, reads, checksum, value). Values are data only (bytes, text, JSON):
  nothing read from the cache is ever unpickled or evaluated. A file that is not a
  database of this format version is moved aside and a new one started; a row whose
  checksum does not match is a miss; a cache that cannot be written is left alone.
  Deleting the folder only makes the next build a cold one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mapgen import compact

if TYPE_CHECKING:
    from mapgen.model import Workspace

CACHE_DIR = ".mapgen-cache"
DATABASE = "cache.sqlite"
#: The on-disk format; a database of another version is started anew. (2: checksums of
#: the value as stored, compressed or not, so a damaged row is told before decompressing;
#: 3: the checksum taken over the reads as stored, and keys that leave out the name;
#: 4: a listing's pieces taken from the page as last made, not kept one row each.)
FORMAT = 4
#: Values longer than this are stored compressed (SVG and JSON shrink five to ten times).
COMPRESS_FROM = 2048
#: Bytes of rows kept in memory before they are moved to a temporary database until the
#: save (a cold build of 10,000 journeys stores some 400 MB of them, compressed).
SPILL_FROM = 16 * 1024 * 1024
#: Rows kept in memory at most before that move, however small: a listing page's pieces
#: are tens of thousands of small rows, whose strings freed after the move would leave
#: memory in pieces the allocator cannot hand back.
SPILL_ROWS = 1024
#: What a pending row holds besides its value (its name, key, reads and checksum as
#: Python strings, and the tuples): counted too, since a listing's pieces are small rows.
ROW_SIZE = 512
#: Seconds to wait for another mapgen saving to the same cache before doing without it.
BUSY_WAIT = 10

T = TypeVar("T")


def digest(*parts: str | bytes) -> str:
    """A sha256 hex digest of ``parts``, each one kept apart from the next."""
    hasher = hashlib.sha256()
    text: list[str] = []  # a run of text parts is hashed as one buffer: keys have a dozen
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        _hash_text(hasher, text)
        hasher.update(part)  # bytes (a row's value) are never copied
        hasher.update(b"\0")
    _hash_text(hasher, text)
    return hasher.hexdigest()


def _hash_text(hasher: Any, text: list[str]) -> None:
    """Hash the text parts collected, each followed by a zero byte, and forget them."""
    if text:
        text.append("")
        hasher.update("\0".join(text).encode("utf-8"))
        text.clear()


def file_digest(path: Path) -> str:
    """:func:`digest` of a file's bytes, read a megabyte at a time (a listing page of
    10,000 journeys is tens of megabytes)."""
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            hasher.update(chunk)
    hasher.update(b"\0")
    return hasher.hexdigest()


def file_stat(path: str | Path) -> list[int]:
    """What changes when a file is written, renamed over or touched: its size, inode,
    and modification and change times (the change time cannot be set back)."""
    st = os.stat(path)
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


@functools.cache
def code_fingerprint() -> str:
    """A digest of mapgen's own code (and the interface text it ships): cached results
    never outlive the code that made them."""
    package = Path(__file__).resolve().parent
    files = sorted([*package.rglob("*.py"), *package.glob("messages/*.json")])
    return digest(*(part for path in files
                    for part in (path.relative_to(package).as_posix(), path.read_bytes())))


def pure(maxsize: int = 16384) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Memoise a pure function of plain, immutable values (text in, text out), such as
    wrapping a label or measuring a string: nothing it depends on can change, so it
    needs no key and can never go stale. Anything made from the workspace goes through
    a :class:`Cache` instead."""
    return functools.lru_cache(maxsize=maxsize)


# --- codecs: how a value becomes bytes, and back ---------------------------------------

@dataclasses.dataclass(frozen=True)
class Codec:
    """How values of one kind are stored; ``decode`` raises ValueError on damaged data."""

    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]
    #: The encoded bytes are compressed already: stored as they are, not again.
    compressed: bool = False


BYTES = Codec(bytes, bytes)
TEXT = Codec(lambda text: text.encode("utf-8"), lambda data: data.decode("utf-8"))
JSON = Codec(lambda value: json.dumps(value, separators=(",", ":"),
                                      ensure_ascii=False).encode("utf-8"),  # inf, nan too
             lambda data: json.loads(data.decode("utf-8")))


# --- the cache ---------------------------------------------------------------------------

@dataclasses.dataclass
class Stats:
    """What a run found and made, by kind: tests assert on these, never on a timer."""

    hits: dict[str, int] = dataclasses.field(default_factory=dict)
    misses: dict[str, int] = dataclasses.field(default_factory=dict)

    def count(self, kind: str, hit: bool, times: int = 1) -> None:
        table = self.hits if hit else self.misses
        table[kind] = table.get(kind, 0) + times


class Cache:
    """Values by (kind, name), valid for one key; in memory, and on disk when given a folder.

    Safe to use from several threads. Writes are kept until :meth:`save`, which puts them
    on disk in one transaction.
    """

    def __init__(self, folder: Path | None = None, *,
                 memory: bool | Collection[str] = False):
        """``folder`` is the cache folder (None: nothing on disk); ``memory`` keeps the
        values made or read for the life of this object (a live preview): every kind's
        (True), or those of the kinds named (the others are read from disk again)."""
        self.store = _Store(folder / DATABASE if folder is not None else None)
        self._in_memory = memory
        self._memory: dict[tuple[str, str], tuple[str, tuple[str, ...], Any]] = {}
        self._lock = threading.RLock()
        self.stats = Stats()

    # given keys ---------------------------------------------------------------------

    def get_or_make(self, kind: str, name: str, key: str, make: Callable[[], T],
                    codec: Codec = BYTES) -> T:
        """What ``make()`` gave for ``name`` from the same ``key``; made now if unknown."""
        found = self.get(kind, name, key, codec)
        if found is not None:
            return found
        value = make()
        self.put(kind, name, key, value, codec)
        return value

    def get(self, kind: str, name: str, key: str, codec: Codec = BYTES) -> Any:
        """The value kept for ``name`` from ``key``, or None."""
        found = self._lookup(kind, name, codec, lambda known, _reads: known == key)
        self.stats.count(kind, found is not None)
        return found[1] if found is not None else None

    def get_many(self, kind: str, keys: Mapping[str, str],
                 codec: Codec | Callable[[str], Codec] = BYTES) -> dict[str, Any]:
        """:meth:`get` of each name of ``keys`` (name -> key), from one read of the disk
        (a workspace's thousand spec files, say): the names found, with their values.
        ``codec`` may be given by name."""
        found: dict[str, Any] = {}
        with self._lock:
            for name, key in keys.items():
                known = self._memory.get((kind, name))
                if known is not None and known[0] == key:
                    found[name] = known[2]
            wanted = {name: key for name, key in keys.items() if name not in found}
            for name, key, reads, data in self.store.rows(
                    kind, wanted, lambda name, key: wanted[name] == key):
                try:
                    found[name] = value = (codec if isinstance(codec, Codec)
                                           else codec(name)).decode(data)
                except (ValueError, TypeError, KeyError, IndexError):
                    continue  # damaged, or written by another version: a miss
                if self.keeps(kind):
                    self._memory[(kind, name)] = (key, reads, value)
        for name in keys:
            self.stats.count(kind, name in found)
        return found

    def put(self, kind: str, name: str, key: str, value: Any, codec: Codec = BYTES,
            reads: tuple[str, ...] = ()) -> None:
        with self._lock:
            if self.keeps(kind):
                self._memory[(kind, name)] = (key, reads, value)
            self.store.put(kind, name, key, reads, codec.encode(value), codec.compressed)

    # traced keys ---------------------------------------------------------------------

    def recall(self, kind: str, name: str, sources: Sources,
               codec: Codec = BYTES) -> tuple[tuple[str, ...], Any] | None:
        """(what it read, the value) kept for ``name`` while each part it read is unchanged."""
        found = self._lookup(kind, name, codec,
                             lambda key, reads: key == sources.key(reads))
        self.stats.count(kind, found is not None)
        return found

    def remember(self, kind: str, name: str, reads: Reads, sources: Sources, value: Any,
                 codec: Codec = BYTES) -> None:
        """Keep ``value`` for ``name`` with what it read (see :func:`watched`)."""
        parts = reads.parts()
        self.put(kind, name, sources.key(parts), value, codec, parts)

    # both -----------------------------------------------------------------------------

    def _lookup(self, kind: str, name: str, codec: Codec,
                valid: Callable[[str, tuple[str, ...]], bool]):
        with self._lock:
            known = self._memory.get((kind, name))
            if known is not None and valid(known[0], known[1]):
                return known[1], known[2]
            row = self.store.get(kind, name)
            if row is None or not valid(row[0], row[1]):
                return None
            try:
                value = codec.decode(row[2])
            except (ValueError, TypeError, KeyError, IndexError):
                return None  # damaged, or written by another version: a miss
            if self.keeps(kind):
                self._memory[(kind, name)] = (row[0], row[1], value)
            return row[1], value

    def kept(self, kind: str, key: str, make: Callable[[], T]) -> T:
        """A live object (a template environment, say) made once per key and kept in
        memory only: for values that are code, not data, and so never go to disk."""
        with self._lock:
            known = self._memory.get((kind, ""))
            if known is not None and known[0] == key:
                return known[2]
        value = make()
        if self.keeps(kind):
            with self._lock:
                self._memory[(kind, "")] = (key, (), value)
        return value

    def twin(self) -> Cache:
        """A cache of the same folder with a connection of its own: for a value made in
        another process (a forked one must not use this one's), or in another thread."""
        return Cache(self.store.file.parent if self.store.file is not None else None)

    def keeps(self, kind: str) -> bool:
        """True when values of ``kind`` are kept in memory between runs."""
        return self._in_memory is True or (bool(self._in_memory) and kind in self._in_memory)

    def forget(self, kind: str, name: str) -> None:
        """Let go of a value held in memory (it stays on disk)."""
        with self._lock:
            self._memory.pop((kind, name), None)

    def save(self, in_use: Mapping[str, Iterable[str] | Container[str]] | None = None,
             latest: Mapping[str, int] | None = None) -> None:
        """Write what was made to disk. With ``in_use`` (kind -> the names to keep, listed
        or told by ``in``), drop the other entries of those kinds, so the cache holds one
        build's worth; with ``latest`` (kind -> count), keep only that many of the entries
        written last."""
        with self._lock:
            self.store.save(in_use, latest)


class _Store:
    """The SQLite file behind a :class:`Cache`: rows of data, written in one transaction."""

    def __init__(self, file: Path | None):
        self.file = file
        self._db: sqlite3.Connection | None = None
        self._busy = False
        self._pending: dict[tuple[str, str], tuple] = {}
        self._pending_bytes = 0
        #: Rows moved out of memory before :meth:`save`, into a private temporary database
        #: (see :meth:`_spill`); the cache's own file is not touched until the save.
        self._spilled: sqlite3.Connection | None = None
        self._usable = file is not None
        #: The last value put and how it is stored: a finished graph is kept twice, by
        #: what it read and by what it was drawn from, and compressed once.
        self._last: tuple[bytes, bytes] | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and self._usable:
            self._db = self._open()
            if self._db is None and not self._busy:
                self._db = self._open(start_again=True)
            self._usable = self._db is not None
        return self._db

    def _open(self, start_again: bool = False) -> sqlite3.Connection | None:
        assert self.file is not None
        try:
            if start_again:
                _set_aside(self.file)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.file, check_same_thread=False, timeout=BUSY_WAIT)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, FORMAT):
                db.close()
                return None
            db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT, name TEXT, key TEXT, "
                       "reads TEXT, checksum TEXT, value BLOB, PRIMARY KEY (kind, name))")
            db.execute(f"PRAGMA user_version = {FORMAT}")
            db.commit()
            return db
        except sqlite3.OperationalError as exc:
            # another mapgen writing to it for longer than the timeout: this run does
            # without the cache, and a database that is only busy is never set aside
            self._busy = "locked" in str(exc) or "busy" in str(exc)
            return None
        except (sqlite3.Error, OSError):
            return None  # not a database of ours: start again, or do without

    def get(self, kind: str, name: str) -> tuple[str, tuple[str, ...], bytes] | None:
        row = self._pending.get((kind, name)) or self._spilled_row(kind, name) or \
            self._stored_row(kind, name)
        return _checked(kind, name, *row) if row is not None else None

    def rows(self, kind: str, names: Collection[str] | None = None,
             wanted: Callable[[str, str], bool] = lambda name, key: True
             ) -> Iterator[tuple[str, str, tuple[str, ...], bytes]]:
        """(name, key, reads, value) of every whole row of ``kind`` (of ``names`` when
        given) that ``wanted(name, key)`` (asked first: only the rows wanted are checked):
        put since the last save, or on disk. Rows on disk are read one at a time, so
        memory never holds them all (10,000 spec files are some 60 MB)."""
        seen: set[str] = set()
        for (row_kind, name), row in list(self._pending.items()):
            if row_kind == kind and (names is None or name in names):
                seen.add(name)
                if wanted(name, row[0]):
                    yield from _named(kind, name, row)
        for db in (self._spilled, self._connect()):
            try:
                for name, *row in _selected(db, kind, names) if db is not None else ():
                    if name not in seen:
                        seen.add(name)
                        if wanted(name, row[0]):
                            yield from _named(kind, name, row)
            except sqlite3.Error:
                continue

    def _spilled_row(self, kind: str, name: str) -> tuple | None:
        if self._spilled is None:  # asked, not remembered: a build spills 100,000s of rows
            return None
        return self._spilled.execute(_ROW, (kind, name)).fetchone()

    def _stored_row(self, kind: str, name: str) -> tuple | None:
        """The row on disk, read when asked for: memory never holds the whole database
        (10,000 journeys' layouts are some 100 MB compressed)."""
        db = self._connect()
        try:
            return db.execute(_ROW, (kind, name)).fetchone() if db else None
        except sqlite3.Error:
            return None

    def put(self, kind: str, name: str, key: str, reads: tuple[str, ...], data: bytes,
            compressed: bool = False) -> None:
        if self._usable:  # kept as the row it will be: compressed, so memory holds little
            if self._last is None or self._last[0] is not data:
                self._last = (data, b"=" + data if compressed else _stored(data))
            self._pending[(kind, name)] = _row(kind, name, key, reads, self._last[1])
            self._pending_bytes += len(self._last[1]) + ROW_SIZE
            if self._pending_bytes >= SPILL_FROM or len(self._pending) >= SPILL_ROWS:
                self._spill()

    def _spill(self) -> None:
        """Move the pending rows out of memory into a private temporary database: SQLite
        keeps a few megabytes of its pages in memory and the rest in a file that it deletes
        when closed. :meth:`save` copies them into the cache's file; a run that stops
        before saving never touches it, and never holds it locked meanwhile."""
        if self._spilled is None:
            self._spilled = sqlite3.connect("", check_same_thread=False)
            self._spilled.execute("CREATE TABLE entries (kind TEXT, name TEXT, key TEXT, "
                                  "reads TEXT, checksum TEXT, value BLOB, "
                                  "PRIMARY KEY (kind, name))")
        self._spilled.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                                  _as_rows(self._pending))
        self._pending.clear()
        self._pending_bytes = 0

    def save(self, in_use: Mapping[str, Iterable[str] | Container[str]] | None,
             latest: Mapping[str, int] | None) -> None:
        db = self._connect()
        if db is None or not (self._pending or self._spilled is not None or in_use or latest):
            return
        insert = "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)"
        try:
            with db:
                if self._spilled is not None:  # first: they were put first
                    db.executemany(insert, self._spilled.execute(
                        "SELECT * FROM entries ORDER BY rowid"))
                db.executemany(insert, _as_rows(self._pending))
                for kind, names in (in_use or {}).items():
                    _drop_others(db, kind, set(names) if isinstance(names, Iterable)
                                 else names)
                for kind, count in (latest or {}).items():
                    db.execute("DELETE FROM entries WHERE kind = ? AND rowid NOT IN (SELECT "
                               "rowid FROM entries WHERE kind = ? ORDER BY rowid DESC "
                               "LIMIT ?)", (kind, kind, count))
        except sqlite3.Error:
            return  # a full disk or a locked file: the cache is only an optimisation
        self._pending.clear()
        self._pending_bytes = 0
        if self._spilled is not None:
            self._spilled.close()
        self._spilled = None


_ROW = "SELECT key, reads, checksum, value FROM entries WHERE kind = ? AND name = ?"
#: Names asked for in one query (SQLite takes up to 32,766 parameters).
NAMES_PER_QUERY = 500


def _selected(db: sqlite3.Connection, kind: str,
              names: Collection[str] | None) -> Iterator[tuple]:
    """(name, key, reads, checksum, value) of the rows of ``kind`` (of ``names``)."""
    query = "SELECT name, key, reads, checksum, value FROM entries WHERE kind = ?"
    if names is None:
        yield from db.execute(query, (kind,))
        return
    names = list(names)
    for start in range(0, len(names), NAMES_PER_QUERY):
        batch = names[start:start + NAMES_PER_QUERY]
        yield from db.execute(f"{query} AND name IN ({', '.join('?' * len(batch))})",
                              (kind, *batch))


def _as_rows(pending: Mapping[tuple[str, str], tuple]) -> list[tuple]:
    return [(kind, name, *row) for (kind, name), row in pending.items()]


def _stored(data: bytes) -> bytes:
    """A value as a row holds it: compressed from :data:`COMPRESS_FROM` bytes."""
    return b"z" + zlib.compress(data, 1) if len(data) >= COMPRESS_FROM else b"=" + data


def _row(kind: str, name: str, key: str, reads: tuple[str, ...], stored: bytes) -> tuple:
    """(key, reads, checksum, stored value) of a row; the checksum covers them all."""
    text = "\n".join(reads)
    return (key, text, _checksum(kind, name, key, text, stored), stored)


def _checksum(kind: str, name: str, key: str, reads: str, stored: bytes) -> str:
    """The checksum of a row as stored: one pass over its text, then its value (a page's
    pieces are thousands of rows, each checked when read)."""
    hasher = hashlib.sha256(f"{kind}\0{name}\0{key}\0{reads}\0".encode("utf-8"))
    hasher.update(stored)
    return hasher.hexdigest()


def _checked(kind: str, name: str, key: Any, reads: Any, checksum: Any,
             stored: Any) -> tuple[str, tuple[str, ...], bytes] | None:
    """A row's (key, reads, value) when it is whole and as written, else None."""
    if not (isinstance(key, str) and isinstance(reads, str) and isinstance(stored, bytes)):
        return None
    if checksum != _checksum(kind, name, key, reads, stored):
        return None
    parts = tuple(reads.split("\n")) if reads else ()
    try:
        data = zlib.decompress(stored[1:]) if stored[:1] == b"z" else stored[1:]
    except zlib.error:
        return None
    return key, parts, data


def _named(kind: str, name: str, row) -> Iterator[tuple[str, str, tuple[str, ...], bytes]]:
    checked = _checked(kind, name, *row)
    if checked is not None:
        yield (name, *checked)


def _drop_others(db: sqlite3.Connection, kind: str, names: Container[str]) -> None:
    stored = [row[0] for row in db.execute("SELECT name FROM entries WHERE kind = ?", (kind,))]
    db.executemany("DELETE FROM entries WHERE kind = ? AND name = ?",
                   [(kind, name) for name in stored if name not in names])


def _set_aside(file: Path) -> None:
    """Move a file that is not a cache database of ours out of the way (never read it)."""
    for path in (file, file.with_name(file.name + "-journal"), file.with_name(file.name + "-wal")):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


# --- what a value read from the workspace: reads, sources, the watched workspace ------

#: What a workspace holds by id, as parts are named: ``journey:<id>``, ``journeys``...
ITEM_KINDS = ("journey", "persona", "page")
#: The part read by asking which journeys a persona takes: ``journeys-of:<persona id>``
#: (``Workspace.journeys_of``).
JOURNEYS_OF = "journeys-of"


class Reads:
    """The parts of a workspace one value was made from, as :class:`Sources` names them:
    ``journey:<id>``, ``persona:<id>``, ``page:<id>`` (a Markdown page), ``journeys``,
    ``personas`` and ``pages`` (the whole list, as when iterated or counted),
    ``journeys-of:<id>`` (the journeys a persona takes), and ``theme``, ``site_url``,
    ``engine``, ``nav``."""

    def __init__(self, parts: Iterable[str] = ()):
        self._parts = set(parts)
        #: Other records that note what this one notes, for now (see :meth:`also`).
        self._also: list[Reads] = []

    def add(self, part: str) -> None:
        self._parts.add(part)
        for other in self._also:
            other.add(part)

    def update(self, parts: Iterable[str]) -> None:
        if not self._also:  # as for every piece of a listing taken as kept
            self._parts.update(parts)
            return
        for part in parts:
            self.add(part)

    @contextlib.contextmanager
    def also(self, other: Reads) -> Iterator[Reads]:
        """Note in ``other`` too what is read meanwhile: a part of a value made from a
        part of what the whole read (a piece of a page, see :mod:`mapgen.site.pieces`)."""
        self._also.append(other)
        try:
            yield other
        finally:
            self._also.remove(other)

    def parts(self) -> tuple[str, ...]:
        """The parts, sorted; ``journey:x`` left out where all ``journeys`` were read."""
        whole = {kind for kind in ITEM_KINDS if f"{kind}s" in self._parts}
        return tuple(sorted(p for p in self._parts if p.partition(":")[0] not in whole))


class Sources:
    """What each part of a workspace is, as a digest: the keys of traced values.

    A journey or persona is named by the digest of the file it was read from (of its
    model when it was not read from a file); a list of them by their ids and digests in
    order. ``extra`` names the parts that are not in the workspace: the theme, the site
    URL, the layout engine.
    """

    def __init__(self, ws: Workspace, extra: Mapping[str, str] | None = None):
        self.ws = ws
        self.base = digest(code_fingerprint(), self._item_digest("config"))
        self._known: dict[str, str] = dict(extra or {})
        #: The key of each set of parts read: a journey's rows on a listing page (its
        #: pieces) read the same few parts (see :meth:`key`).
        self._keys: dict[tuple[str, ...], str] = {}

    def key(self, parts: Iterable[str]) -> str:
        """The key of a value made from ``parts`` (code and config always included). A
        value's name is not in it: a key is only compared with the one kept under the
        same name."""
        parts = tuple(parts)
        key = self._keys.get(parts)
        if key is None:
            key = self._keys[parts] = digest(
                self.base, *(f"{part}={self.fingerprint(part)}" for part in parts))
        return key

    def fingerprint(self, part: str) -> str:
        known = self._known.get(part)
        if known is None:
            known = self._known[part] = self._fingerprint(part)
        return known

    def _fingerprint(self, part: str) -> str:
        kind, _, ident = part.partition(":")
        if kind.removesuffix("s") in ITEM_KINDS and kind.endswith("s") and not ident:
            items = getattr(self.ws, kind)
            return digest(*(f"{i}={self._item_digest(f'{kind}/{i}')}" for i in items))
        if kind in ITEM_KINDS:
            return self._item_digest(f"{kind}s/{ident}")
        if kind == JOURNEYS_OF:
            return digest(*self.ws.journeys_of(ident))
        return "unknown"  # a part this workspace does not have: never equal to a real one

    def _item_digest(self, name: str) -> str:
        known = self.ws.digests.get(name)
        if known:
            return known
        if name == "config":
            return digest(_canonical(self.ws.config.model_dump(mode="json")))
        kind, _, ident = name.partition("/")
        item = getattr(self.ws, kind).get(ident)
        if item is None:
            return "missing"
        return digest(_canonical(item.model_dump(mode="json") if hasattr(item, "model_dump")
                                 else dataclasses.asdict(item)))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


#: Journeys whose parts :meth:`JourneyParts.each` looks up in one read: memory holds that
#: many parts at most (a part is a kB or so).
LOOKED_UP_AT_ONCE = 1024


@dataclasses.dataclass(frozen=True)
class JourneyParts:
    """Values made from one journey each (its entries of the search index, its part of
    journeys.json), kept in ``cache`` under the journey's id (kind ``kind``) while that
    journey is unchanged. A file made from every journey is put together from them, so
    after a one-journey change it makes one part and unpacks no other journey."""

    cache: Cache
    sources: Sources
    kind: str
    codec: Codec = BYTES
    #: False: every part made again (and kept), as ``build --clean`` asks.
    reuse: bool = True

    def each(self, ws: Workspace, make: Callable[[Any], T]) -> Iterator[T]:
        """``make(journey)`` of every journey of ``ws``, in order: kept (looked up
        :data:`LOOKED_UP_AT_ONCE` at a time), or made now and kept (saved once all are
        given: another process may be the one making them)."""
        ids = list(ws.journeys)
        for start in range(0, len(ids), LOOKED_UP_AT_ONCE):
            batch = ids[start:start + LOOKED_UP_AT_ONCE]
            kept = self.cache.get_many(self.kind, {i: self.key(i) for i in batch},
                                       self.codec) if self.reuse else {}
            for journey_id in batch:
                if journey_id in kept:
                    yield kept.pop(journey_id)
                else:
                    yield self._made(ws, journey_id, make)
        self.cache.save()

    def one(self, ws: Workspace, journey_id: str, make: Callable[[Any], T]) -> T:
        """``make(journey)`` of one journey: kept, or made now and kept (not saved yet)."""
        found = self.cache.recall(self.kind, journey_id, self.sources, self.codec) \
            if self.reuse else None
        if found is not None:
            return found[1]
        return self._made(ws, journey_id, make)

    def _made(self, ws: Workspace, journey_id: str, make: Callable[[Any], T]) -> T:
        value = make(ws.journeys[journey_id])
        self.cache.remember(self.kind, journey_id, Reads((self.part(journey_id),)),
                            self.sources, value, self.codec)
        return value

    def key(self, journey_id: str) -> str:
        """The key the part of ``journey_id`` is kept under while it is as it is now."""
        return self.sources.key((self.part(journey_id),))

    @staticmethod
    def part(journey_id: str) -> str:
        """What a value made from one journey read (see :class:`Reads`)."""
        return f"journey:{journey_id}"


class _Watched(Mapping[str, T]):
    """A workspace's journeys or personas (or files), noting in ``reads`` what is read."""

    def __init__(self, items: Mapping[str, T], part: Callable[[str], str], whole: str,
                 reads: Reads):
        self._items, self._part, self._whole, self._reads = items, part, whole, reads

    def __getitem__(self, key: str) -> T:
        self._reads.add(self._part(key))
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        self._reads.add(self._whole)
        return iter(self._items)

    def __len__(self) -> int:
        self._reads.add(self._whole)
        return len(self._items)


class _WatchedJourneys(_Watched):
    """A workspace's journeys, noting what is read, and the looks across them that note
    less than every journey."""

    def __init__(self, ws: Workspace, reads: Reads):
        super().__init__(ws.journeys, "journey:".__add__, "journeys", reads)
        self._ws = ws

    @property
    def summaries(self) -> Mapping[str, Any] | None:
        """The journeys' summaries, when kept beside them, watched as the journeys are:
        a summary looked up is its journey read (see ``Workspace.summaries``)."""
        kept = getattr(self._items, "summaries", None)
        return None if kept is None else _Watched(kept, self._part, self._whole, self._reads)

    def beside(self, journey_id: str, part: str, make: Callable[[Any], dict[str, T]]) -> T:
        """``Specs.beside`` (made and kept beside the journey), noted as the journey read."""
        self._reads.add(self._part(journey_id))
        return compact.beside(self._items, journey_id, part, make)

    def journeys_of(self, persona_id: str) -> list[str]:
        """``Workspace.journeys_of``, noted as the one part ``journeys-of:<persona id>``."""
        self._reads.add(f"{JOURNEYS_OF}:{persona_id}")
        return self._ws.journeys_of(persona_id)


def watched(ws: Workspace, reads: Reads) -> Workspace:
    """``ws`` as seen by one value being made: every journey and persona it looks up, and
    every listing of them, is noted in ``reads``. The config is part of every key."""
    def file_part(name: str) -> str:
        kind, _, ident = name.partition("/")
        return f"{kind.rstrip('s')}:{ident}"

    return dataclasses.replace(
        ws,
        journeys=_WatchedJourneys(ws, reads),
        personas=_Watched(ws.personas, "persona:".__add__, "personas", reads),
        pages=_Watched(ws.pages, "page:".__add__, "pages", reads),
        files=_Watched(ws.files, file_part, "journeys", reads),
        digests={})


# --- YAML data as JSON ------------------------------------------------------------------

#: The key of a JSON object standing for a mapping whose keys are not all text.
_MAP = "\u0000map"
#: The key of a JSON object standing for a number kept with its text (``2026.10``).
_NUMBER = "\u0000number"


def to_data(value: Any) -> Any:
    """YAML data as JSON data. JSON says all of it (floats that are not finite too, with
    ``allow_nan``) but mappings whose keys are not text (``1:``, ``true:``, ``null:``),
    which become ``{"\\u0000map": [[key, value], ...]}``, and numbers written otherwise
    than Python writes them (:func:`mapgen.load.as_written`), which become
    ``{"\\u0000number": [number, text]}``."""
    if isinstance(value, dict):
        if _MAP not in value and all(type(k) is str for k in value):
            return {k: to_data(v) for k, v in value.items()}
        return {_MAP: [[k, to_data(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [to_data(v) for v in value]
    if isinstance(value, (int, float)) and type(value) not in (int, float, bool):
        return {_NUMBER: [value, str(value)]}
    return value


def _restore(obj: dict) -> Any:
    """The inverse of :func:`to_data`, object by object, as :func:`json.loads` reads."""
    if _MAP in obj:
        return {k: v for k, v in obj[_MAP]}
    if _NUMBER in obj:
        from mapgen.load import as_written
        return as_written(*obj[_NUMBER])
    return obj


#: YAML data kept as JSON text (see :func:`to_data`).
DATA = Codec(lambda value: json.dumps(to_data(value), separators=(",", ":"),
                                      ensure_ascii=False).encode("utf-8"),
             lambda data: json.loads(data.decode("utf-8") if isinstance(data, bytes) else data,
                                     object_hook=_restore))
