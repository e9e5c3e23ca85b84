"""Diagram benchmark: `python bench/diagrams.py [--corpus N] [--json FILE]`.

For the example workspace and a generated corpus (200 journeys by default) it reports:
cold render of every diagram (empty cache, in parallel across cores), warm render (all
from the cache), the per-diagram cost of the embedded engine batched (many diagrams to
one process with -O) and unbatched (one process per diagram), and the same graphs
through the system `dot` when it is installed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus

from mapgen import diagrams
from mapgen.cache import Cache
from mapgen.diagrams import layouts
from mapgen.diagrams.engine import Job, get_engine
from mapgen.workspace import read_workspace


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(name: str, root: Path, cache_dir: Path, unbatched_sample: int) -> dict:
    load_s, result = timed(lambda: read_workspace(root))
    ws = result.workspace
    requests = diagrams.requests_for(ws)
    engine = get_engine("embedded")
    engine.version  # noqa: B018 - not part of any timing
    cold_cache = Cache(cache_dir)
    cold_s, _ = timed(lambda: diagrams.render(ws, requests, engine, cold_cache))
    cold_cache.save()
    warm_cache = Cache(cache_dir)
    warm_s, _ = timed(lambda: diagrams.render(ws, requests, engine, warm_cache))
    graph_jobs = [Job(r.name, diagrams.dot_source(ws, r)) for r in requests
                  if r.view in diagrams.GRAPH_VIEWS]
    one_core = get_engine("embedded", jobs=1)
    batched_s, _ = timed(lambda: one_core.layout(graph_jobs))
    sample = graph_jobs[:unbatched_sample]
    unbatched_s, _ = timed(lambda: [one_core.layout([job]) for job in sample])
    row = {
        "workspace": name, "journeys": len(ws.journeys), "diagrams": len(requests),
        "graphs": len(graph_jobs), "load_s": load_s, "cold_s": cold_s, "warm_s": warm_s,
        "warm_hits": layouts.reused(warm_cache), "cold_misses": layouts.laid_out(cold_cache),
        "batched_ms_per_graph_1core": 1000 * batched_s / len(graph_jobs),
        "unbatched_ms_per_graph_1core": 1000 * unbatched_s / len(sample),
    }
    if shutil.which("dot"):
        system = get_engine("system", jobs=1)
        system_s, _ = timed(lambda: system.layout(sample))
        row["system_dot_ms_per_graph_1core"] = 1000 * system_s / len(sample)
        row["system_dot_version"] = system.version
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=int, default=200)
    parser.add_argument("--sample", type=int, default=60,
                        help="graphs laid out one process each (and by system dot)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        rows.append(measure("example specs", HERE.parent, tmp_path / "cache-example",
                            args.sample))
        corpus = write_corpus(args.corpus, tmp_path / "corpus")
        rows.append(measure(f"corpus of {args.corpus}", corpus, tmp_path / "cache-corpus",
                            args.sample))
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


def print_table(rows: list[dict]) -> None:
    columns = [
        ("workspace", "workspace", "{}"), ("diagrams", "diagrams", "{}"),
        ("cold_s", "cold (s)", "{:.2f}"), ("warm_s", "warm (s)", "{:.3f}"),
        ("batched_ms_per_graph_1core", "batched ms/graph", "{:.1f}"),
        ("unbatched_ms_per_graph_1core", "unbatched ms/graph", "{:.1f}"),
        ("system_dot_ms_per_graph_1core", "system dot ms/graph", "{:.1f}"),
    ]
    print("| " + " | ".join(title for _, title, _ in columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        cells = [fmt.format(row[key]) if key in row else "n/a" for key, _, fmt in columns]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
