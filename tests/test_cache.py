"""The cache is data, never code: what is read from .mapgen-cache is only ever parsed.

A crafted cache (a checkout's, or a CI cache restored from another branch) must not run
anything, and a damaged or foreign one is only a cold start. See mapgen.cache.
"""

from __future__ import annotations

import json
import pickle
import random
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from conftest import REPO, copy_example
from mapgen import cache as cache_module
from mapgen.cache import DATA, JSON, TEXT, Cache, JourneyParts, Reads, Sources, watched
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
    """Only mapgen.compact pickles: the specs it packs in memory, made by this run. Only
    mapgen.site.ahead marshals: code its own forked process sends through a pipe, never
    read from a file."""
    for path in (REPO / "src/mapgen").rglob("*.py"):
        text = path.read_text("utf-8")
        words = ("eval(", "exec(", "shelve")
        if path.name != "compact.py":
            words += ("import pickle", "pickle.")
        if path.name == "ahead.py":
            assert "os.pipe()" in text and text.count("open(") == text.count("os.fdopen(")
        else:
            words += ("import marshal",)
        for word in words:
            assert word not in text, f"{path.name} uses {word}"


def test_packed_specs_never_reach_the_cache_on_disk(built):
    """What mapgen.compact packs stays in memory: no row of the cache holds a pickle."""
    root, _ = built
    with sqlite3.connect(root / ".mapgen-cache/cache.sqlite") as db:
        rows = db.execute("SELECT kind, name, value FROM entries").fetchall()
    assert {kind for kind, _, _ in rows} >= {"spec", "checks", "layout", "diagram"}
    for kind, name, value in rows:
        if kind == "spec":  # compressed by its codec: stored as it is, not compressed again
            assert value[:1] == b"=", name
        stored = zlib.decompress(value[1:]) if value[:1] == b"z" else value[1:]
        for data in (stored, *_inflated(stored), *(_spec_parts(stored) if kind == "spec"
                                                    else ())):
            assert b"\x80\x05" not in data[:2] and b"\x80\x04" not in data[:2], (kind, name)
            assert b"mapgen.model" not in data, (kind, name)


def _spec_parts(data: bytes) -> list[bytes]:
    """A spec row's three parts, each JSON compressed: what validating found, the
    document's data and its positions (see mapgen.workspace._spec_codec)."""
    parts = []
    for _ in range(2):
        size = int.from_bytes(data[:4], "big")
        parts.append(zlib.decompress(data[4:4 + size]))
        data = data[4 + size:]
    parts.append(zlib.decompress(data))
    head, document, positions = parts
    assert json.loads(head)["id"] and json.loads(document) and json.loads(positions)["values"]
    return parts


def _inflated(data: bytes) -> list[bytes]:
    """``data`` decompressed once more, when it is zlib's (a spec file is kept so)."""
    try:
        return [zlib.decompress(data)]
    except zlib.error:
        return []


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


def test_get_many_gives_the_values_kept_for_each_key_wherever_they_are(tmp_path,
                                                                       monkeypatch):
    """Spec files are looked up all at once: saved, pending, spilled or in memory; a name
    kept for another key, another kind's row, or a damaged row is not found."""
    monkeypatch.setattr(cache_module, "SPILL_FROM", 10_000)
    monkeypatch.setattr(cache_module, "NAMES_PER_QUERY", 2)  # the names asked in turns
    saved = Cache(tmp_path / "cache")
    for name in ("a", "b", "c", "damaged"):
        saved.put("spec", name, f"key-{name}", name.encode())
    saved.put("checks", "d", "key-d", b"another kind")
    saved.save()
    with sqlite3.connect(tmp_path / "cache" / cache_module.DATABASE) as db:
        db.execute("UPDATE entries SET value = ? WHERE name = 'damaged'", (b"=changed",))
    cache = Cache(tmp_path / "cache")
    big = random.Random(2).randbytes(12_000)
    cache.put("spec", "e", "key-e", big)  # past SPILL_FROM: to the temporary database
    cache.put("spec", "f", "key-f", b"pending")
    assert cache.store._spilled is not None and cache.store._pending

    keys = {name: f"key-{name}" for name in ("a", "c", "d", "e", "f", "damaged", "none")}
    keys["b"] = "another key"
    assert cache.get_many("spec", keys) == {"a": b"a", "c": b"c", "e": big, "f": b"pending"}
    assert cache.stats.hits["spec"] == 4 and cache.stats.misses["spec"] == 4

    in_memory = Cache(memory=True)
    in_memory.put("spec", "a", "key-a", "kept as it is", TEXT)
    assert in_memory.get_many("spec", {"a": "key-a", "b": "key-b"}, TEXT) == {
        "a": "kept as it is"}


