"""The search index updated from the last one (mapgen.site.reindex): after a change to a
few journeys it reads back only the files their terms and entries are in, and its files
are always those a whole index of the same workspace has, byte for byte."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from conftest import copy_example
from mapgen.cache import Cache
from mapgen.site import build as site_build
from mapgen.site import elsewhere, numbers, reindex, search
from mapgen.site.output import Staging
from mapgen.workspace import read_workspace

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from corpus import write_corpus  # noqa: E402  (bench/corpus.py: the benchmark's journeys)

JOURNEYS = "specs/journeys"


def build(root: Path) -> None:
    ws = read_workspace(root, Cache(root / ".mapgen-cache")).workspace
    site_build.build(ws, site_build.BuildOptions(root / "site"))


def index_on_disk(root: Path) -> dict[str, bytes]:
    folder = root / "site" / search.FOLDER
    return {f"{search.FOLDER}/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())}


def whole_index(root: Path) -> dict[str, bytes]:
    return search.index_files(read_workspace(root).workspace)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """The example workspace, built once; the index made in this process (the spy sees)."""
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 10**9)
    root = copy_example(tmp_path)
    build(root)
    return root


@pytest.fixture
def whole_made(monkeypatch) -> list[int]:
    """Each time the index is made whole, from every journey's part."""
    made: list[int] = []
    real = search.made_whole
    monkeypatch.setattr(search, "made_whole",
                        lambda *args: made.append(1) or real(*args))
    return made


def edit(root: Path, journey: str, old: str, new: str) -> None:
    path = root / JOURNEYS / f"{journey}.yml"
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


#: Edits that keep each journey's number of entries: its files are updated in place.
SAME_COUNT = [
    ("first-purchase", "name: Sees a welcome-cashback ad on Instagram",
     "name: Spots a quokka on the billboard"),
    ("first-purchase", "Instagram story ad", "Anzeige für Zebras"),
    ("plus-cancellation", "name: Reads the price change email",
     "name: Überweisung storniert 払い戻し"),
]


@pytest.mark.parametrize(("journey", "old", "new"), SAME_COUNT)
def test_an_edit_updates_the_index_to_the_bytes_a_whole_one_has(workspace, whole_made,
                                                                journey, old, new):
    before = index_on_disk(workspace)
    edit(workspace, journey, old, new)
    build(workspace)
    assert whole_made == [], "made whole where the last index could be updated"
    after = index_on_disk(workspace)
    assert after == whole_index(workspace)
    changed = [rel for rel in after if after[rel] != before[rel]]
    assert 0 < len(changed) < len(after)
    word = new.split()[-1]
    assert any(word in data.decode("utf-8") for data in after.values()), word


def test_an_edit_reads_back_only_the_files_it_rewrites(tmp_path, monkeypatch):
    """The files of the index that an edit leaves as they were are linked into the next
    site as the output folder has them, never read or hashed (at 1000 journeys, 873
    files: a fifth of a second of a one-journey change); those it rewrites are read
    back."""
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 10**9)  # made here, where the spy is
    root = write_corpus(60, tmp_path / "corpus")
    build(root)
    read: list[str] = []
    published_file = Staging.published_file
    monkeypatch.setattr(Staging, "published_file", lambda self, rel, expected: (
        read.append(rel), published_file(self, rel, expected))[1])
    before = index_on_disk(root)
    inode = {rel: (root / "site" / rel).stat().st_ino for rel in before}
    journey = root / JOURNEYS / "j0000.yml"
    journey.write_text(journey.read_text("utf-8").replace(
        "name: Step 1 of awareness in journey 0\n", "name: Spots a quokka\n"), "utf-8")
    build(root)
    after = index_on_disk(root)
    assert after == whole_index(root)
    changed = {rel for rel in after if after[rel] != before[rel]}
    read_back = {rel for rel in read if rel.startswith(search.FOLDER)}
    assert changed and changed <= read_back and len(read_back) < len(after) / 2
    assert all((root / "site" / rel).stat().st_ino == inode[rel]
               for rel in after if rel not in read_back), "an unchanged file written again"


