"""The benchmark suite: `python bench/run.py [--sizes 100 1000 10000] [--repeat 3]`.

For each corpus size N (see corpus.py) it measures, each in a process of its own:

* cold: `mapgen build` with no site and no cache folder;
* warm: `mapgen build` again, nothing changed (a no-op rebuild);
* change_build: one journey's step renamed, then `mapgen build` in a new process, as a
  writer who saves and builds again (five edits, the median one reported);
* change: what `mapgen serve` does after a save: the same edit, the site rebuilt in
  memory by a Preview that had already built it (process start excluded; five edits,
  the median); its peak RSS is the whole preview process, its first full build included;
* floor: the same DOT sources laid out by the same engine on the same number of cores,
  nothing else: what a build cannot go below;
* mkdocs and hugo: the same corpus written as Markdown, one page per journey with the
  same tables, built by MkDocs (when installed here: `pip install mkdocs`) and by Hugo
  (when on the PATH: `apt-get install hugo`), so each ratio comes from one run;
* the growth of the two largest sizes once more, the larger cold build between two of
  the smaller (see :func:`bracketed_growth`; ``--no-bracket`` skips it).

Each is run ``--repeat`` times (once by default, in turn) and the median run is
reported: on a shared virtual machine one run can be a third slower than the next.
mapgen's modules are byte-compiled first, as ``pip install`` leaves them (see
:func:`byte_compiled`). It
prints one table of seconds and peak resident memory (RSS of the process or the largest
of its children) with the ratios the targets are set on, and writes the same, every
run's time included, as JSON (default bench/results/latest.json). Run it with nothing
else going on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
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
            # the child's CPU and its reaped children's (the engine, the workers): on a
            # shared machine another tenant's load stretches wall time, not this
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "stdout": stdout, "stderr": stderr}


MAPGEN = [sys.executable, "-m", "mapgen"]


def measure_size(n: int, work: Path, repeat: int, peers: bool = True) -> dict:
    """Each measurement ``repeat`` times, in turn; the median run of each is kept."""
    root = write_corpus(n, work / f"corpus-{n}")
    names = ("cold", "warm", "change_build", "floor", "change")
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for run in range(repeat):
        shutil.rmtree(root / "site", ignore_errors=True)
        shutil.rmtree(root / ".mapgen-cache", ignore_errors=True)
        runs["cold"].append(_summary(timed(MAPGEN + ["build"], cwd=root)))
        runs["warm"].append(_summary(timed(MAPGEN + ["build"], cwd=root)))
        runs["change_build"].append(change_build(root, run))
        runs["floor"].append(_json_child(["floor", str(root)]))
        runs["change"].append(_json_child(["change", str(root)]))
    result: dict = {"journeys": n}
    for name, measured in runs.items():
        result[name] = _median(measured)
        result[name]["all_seconds"] = [m["seconds"] for m in measured]
    result["mkdocs"] = result["hugo"] = None
    if peers:
        markdown = write_markdown_corpus(n, work / f"markdown-{n}")
        if _has_mkdocs():
            result["mkdocs"] = _median([mkdocs_build(markdown) for _ in range(repeat)])
        if shutil.which("hugo"):
            result["hugo"] = _median([hugo_build(markdown) for _ in range(repeat)])
        shutil.rmtree(markdown)
    shutil.rmtree(root)
    return result


def bracketed_growth(small: int, big: int, work: Path) -> dict:
    """Cold builds of ``small``, ``big`` and ``small`` journeys again, one after the other.

    This machine's speed drifts by a third within the hour, so a cold build of 10,000
    journeys measured minutes after the one of 1000 carries the drift into the ratio (in
    one run the layout floor itself, the same work ten times over, grew 11.4 times).
    Against the mean of a small build just before and one just after it, a drift steady
    over those minutes cancels out."""
    roots = {n: write_corpus(n, work / f"bracket-{n}") for n in (small, big)}
    runs = []
    for n in (small, big, small):
        shutil.rmtree(roots[n] / "site", ignore_errors=True)
        shutil.rmtree(roots[n] / ".mapgen-cache", ignore_errors=True)
        runs.append(_summary(timed(MAPGEN + ["build"], cwd=roots[n])))
    for root in roots.values():
        shutil.rmtree(root)
    before, middle, after = runs
    return {"small": small, "big": big, "runs": runs,
            "growth": middle["seconds"] / ((before["seconds"] + after["seconds"]) / 2),
            "growth_cpu": middle["cpu_seconds"] / (
                (before["cpu_seconds"] + after["cpu_seconds"]) / 2)}


#: One-journey changes built per run: such a build takes about a second, and this shared
#: machine's load swings by a third within one; their median is the run's figure.
EDITS = 5


def change_build(root: Path, run: int) -> dict:
    """``mapgen build`` in a new process after one journey's step was renamed, as a writer
    who saves and builds again would (the build after it puts the step back, untimed):
    :data:`EDITS` times, the median edit reported and every edit's time kept."""
    edits = [_one_change(root, f"{run}.{edit}") for edit in range(EDITS)]
    median = _median(edits)
    median["edits"] = [edit["seconds"] for edit in edits]
    return median


