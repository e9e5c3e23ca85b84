"""The benchmark suite: `python bench/run.py [--sizes 100 1000] [--json FILE]`.

For each corpus size N (see corpus.py) it measures, each in a process of its own:

* cold: `mapgen build` with no site and no cache folder;
* warm: `mapgen build` again, nothing changed (a no-op rebuild);
* change: what `mapgen serve` does after a save: one journey's step renamed, the site
  rebuilt in memory by a Preview that had already built it (process start excluded);
* floor: the same DOT sources laid out by the same engine on the same number of cores,
  nothing else: what a build cannot go below;
* mkdocs: the same corpus written as Markdown, one page per journey with the same tables,
  built by MkDocs (when it is installed in this environment; `pip install mkdocs`).

Each is run ``--repeat`` times (3 by default, in turn) and the median run is reported:
on a shared virtual machine one run can be a third slower than the next. It prints a
table of seconds and peak resident memory (RSS of the process and the largest of its
children) with the ratios the targets are set on, and writes the same, every run's time
included, as JSON (default bench/results/latest.json). Run it with nothing else going on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus

#: The one-journey change: a step of journey 0 renamed, as a writer would.
OLD_STEP = "name: Step 1 of awareness in journey 0\n"


def timed(args: list[str], cwd: Path | None = None) -> dict:
    """Wall time and this child's own peak RSS, read with wait4 rather than a timer guess.

    Output goes to temporary files, not pipes: a child writing more than a pipe holds
    would block while nobody reads it, since the parent is waiting in wait4.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{stderr}")
    return {"seconds": round(seconds, 3), "rss_mb": round(usage.ru_maxrss / 1024, 1),
            "stdout": stdout, "stderr": stderr}


MAPGEN = [sys.executable, "-m", "mapgen"]


def measure_size(n: int, work: Path, repeat: int) -> dict:
    """Each measurement ``repeat`` times, in turn; the median run of each is kept."""
    root = write_corpus(n, work / f"corpus-{n}")
    runs: dict[str, list[dict]] = {name: [] for name in ("cold", "warm", "floor", "change")}
    for _ in range(repeat):
        shutil.rmtree(root / "site", ignore_errors=True)
        shutil.rmtree(root / ".mapgen-cache", ignore_errors=True)
        runs["cold"].append(_summary(timed(MAPGEN + ["build"], cwd=root)))
        runs["warm"].append(_summary(timed(MAPGEN + ["build"], cwd=root)))
        runs["floor"].append(_json_child(["floor", str(root)]))
        runs["change"].append(_json_child(["change", str(root)]))
    result: dict = {"journeys": n}
    for name, measured in runs.items():
        result[name] = _median(measured)
        result[name]["all_seconds"] = [m["seconds"] for m in measured]
    result["mkdocs"] = _median([mkdocs_build(n, work / f"mkdocs-{n}-{i}")
                                for i in range(repeat)]) if _has_mkdocs() else None
    return result


def _median(runs: list[dict]) -> dict:
    """The run with the median time (the lower one of an even count)."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return dict(ordered[(len(ordered) - 1) // 2])


def _summary(run: dict) -> dict:
    line = next((ln for ln in run["stderr"].splitlines() if ln.startswith("Built")), "")
    pages = re.search(r"of (\d+) pages? rendered", line)
    return {"seconds": run["seconds"], "rss_mb": run["rss_mb"], "summary": line,
            "pages": int(pages.group(1)) if pages else None}


def _json_child(args: list[str]) -> dict:
    run = timed([sys.executable, str(HERE / "run.py"), *args])
    data = json.loads(run["stdout"])
    data["rss_mb"] = run["rss_mb"]
    return data


# --- measured inside a child process ---------------------------------------------------

def floor(root: Path) -> dict:
    """Lay out the build's DOT sources with the build's engine, and time only that."""
    from mapgen import diagrams
    from mapgen.diagrams.engine import Job, get_engine
    from mapgen.site.drawings import SITE_VIEWS
    from mapgen.workspace import read_workspace

    ws = read_workspace(root).workspace
    requests = [r for r in diagrams.requests_for(ws, SITE_VIEWS) if r.view in diagrams.GRAPH_VIEWS]
    jobs = [Job(r.name, diagrams.dot_source(ws, r)) for r in requests]
    engine = get_engine(ws.config.engine)
    engine.version  # noqa: B018 - asked once, outside the timing
    started = time.perf_counter()
    engine.layout(jobs)
    return {"seconds": round(time.perf_counter() - started, 3), "graphs": len(jobs),
            "cores": engine.jobs}


def change(root: Path, runs: int = 3) -> dict:
    """Time a Preview's rebuild after one journey's step is renamed (median of ``runs``)."""
    from mapgen.serve import Preview

    preview = Preview(root)
    preview.rebuild()
    journey = root / "specs/journeys/j0000.yml"
    original = journey.read_text("utf-8")
    timings = []
    try:
        for run in range(runs):
            journey.write_text(original.replace(OLD_STEP, f"name: Step {run} renamed\n"),
                               "utf-8")
            started = time.perf_counter()
            state = preview.rebuild({journey})
            timings.append(time.perf_counter() - started)
            assert state.crash is None and state.files, state.crash
    finally:
        journey.write_text(original, "utf-8")
    return {"seconds": round(statistics.median(timings), 3),
            "runs": [round(t, 3) for t in timings]}


# --- the peer ------------------------------------------------------------------------------

def _has_mkdocs() -> bool:
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        return False
    return True


def mkdocs_build(n: int, target: Path) -> dict:
    """The corpus as MkDocs pages with the same tables, built by MkDocs."""
    write_markdown_corpus(n, target)
    run = timed([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=target)
    return {"seconds": run["seconds"], "rss_mb": run["rss_mb"], "pages": n + 1}


def write_markdown_corpus(n: int, target: Path) -> None:
    """One Markdown page per journey: the stage-by-stage table mapgen's page shows."""
    from mapgen.workspace import read_workspace

    ws = read_workspace(write_corpus(n, target / "specs-source")).workspace
    docs = target / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (target / "mkdocs.yml").write_text("site_name: Benchmark corpus\n", "utf-8")
    (docs / "index.md").write_text("# Journeys\n\n" + "".join(
        f"- [{j.title}](journeys/{j.id}.md)\n" for j in ws.journeys.values()), "utf-8")
    (docs / "journeys").mkdir(exist_ok=True)
    for journey in ws.journeys.values():
        (docs / f"journeys/{journey.id}.md").write_text(journey_markdown(journey), "utf-8")
    shutil.rmtree(target / "specs-source")


