"""Data files: the compiled model (journeys.json) and the sitemap, for other tools."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from mapgen import __version__
from mapgen.model import Workspace
from mapgen.site.pages import Page


def compiled_model(ws: Workspace) -> Iterator[bytes]:
    """The validated model as plain JSON (journeys.json), for other tools, in pieces: a
    journey at a time, so a workspace of any size is never in memory whole as JSON."""
    head = as_json({"generator": f"mapgen {__version__}",
                    "config": ws.config.model_dump(mode="json", exclude={"theme"}),
                    "personas": {pid: p.model_dump(mode="json")
                                 for pid, p in ws.personas.items()}})
    yield head[:-2] + b',"journeys":{'
    for index, (jid, journey) in enumerate(ws.journeys.items()):
        yield (b"," if index else b"") + as_json({jid: journey.model_dump(mode="json")})[1:-2]
    yield b"}}\n"


def as_json(data: Any) -> bytes:
    """Compact JSON: the C encoder only runs without indentation, ten times faster."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def sitemap(site_url: str, public: list[Page]) -> bytes:
    urls = "".join(f"  <url><loc>{escape(site_url + p.path)}</loc></url>\n" for p in public)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n").encode()
