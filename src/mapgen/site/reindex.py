"""Reindex: the search index after a change to a few journeys, made from the last one.

Made whole, the index reads every journey's part (see :mod:`mapgen.site.search`) and
writes every file: at 1000 journeys, 1000 parts unpacked and 873 files written, a third
of a second of CPU on the longest path of a one-journey change. Yet renaming a step
changes the entries of one journey and the lists of the few terms it had or has; every
other entry keeps its number, so every other file keeps its bytes.

So each index is recorded with what it was made from (:class:`Layout`, kept in the
cache): the parts in order, each with its key and its number of entries, and the digest
of each file. The next index is updated from the last one when only a few journeys'
parts changed and each still has as many entries: the term files of the terms those
journeys had or have are read back, their lists lose the journeys' old numbers and gain
the new ones, and the blocks holding their entries are rewritten; every other file is
linked from the output folder as it is (:class:`~mapgen.site.output.Published`, never
read or hashed again), when the last build's record says it still has the recorded
bytes. Anything else (a journey added, removed, moved or with more entries, a persona or
a page changed, a file of the index edited or missing) makes the index whole. Either
way the bytes are the same: the tests compare the two.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mapgen.cache import JSON, JourneyParts, Reads, code_fingerprint, digest
from mapgen.model import Workspace
from mapgen.site import numbers, search
from mapgen.site.output import Published

log = logging.getLogger(__name__)

#: The cache kind, and name, of the layout of the last index made.
KIND = "search-layout"
NAME = "index"
#: Beyond this many changed journeys the index is made whole: each one rewrites a few
#: dozen term files, and past that most of them.
MOST_CHANGED = 16



class Previous(Protocol):
    """The output folder's files as the last build wrote them (a build's
    :class:`~mapgen.site.output.Staging`)."""

    #: Site path -> the digest of the file there, as the last build wrote it.
    published: Mapping[str, str]

    def published_file(self, rel: str, expected: str) -> bytes | None:
        """The file's bytes while it has those of digest ``expected``, else None."""


@dataclass(frozen=True)
class Layout:
    """What an index was made from: its parts in order, as (name, key, entries), and the
    digest of each of its files."""

    parts: tuple[tuple[str, str, int], ...]
    files: dict[str, str]

    def as_data(self) -> dict[str, Any]:
        return {"parts": [list(part) for part in self.parts], "files": self.files}

    @classmethod
    def from_data(cls, data: Any) -> Layout | None:
        try:
            parts = tuple((str(n), str(k), int(c)) for n, k, c in data["parts"])
            files = {str(rel): str(value) for rel, value in data["files"].items()}
        except (TypeError, ValueError, KeyError, AttributeError):
            return None  # written by another version, or damaged: made whole
        return cls(parts, files)


def index_files(ws: Workspace, parts: JourneyParts,
                previous: Previous | None = None) -> dict[str, bytes | Published]:
    """Every file of the index of ``ws``: updated from the last index where it can be
    (see the module's text), else made whole; its layout kept for the next one."""
    head, tail = search.persona_part(ws), search.page_part(ws)
    keys = [("personas", digest(_encoded(head))),
            *((journey_id, parts.key(journey_id)) for journey_id in ws.journeys),
            ("pages", digest(_encoded(tail)))]
    version = code_fingerprint()
    last = updated = None
    if previous is not None and parts.reuse:
        last = Layout.from_data(parts.cache.get(KIND, NAME, version, JSON))
        updated = _updated(ws, parts, keys, last, previous) if last else None
    if last is not None and updated is not None:
        files, digests = updated
        counts = [count for _, _, count in last.parts]
        log.debug("search index: updated from the last one, %d of %d files made again",
                  sum(digests[rel] != last.files[rel] for rel in files), len(files))
    else:
        files, counts = search.made_whole(ws, head, tail, parts)
        digests = None
        log.debug("search index: made whole, %d files", len(files))
    if previous is not None:  # else (a live preview) there is no last index to update
        layout = Layout(tuple((name, key, count) for (name, key), count
                              in zip(keys, counts, strict=True)),
                        digests or {rel: digest(data) for rel, data in files.items()})
        parts.cache.put(KIND, NAME, version, layout.as_data(), JSON)
        parts.cache.save()
    return files


