"""Pieces: the part of a listing page made from one journey, kept from build to build.

A listing page (the home page, a register, a persona's page) shows every journey, so a
change to any journey makes it again; yet all but one journey's rows come out as they did
last time. A template loops over such rows ``{% pieces item in items %}...{% endpieces
%}`` (or marks one part ``{% piece journey %}...{% endpiece %}``); the build notes where
each piece is in the page it wrote, with what the piece read (in the cache, kind
``pieces``: one row per page, see :mod:`mapgen.cache`), and the next render of the page
takes the pieces whose reads are unchanged from the page as last made, as they are: a
loop's unchanged pieces that lie side by side as one slice of it. So a one-journey
change renders that journey's rows, and copies the others from the last page: no piece
is stored twice, nor looked up through Jinja one at a time (at 1000 journeys the
registers hold 17,000 pieces).

A piece is named by the tag's place in its template, its journey and how many pieces of
the same tag and journey came before it on the page, a line each (a journey's pain points
are several rows). Its key covers, besides what the body read: its journey, the
personas, the theme, the site URL and the navigation (what rows show without looking it
up where the build can see it), and, as every key, mapgen's code and the config. So a
piece's body may show its journey, anything made from it alone, and the page's shared
variables; not ``loop.index`` or anything else made from the journeys before it (see
docs/themes.md). A piece is taken from the page only when written straight into it: one
inside a macro, a ``{% set %}`` block or a filter block is part of a larger string, and
is rendered each time. Where a piece is is counted in bytes of the page as written, and
what is taken is decoded alone: a page of 10,000 journeys is tens of megabytes, four
times that as text once it holds one emoji.
"""

from __future__ import annotations

import array
import operator
from collections.abc import Callable, Iterable, Iterator

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from mapgen.cache import JSON, Cache, Reads, Sources
from mapgen.site.listings import Lazy

#: The cache kind of where each page's pieces are.
KIND = "pieces"
#: What every piece is taken to read besides its journey (see the module's text).
ALWAYS = ("theme", "site_url", "nav", "personas")
#: The template variable holding a page's :class:`Pieces` (templates never use it).
VARIABLE = "_mapgen_pieces"
#: The page as last made: the key it was made for, and its bytes (None: there is none).
Previous = Callable[[], "tuple[str, bytes] | None"]


#: Where a kept piece is in the last page: (byte start, byte length, its reads' number).
Place = tuple[int, int, int]
#: Where a piece is in a :class:`Piece`: its name, what it read, byte offset and length.
PiecePlace = tuple[str, tuple[str, ...], int, int]


class Piece(Markup):
    """Pieces' HTML as the template writes it: one piece, or the pieces of a
    ``{% pieces %}`` loop side by side, with where each is in it (``places``: its name,
    what it read, its byte offset and length) and its size in bytes, so the page being
    written can note where they are (:meth:`Pieces.placed`). A string made from it
    (joined, escaped) is a plain one."""

    places: tuple[PiecePlace, ...] = ()
    size: int = 0


