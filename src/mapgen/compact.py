"""Compact: validated specs kept small in memory, so a workspace of 10,000 journeys fits.

A validated journey is a tree of a few hundred small objects: some 70 kB of Python
dicts, sets and strings for 7 kB of YAML. A build reads each journey a handful of
times (its page, its diagrams, its poster, the listing pages), so it does not need
them all unpacked at once. :class:`Specs` keeps each one packed (pickled by this process
from a model it has just validated, then compressed: about 1.5 kB a journey) and
unpacks it when it is looked up, keeping the last :data:`UNPACKED` looked up as they
are. Packed bytes are made and read within one run of mapgen and never written to disk:
nothing read from a file is ever unpickled (the on-disk cache holds data only, see
:mod:`mapgen.cache`).
"""

from __future__ import annotations

import ctypes
import pickle
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")

#: How many unpacked specs a :class:`Specs` keeps: a workspace up to this size is held
#: unpacked after the first pass over it, as a plain dict would be. Past it, every pass
#: over the workspace unpacks each spec again whatever the room, so it keeps a quarter
#: of that: enough for the journeys whose pages and diagrams are being made together.
UNPACKED = 1024


def give_back() -> None:
    """Hand the memory Python has freed back to the system, where the C library allows it
    (glibc's ``malloc_trim``; elsewhere nothing). Reading a large workspace frees tens of
    megabytes of parsed documents that the allocator would otherwise keep for the rest of
    the run; a build calls this after reading and every few hundred pages."""
    if _trim is not None:
        _trim(0)


#: glibc's mallopt() parameter for the most heaps ("arenas") threads may allocate from.
M_ARENA_MAX = -8


def one_heap() -> None:
    """Have every thread allocate from one heap (glibc; elsewhere nothing). By default
    glibc gives each thread that meets a busy heap one of its own, up to eight per core;
    a build's page and drawing threads then leave freed memory scattered over several
    heaps that :func:`give_back` cannot return whole (a cold build of 2000 journeys:
    188 MB at its peak, 177 MB with one heap, and no slower). Called before threads start."""
    if _mallopt is not None:
        _mallopt(M_ARENA_MAX, 1)


def _libc_function(name: str):
    """The C library's function ``name``, looked up among the symbols this process has
    loaded (``ctypes.util.find_library`` runs ``ldconfig`` twice: 30 ms of every command);
    None where there is none (a C library without it, or Windows)."""
    try:
        return getattr(ctypes.CDLL(None), name, None)
    except (OSError, TypeError):
        return None


_trim = _libc_function("malloc_trim")
_mallopt = _libc_function("mallopt")


def pack(item: object) -> bytes:
    """A validated spec as bytes for :class:`Specs` (made where it was validated: in a
    reading worker, these are the bytes sent back, not the model), or any value kept
    packed a while (what the registers show of a journey, see :meth:`Specs.beside`)."""
    return zlib.compress(pickle.dumps(item, pickle.HIGHEST_PROTOCOL), 1)


def unpack(packed: bytes) -> object:
    """The item :func:`pack` was given: only ever called on bytes this run made."""
    return pickle.loads(zlib.decompress(packed))  # noqa: S301 (our own bytes, never a file's)


class Unpacked:
    """Specs as unpacked, by their packed bytes (so by content): the last ones looked up.
    A live preview keeps one across rebuilds (see :meth:`mapgen.cache.Cache.kept`), so
    after a save only the journey that changed is unpacked again."""

    def __init__(self) -> None:
        self._recent: OrderedDict[bytes, object] = OrderedDict()
        self._lock = threading.Lock()
        #: How many specs the workspace has: the room depends on it (see UNPACKED).
        self.size = 0

    @property
    def room(self) -> int:
        """How many specs are kept unpacked (see :data:`UNPACKED`)."""
        return UNPACKED if self.size <= UNPACKED else UNPACKED // 4

    def __len__(self) -> int:
        return len(self._recent)

    def __call__(self, packed: bytes) -> object:
        with self._lock:
            item = self._recent.get(packed)
            if item is not None:
                self._recent.move_to_end(packed)
                return item
        item = unpack(packed)
        with self._lock:
            self._recent[packed] = item
            while len(self._recent) > self.room:
                self._recent.popitem(last=False)
        return item


def beside(specs: Mapping[str, T], ident: str, part: str,
           make: Callable[[T], dict[str, V]]) -> V:
    """:meth:`Specs.beside` where ``specs`` keep parts beside (a :class:`Specs`, or a
    watched view of one), else part ``part`` of what ``make`` makes now."""
    keeping = getattr(specs, "beside", None)
    return keeping(ident, part, make) if keeping is not None else make(specs[ident])[part]


class Specs(Mapping[str, T], Generic[T]):
    """Specs by id, in the order added, each kept packed and unpacked when looked up.

    A read-only mapping once built, as a validated workspace is immutable. Safe to read
    from several threads (diagrams are drawn beside page rendering).
    """

    def __init__(self, unpacked: Unpacked | None = None) -> None:
        self._packed: dict[str, bytes | Callable[[], bytes]] = {}
        self._unpacked = unpacked if unpacked is not None else Unpacked()
        self._summaries: dict[str, object] = {}
        self._beside: dict[str, dict[str, object]] = {}
        self._lock = threading.Lock()

    def add(self, ident: str, packed: bytes | Callable[[], bytes],
            summary: object = None) -> None:
        """Add a spec, packed; or a function that packs it, for a spec not validated yet
        (one read back from the cache, see :class:`mapgen.workspace.SpecFile`): called
        when the spec is first looked up, so a build that looks up one journey of 1000
        validates one."""
        self._packed[ident] = packed
        if summary is not None:
            self._summaries[ident] = summary
        self._unpacked.size = len(self._packed)

    @property
    def summaries(self) -> Mapping[str, object] | None:
        """What a look across all the specs needs of each, kept unpacked, by id (a
        journey's :class:`~mapgen.model.JourneySummary`), so such a look unpacks none;
        None unless every spec was added with one."""
        return self._summaries if len(self._summaries) == len(self._packed) else None

    def beside(self, ident: str, part: str, make: Callable[[T], dict[str, V]]) -> V:
        """Part ``part`` of what ``make`` makes of the spec (plain data, not bytes: what
        each register shows of a journey, see :class:`mapgen.site.listings.Rows`), made
        when a part is first asked for and kept beside the spec, so that those who ask
        after do not unpack the spec again. Kept as made while the specs are few enough to be kept
        unpacked themselves (:data:`UNPACKED`), else packed, each part on its own. One
        ``make`` per spec: whoever asks first makes the parts for all."""
        with self._lock:
            parts = self._beside.get(ident)
        if parts is None:
            made = make(self[ident])
            if len(self._packed) > UNPACKED:
                made = {name: pack(value) for name, value in made.items()}
            with self._lock:
                parts = self._beside.setdefault(ident, made)
        value = parts[part]
        return unpack(value) if isinstance(value, bytes) else value

    def __getitem__(self, ident: str) -> T:
        packed = self._packed[ident]  # KeyError for an unknown id
        if not isinstance(packed, bytes):
            with self._lock:  # validated once, by the first thread to look it up
                packed = self._packed[ident]
                if not isinstance(packed, bytes):
                    packed = self._packed[ident] = packed()
        return self._unpacked(packed)

    def __contains__(self, ident: object) -> bool:
        return ident in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __repr__(self) -> str:
        return f"<Specs: {len(self)}>"
