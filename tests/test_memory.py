"""Memory: a workspace of any size is built a journey at a time.

The workspace keeps its journeys packed (a bounded number unpacked), the listing pages
hold references, not journeys, and pages and journeys.json go to their files in pieces.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_example
from mapgen import compact
from mapgen.cache import Cache, Reads, Sources, watched
from mapgen.diagrams.engine import get_engine
from mapgen.diagrams import charts
from mapgen.model import Journey, JourneySummary
from mapgen.load import load_bytes
from mapgen.serve import KEPT, Preview
from mapgen.site import build as site_build
from mapgen.site import data as data_files
from mapgen.site import drawings as site_drawings
from mapgen.site import pages as site_pages
from mapgen.site import search
from mapgen.site.output import Staged, Staging
from mapgen.validate import check_spec_file, check_workspace
from mapgen.workspace import read_workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus import write_corpus  # noqa: E402


def test_a_workspace_read_gives_every_journey_as_validated(tmp_path):
    """Packed and unpacked, each journey is the model its file validates to."""
    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    assert isinstance(ws.journeys, compact.Specs)
    files = sorted((root / "specs/journeys").glob("*.yml"))
    assert list(ws.journeys) == [path.stem for path in files]  # file-name order, as read
    for path in files:
        shown = path.relative_to(root).as_posix()
        document, _ = load_bytes(path.read_bytes(), shown)
        validated, _ = check_spec_file("journeys", path, document)
        assert ws.journeys[path.stem] == validated
        assert ws.journeys[path.stem].model_dump() == validated.model_dump()
    assert "no-such-journey" not in ws.journeys
    assert ws.journeys.get("no-such-journey") is None


def test_past_its_room_a_workspace_holds_a_bounded_number_unpacked(tmp_path, monkeypatch):
    monkeypatch.setattr(compact, "UNPACKED", 8)
    root = write_corpus(40, tmp_path / "corpus")
    ws = read_workspace(root).workspace
    first = {ident: ws.journeys[ident] for ident in ws.journeys}  # every one, once
    assert len(first) == 40
    # past its room, a quarter of it: every pass over the workspace unpacks anyway
    assert len(ws.journeys._unpacked) == ws.journeys._unpacked.room == 2, \
        "every journey read was kept unpacked"
    for ident, journey in first.items():  # unpacked again: equal, a new object
        assert ws.journeys[ident] == journey
    last = list(first)[-1]
    assert ws.journeys[last] is ws.journeys[last]  # the recent ones are kept as they are


def _journeys_alive() -> int:
    gc.collect()
    return sum(isinstance(o, Journey) for o in gc.get_objects())


def test_the_listings_of_every_journey_hold_none_of_them_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(compact, "UNPACKED", 4)
    ws = read_workspace(write_corpus(60, tmp_path / "corpus")).workspace
    before = _journeys_alive()
    assert before <= 4
    listings = [site_pages.pain_register(ws), site_pages.backlog(ws),
                site_pages.touchpoint_matrix(ws), site_pages.journey_cards(ws),
                site_pages.appearances(ws, ws.personas["p1"])]
    assert _journeys_alive() <= 4, "a listing holds whole journeys"
    register = listings[0]
    assert len(register) > 60 and {r.journey.id for r in register} == set(ws.journeys)
    row = register[0]
    whole = ws.journeys[row.journey.id]
    assert row.step.name == next(s.name for s in whole.steps if s.id == row.step.id)
    # what a theme reads beyond the fields kept is looked up in the workspace
    assert row.journey.personas == whole.personas and row.step.touchpoints
    step = next(s for s in whole.steps if s.id == row.step.id)
    assert row.pain.model_dump() in [pain.model_dump() for pain in step.pain_points]
    del whole, step
    cards = listings[3]
    assert len(cards) == 60 and [c.journey.id for c in cards] == list(ws.journeys)
    assert _journeys_alive() <= 4


def test_cards_and_appearances_come_from_summaries_and_unpack_no_journey(tmp_path,
                                                                        monkeypatch):
    """The home page's cards and a persona's journeys show what the summaries hold: at
    10,000 journeys each look into a journey would unpack it again. What they show is
    what the journeys give; a theme asking for more has the journey looked up."""
    ws = read_workspace(copy_example(tmp_path)).workspace
    looked_up: list[str] = []
    getitem = compact.Specs.__getitem__
    monkeypatch.setattr(compact.Specs, "__getitem__", lambda specs, ident: (
        specs is ws.journeys and looked_up.append(ident)) or getitem(specs, ident))

    cards = [(c.journey.id, c.journey.title, c.journey.status, len(c.journey.stages),
              len(c.steps), [p.id for p in c.personas], c.averages, c.open_pains,
              c.scale_min, c.scale_max) for c in site_pages.journey_cards(ws)]
    shown = {persona: [(a.journey.id, a.journey.title, a.scores, a.view.scale_min,
                        a.view.scale_max) for a in site_pages.appearances(ws, ws.personas[persona])]
             for persona in ws.personas}
    assert looked_up == []

    views = {jid: site_pages.JourneyView.of(ws, journey) for jid, journey in ws.journeys.items()}
    assert cards == [(jid, v.journey.title, v.journey.status, len(v.journey.stages),
                      len(v.steps), [p.id for p in v.personas], v.averages, v.open_pains,
                      v.scale_min, v.scale_max) for jid, v in views.items()]
    assert any((low, high) != (-2, 2) for *_, low, high in cards), "a journey's own scale"
    assert len(set(ws.summaries.values())) == len(ws.summaries), "values, as before"
    assert shown == {persona: [(jid, v.journey.title,
                                tuple(s.scores.get(persona) for s in v.steps),
                                v.scale_min, v.scale_max)
                               for jid, v in views.items() if persona in v.journey.personas]
                     for persona in ws.personas}
    assert any(shown.values())
    card = next(iter(site_pages.journey_cards(ws)))
    stage_ids = [stage.id for stage in ws.journeys[card.journey.id].stages]
    looked_up.clear()
    assert [stage.id for stage, _ in card.stages] == stage_ids
    assert card.steps[0].step == views[card.journey.id].steps[0].step
    assert looked_up == [card.journey.id], "looked up once, for all it is asked"


def test_past_the_journeys_kept_unpacked_the_registers_keep_their_records_packed(
        tmp_path, monkeypatch):
    """What the three registers show of each journey (its records, see
    mapgen.site.listings.Rows) is kept beside it as made in a small workspace, and
    packed, a few hundred bytes a journey, in one too big to keep its journeys unpacked;
    the pages read the same either way."""
    as_made = write_corpus(60, tmp_path / "as-made")
    _build(as_made)
    monkeypatch.setattr(compact, "UNPACKED", 8)
    packed = write_corpus(60, tmp_path / "packed")
    _build(packed)
    for page in ("touchpoints.html", "pain-points.html", "opportunities.html"):
        assert (packed / "site" / page).read_bytes() == (as_made / "site" / page).read_bytes()
    ws = read_workspace(packed).workspace
    site_pages.pain_register(ws)[0].pain  # noqa: B018 - the first row shown
    kept = next(iter(ws.journeys._beside.values()))
    assert set(kept) == {"pains", "backlog", "touchpoints"}
    assert all(isinstance(part, bytes) and len(part) < 1000 for part in kept.values())


def test_a_page_goes_to_its_file_in_parts_and_reads_the_same(tmp_path, monkeypatch):
    whole, parts = copy_example(tmp_path / "whole"), copy_example(tmp_path / "parts")
    _build(whole)
    monkeypatch.setattr(site_build, "PART", 256)  # every few hundred characters written
    written: dict[str, int] = {}
    put = Staging.put

    def counting(self, rel, data):
        if not isinstance(data, bytes):
            data = list(data)
            written[rel] = len(data)
        return put(self, rel, data)

    monkeypatch.setattr(Staging, "put", counting)
    _build(parts)
    assert written["touchpoints.html"] > 20 and written["index.html"] > 20
    for path in (whole / "site").rglob("*"):
        if path.is_file():
            assert (parts / "site" / path.relative_to(whole / "site")).read_bytes() == \
                path.read_bytes(), path


def test_journeys_json_made_a_journey_at_a_time_is_the_whole_model(tmp_path):
    ws = read_workspace(copy_example(tmp_path)).workspace
    made = b"".join(data_files.compiled_model(ws))
    whole = {"generator": json.loads(made)["generator"],
             "config": ws.config.model_dump(mode="json", exclude={"theme"}),
             "personas": {pid: p.model_dump(mode="json") for pid, p in ws.personas.items()},
             "journeys": {jid: j.model_dump(mode="json") for jid, j in ws.journeys.items()}}
    assert made == data_files.as_json(whole)


def _build(root: Path) -> None:
    ws = read_workspace(root, Cache(root / ".mapgen-cache")).workspace
    site_build.build(ws, site_build.BuildOptions(root / "site"))


def _garbage_of_a_build(root: Path) -> int:
    """Objects left by a cold build of ``root`` that only the garbage collector frees."""
    gc.collect()
    gc.disable()
    try:
        _build(root)
        return gc.collect()
    finally:
        gc.enable()


def test_pages_leave_the_garbage_collector_nothing_that_grows_with_them(tmp_path):
    """Jinja keeps a page's variables in reference cycles (its contexts, the macros of
    templates imported with context); the build empties them once the page is written,
    so each page's views go at once. Left to the collector, a journey page's 500 objects
    made each collection cost more as the workspace grew."""
    _garbage_of_a_build(write_corpus(4, tmp_path / "first"))  # what a first build sets up
    few = _garbage_of_a_build(write_corpus(4, tmp_path / "few"))
    many = _garbage_of_a_build(write_corpus(40, tmp_path / "many"))
    assert many - few < 10 * 36, f"{few} objects left by 4 journeys, {many} by 40"


def test_a_preview_keeps_its_site_on_disk_and_only_two_sites_of_it(tmp_path):
    root = copy_example(tmp_path)
    preview = Preview(root)
    state = preview.rebuild()
    assert state.crash is None and state.files
    assert not any(isinstance(data, bytes) for data in state.files.values()), \
        "a preview holds files in memory"
    assert state.file("index.html").rstrip().endswith(b"</html>")
    folder = preview._kept.folder
    sites = [_kept_names(state)]
    for n in range(3):  # three saves: the last site and the one before stay, no more
        journey = root / "specs/journeys/first-purchase.yml"
        text = journey.read_text("utf-8")
        journey.write_text(text.replace("Sees a welcome-cashback ad on Instagram" if n == 0
                                        else f"Sees ad {n - 1}", f"Sees ad {n}"), "utf-8")
        state = preview.rebuild()
        assert state.crash is None and not state.findings
        assert b"Sees ad " + str(n).encode() in state.file("journeys/first-purchase.html")
        sites.append(_kept_names(state))
    assert set(os.listdir(folder)) == sites[-1] | sites[-2], "files of old sites are kept"
    assert sites[0] - sites[-1] - sites[-2], "nothing was made again"
    assert {kind for kind, _ in preview._cache._memory} <= set(KEPT), \
        "the preview keeps diagrams or layouts in memory"


def _kept_names(state) -> set[str]:
    return {data.path.name for data in state.files.values() if isinstance(data, Staged)}


def test_a_preview_unpacks_only_the_journey_a_save_changed(tmp_path, monkeypatch):
    root = write_corpus(40, tmp_path / "corpus")
    preview = Preview(root)
    assert preview.rebuild().crash is None
    unpacked = []
    unpack = compact.unpack
    monkeypatch.setattr(compact, "unpack", lambda packed: unpacked.append(1) or unpack(packed))
    journey = root / "specs/journeys/j0007.yml"
    journey.write_text(journey.read_text("utf-8").replace(
        "name: Step 1 of awareness in journey 7", "name: Step renamed"), "utf-8")
    state = preview.rebuild()
    assert state.crash is None and not state.findings
    assert b"Step renamed" in state.file("journeys/j0007.html")
    assert len(unpacked) == 1, "the unchanged journeys were unpacked again"


def test_looks_across_every_journey_unpack_none(tmp_path, monkeypatch):
    """The site's plan, its diagrams, the home page's figures, the overview, the search
    index's size and the cross-journey rules read the journeys' summaries: past its room,
    a workspace would otherwise unpack every journey again for each of them."""
    monkeypatch.setattr(compact, "UNPACKED", 4)
    root = write_corpus(30, tmp_path / "corpus")
    read = read_workspace(root)
    ws = read.workspace
    unpacked, unpack = [], compact.unpack

    def counted(packed: bytes):
        item = unpack(packed)
        unpacked.extend([item.id] if isinstance(item, Journey) else [])  # personas are few
        return item

    monkeypatch.setattr(compact, "unpack", counted)
    pages = site_pages.plan(ws)
    drawn = list(site_drawings._Requests(ws, ()))
    counts = dict(site_pages.figures(ws))
    shown = charts.overview_inputs(ws)
    entries = search.entry_count(ws)
    # each journey's own rules are kept from the last run: only the cross-journey ones run
    findings = check_workspace(ws, read.documents, None, lambda file, key, check: [])
    assert unpacked == [], "a look across the journeys unpacked one"
    monkeypatch.undo()
    # ... and what they read is what the journeys hold
    journeys = [ws.journeys[ident] for ident in ws.journeys]
    assert [(p.title, p.diagrams) for p in pages if p.template == "journey.html"] == [
        (j.title, (f"flow-{j.id}",) + ((f"funnel-{j.id}",) if any(
            s.reached is not None for s in j.stages) else ())) for j in journeys]
    assert len(drawn) == sum(2 + any(s.reached is not None for s in j.stages)
                             for j in journeys) + 1  # flow, emotion, funnel; the overview
    assert counts["steps"] == sum(len(j.steps) for j in journeys) == 30 * 20
    assert counts["critical_or_high"] == sum(p.severity in ("critical", "high") for j in journeys
                                             for s in j.steps for p in s.pain_points) > 0
    assert [row[4] for row in shown[1]] == [tuple((st.id, st.name) for st in j.stages)
                                           for j in journeys]
    assert entries == len(list(search.entries(ws)))
    assert not [f for f in findings if f.rule.name == "unused-persona"]  # each persona is in one
    for journey in journeys:
        assert ws.summaries[journey.id] == JourneySummary.of(journey)


def test_a_cold_read_checks_each_journey_where_it_was_validated(tmp_path, monkeypatch):
    """Reading checks a journey's own rules in the worker that has just validated it (the
    personas are read first), so checking the workspace unpacks no journey: past its room,
    it would unpack every one again. What the workers find is what checking each journey
    of the workspace afterwards finds, faults that need the personas and channels
    included."""
    monkeypatch.setattr(compact, "UNPACKED", 4)
    root = write_corpus(80, tmp_path / "corpus")  # past PARALLEL_FROM: worker processes
    faults = [(r"personas: \[(\w+), \w+\]", r"personas: [\1, p99]"),  # no such persona
              (r"\{channel: \w+,", "{channel: phnoe,"),  # no such channel
              (r"emotion: \{(\w+: -?\d), \w+: -?\d\}", r"emotion: {\1}")]  # a gap
    for number, (pattern, fault) in enumerate(faults):
        spec = root / "specs" / "journeys" / f"j{number * 7:04d}.yml"
        spec.write_text(re.sub(pattern, fault, spec.read_text(), count=1))
    unpacked, unpack = [], compact.unpack

    def counted(packed: bytes):
        item = unpack(packed)
        unpacked.extend([item.id] if isinstance(item, Journey) else [])
        return item

    monkeypatch.setattr(compact, "unpack", counted)
    read = read_workspace(root, Cache(root / ".mapgen-cache"))
    assert unpacked == [], "checking the workspace unpacked a journey its worker checked"
    monkeypatch.undo()
    afterwards = check_workspace(read.workspace, read.documents, None)  # each one unpacked
    rules = {f.code for f in afterwards}
    assert {"MG304", "MG305", "MG401"} <= rules, rules
    assert sorted(afterwards, key=repr) == sorted(
        (f for f in read.findings if f.code in rules), key=repr)


def test_a_summary_read_counts_as_its_journey_read(tmp_path):
    """What a page made from summaries shows is made again when their journeys change."""
    ws = read_workspace(write_corpus(3, tmp_path / "corpus")).workspace
    reads = Reads()
    seen = watched(ws, reads)
    assert seen.summaries["j0001"].title == ws.journeys["j0001"].title
    assert "journey:j0001" in reads.parts()
    list(seen.summaries.values())
    assert "journeys" in reads.parts()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's functions")
def test_the_c_librarys_memory_functions_are_found_without_asking_ldconfig():
    """malloc_trim and mallopt come from the symbols the process has loaded: every
    command imports mapgen.compact, and running ldconfig to find the library took 30 ms."""
    script = ("import subprocess\n"
              "def refuse(*args, **kwargs):\n"
              "    raise AssertionError(f'a process was started: {args}')\n"
              "subprocess.Popen.__init__ = refuse\n"
              "from mapgen import compact\n"
              "print(compact._trim is not None, compact._mallopt is not None)\n")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=False)
    assert found.stdout.split() == ["True", "True"], found.stderr


def test_memory_freed_in_pieces_goes_back_to_the_system(tmp_path):
    """A build hands back what reading freed (the parsed documents, a few kB each, among
    what stays): the C library keeps such holes otherwise, and the peak grows by them."""
    if compact._trim is None or not Path("/proc/self/status").exists():
        pytest.skip("glibc's malloc_trim is not there: nothing is handed back")
    pieces = [bytes(4000) + i.to_bytes(4, "little") for i in range(25_000)]  # 100 MB
    kept = pieces[::10]  # what stays between the holes
    del pieces
    before = _rss_mb()
    compact.give_back()
    assert before - _rss_mb() > 40, "the freed pieces were kept"
    assert len(kept) == 2500


def test_summaries_are_made_when_not_kept_for_every_journey(tmp_path):
    """Kept summaries are used only when every journey has one; else they are made from the
    journeys, never a partial list that would leave journeys out of the site."""
    ws = read_workspace(write_corpus(3, tmp_path / "corpus")).workspace
    partial = compact.Specs()
    for number, ident in enumerate(ws.journeys):
        partial.add(ident, compact.pack(ws.journeys[ident]),
                    ws.summaries[ident] if number else None)
    assert partial.summaries is None
    made = dataclasses.replace(ws, journeys=partial).summaries
    assert list(made) == list(ws.journeys)
    assert all(made[i] == JourneySummary.of(ws.journeys[i]) for i in ws.journeys)


def test_the_overview_is_let_go_after_its_page_and_taken_from_the_cache_again(tmp_path):
    """At 10,000 journeys the overview is 15 MB of text: once its page is written the
    build lets it go, and a Markdown page showing it later takes it from the cache."""
    ws = read_workspace(copy_example(tmp_path / "ws")).workspace
    drawings = site_drawings.Drawings(ws, get_engine("embedded"), Cache(tmp_path / "cache"),
                                      Sources(ws), None)
    first = drawings["overview"]
    assert "overview" in drawings._ready and drawings.drawn == 1
    drawings.forget(["overview"])
    assert "overview" not in drawings._ready
    assert drawings["overview"] == first and drawings.drawn == 1  # not drawn again