def _one_change(root: Path, label: str) -> dict:
    journey = root / "specs/journeys/j0000.yml"
    original = journey.read_text("utf-8")
    journey.write_text(original.replace(OLD_STEP, f"name: Step renamed in edit {label}\n"),
                       "utf-8")
    try:
        measured = _summary(timed(MAPGEN + ["build"], cwd=root))
    finally:
        journey.write_text(original, "utf-8")
    timed(MAPGEN + ["build"], cwd=root)
    return measured


def _median(runs: list[dict]) -> dict:
    """The run with the median time (the lower one of an even count)."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return dict(ordered[(len(ordered) - 1) // 2])


def _summary(run: dict) -> dict:
    line = next((ln for ln in run["stderr"].splitlines() if ln.startswith("Built")), "")
    pages = re.search(r"of (\d+) pages? rendered", line)
    return {"seconds": run["seconds"], "rss_mb": run["rss_mb"],
            "cpu_seconds": run["cpu_seconds"], "summary": line,
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    engine.layout(jobs)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"seconds": round(seconds, 3), "graphs": len(jobs), "cores": engine.jobs,
            "cpu_seconds": round(cpu, 3)}  # the engine's processes, user and system


def change(root: Path, runs: int = EDITS) -> dict:
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


def write_markdown_corpus(n: int, target: Path) -> Path:
    """The corpus as Markdown, one page per journey with the stage-by-stage tables
    mapgen's page shows, plus an index page: the pages MkDocs and Hugo build."""
    from mapgen.workspace import read_workspace

    ws = read_workspace(write_corpus(n, target / "specs-source")).workspace
    pages = target / "pages"
    (pages / "journeys").mkdir(parents=True, exist_ok=True)
    (pages / "index.md").write_text("# Journeys\n\n" + "".join(
        f"- [{j.title}](journeys/{j.id}.md)\n" for j in ws.journeys.values()), "utf-8")
    for journey in ws.journeys.values():
        (pages / f"journeys/{journey.id}.md").write_text(
            journey_markdown(journey, ws.scale_of(journey)), "utf-8")
    shutil.rmtree(target / "specs-source")
    return target


