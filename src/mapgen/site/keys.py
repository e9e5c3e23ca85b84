"""Keys: what each file and diagram of a site is made from, named by one digest.

A build compares a file's key with the one the output folder's manifest holds, and a
live preview with the one its memo holds: the same key means the same bytes, so the
file is not made again (see :mod:`mapgen.site.build`).
"""

from __future__ import annotations

from mapgen.model import Workspace
from mapgen.site.data import as_json, dumped
from mapgen.site.pages import ALL
from mapgen.storage import code_fingerprint, digest


class Keys:
    """What each file and diagram of a site is made from, as a digest.

    A key covers mapgen's code, the config, the layout engine and its version, and the
    bytes of the spec files named by the file's ``depends``; a page's key also covers
    the theme's templates and options and the site URL. Two renders with the same key
    make the same bytes. (Static assets are keyed by their own bytes.)
    """

    def __init__(self, ws: Workspace, theme_fingerprint: str, site_url: str | None,
                 engine: str):
        self.ws = ws
        #: What diagrams and data files are made with: not the theme nor the site URL, so
        #: editing a template renders the pages again but draws no diagram.
        self.content = digest(code_fingerprint(), engine, self._source("config"))
        #: What pages are made with besides: the theme and the site URL.
        self.base = digest(self.content, theme_fingerprint, site_url or "")
        self.sources = digest(*(f"{name}={self._source(name)}"
                                for name in sorted(self._names())))

    def _names(self) -> list[str]:
        return [f"journeys/{j}" for j in self.ws.journeys] + [
            f"personas/{p}" for p in self.ws.personas]

    def _source(self, name: str) -> str:
        """The digest of the file ``name`` was read from (of its model when none is known)."""
        known = self.ws.digests.get(name)
        if known:
            return known
        if name == "config":
            return digest(as_json(self.ws.config.model_dump(mode="json")))
        kind, _, ident = name.partition("/")
        item = (self.ws.journeys if kind == "journeys" else self.ws.personas).get(ident)
        return digest(as_json(dumped(item))) if item is not None else "missing"

    def of(self, depends: frozenset[str], *name: str) -> str:
        """The key of a file made from ``depends`` (see :class:`mapgen.site.pages.Page`)."""
        return self._key(self.base, depends, name)

    def of_content(self, depends: frozenset[str], *name: str) -> str:
        """The key of a diagram or data file made from ``depends``."""
        return self._key(self.content, depends, name)

    def _key(self, base: str, depends: frozenset[str], name: tuple[str, ...]) -> str:
        if ALL in depends:
            return digest(base, self.sources, *name)
        return digest(base, *name, *(f"{dep}={self._dependency(dep)}"
                                     for dep in sorted(depends)))

    def _dependency(self, dep: str) -> str:
        kind, _, ident = dep.partition(":")
        return self._source(f"{kind}s/{ident}")