class Pieces:
    """The pieces of one page being rendered: each one taken from the page as ``previous``
    gives it while what it read is unchanged, else rendered, noting what it read."""

    def __init__(self, cache: Cache, sources: Sources, page: str, reads: Reads,
                 reuse: bool = True, previous: Previous = lambda: None):
        self.cache, self.sources, self.page, self.reads = cache, sources, page, reads
        self.previous = previous
        self._count: dict[tuple[str, str], int] = {}
        #: name -> place of each piece of the last page (see :func:`_places`).
        self._kept: dict[str, Place] | None = None
        self._page = b""
        #: The last page's reads, whether each still has its key, and the numbers of
        #: those noted in ``reads`` already (once a page, not once a piece).
        self._last_reads: list[tuple[str, ...]] = []
        self._unchanged: list[bool] = []
        self._noted_numbers: set[int] = set()
        #: Where this render's pieces are: their names, and their places flat.
        self._names: list[str] = []
        self._places: list[int] = []
        self._reads: dict[tuple[str, ...], int] = {}
        #: False: every piece rendered again (and noted), as ``build --clean`` asks.
        self.reuse = reuse

    def made(self, tag: str, journey_id: str, render: Callable[[], str]) -> Piece:
        """The piece of ``journey_id`` at ``tag``: as kept, or ``render()`` now."""
        name = self._name(tag, journey_id)
        found = self._unchanged_place(name)
        item = Item(journey_id, name, journey_id)
        return self.part(item if found is None else Slice.of(item, found),
                         lambda _: render())

    def parts(self, tag: str, items: Iterable[object]) -> Iterator[Part]:
        """What a ``{% pieces %}`` loop over ``items`` writes, part by part: an item to
        render, or a slice of the last page where the pieces of several items kept side
        by side are (up to :data:`SLICE` bytes), so an unchanged row costs little more
        than looking up where it is."""
        taken: Slice | None = None
        for item in items:
            journey_id = _journey_id(item, tag)
            name = self._name(tag, journey_id)
            found = self._unchanged_place(name)
            if taken is not None and (found is None or not taken.continues(found)):
                yield taken
                taken = None
            if found is None:
                yield Item(item, name, journey_id)
            elif taken is None:
                taken = Slice.of(Item(item, name, journey_id), found)
            else:
                taken.add(Item(item, name, journey_id), found)
        if taken is not None:
            yield taken

    def part(self, part: Part, render: Callable[[object], str]) -> Piece:
        """The piece (or pieces side by side) of ``part``; ``render(item)`` renders one."""
        if isinstance(part, Item):
            piece = self._rendered(part.name, part.journey_id, lambda: render(part.item))
            _forget(part.item)
            return piece
        text = self._taken(part.start, part.end - part.start)
        if text is None:  # not where pieces can be: each made again
            return _joined([self.part(item, render) for item in part.items])
        places, offset = [], 0
        for item, (_, length, number) in zip(part.items, part.places, strict=True):
            places.append((item.name, self._noted(number), offset, length))
            offset += length
        return _piece(text, tuple(places), offset)

    def _name(self, tag: str, journey_id: str) -> str:
        """A piece's name: its tag, its journey, and how many of theirs came before."""
        count = self._count[(tag, journey_id)] = self._count.get((tag, journey_id), 0) + 1
        return f"{tag}\n{journey_id}\n{count}"

    def _unchanged_place(self, name: str) -> Place | None:
        """Where the piece ``name`` is in the last page, while what it read is unchanged."""
        if self._kept is None:  # the last page's pieces looked up at once, when it has one
            self._kept = self._recall() if self.reuse else {}
        found = self._kept.pop(name, None)
        return found if found is not None and self._unchanged[found[2]] else None

    def _rendered(self, name: str, journey_id: str, render: Callable[[], str]) -> Piece:
        """The piece ``name`` rendered now, noting what it read."""
        own = Reads((*ALWAYS, f"journey:{journey_id}"))
        with self.reads.also(own):
            html = str(render())
        reads = own.parts()
        self.reads.update(reads)
        size = utf8_size(html)
        return _piece(html, ((name, reads, 0, size),), size)

    def _taken(self, start: int, length: int) -> str | None:
        """The ``length`` bytes at ``start`` of the last page as text (None: they are not
        where pieces can be)."""
        try:
            return self._page[start:start + length].decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _noted(self, number: int) -> tuple[str, ...]:
        """The last page's reads numbered ``number``, noted as read (once a page)."""
        reads = self._last_reads[number]
        if number not in self._noted_numbers:
            self.reads.update(reads)
            self._noted_numbers.add(number)
        return reads

    def placed(self, piece: Piece, start: int) -> None:
        """Note that ``piece`` is at byte ``start`` of the page being written."""
        for name, reads, offset, length in piece.places:
            number = self._reads.setdefault(reads, len(self._reads))
            self._names.append(name)
            self._places += (start + offset, length, number)

    def keep(self, page_key: str) -> None:
        """Keep where the pieces are in the page just made, which has key ``page_key``
        (nothing for a page without pieces)."""
        if not self._names:
            return
        reads = list(self._reads)
        self.cache.put(KIND, self.page, page_key, {
            "reads": reads, "keys": [self.sources.key(parts) for parts in reads],
            "names": self._names, "places": self._places}, JSON)

    def _recall(self) -> dict[str, Place]:
        """The pieces of the page as last made, by name: none when there is no such page,
        or the cache says nothing of it. Which of them read what they read then is
        ``_unchanged``, by their reads' number."""
        previous = self.previous()
        if previous is None:
            return {}
        key, self._page = previous
        index = self.cache.get(KIND, self.page, key, JSON)
        try:
            self._last_reads = [tuple(map(str, parts)) for parts in index["reads"]]
            self._unchanged = [self.sources.key(parts) == then for parts, then in
                               zip(self._last_reads, index["keys"], strict=True)]
            return _places(index["names"], index["places"], len(self._last_reads),
                           len(self._page))
        except (TypeError, ValueError, KeyError, IndexError, OverflowError):
            return {}  # a kept value of another shape: render every piece


