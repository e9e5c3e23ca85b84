"""Messages: every word of the site's interface and of its drawings, in their language.

The words around a team's content (the navigation, lane names, table headings, the
search page's replies) are data, not code: one JSON catalogue per language beside this
file (``en.json``, ``de.json``, ``fr.json``, ``es.json``, ``ja.json``), each a mapping of
keys to text. Text may hold ``{name}`` placeholders, filled in when it is shown; a text
that depends on a count is a mapping of plural forms (``{"one": "{count} step", "other":
"{count} steps"}``), chosen by the language's rule.

The catalogue is chosen by the site's ``lang`` (``mapgen.yml``): the tag itself
(``pt-BR``), then its primary language (``pt``), then English, so a key missing in one
language shows in the next. A theme, and a ``custom_dir``, may carry a ``messages/``
folder with catalogues of the same names: their keys win over mapgen's for the same
language (and a more specific language wins over a layer).

Diagrams and posters say mapgen's words too ("exit", lane names, "Funnel of ..."): in
the language of what they draw (:func:`drawn_messages`), a journey's own ``lang``
before the site's, from mapgen's catalogues.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from mapgen.cache import pure

if TYPE_CHECKING:
    from mapgen.model import Journey, Workspace

FOLDER = Path(__file__).resolve().parent
FALLBACK = "en"

#: Languages whose nouns do not change with a count (CLDR: only "other").
_NO_PLURAL = frozenset({"ja", "zh", "ko", "vi", "th", "id", "ms", "lo", "my", "km", "yue"})
#: Languages that count 0 and 1 alike ("0 étape", "1 étape", "2 étapes").
_ZERO_IS_ONE = frozenset({"fr", "pt", "hy", "kab", "ff"})


#: The values :meth:`Messages.text` and :meth:`~Messages.markup` remember their results
#: by (they cannot change), and how many results they keep.
_PLAIN = frozenset({str, int, Markup, type(None)})  # not float: -0.0 == 0.0
#: Labels recur, counts and titles seldom do: once this many are kept (some 4 MB) the
#: memo starts again, so the labels asked for since are kept, not the first 16,384 texts.
_MEMO_SIZE = 16384


def _memo_key(kind: type, key: str, n: Any, values: dict[str, Any]) -> tuple | None:
    """What a message made from plain values is remembered by; None for other values.
    The types are a part of it: "<b>" as text and as Markup differ on a page."""
    if type(n) not in _PLAIN:
        return None
    if not values:  # most of them: a lane's name, a severity
        return kind, key, n
    memo = [kind, key, n]
    for name, value in values.items():
        if type(value) not in _PLAIN:
            return None
        memo += (name, type(value), value)
    return tuple(memo)


class MessageError(Exception):
    """A catalogue that cannot be read; the message names the file and what to fix."""


def plural_form(lang: str, count: int) -> str:
    """"one" or "other": which plural form of a text ``count`` takes in ``lang``."""
    primary = lang.lower().split("-")[0]
    if primary in _NO_PLURAL:
        return "other"
    if primary in _ZERO_IS_ONE:
        return "one" if abs(count) < 2 else "other"
    return "one" if count == 1 else "other"


def fallbacks(lang: str) -> list[str]:
    """The catalogue names to look in, the most general first: ["en", "pt", "pt-br"]."""
    tag = lang.lower()
    chain = [FALLBACK, tag.split("-")[0], tag]
    return list(dict.fromkeys(chain))


class Messages(Mapping[str, Any]):
    """The interface text of one language, keys missing in it taken from its fallbacks."""

    def __init__(self, lang: str, entries: Mapping[str, Any]):
        self.lang = lang
        self._entries = dict(entries)
        #: What :meth:`text` and :meth:`markup` made, by key, count and plain values: a
        #: page or a poster asks for the same few words hundreds of times (lane names,
        #: severities, "Taking part: ...").
        self._made: dict[tuple, str] = {}

    def __getitem__(self, key: str) -> Any:
        return self._entries[key]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def text(self, key: str, n: int | None = None, **values: Any) -> str:
        """The text of ``key`` as plain text, placeholders filled in (for drawings and
        data; pages use :meth:`markup`). With ``n``, the plural form for ``n``, whose
        ``{count}`` is ``n`` unless a ``count`` value is given."""
        memo = _memo_key(str, key, n, values)
        made = self._made.get(memo) if memo is not None else None
        if made is None:
            made = self._pick(key, n).format(**self._values(n, values))
            self._remember(memo, made)
        return made

    def markup(self, key: str, n: int | None = None, **values: Any) -> Markup:
        """The text of ``key`` for a page: the text escaped, each value escaped unless it
        is already markup (a link, a ``<strong>`` figure)."""
        memo = _memo_key(Markup, key, n, values)
        made = self._made.get(memo) if memo is not None else None
        if made is None:
            made = Markup(escape(self._pick(key, n))).format(**self._values(n, values))
            self._remember(memo, made)
        return made

    def _remember(self, memo: tuple | None, made: str) -> None:
        if memo is None:
            return
        if len(self._made) >= _MEMO_SIZE:
            self._made.clear()
        self._made[memo] = made

    def number(self, value: int) -> str:
        """A whole number with the language's digit grouping: 12,480 / 12.480 / 12 480."""
        digits = f"{abs(value):,}".replace(",", self._entries.get("format.group", ","))
        return ("−" if value < 0 else "") + digits

    def _pick(self, key: str, n: int | None) -> str:
        try:
            text = self._entries[key]
        except KeyError:
            raise KeyError(f'no message "{key}" in any catalogue for "{self.lang}"') from None
        if isinstance(text, dict):
            form = plural_form(self.lang, n or 0)
            return text.get(form, text["other"])
        return text

    def _values(self, n: int | None, values: dict[str, Any]) -> dict[str, Any]:
        if n is not None and "count" not in values:
            values = {**values, "count": self.number(n)}
        return values

    def for_script(self, prefixes: tuple[str, ...]) -> dict[str, Any]:
        """The keys starting with one of ``prefixes``, for the theme's script (mapgen.js)."""
        return {k: v for k, v in self._entries.items() if k.startswith(prefixes)}