def journey_markdown(journey) -> str:
    rows = [("Steps", lambda s: s.name), ("Actions", lambda s: s.actions or ""),
            ("Touchpoints", lambda s: "; ".join(f"{t.channel}: {t.name}" for t in s.touchpoints)),
            ("Emotion", lambda s: ", ".join(f"{p}: {v}" for p, v in s.scores(
                journey.personas).items())),
            ("Pain points", lambda s: "; ".join(f"{p.severity}: {p.text}" for p in s.pain_points)),
            ("Opportunities", lambda s: "; ".join(o.text for o in s.opportunities))]
    lines = [f"# {journey.title}", ""]
    for stage in journey.stages:
        lines += [f"## {stage.name}", "", "| | " + " | ".join(s.id for s in stage.steps) + " |",
                  "|---|" + "---|" * len(stage.steps)]
        lines += [f"| {title} | " + " | ".join(cell(s) for s in stage.steps) + " |"
                  for title, cell in rows]
        lines.append("")
    return "\n".join(lines) + "\n"


# --- the report ----------------------------------------------------------------------------

def ratios(results: dict) -> dict:
    big = results["sizes"][-1]
    small = results["sizes"][0]
    out = {
        "cold_over_floor": big["cold"]["seconds"] / big["floor"]["seconds"],
        "cold_over_warm": big["cold"]["seconds"] / big["warm"]["seconds"],
        "growth_cold": big["cold"]["seconds"] / small["cold"]["seconds"],
        "growth_warm": big["warm"]["seconds"] / small["warm"]["seconds"],
        "growth_journeys": big["journeys"] / small["journeys"],
    }
    if big["mkdocs"]:
        ours = big["cold"]["seconds"] / big["cold"]["pages"]
        theirs = big["mkdocs"]["seconds"] / big["mkdocs"]["pages"]
        out["per_page_over_mkdocs"] = ours / theirs
    return {key: round(value, 2) for key, value in out.items()}


def table(results: dict) -> str:
    lines = ["| N | run | seconds | peak RSS (MB) |", "|---:|---|---:|---:|"]
    for size in results["sizes"]:
        for name, label in (("cold", "cold build (empty cache)"), ("warm", "warm no-op rebuild"),
                            ("change", "one-journey change (serve, in process)"),
                            ("floor", "Graphviz floor (layout only)"),
                            ("mkdocs", "MkDocs, same pages as Markdown")):
            run = size.get(name)
            if run:
                lines.append(f"| {size['journeys']} | {label} | {run['seconds']:.2f} | "
                             f"{run['rss_mb']:.0f} |")
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in results["ratios"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = sys.argv[1:2]
    if sub and sub[0] in ("floor", "change"):
        print(json.dumps((floor if sub[0] == "floor" else change)(Path(sys.argv[2]))))
        return
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--json", type=Path, default=HERE / "results/latest.json")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each measurement; the median is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mapgen-bench-") as tmp:
        sizes = [measure_size(n, Path(tmp), args.repeat) for n in sorted(args.sizes)]
    results = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                           "system": platform.platform()},
               "repeat": args.repeat, "sizes": sizes}
    results["ratios"] = ratios(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(table(results))
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
