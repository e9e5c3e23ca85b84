"""Listings: what a page that lists every journey holds of each.

A listing page (the home page, a register, a persona's page) names every journey, and
a workspace of 10,000 journeys does not fit in memory whole (see mapgen.compact). So
its rows hold references that keep the few fields a listing shows and look anything
else up in the workspace when a template asks for it, and its cards are made as the
template walks them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from mapgen import compact
from mapgen.model import Journey, JourneySummary, Stage, Step

T = TypeVar("T")


class _Ref:
    """What a listing holds of a spec: the fields named in ``__slots__`` kept, any other
    attribute read from the whole spec, looked up again when asked for."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._whole(), name)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


class JourneyRef(_Ref):
    """A journey in a listing: ``id``, ``title``, ``status``, ``lang`` and ``dir`` kept,
    and how many ``stages`` it has (the stages themselves looked up); the rest looked up.
    Made from a journey or from its :class:`~mapgen.model.JourneySummary`."""

    __slots__ = ("id", "title", "status", "lang", "dir", "_stage_count", "_journeys")

    def __init__(self, journey: Journey | JourneySummary, journeys: Mapping[str, Journey]):
        self.id, self.title, self.status = journey.id, journey.title, journey.status
        self.lang, self.dir = journey.lang, journey.dir
        self._stage_count = len(journey.stages)
        self._journeys = journeys

    @property
    def stages(self) -> Counted:
        return Counted(self._stage_count, lambda: self._whole().stages)

    def _whole(self) -> Journey:
        return self._journeys[self.id]

    def _identity(self) -> tuple:
        return (self.id,)


class StageRef(_Ref):
    """A stage in a listing: ``id``, ``name``, ``phase``, ``owner`` kept."""

    __slots__ = ("id", "name", "phase", "owner", "_journey")

    def __init__(self, stage: Stage, journey: JourneyRef):
        self.id, self.name, self.phase, self.owner = stage.id, stage.name, stage.phase, \
            stage.owner
        self._journey = journey

    def _whole(self) -> Stage:
        return next(st for st in self._journey._whole().stages if st.id == self.id)

    def _identity(self) -> tuple:
        return (self._journey.id, self.id)


class StepRef(_Ref):
    """A step in a listing: ``id`` and ``name`` kept."""

    __slots__ = ("id", "name", "_journey")

    def __init__(self, step: Step, journey: JourneyRef):
        self.id, self.name, self._journey = step.id, step.name, journey

    def _whole(self) -> Step:
        return next(s for s in self._journey._whole().steps if s.id == self.id)

    def _identity(self) -> tuple:
        return (self._journey.id, self.id)


class Counted(Sequence[T]):
    """A sequence whose length is known ahead (from a summary): ``| length`` costs
    nothing, and its items are looked up (``whole()``) only when one is asked for."""

    def __init__(self, count: int, whole: Callable[[], Sequence[T]]):
        self._count, self._whole = count, whole

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._whole()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._whole())


class Lazy:
    """An item of a listing, made from its journey when first looked into: a listing of
    10,000 journeys holds these, not the items, and a ``{% piece %}`` kept from the last
    build (see :mod:`mapgen.site.pieces`) needs only ``journey_id``, so it never makes
    the item at all. To a template it is the item: its attributes, and its parts when
    unpacked (``{% for journey, uses in ... %}``)."""

    __slots__ = ("journey_id", "_make", "_item")

    def __init__(self, journey_id: str, make: Callable[[], Any]):
        self.journey_id, self._make, self._item = journey_id, make, None

    def made(self) -> Any:
        if self._item is None:
            self._item = self._make()
        return self._item

    def forget(self) -> None:
        """Let go of the item (a piece does once rendered): a register of 10,000 journeys
        would otherwise hold every row it showed until the page is written. Looked into
        again, the item is made again."""
        self._item = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.made(), name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.made())


