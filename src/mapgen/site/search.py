"""Search: an index split so that a query loads only the few files it needs.

One file holding every entry grows with the workspace (6.4 MB at 1000 journeys) and a
reader waits for all of it before the first result. So the index is written in pieces,
each a script, since browsers refuse ``fetch`` of a local file from a page opened from
disk but load a ``<script src>`` beside it:

- ``assets/search/meta.js``: how many term files there are, and how many entries a block
  holds;
- ``assets/search/t<n>.js``: the term files. Each term (a word of an entry's title or
  text) is in file ``fnv1a(its first two characters) % buckets``, with the entries it
  occurs in: those whose title has it, then those whose other text has it;
- ``assets/search/e<n>.js``: the entries themselves, ``BLOCK`` to a file, in the order
  of their numbers: ``[kind, title, url]`` (url relative to the site root).

A query's words are prefixes of terms ("cash" finds "cashback"): the theme's script
(mapgen.js) loads the one term file of each word, intersects the entries, and loads the
blocks of the results it shows. At 1000 journeys that is a few tens of KB, not MB.

Text is cut into terms the same way here and in mapgen.js (``terms``): NFKC, lower case,
split at anything but letters, marks and digits. Chinese, Japanese and Korean text has no
spaces between words, so each of its characters and each pair of neighbouring ones is a
term: a query for 払い戻し finds the pairs 払い, い戻, 戻し in one entry.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mapgen.cache import JourneyParts, pure
from mapgen.model import Journey, Workspace
from mapgen.site.numbers import encode_ids
from mapgen.site.pages import journey_path, persona_path, prose_path

#: Entries per block file: the results shown for a query are mostly in one or two.
BLOCK = 128
#: About this many entries per term file on average; the number of files is a power of
#: two, so a term's file is a cheap modulo in the browser.
ENTRIES_PER_BUCKET = 100
MAX_BUCKETS = 1024
KINDS = ("persona", "journey", "step", "touchpoint", "pain_point", "page")
FOLDER = "assets/search"
#: The global the scripts put their data in (see mapgen.js).
GLOBAL = "MAPGEN_SEARCH_PARTS"


@dataclass(frozen=True)
class Entry:
    kind: str
    title: str
    url: str
    #: The other text the entry is found by, in parts (a journey's title recurs in each
    #: of its steps: its terms are worked out once).
    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def entries(ws: Workspace) -> Iterator[Entry]:
    """Everything search finds, in a stable order: personas, then each journey with its
    steps, their touchpoints and pain points, then the Markdown pages."""
    yield from _persona_entries(ws)
    for journey in ws.journeys.values():
        yield from journey_entries(journey)
    yield from _page_entries(ws)


def _persona_entries(ws: Workspace) -> Iterator[Entry]:
    for persona in ws.personas.values():
        yield _entry("persona", persona.name, persona_path(persona.id),
                     persona.role, persona.description, *persona.goals)


def journey_entries(journey: Journey) -> Iterator[Entry]:
    """A journey's entries: the journey, then each step with its touchpoints and pain
    points."""
    url = journey_path(journey.id)
    yield _entry("journey", journey.title, url, journey.objective,
                 journey.description, *journey.tags)
    for stage in journey.stages:
        for step in stage.steps:
            anchor = f"{url}#step-{step.id}"
            yield _entry("step", step.name, anchor, journey.title, stage.name,
                         step.actions, step.motivations, *step.thoughts)
            for tp in step.touchpoints:
                yield _entry("touchpoint", tp.name, anchor, tp.channel,
                             step.name, journey.title)
            for pain in step.pain_points:
                yield _entry("pain_point", pain.text, anchor, pain.severity,
                             step.name, journey.title)


def _page_entries(ws: Workspace) -> Iterator[Entry]:
    for page in ws.pages.values():
        yield _entry("page", page.title, prose_path(page.id), page.body)


def _entry(kind: str, title: str, url: str, *text: str | None) -> Entry:
    return Entry(kind, title, url, tuple(t for t in text if t))


def entry_count(ws: Workspace) -> int:
    """How many entries :func:`entries` gives, counted without making them."""
    per_journey = sum(j.touchpoints + j.pain_points + j.steps  # one a step, too
                      for j in ws.summaries.values())
    return len(ws.personas) + len(ws.journeys) + per_journey + len(ws.pages)


def bucket_count(entries: int) -> int:
    """How many term files an index of ``entries`` entries is split into."""
    wanted = max(1, math.ceil(entries / ENTRIES_PER_BUCKET))
    return min(MAX_BUCKETS, 1 << (wanted - 1).bit_length())


def paths(ws: Workspace) -> list[str]:
    """The files of the index of ``ws``, as site paths."""
    count = entry_count(ws)
    return ([f"{FOLDER}/meta.js"]
            + [f"{FOLDER}/t{n}.js" for n in range(bucket_count(count))]
            + [f"{FOLDER}/e{n}.js" for n in range(max(1, math.ceil(count / BLOCK)))])


# --- terms: the same rules as `terms` in mapgen.js -------------------------------------

def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF
            or 0xF900 <= code <= 0xFAFF or 0xAC00 <= code <= 0xD7AF or 0x20000 <= code <= 0x2FFFF)


_ASCII_WORD = re.compile("[a-z0-9]+")


def _words(text: str) -> Iterator[str]:
    if text.isascii():  # NFKC keeps ASCII as it is; its letters and digits are [a-z0-9]
        yield from _ASCII_WORD.findall(text.lower())
        return
    word: list[str] = []
    for char in unicodedata.normalize("NFKC", text).lower():
        if unicodedata.category(char)[0] in "LMN":
            word.append(char)
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)


@pure()
def terms(text: str) -> frozenset[str]:
    """The terms of ``text``: its words, and for runs of CJK characters each character
    and each pair of neighbours."""
    out: set[str] = set()
    for word in _words(text):
        if word.isascii():
            out.add(word)
            continue
        run: list[str] = []
        latin: list[str] = []
        for char in word + "\0":
            if char != "\0" and _is_cjk(char):
                run.append(char)
                if latin:
                    out.add("".join(latin))
                    latin = []
                continue
            if run:
                out.update(run)
                out.update(a + b for a, b in zip(run, run[1:], strict=False))
                run = []
            if char != "\0":
                latin.append(char)
        if latin:
            out.add("".join(latin))
    return frozenset(out)


def _terms_of(parts: tuple[str, ...]) -> frozenset[str]:
    """The terms of text made of ``parts`` joined by spaces: the union of each part's."""
    return frozenset().union(*map(terms, parts))