def test_edits_to_several_journeys_in_turn_stay_equal_to_a_whole_index(workspace,
                                                                     whole_made):
    ad = "name: Sees a welcome-cashback ad on Instagram"
    steps = [("first-purchase", ad, "name: Reads a flyer"),
             ("b2b-invoice-payments", "name: Reads a benchmark", "name: Chases an invoice"),
             ("first-purchase", "name: Reads a flyer", ad)]
    for journey, old, new in steps:
        edit(workspace, journey, old, new)
        build(workspace)
        assert whole_made == [], journey
        assert index_on_disk(workspace) == whole_index(workspace)
        whole_made.clear()  # the whole index just made to compare


def test_an_edit_that_adds_entries_makes_the_index_whole(workspace, whole_made):
    path = workspace / JOURNEYS / "first-purchase.yml"
    text = path.read_text("utf-8")
    marker = "        pain_points:\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "          - text: Pays twice\n"
                                              "            severity: high\n", 1), "utf-8")
    build(workspace)
    assert whole_made == [1]
    assert index_on_disk(workspace) == whole_index(workspace)


def test_a_file_of_the_index_edited_in_the_site_makes_it_whole_again(workspace,
                                                                   whole_made):
    meddled = workspace / "site" / search.FOLDER / "t0.js"
    meddled.write_bytes(b"// edited by hand\n")
    edit(workspace, "first-purchase", "name: Sees a welcome-cashback ad on Instagram",
         "name: Spots a quokka")
    build(workspace)
    assert whole_made == [1]
    assert index_on_disk(workspace) == whole_index(workspace)


def test_a_changed_persona_or_a_journey_added_makes_the_index_whole(workspace,
                                                                  whole_made):
    persona = workspace / "specs/personas/daniel.yml"
    text = persona.read_text("utf-8")
    persona.write_text(text.replace("description: |\n", "description: |\n  Bakes bread.\n"),
                       "utf-8")
    build(workspace)
    assert whole_made == [1]
    assert index_on_disk(workspace) == whole_index(workspace)
    whole_made.clear()
    source = workspace / JOURNEYS / "first-purchase.yml"
    copy = source.read_text("utf-8").replace("id: first-purchase", "id: second-purchase", 1)
    (workspace / JOURNEYS / "second-purchase.yml").write_text(copy, "utf-8")
    build(workspace)
    assert whole_made == [1]
    assert index_on_disk(workspace) == whole_index(workspace)


def test_numbers_read_back_are_the_numbers_written():
    chooser = random.Random(15)
    for size in (0, 1, 2, 63, 64, 65, 500, 3000):
        for density in (0.01, 0.3, 0.9, 1.0):
            span = max(size, int(size / density)) + chooser.randrange(50)
            start = chooser.randrange(2000)
            ids = sorted(chooser.sample(range(start, start + span + 1), size))
            text = numbers.encode_ids(ids)
            assert numbers.decode_ids(text) == ids, text[:40]


def test_a_layout_written_by_another_version_is_not_used():
    assert reindex.Layout.from_data({"parts": [["a", "k"]], "files": {}}) is None
    assert reindex.Layout.from_data(["not", "a", "layout"]) is None
    assert reindex.Layout.from_data({"parts": [["a", "k", "3"]], "files": {"x": "d"}}) == \
        reindex.Layout((("a", "k", 3),), {"x": "d"})


def test_a_live_preview_makes_the_index_whole_and_keeps_no_layout(tmp_path):
    from mapgen.serve import Preview

    root = copy_example(tmp_path)
    preview = Preview(root)
    assert preview.rebuild().crash is None
    files = search.paths(read_workspace(root).workspace)
    assert all(preview.state.file(rel) == data for rel, data in whole_index(root).items())
    assert len(files) == len(whole_index(root))
    assert list(Cache(root / ".mapgen-cache").store.rows(reindex.KIND)) == []


def test_a_kept_part_of_another_shape_makes_the_index_whole(workspace, whole_made):
    from mapgen.cache import JSON

    edit(workspace, "first-purchase", "name: Sees a welcome-cashback ad on Instagram",
         "name: Spots a quokka")
    store = Cache(workspace / ".mapgen-cache")
    [(key, reads)] = [(key, reads) for name, key, reads, _ in store.store.rows(
        search.PART_KIND, ["first-purchase"])]
    store.put(search.PART_KIND, "first-purchase", key, {"entries": [], "title": 3}, JSON,
              reads)
    store.save()
    build(workspace)
    assert whole_made == [1]
    assert index_on_disk(workspace) == whole_index(workspace)
