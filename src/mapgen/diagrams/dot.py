"""DOT: a directed graph written as text, as :mod:`mapgen.diagrams.graphs` builds one.

The ``graphviz`` package did this before, and its quoting (a regular expression or two
per name and value, attributes sorted on every call) cost more than writing the rest of
a journey's graph. :class:`Digraph` has the few methods the graphs use, with the same
names, and writes the same text, byte for byte (layouts are cached by their DOT).

Quoting (:func:`quote`) follows the DOT grammar: a name or value that is an ID (letters,
digits and underscores not starting with a digit, or a number) and not a keyword is
written as it is; an HTML-like label (``<...>``, made by ``graphs._html`` from escaped
text) as it is; anything else in double quotes, its backslashes and quotes escaped, so
it stays one literal string. User text only ever enters in HTML-like labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

_ID = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)")
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})


def quote(value: str) -> str:
    """``value`` as a DOT ID: as it is when it may stand alone, else double-quoted."""
    if value.startswith("<") and value.endswith(">"):
        return value  # an HTML-like label
    if _ID.fullmatch(value) and value.lower() not in _KEYWORDS:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attributes(label: str | None, attrs: dict[str, str], brackets: bool = True) -> str:
    """`` [label=... a=1 b=2]``: the label first, then the others by name."""
    pairs = [f"label={quote(label)}"] if label is not None else []
    pairs += [f"{quote(k)}={quote(v)}" for k, v in sorted(attrs.items()) if v is not None]
    if not brackets:
        return " ".join(pairs)
    return f" [{' '.join(pairs)}]" if pairs else ""


class Digraph:
    """A directed graph, or a subgraph of one, as DOT statements in the order added."""

    def __init__(self, name: str):
        self.name = name
        self.body: list[str] = []

    def attr(self, kw: str | None = None, **attrs: str) -> None:
        """Attributes of the graph itself (``kw`` None), or of its nodes or edges."""
        if attrs:
            self.body.append(f"\t{_attributes(None, attrs, brackets=False)}\n" if kw is None
                             else f"\t{kw}{_attributes(None, attrs)}\n")

    def node(self, name: str, label: str | None = None, **attrs: str) -> None:
        self.body.append(f"\t{quote(name)}{_attributes(label, attrs)}\n")

    def edge(self, tail: str, head: str, label: str | None = None, **attrs: str) -> None:
        self.body.append(f"\t{quote(tail)} -> {quote(head)}{_attributes(label, attrs)}\n")

    @contextmanager
    def subgraph(self, name: str) -> Iterator[Digraph]:
        """A subgraph (a cluster when ``name`` starts with "cluster"), added on leaving."""
        inner = Digraph(name)
        yield inner
        self.body += [f"\t{line}" for line in inner.lines("subgraph")]

    def lines(self, kind: str = "digraph") -> list[str]:
        return [f"{kind} {quote(self.name)} {{\n", *self.body, "}\n"]

    @property
    def source(self) -> str:
        return "".join(self.lines())
