"""What is made from every journey, timed alone: `python bench/linear.py DIR [DIR ...]`.

For each workspace (a corpus from corpus.py: `python bench/corpus.py 1000 /tmp/c1000`) it
reads the specs, then times, best of ``--repeat`` runs, the overview chart (and says how
big it is) and each computation of the site that reads every journey, each on a watched
view of the workspace as a page sees it. Run it at two sizes: every row should grow as
the journeys do (issue 15: no view grows faster than its input).
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path


def best(make, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        make()
        runs.append(time.perf_counter() - started)
    return min(runs)


def measure(root: Path, repeat: int) -> None:
    from mapgen import diagrams
    from mapgen.cache import Reads, watched
    from mapgen.site import pages, search
    from mapgen.workspace import read_workspace

    ws = read_workspace(root).workspace
    overview = diagrams.Request("overview")

    def seen():
        return watched(ws, Reads())

    def chart() -> str:
        return diagrams.VIEWS["overview"].draw(ws, None)

    svg = chart().encode("utf-8")
    print(f"{root}: {len(ws.journeys)} journeys, {len(ws.personas)} personas; overview "
          f"{len(svg) / 1e6:.2f} MB, {len(gzip.compress(svg)) / 1e3:.0f} KB gzipped")
    rows = {
        "overview chart": chart,
        "overview shows (its cache key)": lambda: diagrams.shown(seen(), overview),
        "journey_cards": lambda: pages.journey_cards(seen()),
        "figures": lambda: pages.figures(seen()),
        "touchpoint_matrix": lambda: pages.touchpoint_matrix(seen()),
        "pain_register": lambda: pages.pain_register(seen()),
        "backlog": lambda: pages.backlog(seen()),
        "appearances, every persona page": lambda: [
            pages.appearances(seen(), persona) for persona in ws.personas.values()],
        "search.index_files": lambda: search.index_files(seen()),
        "plan": lambda: pages.plan(ws),
    }
    for name, make in rows.items():
        print(f"  {name:34s} {best(make, repeat):8.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for root in args.roots:
        measure(root, args.repeat)


if __name__ == "__main__":
    main()