def _piece(html: str, places: tuple[PiecePlace, ...], size: int) -> Piece:
    piece = Piece(html)
    piece.places, piece.size = places, size
    return piece


def _joined(pieces: list[Piece]) -> Piece:
    """``pieces`` side by side, as one."""
    places: list[PiecePlace] = []
    offset = 0
    for piece in pieces:
        places += ((name, reads, offset + at, length)
                   for name, reads, at, length in piece.places)
        offset += piece.size
    return _piece("".join(pieces), tuple(places), offset)


def utf8_size(text: str) -> int:
    """How many bytes ``text`` takes in UTF-8 (ASCII text its length)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class Item:
    """An item of a ``{% pieces %}`` loop, with its piece's name and journey."""

    __slots__ = ("item", "name", "journey_id")

    def __init__(self, item: object, name: str, journey_id: str):
        self.item, self.name, self.journey_id = item, name, journey_id


class Slice:
    """The kept pieces of consecutive items, side by side in the last page from byte
    ``start`` to ``end``: taken as one string."""

    __slots__ = ("start", "end", "items", "places")

    def __init__(self, start: int):
        self.start = self.end = start
        self.items: list[Item] = []
        self.places: list[Place] = []

    @classmethod
    def of(cls, item: Item, place: Place) -> Slice:
        """The slice of one kept piece."""
        taken = cls(place[0])
        taken.add(item, place)
        return taken

    def continues(self, place: Place) -> bool:
        """Whether a piece at ``place`` comes next, with room for it."""
        return place[0] == self.end and self.end - self.start < SLICE

    def add(self, item: Item, place: Place) -> None:
        self.items.append(item)
        self.places.append(place)
        self.end += place[1]


#: A part of what a ``{% pieces %}`` loop writes (see :meth:`Pieces.parts`).
Part = Item | Slice
#: Bytes of the last page taken as one slice at most: a listing of 10,000 journeys is
#: tens of megabytes, written as it is made, never whole in memory.
SLICE = 65536


def _forget(item: object) -> None:
    if isinstance(item, Lazy):
        item.forget()  # its row is shown: a listing need not hold it


def _places(names: list[str], places: list[int], reads: int, size: int) -> dict[str, Place]:
    """Each piece's place (see :meth:`Pieces.keep`) by its name, checked whole (a page of
    10,000 journeys has 170,000 pieces): ValueError (or another) for a record of another
    shape, or a place outside a page of ``size`` bytes."""
    flat = array.array("q", places)  # TypeError for anything but whole numbers
    starts, lengths, numbers = flat[0::3], flat[1::3], flat[2::3]
    if not (all(isinstance(name, str) for name in names) and len(names) == len(numbers)
            and len(starts) == len(lengths) == len(numbers)):
        raise ValueError("not a record of where pieces are")
    if names and (min(starts) < 0 or min(lengths) < 0 or min(numbers) < 0
                  or max(numbers) >= reads or max(map(operator.add, starts, lengths)) > size):
        raise ValueError("not where a piece can be")
    return dict(zip(names, zip(starts, lengths, numbers, strict=True), strict=True))


