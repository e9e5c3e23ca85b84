"""Pieces: the part of a listing page made from one journey, kept from build to build.

A listing page (the home page, a register, a persona's page) shows every journey, so a
change to any journey makes it again; yet all but one journey's rows come out as they did
last time. A template marks such a part ``{% piece journey %}...{% endpiece %}``; the
build keeps what each piece rendered in the cache (kind ``piece``, see
:mod:`mapgen.cache`), with what it read, and takes it as it is while that is unchanged.
So a one-journey change renders that journey's rows, and copies the others.

A piece is named by its page, the tag's place in its template, its journey and how many
pieces of the same tag and journey came before it on the page (a journey's pain points
are several rows). Its key covers, besides what the body read: its journey, the personas,
the theme, the site URL and the navigation (what rows show without looking it up where
the build can see it), and, as every key, mapgen's code and the config. So a piece's body
may show its journey, anything made from it alone, and the page's shared variables; not
``loop.index`` or anything else made from the journeys before it (see docs/themes.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from mapgen.cache import TEXT, Cache, Reads, Sources
from mapgen.site.listings import Lazy

#: The cache kind of pieces.
KIND = "piece"
#: What every piece is taken to read besides its journey (see the module's text).
ALWAYS = ("theme", "site_url", "nav", "personas")
#: The template variable holding a page's :class:`Pieces` (templates never use it).
VARIABLE = "_mapgen_pieces"


class Pieces:
    """The pieces of one page being rendered: each one reused from ``cache`` while what
    it read is unchanged, else rendered, noting what it read, and kept."""

    def __init__(self, cache: Cache, sources: Sources, page: str, reads: Reads,
                 reuse: bool = True):
        self.cache, self.sources, self.page, self.reads = cache, sources, page, reads
        self._count: Counter[tuple[str, str]] = Counter()
        self._kept: dict[str, tuple[tuple[str, ...], str]] | None = None
        #: False: every piece rendered again (and kept), as ``build --clean`` asks.
        self.reuse = reuse

    def made(self, tag: str, journey_id: str, render: Callable[[], str]) -> Markup:
        """The piece of ``journey_id`` at ``tag``: as kept, or ``render()`` now."""
        self._count[(tag, journey_id)] += 1
        name = piece_name(self.page, tag, journey_id, self._count[(tag, journey_id)])
        if self._kept is None:  # the page's pieces read at once, when it has one
            self._kept = self.cache.recall_all(KIND, f"{self.page}\n", self.sources,
                                               TEXT) if self.reuse else {}
        found = self._kept.pop(name, None)
        if found is not None:
            self.reads.update(found[0])
            return Markup(found[1])
        own = Reads((*ALWAYS, f"journey:{journey_id}"))
        with self.reads.also(own):
            html = render()
        self.reads.update(own.parts())
        self.cache.remember(KIND, name, own, self.sources, str(html), TEXT)
        return Markup(html)


def piece_name(page: str, tag: str, journey_id: str, count: int) -> str:
    """A piece's name in the cache: its page first, so a page's pieces are read at once."""
    return f"{page}\n{tag}\n{journey_id}\n{count}"


class InUse(Container[str]):
    """The names of the pieces worth keeping: those of a page the site still has, made
    from a journey it still has (see :meth:`mapgen.cache.Cache.save`)."""

    def __init__(self, pages: Container[str], journeys: Container[str]):
        self.pages, self.journeys = pages, journeys

    def __contains__(self, name: object) -> bool:
        parts = str(name).split("\n")
        return len(parts) == 4 and parts[0] in self.pages and parts[2] in self.journeys


class PieceExtension(Extension):
    """``{% piece item %}...{% endpiece %}``: the body, rendered once per change of its
    journey (see the module's text). ``item`` is an item of a listing, a journey, or a
    journey's id. Rendered where no build keeps pieces (a theme's
    own tests, say), the body is simply rendered."""

    tags = {"piece"}

    def parse(self, parser: jinja2.parser.Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        journey = parser.parse_expression()
        body = parser.parse_statements(("name:endpiece",), drop_needle=True)
        tag = nodes.Const(f"{parser.name}:{lineno}")
        call = self.call_method("_piece", [nodes.ContextReference(), tag, journey])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _piece(context: jinja2.runtime.Context, tag: str, journey: object,
               caller: Callable[[], str]) -> Markup | str:
        pieces = context.get(VARIABLE)
        if pieces is None:
            return caller()
        piece = pieces.made(tag, _journey_id(journey, tag), caller)
        if isinstance(journey, Lazy):
            journey.forget()  # its row is shown: a listing need not hold it
        return piece


def _journey_id(journey: object, tag: str) -> str:
    """The id of the journey a piece is made from: given as the id, as a listing's item
    (its ``journey_id``, known before the item is made), or as a journey (its ``id``)."""
    if isinstance(journey, str):
        return journey
    for attribute in ("journey_id", "id"):
        ident = getattr(journey, attribute, None)
        if isinstance(ident, str) and not isinstance(journey, jinja2.Undefined):
            return ident
    raise jinja2.TemplateRuntimeError(
        f"{tag}: {{% piece %}} needs the journey its body is made from: an item of a "
        "listing (cards, appearances, a cell of matrix, register, backlog), a journey, "
        "or its id; e.g. {% for card in cards %}{% piece card %}")
