"""Data files: the compiled model (journeys.json) and the sitemap, for other tools."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from markupsafe import escape

from mapgen import __version__
from mapgen.cache import JourneyParts
from mapgen.model import Journey, Workspace
from mapgen.site.pages import Page


#: The cache kind of a journey's part of journeys.json (see :func:`journey_json`).
PART_KIND = "json-part"


def compiled_model(ws: Workspace, parts: JourneyParts | None = None) -> Iterator[bytes]:
    """The validated model as plain JSON (journeys.json), for other tools, in pieces: a
    journey at a time, so a workspace of any size is never in memory whole as JSON.
    Each journey's piece is kept in ``parts`` when given (a one-journey change makes one)."""
    head = as_json({"generator": f"mapgen {__version__}",
                    "config": ws.config.model_dump(mode="json", exclude={"theme"}),
                    "personas": {pid: p.model_dump(mode="json")
                                 for pid, p in ws.personas.items()}})
    yield head[:-2] + b',"journeys":{'
    journeys = parts.each(ws, journey_json) if parts else map(journey_json,
                                                               ws.journeys.values())
    for index, piece in enumerate(journeys):
        yield (b"," if index else b"") + piece
    yield b"}}\n"


def journey_json(journey: Journey) -> bytes:
    """A journey's member of the ``journeys`` object: ``"id":{...}``."""
    return as_json({journey.id: journey.model_dump(mode="json")})[1:-2]


def as_json(data: Any) -> bytes:
    """Compact JSON: the C encoder only runs without indentation, ten times faster."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def sitemap(site_url: str, public: list[Page]) -> bytes:
    urls = "".join(f"  <url><loc>{escape(site_url + p.path)}</loc></url>\n" for p in public)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n").encode()