def load_messages(lang: str, layers: Iterable[Path] = ()) -> Messages:
    """The catalogue for ``lang``: mapgen's, overridden by each of ``layers`` (theme
    folders, the winning one first, each maybe with a ``messages/`` folder)."""
    folders = [Path(p) / "messages" for p in reversed(list(layers))]
    if not folders:
        return _shipped(lang)
    entries: dict[str, Any] = {}
    for name in fallbacks(lang):
        for folder in [FOLDER, *folders]:
            entries.update(read_catalogue(folder, name))
    return Messages(lang, entries)


@pure(64)
def _shipped(lang: str) -> Messages:
    """mapgen's own catalogue for ``lang``: part of its code, read once per language (a
    theme's catalogues, which can change under a live preview, are read every build)."""
    entries: dict[str, Any] = {}
    for name in fallbacks(lang):
        entries.update(read_catalogue(FOLDER, name))
    return Messages(lang, entries)


def drawn_messages(ws: Workspace, journey: Journey | None = None) -> Messages:
    """mapgen's words in a drawing of ``journey`` (None: of the whole workspace), in the
    language its text is written in: the journey's ``lang``, else the site's. Drawings
    take mapgen's own catalogues, which are part of its code and so of every cached
    drawing's key; a theme's ``messages/`` speak on its pages."""
    return _shipped(ws.lang_of(journey))


def available() -> list[str]:
    """The languages mapgen ships a catalogue for."""
    return sorted(p.stem for p in FOLDER.glob("*.json"))


def read_catalogue(folder: Path, name: str) -> dict[str, Any]:
    """The catalogue ``name`` in ``folder`` (``de.json``; names are matched without regard
    to case), or nothing when there is none."""
    path = folder / f"{name}.json"
    if not path.is_file():
        path = next((p for p in folder.glob("*.json") if p.stem.lower() == name), path) \
            if folder.is_dir() else path
        if not path.is_file():
            return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"{path}: cannot read the message catalogue: {exc}") from None
    if not isinstance(data, dict):
        raise MessageError(f"{path}: write the catalogue as one JSON object of "
                           '"key": "text" pairs')
    return data