class PieceExtension(Extension):
    """``{% piece item %}...{% endpiece %}``: the body, rendered once per change of its
    journey (see the module's text). ``item`` is an item of a listing, a journey, or a
    journey's id. ``{% pieces item in items %}...{% endpieces %}``: a loop of such
    pieces, one per item, the unchanged ones taken from the last page a slice at a time
    (see :meth:`Pieces.parts`). Rendered where no build keeps pieces (a theme's own
    tests, say), the body is simply rendered."""

    tags = {"piece", "pieces"}

    def parse(self, parser: jinja2.parser.Parser) -> nodes.Node:
        token = next(parser.stream)
        tag = nodes.Const(f"{parser.name}:{token.lineno}")
        if token.value == "pieces":
            return self._loop(parser, tag).set_lineno(token.lineno)
        journey = parser.parse_expression()
        body = parser.parse_statements(("name:endpiece",), drop_needle=True)
        call = self.call_method("_piece", [nodes.ContextReference(), tag, journey])
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _loop(self, parser: jinja2.parser.Parser, tag: nodes.Const) -> nodes.Node:
        """``for part in parts(items)``, each part written by a call whose caller renders
        the body for one item."""
        target = parser.parse_assign_target(name_only=True)
        parser.stream.expect("name:in")
        items = parser.parse_expression()
        body = parser.parse_statements(("name:endpieces",), drop_needle=True)
        context = nodes.ContextReference()
        parts = self.call_method("_parts", [context, tag, items])
        write = self.call_method("_part", [context, nodes.Name(PART_VARIABLE, "load")])
        return nodes.For(nodes.Name(PART_VARIABLE, "store"), parts, [
            nodes.CallBlock(write, [nodes.Name(target.name, "param")], [], body)],
            [], None, False)

    @staticmethod
    def _piece(context: jinja2.runtime.Context, tag: str, journey: object,
               caller: Callable[[], str]) -> Markup | str:
        pieces = context.get(VARIABLE)
        if pieces is None:
            return caller()
        piece = pieces.made(tag, _journey_id(journey, tag), caller)
        _forget(journey)
        return piece

    @staticmethod
    def _parts(context: jinja2.runtime.Context, tag: str,
               items: Iterable[object]) -> Iterator[Part]:
        pieces = context.get(VARIABLE)
        if pieces is None:
            return (Item(item, "", "") for item in items)
        return pieces.parts(tag, items)

    @staticmethod
    def _part(context: jinja2.runtime.Context, part: Part,
              caller: Callable[[object], str]) -> Markup | str:
        pieces = context.get(VARIABLE)
        if pieces is None:
            return caller(part.item)
        return pieces.part(part, caller)


#: The name of a ``{% pieces %}`` loop's part in the compiled template.
PART_VARIABLE = "_mapgen_part"


def _journey_id(journey: object, tag: str) -> str:
    """The id of the journey a piece is made from: given as the id, as a listing's item
    (its ``journey_id``, known before the item is made), or as a journey (its ``id``)."""
    if type(journey) is Lazy:  # the shipped templates' listings: first, and cheaply
        return journey.journey_id
    if isinstance(journey, str):
        return journey
    for attribute in ("journey_id", "id"):
        ident = getattr(journey, attribute, None)
        if isinstance(ident, str) and not isinstance(journey, jinja2.Undefined):
            return ident
    raise jinja2.TemplateRuntimeError(
        f"{tag}: a piece needs the journey its body is made from: an item of a listing "
        "(cards, appearances, a cell of matrix, register, backlog), a journey, or its "
        "id; e.g. {% pieces card in cards %}")
