"""Where one `mapgen build` spends its time, by phase: run it in a workspace's folder.

    cd corpus-1000 && python /path/to/bench/phases.py [build options]

It times, with ``time.perf_counter`` around each, the imports, reading the workspace,
compiling templates, recalling the listings' pieces and noting where they are, counting
a page's bytes, making the pages, publishing, saving the cache, and the steps around the
build (stamping the inputs, noting the folder and the build), then prints one line (a
phase called several times is summed; phases nest: making the pages includes compiling
and recalling). One run is one sample: compare runs as ratios.
"""

from __future__ import annotations

import functools
import sys
import time

STARTED = time.perf_counter()

import jinja2  # noqa: E402

from mapgen import cli  # noqa: E402
from mapgen.cache import Cache  # noqa: E402
from mapgen.site import build, current, pieces  # noqa: E402
from mapgen.site.output import OutputFolder  # noqa: E402
from mapgen.site.pieces import Pieces  # noqa: E402

IMPORTED = time.perf_counter()
#: (object, attribute, phase) of each function timed.
PHASES = (
    (cli, "_valid_workspace", "reading"),
    (build, "render_site", "making the pages"),
    (jinja2.Environment, "compile", "compiling templates"),
    (Pieces, "_recall", "recalling pieces"),
    (Pieces, "keep", "noting where pieces are"),
    (build, "utf8_size", "counting bytes"),
    (pieces, "utf8_size", "counting bytes"),
    (OutputFolder, "publish", "publishing"),
    (Cache, "save", "saving the cache"),
    (current, "stamp", "stamping the inputs"),
    (current, "remember", "noting the build"),
    (OutputFolder, "seen_now", "noting the folder"),
)


def timed(function, phase: str, spent: dict[str, float]):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - started
    return wrapper


def main() -> None:
    spent: dict[str, float] = {}
    for owner, name, phase in PHASES:
        setattr(owner, name, timed(getattr(owner, name), phase, spent))
    sys.argv = ["mapgen", "build", *sys.argv[1:]]
    try:
        cli.main()
    except SystemExit as exit:
        if exit.code:
            raise
    parts = [f"imports {IMPORTED - STARTED:.3f}"]
    parts += [f"{phase} {spent[phase]:.3f}"
              for phase in dict.fromkeys(phase for _, _, phase in PHASES) if phase in spent]
    print(", ".join(parts) + f"; in all {time.perf_counter() - STARTED:.3f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
