"""Render pages alone: the templates' share of a build, without diagrams or writing.

    python bench/pages.py CORPUS --journeys 300            # N journey pages
    python bench/pages.py CORPUS touchpoints.html index.html
    python bench/pages.py CORPUS --journeys 300 --out before.pickle   # keep the bytes

Each page is rendered ``--repeat`` times (best reported) as a build renders it, with
every diagram a stub and every ``{% piece %}`` rendered anew (an empty cache), after
every journey has been looked up once, as after a build's journey pages. With ``--out``
the pages' bytes are kept, to check that a change leaves them as they were:
``--compare before.pickle`` says which pages differ.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

from markupsafe import Markup

from mapgen.cache import Cache, Reads, Sources
from mapgen.site import build
from mapgen.site import pages as site_pages
from mapgen.site.pieces import Pieces
from mapgen.site.theme import load_theme
from mapgen.workspace import read_workspace


class _Stubs(dict):
    """Every diagram, as an empty drawing."""

    def __missing__(self, name: str) -> Markup:
        return Markup("<svg></svg>")

    def get(self, name: str, default: object = None) -> Markup:
        return self[name]


class _NoDrawings:
    def seen_by(self, reads: Reads) -> _Stubs:
        return _Stubs()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("pages", nargs="*", help="site paths of pages to render")
    parser.add_argument("--journeys", type=int, default=0, help="render this many journey pages")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="keep the pages' bytes in this file")
    parser.add_argument("--compare", type=Path, help="pages' bytes kept before, to compare")
    args = parser.parse_intermixed_args()
    ws = read_workspace(args.corpus).workspace
    for journey_id in ws.journeys:
        ws.journeys[journey_id]  # noqa: B018 - looked up once, as by a build's pages
    config = ws.config
    theme = load_theme(args.corpus, config.theme.name, config.theme.custom_dir,
                       config.theme.options)
    env = theme.environment()
    shared = build._site_context(ws, theme, None, build.site_nav(ws))
    plan = {page.path: page for page in site_pages.plan(ws)}
    journey_pages = [p for p in plan.values() if p.template == "journey.html"]
    groups = {f"{args.journeys} journey pages": journey_pages[:args.journeys]} \
        if args.journeys else {}
    groups.update({path: [plan[path]] for path in args.pages})
    made: dict[str, bytes] = {}
    for label, group in groups.items():
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            for page in group:
                reads = Reads()
                pieces = Pieces(Cache(), Sources(ws), page.path, reads)
                made[page.path] = b"".join(build._render_page(
                    env, page, ws, shared, _NoDrawings(), reads, None, pieces))
            best = min(best, time.perf_counter() - started)
        print(f"{label}: {best * 1000 / len(group):.2f} ms a page (best of {args.repeat})")
    if args.out:
        args.out.write_bytes(pickle.dumps(made))
    if args.compare:
        before = pickle.loads(args.compare.read_bytes())  # noqa: S301 - our own file
        differ = sorted(path for path in made if before.get(path) != made[path])
        print(f"{len(differ)} of {len(made)} pages differ" + (f": {differ[:5]}" if differ else ""))
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
