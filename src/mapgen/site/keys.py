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

    A key covers mapgen's code, the theme's files and options, the config, the site URL,
    the layout engine and its version, and the bytes of the spec files named by the
    page's or diagram's ``depends``. Two renders with the same key make the same bytes.
    """

    def __init__(self, ws: Workspace, theme_fingerprint: str, site_url: str | None,
                 engine: str):
        self.ws = ws
        self.base = digest(code_fingerprint(), theme_fingerprint, engine,
                           self._source("config"), site_url or "")
        self.everything = digest(self.base, *(f"{name}={self._source(name)}"
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
        if ALL in depends:
            return digest(self.everything, *name)
        return digest(self.base, *name, *(f"{dep}={self._dependency(dep)}"
                                          for dep in sorted(depends)))

    def _dependency(self, dep: str) -> str:
        kind, _, ident = dep.partition(":")
        return self._source(f"{kind}s/{ident}")