def _encoded(part: dict[str, Any]) -> bytes:
    """A part as bytes that depend on its value alone (its terms come from sets, whose
    order changes from one process to the next)."""
    return json.dumps(part, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _updated(ws: Workspace, parts: JourneyParts, keys: list[tuple[str, str]],
             last: Layout, previous: Previous
             ) -> tuple[dict[str, bytes | Published], dict[str, str]] | None:
    """The index updated from ``last`` and the digest of each file, or None where it
    must be made whole."""
    if [name for name, _ in keys] != [name for name, _, _ in last.parts]:
        return None
    changed = [i for i, ((_, key), (_, old_key, _))
               in enumerate(zip(keys, last.parts, strict=True)) if key != old_key]
    if len(changed) > MOST_CHANGED or any(i in (0, len(keys) - 1) for i in changed):
        return None  # too many, or the personas' or pages' part: made whole
    offsets = _offsets(last.parts)
    edits = []
    for i in changed:
        name, old_key, count = last.parts[i]
        old = parts.cache.get(search.PART_KIND, name, old_key, JSON)
        new = parts.one(ws, name, search.journey_part)
        if not _is_part(old) or len(new["entries"]) != count:
            return None
        edits.append(_Edit(offsets[i], count, old, new))
    return _Update(last, previous, edits).files()


def _is_part(value: object) -> bool:
    """Whether ``value`` has the shape of a journey's part (one kept by another version,
    or damaged, has not: the index is then made whole)."""
    return isinstance(value, dict) and isinstance(value.get("entries"), list) and all(
        isinstance(value.get(field), dict) and all(
            isinstance(numbers, list) and all(isinstance(n, int) for n in numbers)
            for numbers in value[field].values()) for field in ("title", "text"))


def _offsets(layout_parts: Iterable[tuple[str, str, int]]) -> list[int]:
    """The number of each part's first entry."""
    out, total = [], 0
    for _, _, count in layout_parts:
        out.append(total)
        total += count
    return out


@dataclass(frozen=True)
class _Edit:
    """One journey's entries, numbered from ``first``, ``count`` of them: ``old`` and
    ``new`` parts (see :func:`mapgen.site.search.journey_part`)."""

    first: int
    count: int
    old: dict[str, Any]
    new: dict[str, Any]

    def terms(self) -> set[str]:
        return {*self.old["title"], *self.old["text"], *self.new["title"], *self.new["text"]}

    def applied(self, bits: int, base: int, term: str, field: str) -> tuple[int, int]:
        """A set of entry numbers (``base + n`` for each bit ``n`` of ``bits``) without
        this journey's old entries and with its new ones that have ``term`` in
        ``field``."""
        start = max(self.first - base, 0)
        end = self.first + self.count - base
        if bits and end > start:
            bits &= ~(((1 << (end - start)) - 1) << start)
        new = [self.first + local for local in self.new[field].get(term, ())]
        if new and (not bits or new[0] < base):
            bits, base = bits << (base - new[0]) if bits else 0, new[0]
        for number in new:
            bits |= 1 << (number - base)
        return bits, base


class _Update:
    """The files of an index updated from the last one's by ``edits``."""

    def __init__(self, last: Layout, previous: Previous, edits: list[_Edit]):
        self.last, self.previous, self.edits = last, previous, edits
        self.entries = sum(count for _, _, count in last.parts)
        self.buckets = search.bucket_count(self.entries)

    def files(self) -> tuple[dict[str, bytes | Published], dict[str, str]] | None:
        """Each file (those unchanged :class:`Published`) and its digest; None when a
        file of the last index is not as it was made."""
        terms: dict[int, set[str]] = {}
        for edit in self.edits:
            for term in edit.terms():
                terms.setdefault(search.bucket_of(term, self.buckets), set()).add(term)
        blocks = {number for edit in self.edits for number in
                  range(edit.first // search.BLOCK,
                        (edit.first + edit.count - 1) // search.BLOCK + 1)}
        files: dict[str, bytes | Published] = {}
        digests = dict(self.last.files)
        for rel, known in self.last.files.items():
            name = rel.rsplit("/", 1)[-1][:-3]
            term = name[0] == "t" and int(name[1:]) in terms
            if not (term or name[0] == "e" and int(name[1:]) in blocks):
                if self.previous.published.get(rel) != known:
                    return None  # edited or gone since: made whole
                files[rel] = Published(known)  # as it was: linked, never read
                continue
            data = self.previous.published_file(rel, known)
            if data is None:
                return None
            data = self._term_file(name, data, terms[int(name[1:])]) if term else \
                self._block(name, data)
            files[rel], digests[rel] = data, digest(data)
        return files, digests

    def _term_file(self, name: str, data: bytes, terms: set[str]) -> bytes:
        shard: dict[str, list[str]] = search.script_data(data)
        for term in terms:
            lists = [self._edited(shard[term][at] if term in shard else "", term, field)
                     for at, field in enumerate(("title", "text"))]
            if any(lists):
                shard[term] = lists
            else:
                shard.pop(term, None)
        return search.script(name, dict(sorted(shard.items())))

    def _edited(self, encoded: str, term: str, field: str) -> str:
        """A term's list (as :func:`~mapgen.site.numbers.encode_ids` wrote it) with each
        edit's entries taken out and its new ones put in: edited as a set of bits, so a
        word in most entries costs a few operations, not one per entry."""
        if encoded.startswith("~"):
            bits, base = numbers.bitmap_set(encoded)
        else:
            bits, base = numbers.set_of(numbers.decode_ids(encoded))
        for edit in self.edits:
            bits, base = edit.applied(bits, base, term, field)
        if not bits:
            return ""
        low = (bits & -bits).bit_length() - 1
        return numbers.encode_set(bits >> low, base + low)

    def _block(self, name: str, data: bytes) -> bytes:
        rows: list[list] = search.script_data(data)
        first = int(name[1:]) * search.BLOCK
        for edit in self.edits:
            for local, row in enumerate(edit.new["entries"]):
                at = edit.first + local - first
                if 0 <= at < len(rows):
                    rows[at] = row
        return search.script(name, rows)


class IndexFiles:
    """The index's files as the outputs of one render: made once, from the watched
    workspace the first of them is given, and each recording what that one read (each
    is made from all of it). Made afresh for every render, never kept between them.
    With ``previous`` (the output folder's files, see :class:`Previous`), updated from
    the last index where it can be."""

    def __init__(self, parts: JourneyParts | None = None,
                 previous: Previous | None = None) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, bytes | Published] | None = None
        self._read: tuple[str, ...] = ()
        self._parts, self._previous = parts, previous

    def maker(self, path: str) -> Callable[[Workspace, Reads], bytes | Published]:
        def make(ws: Workspace, reads: Reads) -> bytes | Published:
            with self._lock:
                if self._files is None:
                    self._files = index_files(ws, self._parts, self._previous) \
                        if self._parts else search.index_files(ws)
                    self._read = reads.parts()
            reads.update(self._read)
            return self._files.get(path, search.script(path.rsplit("/", 1)[-1][:-3], {}))

        return make