def bucket_of(term: str, buckets: int) -> int:
    """The term file of ``term``: FNV-1a (32 bit) of its first two characters' code
    points, modulo the number of files (a power of two)."""
    value = 0x811C9DC5
    for char in term[:2]:
        value = ((value ^ ord(char)) * 0x01000193) & 0xFFFFFFFF
    return value & (buckets - 1)


# --- the files ----------------------------------------------------------------------

#: The cache kind of a journey's part of the index (see :func:`journey_part`).
PART_KIND = "search-part"


def journey_part(journey: Journey) -> dict[str, Any]:
    """What the index needs of one journey, as data the cache keeps (see
    :class:`~mapgen.cache.JourneyParts`): its entries as ``[kind, title, url]`` and, by
    term, the entries (numbered from 0) whose title or other text has it."""
    return _part(journey_entries(journey))


def _part(entries: Iterable[Entry]) -> dict[str, Any]:
    in_title: dict[str, list[int]] = defaultdict(list)
    in_text: dict[str, list[int]] = defaultdict(list)
    rows = []
    for number, entry in enumerate(entries):
        title = terms(entry.title)
        for term in title:
            in_title[term].append(number)
        for term in _terms_of(entry.parts) - title:
            in_text[term].append(number)
        rows.append([KINDS.index(entry.kind), entry.title, entry.url])
    return {"entries": rows, "title": in_title, "text": in_text}


