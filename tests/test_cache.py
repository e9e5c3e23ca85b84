"""The cache is data, never code: what is read from .mapgen-cache is only ever parsed.

A crafted cache (a checkout's, or a CI cache restored from another branch) must not run
anything, and a damaged or foreign one is only a cold start. See mapgen.cache.
"""

from __future__ import annotations

import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_example
from mapgen.cache import DATA, Cache, Reads, Sources, watched
from mapgen.workspace import read_workspace


class _Payload:
    """Unpickling this creates the file ``marker``: proof that a pickle ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mapgen", "build", *args], cwd=root,
                          capture_output=True, text=True, check=False)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path):
    """A workspace built once, and the site a clean build of it gives."""
    root = copy_example(tmp_path / "ws")
    assert build(root).returncode == 0
    reference = tree(root / "site")
    return root, reference


def test_a_pickle_planted_in_every_cache_file_never_runs(built, tmp_path):
    root, reference = built
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    files = [p for p in (root / ".mapgen-cache").rglob("*") if p.is_file()]
    assert files
    for file in files:
        file.write_bytes(payload)
    (root / "site/index.html").unlink()  # something to rebuild, reading the cache

    done = build(root)

    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert tree(root / "site") == reference


def test_a_pickle_planted_in_every_cache_entry_never_runs(built, tmp_path):
    root, reference = built
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    with sqlite3.connect(root / ".mapgen-cache/cache.sqlite") as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > 10
        db.execute("UPDATE entries SET value = ?", (payload,))
    for path in (root / "site").rglob("*.html"):
        path.unlink()

    done = build(root)

    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert tree(root / "site") == reference


def test_a_cache_of_another_format_version_is_started_again(built):
    root, reference = built
    with sqlite3.connect(root / ".mapgen-cache/cache.sqlite") as db:
        db.execute("PRAGMA user_version = 999")
    (root / "site/index.html").unlink()
    assert build(root).returncode == 0
    assert tree(root / "site") == reference
    with sqlite3.connect(root / ".mapgen-cache/cache.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] != 999


def test_the_source_never_unpickles_marshals_or_evaluates():
    for path in (REPO / "src/mapgen").rglob("*.py"):
        text = path.read_text("utf-8")
        for word in ("import pickle", "import marshal", "eval(", "exec(", "shelve"):
            assert word not in text, f"{path.name} uses {word}"


def test_a_cached_read_gives_the_same_workspace_and_findings(tmp_path):
    root = copy_example(tmp_path)
    first = read_workspace(root, Cache(root / ".mapgen-cache"))
    cache = Cache(root / ".mapgen-cache")
    again = read_workspace(root, cache)
    assert cache.stats.hits["spec"] == len(list((root / "specs").rglob("*.yml")))
    assert again.workspace.journeys == first.workspace.journeys
    assert again.workspace.personas == first.workspace.personas
    assert again.findings == first.findings
    for file, document in first.documents.items():
        assert again.documents[file] == document, "positions kept for every value"


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, None, True, "x"]}, {1: "one", True: "yes", None: "null"},
    [float("inf"), float("-inf")], {"nested": {2: [{"k": []}]}}, "text", 10**40, [],
    {"\u0000map": "a key that looks like the tag"}, {1.5: [None, {False: 0}]},
])
def test_yaml_data_survives_its_json_form(value):
    assert DATA.decode(DATA.encode(value)) == value


def test_a_value_is_valid_while_what_it_read_is_unchanged(tmp_path):
    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    cache = Cache(memory=True)
    reads = Reads()
    seen = watched(ws, reads)
    title = seen.journeys["first-purchase"].title
    cache.remember("page", "p", reads, Sources(ws), title.encode())
    assert reads.parts() == ("journey:first-purchase",)
    assert cache.recall("page", "p", Sources(ws)) == (reads.parts(), title.encode())

    other = root / "specs/journeys/plus-cancellation.yml"
    other.write_text(other.read_text("utf-8") + "\n# a comment\n", "utf-8")
    assert cache.recall("page", "p", Sources(read_workspace(root).workspace)) is not None
    mine = root / "specs/journeys/first-purchase.yml"
    mine.write_text(mine.read_text("utf-8") + "\n# a comment\n", "utf-8")
    assert cache.recall("page", "p", Sources(read_workspace(root).workspace)) is None


def test_listing_the_journeys_depends_on_every_journey(tmp_path):
    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    reads = Reads()
    seen = watched(ws, reads)
    assert len(seen.journeys) == 4 and seen.journeys["first-purchase"]
    assert reads.parts() == ("journeys",)
