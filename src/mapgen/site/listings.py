"""Listings: what a page that lists every journey holds of each.

A listing page (the home page, a register, a persona's page) names every journey, and
a workspace of 10,000 journeys does not fit in memory whole (see mapgen.compact). So
its rows hold references that keep the few fields a listing shows and look anything
else up in the workspace when a template asks for it, and its cards are made as the
template walks them. The registers' rows are made from each journey's records: the few
fields they show as plain data, made from the journey once for all three registers and
kept beside it (:class:`Rows`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from mapgen import compact
from mapgen.model import Journey, JourneySummary, Stage, Step

T = TypeVar("T")


class _Ref:
    """What a listing holds of a spec: the fields named in :attr:`KEPT` kept (plain data,
    as a journey's record holds them, see :class:`Rows`), any other attribute read from
    the whole spec, looked up again when asked for."""

    __slots__ = ()
    #: The spec's fields a reference keeps, in the order :meth:`keep` gives them.
    KEPT: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._keeper = operator.attrgetter(*cls.KEPT) if len(cls.KEPT) > 1 else None

    @classmethod
    def keep(cls, spec: Any) -> tuple:
        """What a reference keeps of ``spec``, as plain data: made again from it later."""
        return cls._keeper(spec)

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
    Made from what :meth:`keep` kept of a journey or of its
    :class:`~mapgen.model.JourneySummary` (see :meth:`of`)."""

    __slots__ = ("id", "title", "status", "lang", "dir", "_stage_count", "_journeys")
    KEPT = ("id", "title", "status", "lang", "dir")

    def __init__(self, kept: tuple, journeys: Mapping[str, Journey]):
        self.id, self.title, self.status, self.lang, self.dir, self._stage_count = kept
        self._journeys = journeys

    @classmethod
    def keep(cls, spec: Journey | JourneySummary) -> tuple:
        return (*super().keep(spec), len(spec.stages))

    @classmethod
    def of(cls, journey: Journey | JourneySummary,
           journeys: Mapping[str, Journey]) -> JourneyRef:
        return cls(cls.keep(journey), journeys)

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
    KEPT = ("id", "name", "phase", "owner")

    def __init__(self, kept: tuple, journey: JourneyRef):
        self.id, self.name, self.phase, self.owner = kept
        self._journey = journey

    def _whole(self) -> Stage:
        return next(st for st in self._journey._whole().stages if st.id == self.id)

    def _identity(self) -> tuple:
        return (self._journey.id, self.id)


class StepRef(_Ref):
    """A step in a listing: ``id`` and ``name`` kept."""

    __slots__ = ("id", "name", "_journey")
    KEPT = ("id", "name")

    def __init__(self, kept: tuple, journey: JourneyRef):
        (self.id, self.name), self._journey = kept, journey

    def _whole(self) -> Step:
        return next(s for s in self._journey._whole().steps if s.id == self.id)

    def _identity(self) -> tuple:
        return (self._journey.id, self.id)


class _InStep(_Ref):
    """Something a step lists (its pain points, its opportunities), in a listing: the
    fields in :attr:`KEPT` kept, and its place (``index``) in the step's list."""

    __slots__ = ("_step", "_index")
    #: The step's attribute that lists it.
    LIST: ClassVar[str] = ""

    def __init__(self, kept: tuple, step: StepRef, index: int):
        self._step, self._index = step, index
        self._hold(kept)

    def _hold(self, kept: tuple) -> None:
        """Set the fields in :attr:`KEPT` from ``kept`` (each kind its own)."""
        raise NotImplementedError

    def _whole(self) -> Any:
        return getattr(self._step._whole(), self.LIST)[self._index]

    def _identity(self) -> tuple:
        return (*self._step._identity(), self.LIST, self._index)


class PainRef(_InStep):
    """A pain point in a listing: ``id``, ``text``, ``severity``, ``evidence`` kept."""

    __slots__ = ("id", "text", "severity", "evidence")
    KEPT = ("id", "text", "severity", "evidence")
    LIST = "pain_points"

    def _hold(self, kept: tuple) -> None:
        self.id, self.text, self.severity, self.evidence = kept


class OpportunityRef(_InStep):
    """An opportunity in a listing: ``id``, ``text``, ``addresses``, ``owner``,
    ``priority``, ``status`` kept."""

    __slots__ = ("id", "text", "addresses", "owner", "priority", "status")
    KEPT = ("id", "text", "addresses", "owner", "priority", "status")
    LIST = "opportunities"

    def _hold(self, kept: tuple) -> None:
        self.id, self.text, self.addresses, self.owner, self.priority, self.status = kept


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


class Record:
    """A journey's record for one listing, unpacked (see :class:`Rows`): the journey, and
    its stages and steps as references (made when first asked for, shared by the rows
    made from the record), and ``rows``: what the listing shows, as plain data."""

    def __init__(self, data: tuple, journeys: Mapping[str, Journey]):
        journey, self._stages, self._steps, self.rows = data
        self.journey = JourneyRef(journey, journeys)
        self._refs: dict[tuple[type, int], _Ref] = {}

    @staticmethod
    def kept(journey: Journey) -> tuple:
        """What every record of ``journey`` starts with: what a reference keeps of it, of
        each stage, and of each step (in journey order, with its stage's place)."""
        return (JourneyRef.keep(journey), tuple(StageRef.keep(st) for st in journey.stages),
                tuple((place, StepRef.keep(step)) for place, stage in enumerate(journey.stages)
                      for step in stage.steps))

    def step(self, index: int) -> StepRef:
        """The journey's ``index``-th step (in journey order)."""
        return self._ref(StepRef, index, self._steps[index][1])

    def stage_of(self, step: int) -> StageRef:
        """The stage of the journey's ``step``-th step."""
        place = self._steps[step][0]
        return self._ref(StageRef, place, self._stages[place])

    def _ref(self, kind: type, index: int, kept: tuple) -> Any:
        ref = self._refs.get((kind, index))
        if ref is None:
            ref = self._refs[(kind, index)] = kind(kept, self.journey)
        return ref


class Rows:
    """The rows a listing (the pain register, the backlog, the touchpoint matrix) shows
    of each journey, each made when the template looks into it from the journey's record
    for that listing: plain data (tuples of text and numbers) that ``record`` makes from
    the journey, every listing's record at once, and the workspace keeps beside the
    journey (:meth:`mapgen.compact.Specs.beside`; packed in a large workspace). So the
    three listings, each showing the journeys in an order of its own, unpack each
    journey once between them, and a journey waits for its next row in a few hundred
    bytes. A journey's rows are
    mostly shown together (its pain points of one severity, its touchpoints in one
    cell): the record last unpacked is kept.

    ``record`` gives the record of every listing by name, ``listing`` names this one's,
    and ``make`` makes a row from the unpacked record and the row's plain data. Every
    listing of one workspace passes the same ``record``: the first to ask keeps its
    records for all.
    """

    def __init__(self, journeys: Mapping[str, Journey], listing: str,
                 record: Callable[[Journey], dict[str, tuple]],
                 make: Callable[[Record, Any], Any]):
        self._journeys, self._listing, self._record, self._make = \
            journeys, listing, record, make
        self._current: Record | None = None

    def row(self, journey_id: str, index: int) -> Lazy:
        """The ``index``-th row of the journey, as a :class:`Lazy`."""
        return Lazy(journey_id, functools.partial(self._row, journey_id, index))

    def _row(self, journey_id: str, index: int) -> Any:
        record = self._current
        if record is None or record.journey.id != journey_id:
            data = compact.beside(self._journeys, journey_id, self._listing, self._record)
            record = self._current = Record(data, self._journeys)
        return self._make(record, record.rows[index])

