"""A build killed at any instant leaves the old site or the new one, never a mix.

`mapgen -vv build` says each step as it happens (reading, drawing, rendering each page,
staging, publishing). The test runs the same rebuild again and again from the same
starting point, each time killing it with SIGKILL just after a different step, and
checks the output folder against the site before and the site after, byte for byte.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_example

#: How many kill points at least, spread over every step a rebuild reports.
POINTS = 22


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def mapgen_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mapgen", "-vv", "build"], cwd=root,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)


def change_many_files(root: Path) -> None:
    """A rebuild that changes every page, removes one journey's pages and adds another's."""
    config = root / "mapgen.yml"
    config.write_text(re.sub(r"(?m)^title: .*$", "title: Renamed journeys",
                             config.read_text("utf-8"), count=1), "utf-8")
    journeys = root / "specs/journeys"
    (journeys / "failed-payout-support.yml").unlink()
    (root / "specs/personas/maya.yml").unlink()
    shutil.copy(journeys / "first-purchase.yml", journeys / "second-purchase.yml")


def kill_after(root: Path, line: int) -> list[str]:
    """Run the build, kill it just after it says its ``line``-th step; the lines seen."""
    child = mapgen_build(root)
    seen = []
    for text in child.stderr:
        seen.append(text)
        if len(seen) > line:
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    child.stderr.close()
    return seen


def test_a_rebuild_killed_at_any_step_leaves_the_old_or_the_new_site(tmp_path):
    start = copy_example(tmp_path / "start")
    assert mapgen_build(start).wait() == 0
    old = tree(start / "site")
    change_many_files(start)

    finished = tmp_path / "finished"
    shutil.copytree(start, finished, copy_function=shutil.copy2)
    whole = mapgen_build(finished)
    steps = whole.stderr.readlines()
    assert whole.wait() == 0
    new = tree(finished / "site")
    assert new != old
    phases = {"reading": "reading the workspace", "layout": "drawing ", "rendering": "rendered ",
              "staging": "staged ", "swap": "publishing "}
    for phase, marker in phases.items():
        assert any(marker in s for s in steps), f"the build reports its {phase} step"

    indices = sorted({round(i * (len(steps) - 2) / (POINTS - 1)) for i in range(POINTS)}
                     | {i for i, s in enumerate(steps) if any(m in s for m in phases.values())})
    assert len(indices) >= 20
    outcomes = {"old": 0, "new": 0}
    for index in indices:
        root = tmp_path / f"kill-{index}"
        shutil.copytree(start, root, copy_function=shutil.copy2)
        kill_after(root, index)
        after = tree(root / "site")
        assert after in (old, new), f"killed after {steps[index]!r}: a mixed site"
        outcomes["old" if after == old else "new"] += 1
        if index % 3 == 0 or after == new:
            assert mapgen_build(root).wait() == 0
            assert tree(root / "site") == new, "the next build finishes the job"
            assert not list(root.glob(".site.mapgen-*")), "and removes what was left"
        shutil.rmtree(root)
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


def test_ctrl_c_at_any_step_stops_the_build_cleanly(tmp_path):
    """Ctrl-C reaches every process of the build (the terminal signals the whole group):
    the build says "Aborted!", with no traceback from it or from any of its workers, and
    leaves nothing beside the output folder."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from corpus import write_corpus

    for marker in ("reading the workspace", "rendering ", "rendered journeys/j0040.html",
                   "rendered touchpoints.html"):
        root = write_corpus(150, tmp_path / marker.split()[-1].replace("/", "-"))
        child = subprocess.Popen([sys.executable, "-m", "mapgen", "-vv", "build"], cwd=root,
                                 stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 text=True, start_new_session=True)
        said = []
        for text in child.stderr:
            said.append(text)
            if marker in text:
                os.killpg(child.pid, signal.SIGINT)
                break
        said += child.stderr.readlines()
        assert child.wait(timeout=60) == 1, "".join(said)
        shown = "".join(said)
        assert "Aborted!" in shown and "Traceback" not in shown, shown
        assert not re.search(r"^Process \w+", shown, re.M), shown
        assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def _children(pid: int) -> set[int]:
    """The processes ``pid`` started and theirs (Linux's /proc)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        try:
            text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        except OSError:
            continue
        kids = {int(p) for p in text.split()}
        found |= kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_sigterm_to_mapgen_alone_ends_every_process_it_started(tmp_path):
    """`kill PID`, `docker stop` and a cancelled CI job signal mapgen's process only: its
    workers (reading, the pages made elsewhere) must end with it, with no traceback."""
    if not Path("/proc/self/task").is_dir():
        pytest.skip("reads the process tree from Linux's /proc")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from corpus import write_corpus

    root = write_corpus(150, tmp_path / "corpus")
    said = tmp_path / "said.txt"  # a file, not a pipe: a worker left behind cannot hold it
    with said.open("w") as stderr:
        child = subprocess.Popen([sys.executable, "-m", "mapgen", "-vv", "build"], cwd=root,
                                 stderr=stderr, stdout=subprocess.DEVNULL)
    started: set[int] = set()
    deadline = time.monotonic() + 180
    while "rendered journeys/j0040.html" not in said.read_text() and child.poll() is None:
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the build did not get to its pages in 180 s: {said.read_text()}")
        started |= _children(child.pid)
        time.sleep(0.01)
    started |= _children(child.pid)
    child.send_signal(signal.SIGTERM)
    code = child.wait(timeout=60)
    shown = said.read_text()
    assert code == 128 + signal.SIGTERM, shown
    assert "Terminated." in shown and "Traceback" not in shown, shown
    assert started, "the build had started processes of its own"
    deadline = time.monotonic() + 10
    while any(map(_alive, started)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in started if _alive(pid)]
    for pid in left:  # not to leave them running when this fails
        os.kill(pid, signal.SIGKILL)
    assert left == []
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_a_process_mapgen_forks_takes_sigterms_default():
    """A pool ends its workers with SIGTERM; a worker that kept mapgen's own handler and
    waited on the pool's lock never ran it, and the build waited for it for good."""
    code = ("import multiprocessing, signal\n"
            "from mapgen.cli import _end_on_sigterm\n"
            "_end_on_sigterm()\n"
            "with multiprocessing.get_context('fork').Pool(1) as pool:\n"
            "    print(pool.apply(signal.getsignal, (signal.SIGTERM,)).name,\n"
            "          signal.getsignal(signal.SIGTERM).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["SIG_DFL", "_terminated"], done.stderr