def mkdocs_build(markdown: Path) -> dict:
    """MkDocs (its default theme) builds the Markdown pages."""
    site = markdown / "mkdocs"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir()
    (site / "mkdocs.yml").write_text(
        f"site_name: Benchmark corpus\ndocs_dir: {markdown / 'pages'}\n", "utf-8")
    run = timed([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=site)
    return {"seconds": run["seconds"], "rss_mb": run["rss_mb"],
            "pages": _count_pages(site / "site")}


#: The least a Hugo site needs to render every page: a layout for a page and for a list.
HUGO_LAYOUT = ("<!doctype html><html><head><title>{{ .Title }}</title></head>"
               "<body><main>{{ .Content }}</main></body></html>\n")


def hugo_build(markdown: Path) -> dict:
    """Hugo (Debian's package) builds the same Markdown pages, with a minimal layout."""
    site = markdown / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts/_default").mkdir(parents=True)
    (site / "config.toml").write_text(
        'title = "Benchmark corpus"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
        '[markup.goldmark.renderer]\nunsafe = false\n', "utf-8")
    for layout in ("single", "list"):
        (site / f"layouts/_default/{layout}.html").write_text(HUGO_LAYOUT, "utf-8")
    shutil.copytree(markdown / "pages", site / "content")
    (site / "content/index.md").rename(site / "content/_index.md")  # Hugo's home page
    run = timed(["hugo", "--quiet", "-d", str(site / "public")], cwd=site)
    return {"seconds": run["seconds"], "rss_mb": run["rss_mb"],
            "pages": _count_pages(site / "public")}


def _count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def journey_markdown(journey, scale) -> str:
    rows = [("Steps", lambda s: s.name), ("Actions", lambda s: s.actions or ""),
            ("Touchpoints", lambda s: "; ".join(f"{t.channel}: {t.name}" for t in s.touchpoints)),
            ("Emotion", lambda s: ", ".join(f"{p}: {v}" for p, v in s.scores(
                journey.personas, scale).items())),
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

#: The columns of the one table: (key, heading, what it is read from).
COLUMNS = (("cold", "cold build"), ("warm", "no-op rebuild"),
           ("change_build", "one change, `build`"), ("change", "one change, serve"),
           ("floor", "Graphviz floor"), ("mkdocs", "MkDocs"), ("hugo", "Hugo"))


def ratios(results: dict) -> dict:
    """The ratios the targets are set on, each from runs of the same invocation."""
    by_n = {size["journeys"]: size for size in results["sizes"]}
    out: dict[str, float] = {}
    for n, size in by_n.items():
        cold = size["cold"]["seconds"]
        out[f"cold_over_floor@{n}"] = cold / size["floor"]["seconds"]
        for peer in ("mkdocs", "hugo"):
            if size.get(peer):
                out[f"cold_over_{peer}@{n}"] = cold / size[peer]["seconds"]
        out.update(_python_budget(n, size))
    sizes = sorted(by_n)
    for small, big in zip(sizes, sizes[1:]):
        out[f"growth_cold_{big}/{small}"] = (by_n[big]["cold"]["seconds"]
                                             / by_n[small]["cold"]["seconds"])
        out[f"growth_cold_cpu_{big}/{small}"] = (by_n[big]["cold"]["cpu_seconds"]
                                                 / by_n[small]["cold"]["cpu_seconds"])
        out[f"growth_floor_{big}/{small}"] = (by_n[big]["floor"]["seconds"]
                                              / by_n[small]["floor"]["seconds"])
    bracket = results.get("bracket")
    if bracket:
        pair = f"{bracket['big']}/{bracket['small']}"
        out[f"growth_cold_bracketed_{pair}"] = bracket["growth"]
        out[f"growth_cold_cpu_bracketed_{pair}"] = bracket["growth_cpu"]
    return {key: round(value, 2) for key, value in out.items()}


def _python_budget(n: int, size: dict) -> dict[str, float]:
    """What a cold build spends in Python per journey (its CPU less the layouts'), and
    what a build at 1.5 times the floor would leave it: the cores' time in 1.5 floors,
    less the layouts' CPU. A build that keeps every core busy cannot beat that."""
    floor = size["floor"]
    spent = size["cold"]["cpu_seconds"] - floor["cpu_seconds"]
    left = 1.5 * floor["seconds"] * floor["cores"] - floor["cpu_seconds"]
    return {f"python_ms_per_journey@{n}": 1000 * spent / n,
            f"python_ms_per_journey_at_1.5_floors@{n}": 1000 * left / n}


def _cell(run: dict | None, cpu: bool = False) -> str:
    if not run:
        return "–"
    used = f" ({run['cpu_seconds']:.1f} s CPU)" if cpu and "cpu_seconds" in run else ""
    return f"{run['seconds']:.2f} s{used}, {run['rss_mb']:.0f} MB"


def table(results: dict) -> str:
    """One table: a row per N, a column per run (seconds and peak RSS; the CPU of the
    builds in a new process too), then the ratios."""
    heading = "| N | " + " | ".join(label for _, label in COLUMNS) + " | cold / floor |"
    lines = [heading, "|---:|" + "---:|" * (len(COLUMNS) + 1)]
    for size in results["sizes"]:
        ratio = size["cold"]["seconds"] / size["floor"]["seconds"]
        lines.append(f"| {size['journeys']} | "
                     + " | ".join(_cell(size.get(key), cpu=key in ("cold", "change_build"))
                                  for key, _ in COLUMNS)
                     + f" | {ratio:.2f} |")
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in results["ratios"].items()]
    return "\n".join(lines)


def byte_compiled() -> None:
    """Byte-compile mapgen's modules, as ``pip install`` does and as an editable install
    does on first import, unless ``PYTHONDONTWRITEBYTECODE`` is set (as on the machines
    these runs are made on): each process measured would then compile its 40 modules
    from source, some 0.05-0.08 s of a one-journey change (the .pyc files are
    git-ignored)."""
    import compileall

    import mapgen

    compileall.compile_dir(Path(mapgen.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = sys.argv[1:2]
    if sub and sub[0] in ("floor", "change"):
        print(json.dumps((floor if sub[0] == "floor" else change)(Path(sys.argv[2]))))
        return
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--json", type=Path, default=HERE / "results/latest.json")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement; the median is reported")
    parser.add_argument("--no-peers", action="store_true",
                        help="skip MkDocs and Hugo (their runs take as long as ours)")
    parser.add_argument("--peers-up-to", type=int, metavar="N",
                        help="run MkDocs and Hugo only on corpora of N journeys or fewer "
                             "(MkDocs writes the whole navigation into every page: at "
                             "10,000 journeys it takes longer than all the rest)")
    parser.add_argument("--no-bracket", action="store_true",
                        help="skip the growth of the two largest sizes measured between "
                             "two cold builds of the smaller (see bracketed_growth)")
    args = parser.parse_args()
    byte_compiled()
    with tempfile.TemporaryDirectory(prefix="mapgen-bench-") as tmp:
        sizes = [measure_size(n, Path(tmp), args.repeat, not args.no_peers and (
                     args.peers_up_to is None or n <= args.peers_up_to))
                 for n in sorted(args.sizes)]
        largest = sorted(args.sizes)[-2:]
        bracket = None if args.no_bracket or len(largest) < 2 else bracketed_growth(
            *largest, Path(tmp))
    results = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                           "system": platform.platform()},
               "repeat": args.repeat, "sizes": sizes, "bracket": bracket}
    results["ratios"] = ratios(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(table(results))
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