class Listed(Sequence[Lazy]):
    """One item per journey of ``ids`` (a :class:`Lazy`, made from the journey when the
    template looks into it): a list to a template (``| length``, ``loop.last``), never
    all held at once."""

    def __init__(self, journeys: Mapping[str, Journey], ids: list[str],
                 make: Callable[[Journey], T]):
        self._journeys, self._ids, self._make = journeys, ids, make

    def __len__(self) -> int:
        return len(self._ids)

    def _lazy(self, journey_id: str) -> Lazy:
        return Lazy(journey_id, lambda: self._make(self._journeys[journey_id]))

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._lazy(i) for i in self._ids[index]]
        return self._lazy(self._ids[index])

    def __iter__(self) -> Iterator[Lazy]:
        return map(self._lazy, self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)


#: Rows a listing keeps waiting as made, at most; past that, the rows of each journey it
#: leaves wait packed. Packing and unpacking a row took a third of the touchpoint matrix's
#: time at 1000 journeys, where all of them wait in some 5 MB as made; at 10,000 journeys
#: they would take some 100 MB.
WAITING_AS_MADE = 4096


class Rows:
    """The rows a listing shows of each journey, made from the journey the first time one
    of them is looked into; its other rows (its other pain points, its touchpoints in
    other cells) wait to be taken: as made, up to :data:`WAITING_AS_MADE` of them, then
    packed (:func:`mapgen.compact.pack`), so a listing of 10,000 journeys holds them in a
    few MB. A row taken is let go here (and by its piece, see :meth:`Lazy.forget`);
    looked into again, it is made again."""

    def __init__(self, journeys: Mapping[str, Journey], make: Callable[[Journey], list]):
        self._journeys, self._make = journeys, make
        #: The journey the listing is at, and its rows not yet taken.
        self._current: tuple[str | None, dict[int, Any]] = (None, {})
        #: The rows not yet taken of the journeys before: as made, and packed.
        self._waiting: dict[str, dict[int, Any]] = {}
        self._packed: dict[str, dict[int, bytes]] = {}
        self._waiting_count = 0

    def row(self, journey_id: str, index: int) -> Lazy:
        """The ``index``-th row of the journey, as a :class:`Lazy`."""
        return Lazy(journey_id, functools.partial(self._row, journey_id, index))

    def _row(self, journey_id: str, index: int) -> Any:
        if self._current[0] != journey_id:
            self._set_aside()
            waiting = self._taken_waiting(journey_id, index)
            if waiting is not None:
                return waiting
        rows = self._current[1]
        if index not in rows:  # the journey's first row, or one taken before
            self._forget_waiting(journey_id)  # all made again
            rows = dict(enumerate(self._make(self._journeys[journey_id])))
            self._current = (journey_id, rows)
        return rows.pop(index)

    def _taken_waiting(self, journey_id: str, index: int) -> Any:
        """The row, taken from those waiting, or None."""
        made = self._waiting.get(journey_id, {})
        if index in made:
            self._waiting_count -= 1
            row = made.pop(index)
            if not made:
                del self._waiting[journey_id]
            return row
        packed = self._packed.get(journey_id, {})
        if index not in packed:
            return None
        row = compact.unpack(packed.pop(index), self._journeys)
        if not packed:
            del self._packed[journey_id]
        return row

    def _forget_waiting(self, journey_id: str) -> None:
        self._waiting_count -= len(self._waiting.pop(journey_id, ()))
        self._packed.pop(journey_id, None)

    def _set_aside(self) -> None:
        """Keep the rows of the journey the listing leaves waiting."""
        journey_id, rows = self._current
        self._current = (None, {})
        if journey_id is None or not rows:
            return
        if self._waiting_count + len(rows) <= WAITING_AS_MADE:
            self._waiting.setdefault(journey_id, {}).update(rows)
            self._waiting_count += len(rows)
        else:
            self._packed.setdefault(journey_id, {}).update(
                (index, compact.pack(row, self._journeys)) for index, row in rows.items())
