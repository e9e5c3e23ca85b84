"""Where a cold build's Python time goes, by part of the site: `python bench/cold_profile.py DIR`.

    pip install py-spy
    python bench/corpus.py 1000 corpus-1000
    python bench/cold_profile.py corpus-1000   # deletes corpus-1000/site and its cache

It deletes the workspace's site and `.mapgen-cache`, samples one `mapgen build` with
py-spy (every process mapgen starts: the reading workers and the forked one included;
the layout engine is not Python and is measured by `bench/run.py floor`), and prints the
share of the samples that fall in each part. Only the thread holding the interpreter
lock is sampled in each process, so the samples add up to about the Python side's CPU
time (not the wall time: two processes work at once). A stack is counted in the first
part that one of its frames matches, in the order of ``PARTS``: a journey page's drawing
is under the page, a poster's layout under the posters.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Where a thread waits: a sample whose innermost frame is one of these is left out (with
#: py-spy's --gil a thread is sampled only while it holds the lock, so few are).
WAITING = ("_PollLikeSelector.select", "Condition.wait", "Event.wait", "_wait_for_tstate_lock",
           "Connection._recv", "Connection._poll", "Popen._communicate", "Popen.wait",
           "_worker (concurrent/futures/thread.py")  # a pool's thread waiting for work
#: (part, frames that put a sample in it): the first that matches wins.
PARTS = (
    ("imports", ("_find_and_load",)),
    ("reading the specs (YAML, validating)", ("_parse_job", "mapgen/load.py",
                                             "mapgen/validate.py", "read_workspace")),
    ("posters", ("mapgen/poster/",)),
    ("search index", ("site/search.py", "site/reindex.py")),
    ("journeys.json", ("site/data.py",)),
    ("journey pages (the journey map, the page)", ("journey.html",)),
    ("diagrams: DOT, finishing SVG, charts", ("mapgen/diagrams/", "mapgen/canvas.py")),
    ("listing pages (home, personas, registers)", (
        "index.html", "persona.html", "overview.html", "touchpoints.html",
        "pain-points.html", "opportunities.html", "site/listings.py", "site/pieces.py")),
    ("other pages and what every page shares", ("_render_page", "site/pages.py",
                                                "site/markup.py")),
    ("writing files", ("site/output.py",)),
    ("the cache", ("mapgen/cache.py",)),
)


def part_of(stack: str) -> str | None:
    """The part a sampled stack belongs to; None while it waits."""
    innermost = stack.rpartition(";")[2]
    if innermost.startswith(WAITING):
        return None
    for part, frames in PARTS:
        if any(frame in stack for frame in frames):
            return part
    return "other"


def shares(raw: Path) -> collections.Counter:
    """The samples in which Python worked, per part, of py-spy's raw output."""
    parts: collections.Counter = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        part = part_of(stack)
        if part is not None and count.isdigit():
            parts[part] += int(count)
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    args = parser.parse_args()
    if not shutil.which("py-spy"):
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    for generated in ("site", ".mapgen-cache"):
        shutil.rmtree(args.workspace / generated, ignore_errors=True)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "samples.txt"
        subprocess.run(["py-spy", "record", "--subprocesses", "--gil", "-r", str(args.rate),
                        "-f", "raw", "-o", str(raw), "--",
                        sys.executable, "-m", "mapgen", "build"],
                       cwd=args.workspace, check=True, capture_output=True)
        parts = shares(raw)
    busy = sum(parts.values())
    print(f"{busy} samples of Python working ({busy / args.rate:.1f} s at {args.rate} Hz)")
    for part, count in parts.most_common():
        print(f"{count / busy * 100:5.1f}%  {part}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
