"""bench/cold_profile.py: a sampled stack counts in the part of the site it was making."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import cold_profile  # noqa: E402  (bench/cold_profile.py)

MAIN = ('process 1:"";_run_module_as_main (<frozen runpy>:198);build (mapgen/cli.py:438);'
        "render_site (mapgen/site/build.py:306);_render_page (mapgen/site/build.py:500)")


def test_a_sample_counts_in_the_first_part_that_matches(tmp_path):
    raw = tmp_path / "samples.txt"
    raw.write_text("\n".join([
        f"{MAIN};root (journey.html:12);macro (canvas.html:40);finish (mapgen/diagrams/svg.py:9) 7",
        f"{MAIN};root (touchpoints.html:3);Pieces.parts (mapgen/site/pieces.py:88) 3",
        f"{MAIN};posters (mapgen/poster/layout.py:20) 2",
        f"{MAIN};Condition.wait (threading.py:327) 50",
        'process 1:"";save (mapgen/cache.py:600);Connection.send '
        "(multiprocessing/connection.py:206);_stored (mapgen/cache.py:486) 5",  # working
        'process 1:"";process 2:"mapgen build";_parse_job (mapgen/workspace.py:700);'
        "load (mapgen/load.py:30) 4",
    ]) + "\n")
    parts = cold_profile.shares(raw)
    assert sum(parts.values()) == 21  # the wait is left out
    assert parts == {"journey pages (the journey map, the page)": 7, "the cache": 5,
                     "listing pages (home, personas, registers)": 3,
                     "posters": 2, "reading the specs (YAML, validating)": 4}