def persona_part(ws: Workspace) -> dict[str, Any]:
    """The personas' part of the index, first of all (see :func:`journey_part`)."""
    return _part(_persona_entries(ws))


def page_part(ws: Workspace) -> dict[str, Any]:
    """The Markdown pages' part of the index, last of all (see :func:`journey_part`)."""
    return _part(_page_entries(ws))


def index_files(ws: Workspace, parts: JourneyParts | None = None) -> dict[str, bytes]:
    """Every file of the index of ``ws`` (site path -> bytes), made whole (see
    :func:`made_whole`); :mod:`mapgen.site.reindex` updates the last one where it can."""
    return made_whole(ws, persona_part(ws), page_part(ws), parts)[0]


def made_whole(ws: Workspace, head: dict[str, Any], tail: dict[str, Any],
               parts: JourneyParts | None = None) -> tuple[dict[str, bytes], list[int]]:
    """Every file of the index (site path -> bytes) made from the personas' part
    ``head``, each journey's and the pages' part ``tail``; and each part's number of
    entries.

    Made in one pass, a journey's part at a time (kept in ``parts`` when given, so a
    one-journey change makes one): each part's terms go to compact lists of entry
    numbers, and each block of entries to its file as soon as it is full, so what is
    kept is the index, never the text it was made from (10,000 journeys are half a
    million entries)."""
    index = _Index()
    counts = [index.add(head)]
    journeys = parts.each(ws, journey_part) if parts else map(journey_part,
                                                               ws.journeys.values())
    counts += [index.add(part) for part in journeys]
    counts.append(index.add(tail))
    return index.files(), counts


class _Index:
    """The index being made, from parts added in order."""

    def __init__(self) -> None:
        self.in_title: dict[str, array] = defaultdict(lambda: array("I"))
        self.in_text: dict[str, array] = defaultdict(lambda: array("I"))
        self.blocks: dict[str, bytes] = {}
        self.block: list[list] = []
        self.count = 0

    def add(self, part: dict[str, Any]) -> int:
        """Add a part's entries, numbered after those before (see :func:`journey_part`);
        how many it has."""
        offset = self.count
        for found, numbers in ((self.in_title, part["title"]), (self.in_text, part["text"])):
            for term, local in numbers.items():
                found[term].extend(map(offset.__add__, local))
        for row in part["entries"]:
            self.block.append(row)
            self.count += 1
            if len(self.block) == BLOCK:
                self._write_block()
        return len(part["entries"])

    def _write_block(self) -> None:
        number = max(self.count - 1, 0) // BLOCK  # an index of no entries has one block
        self.blocks[f"{FOLDER}/e{number}.js"] = script(f"e{number}", self.block)
        self.block = []

    def files(self) -> dict[str, bytes]:
        if self.block or not self.count:
            self._write_block()
        buckets = bucket_count(self.count)
        shards: list[dict[str, list[str]]] = [{} for _ in range(buckets)]
        for term in sorted(set(self.in_title) | set(self.in_text)):
            shards[bucket_of(term, buckets)][term] = [
                encode_ids(self.in_title.get(term, ())), encode_ids(self.in_text.get(term, ()))]
        files = dict(self.blocks)
        files[f"{FOLDER}/meta.js"] = script("meta", {"buckets": buckets, "block": BLOCK,
                                                      "kinds": KINDS, "entries": self.count})
        for n, shard in enumerate(shards):
            files[f"{FOLDER}/t{n}.js"] = script(f"t{n}", shard)
        return files


def script(name: str, data: object) -> bytes:
    """A file of the index: a script putting ``data`` under ``name`` (see mapgen.js)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "</" would end an inline script early; the escape keeps the JSON equal in value.
    text = text.replace("</", "<\\/")
    return f'({GLOBAL}=window.{GLOBAL}||{{}})["{name}"]={text};\n'.encode()


def script_data(data: bytes) -> Any:
    """The data a file of the index carries (the inverse of :func:`script`)."""
    text = data.decode("utf-8")
    return json.loads(text[text.index("]=") + 2:text.rindex(";")])