def test_journey_parts_are_looked_up_a_batch_at_a_time(tmp_path, monkeypatch):
    """journeys.json and the search index are put together from each journey's part:
    kept parts come from one query per batch of journeys, a changed journey's is made."""
    monkeypatch.setattr(cache_module, "LOOKED_UP_AT_ONCE", 3)
    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    made: list[str] = []

    def part(journey):
        made.append(journey.id)
        return {"title": journey.title}

    first = list(JourneyParts(Cache(root / "cache"), Sources(ws), "json-part", JSON).each(
        ws, part))
    assert made == list(ws.journeys) and len(made) == 4
    mine = root / "specs/journeys/first-purchase.yml"
    mine.write_text(mine.read_text("utf-8").replace("title: ", "title: New ", 1), "utf-8")
    ws = read_workspace(root).workspace
    made.clear()
    cache = Cache(root / "cache")
    queries: list[str] = []
    cache.store._connect().set_trace_callback(queries.append)
    again = list(JourneyParts(cache, Sources(ws), "json-part", JSON).each(ws, part))
    assert made == ["first-purchase"]
    assert [p["title"] for p in again] == [j.title for j in ws.journeys.values()] != [
        p["title"] for p in first]
    assert len([q for q in queries if q.startswith("SELECT") and "json-part" in q]) == 2


def test_a_cached_read_looks_up_each_kind_in_one_query(tmp_path):
    """Reading an unchanged workspace asks the database for the spec files once per folder
    (the personas', then the journeys') and once for the journeys' findings, however many
    files there are (a query each took a tenth of a one-journey change's build at 1000
    journeys)."""
    root = copy_example(tmp_path)
    read_workspace(root, Cache(root / ".mapgen-cache"))
    cache = Cache(root / ".mapgen-cache")
    queries: list[str] = []
    cache.store._connect().set_trace_callback(queries.append)
    result = read_workspace(root, cache)
    assert cache.stats.hits["spec"] == len(list((root / "specs").rglob("*.yml"))) > 4
    assert cache.stats.hits["checks"] == len(result.workspace.journeys)
    asked = [q for q in queries if q.startswith("SELECT") and "value" in q]
    assert sum("'spec'" in q for q in asked) == 2, "\n".join(asked)
    assert sum("'checks'" in q for q in asked) == 1, asked


def test_listing_the_journeys_depends_on_every_journey(tmp_path):
    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    reads = Reads()
    seen = watched(ws, reads)
    assert len(seen.journeys) == 4 and seen.journeys["first-purchase"]
    assert reads.parts() == ("journeys",)


def test_a_build_worth_of_values_leaves_memory_as_it_is_made_and_lands_on_save(
        tmp_path, monkeypatch):
    """Past a few bytes of pending values, they move to a temporary database, so memory
    never holds a build's worth; they are still found, land together on save, and a run
    that stops before saving leaves the cache as it was."""
    monkeypatch.setattr(cache_module, "SPILL_FROM", 10_000)
    folder = tmp_path / ".mapgen-cache"
    first = Cache(folder)
    first.put("layout", "kept", "k0", b"saved before")
    first.save()
    values = {f"graph-{i}": random.Random(i).randbytes(3000) for i in range(40)}
    cache = Cache(folder)
    for name, value in values.items():
        cache.put("layout", name, "k", value)
    assert len(cache.store._pending) < 10, "the values stayed in memory"
    assert all(cache.get("layout", name, "k") == value for name, value in values.items())
    other = Cache(folder)  # another mapgen meanwhile: sees the last save, not these
    assert other.get("layout", "graph-0", "k") is None
    assert other.get("layout", "kept", "k0") == b"saved before"

    del cache  # the run stops here, without saving
    assert Cache(folder).get("layout", "graph-0", "k") is None

    again = Cache(folder)
    for name, value in values.items():
        again.put("layout", name, "k", value)
    again.save()
    later = Cache(folder)
    assert all(later.get("layout", name, "k") == value for name, value in values.items())
    assert later.get("layout", "kept", "k0") == b"saved before"


def test_a_cache_busy_in_another_process_is_done_without_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "BUSY_WAIT", 0.1)
    folder = tmp_path / ".mapgen-cache"
    first = Cache(folder)
    first.put("layout", "kept", "k0", b"saved before")
    first.save()
    holder = sqlite3.connect(folder / "cache.sqlite")
    holder.execute("BEGIN EXCLUSIVE")  # another mapgen saving
    busy = Cache(folder)
    assert busy.get("layout", "kept", "k0") is None  # done without, not waited for
    busy.put("layout", "new", "k1", b"made meanwhile")
    busy.save()
    holder.rollback()
    holder.close()
    assert Cache(folder).get("layout", "kept", "k0") == b"saved before"
