"""Data files: the compiled model (journeys.json) and the sitemap, for other tools."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from mapgen import __version__
from mapgen.model import Workspace
from mapgen.site.pages import Page


def compiled_model(ws: Workspace) -> dict[str, Any]:
    """The validated model as plain JSON: for other tools, and `mapgen export`."""
    return {
        "generator": f"mapgen {__version__}",
        "config": ws.config.model_dump(mode="json", exclude={"theme"}),
        "personas": {pid: dumped(p) for pid, p in ws.personas.items()},
        "journeys": {jid: dumped(j) for jid, j in ws.journeys.items()},
    }


#: id(model) -> (model, its JSON-ready dump); the model is kept alive with its entry.
_DUMPS: dict[int, tuple[Any, dict]] = {}


def dumped(item: Any) -> dict:
    """``item.model_dump(mode="json")``, once per (immutable) object."""
    known = _DUMPS.get(id(item))
    if known is None or known[0] is not item:
        if len(_DUMPS) > 10_000:
            _DUMPS.clear()
        known = _DUMPS[id(item)] = (item, item.model_dump(mode="json"))
    return known[1]


def as_json(data: Any) -> bytes:
    """Compact JSON: the C encoder only runs without indentation, ten times faster."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def sitemap(site_url: str, public: list[Page]) -> bytes:
    urls = "".join(f"  <url><loc>{escape(site_url + p.path)}</loc></url>\n" for p in public)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n").encode()
