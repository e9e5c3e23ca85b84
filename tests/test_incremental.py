"""Incremental builds: what a rebuild renders, draws and writes, counted, never timed.

The build keeps what it can reuse in the workspace's cache folder: each spec file read
(by its bytes), each journey's findings, each laid-out diagram, and a manifest of the
output folder. These tests run real builds, in new processes where it matters, and
assert on what was made again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_example, with_custom_dir
from mapgen import diagrams, workspace
from mapgen.cache import Cache
from mapgen.diagrams.engine import Engine
from mapgen.serve import Preview
from mapgen.site import build as site_build
from mapgen.site import data as data_files
from mapgen.site import elsewhere
from mapgen.site import search
from mapgen.site.output import MANIFEST
from mapgen.site.build import Deferred
from mapgen.workspace import read_workspace

sys.path.insert(0, str(REPO / "bench"))
from corpus import write_corpus  # noqa: E402  (bench/corpus.py: the benchmark's journeys)

SUMMARY = re.compile(r"(\d+) of (\d+) pages? rendered, (\d+) diagrams? drawn \((\d+) laid out, "
                     r"(\d+) cached, (\d+) charts\), (\d+) files? written")


def build_in_new_process(root: Path) -> dict[str, int]:
    """Run `mapgen build` as a user does; the counts of its summary line."""
    done = subprocess.run([sys.executable, "-m", "mapgen", "build"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    match = SUMMARY.search(done.stderr)
    assert match, done.stderr
    names = ("rendered", "pages", "drawn", "laid_out", "cached", "charts", "written")
    return dict(zip(names, map(int, match.groups())))


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file of the site with its inode, modification time and bytes (the manifest
    aside: it says what each file was made from)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            stat = path.stat()
            out[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns,
                                                        path.read_bytes())
    return out


def manifest(site: Path) -> dict[str, list]:
    return json.loads((site / MANIFEST).read_text("utf-8"))["files"]


def rename_first_step(root: Path, journey: str, new_name: str) -> None:
    path = root / f"specs/journeys/{journey}.yml"
    text = path.read_text("utf-8")
    old = "Sees a welcome-cashback ad on Instagram"
    assert old in text
    path.write_text(text.replace(old, new_name), "utf-8")


def test_an_unchanged_workspace_renders_draws_and_writes_nothing(tmp_path):
    root = copy_example(tmp_path)
    first = build_in_new_process(root)
    assert first["rendered"] == first["pages"] > 0 and first["laid_out"] > 0
    site_before = snapshot(root / "site")
    layouts_before = snapshot(root / ".mapgen-cache/diagrams")

    again = build_in_new_process(root)

    assert again == {**again, "rendered": 0, "drawn": 0, "laid_out": 0, "cached": 0,
                     "charts": 0, "written": 0}
    assert snapshot(root / "site") == site_before, "not one file touched"
    assert snapshot(root / ".mapgen-cache/diagrams") == layouts_before


class Spy:
    """Records the diagrams a build draws and the graphs the engine lays out."""

    def __init__(self, monkeypatch):
        self.drawn: list[str] = []
        self.laid_out: list[str] = []
        finish, layout = diagrams.finish_all, Engine.layout

        def spy_finish(ws, requests, *args, **kwargs):
            self.drawn += [r.name for r in requests]
            return finish(ws, requests, *args, **kwargs)

        def spy_layout(engine, jobs, fmt="svg"):
            self.laid_out += [job.name for job in jobs]
            return layout(engine, jobs, fmt)

        monkeypatch.setattr(diagrams, "finish_all", spy_finish)
        monkeypatch.setattr(Engine, "layout", spy_layout)


def build_here(root: Path) -> site_build.BuildReport:
    result = read_workspace(root, Cache(root / ".mapgen-cache"))
    assert result.workspace is not None
    return site_build.build(result.workspace, site_build.BuildOptions(root / "site"))


def test_one_changed_journey_redraws_only_its_own_diagrams(tmp_path, monkeypatch):
    root = copy_example(tmp_path)
    build_here(root)
    before = snapshot(root / "site")
    rename_first_step(root, "first-purchase", "Spots the cashback ad on Instagram")
    spy = Spy(monkeypatch)

    report = build_here(root)

    assert sorted(spy.drawn) == ["flow-first-purchase", "funnel-first-purchase"], (
        "the overview reads every journey, but what it shows did not change")
    assert spy.laid_out == ['the flow view of journey "first-purchase"']
    depends_on_it = {path for path, (_, reads, _) in manifest(root / "site").items()
                     if path.endswith(".html") and {"journey:first-purchase", "journeys"} & set(reads)}
    assert report.rendered == len(depends_on_it) < report.pages
    assert "journeys/b2b-invoice-payments.html" not in depends_on_it
    after = snapshot(root / "site")
    changed = {path for path in after if after[path] != before.get(path)}
    assert "journeys/first-purchase.html" in changed
    assert {p for p in changed if not p.startswith("assets/search/")} <= depends_on_it | {
        "journeys.json", "posters/first-purchase.svg"}
    assert "Spots the cashback ad on Instagram" in (
        root / "site/journeys/first-purchase.html").read_text("utf-8")


def spy_pages(monkeypatch) -> list[str]:
    """The paths of the pages the builds render from now on, in order."""
    rendered: list[str] = []
    render = site_build._render_page

    def spy(env, page, *args, **kwargs):
        rendered.append(page.path)
        return render(env, page, *args, **kwargs)

    monkeypatch.setattr(site_build, "_render_page", spy)
    return rendered


def test_a_changed_journey_makes_again_the_pages_of_its_own_personas_only(tmp_path,
                                                                         monkeypatch):
    """A persona's page lists the journeys that persona takes: a change inside a journey
    makes its personas' pages again, not the others'; a journey given another persona
    makes that persona's page again too, with the journey on it."""
    root = copy_example(tmp_path)
    build_here(root)
    rendered = spy_pages(monkeypatch)
    rename_first_step(root, "first-purchase", "Spots the cashback ad on Instagram")  # Leo's

    build_here(root)

    assert [p for p in rendered if p.startswith("personas/")] == ["personas/leo.html"]
    assert "journeys/first-purchase.html" in rendered
    rendered.clear()
    spec = root / "specs/journeys/plus-cancellation.yml"
    spec.write_text(spec.read_text("utf-8").replace("personas: [rosa]",
                                                    "personas: [rosa, leo]"), "utf-8")
    leo = (root / "site/personas/leo.html").read_text("utf-8")
    assert "plus-cancellation.html" not in leo

    build_here(root)

    assert sorted(p for p in rendered if p.startswith("personas/")) == [
        "personas/leo.html", "personas/rosa.html"]
    assert "plus-cancellation.html" in (root / "site/personas/leo.html").read_text("utf-8")


def spy_reads(monkeypatch) -> list[str]:
    """The spec files read from now on, as findings name them (mapgen.yml, always read,
    left out)."""
    read: list[str] = []
    read_bytes = workspace.read_bytes

    def spy(path, shown):
        if shown.startswith("specs/"):
            read.append(shown)
        return read_bytes(path, shown)

    monkeypatch.setattr(workspace, "read_bytes", spy)
    return read


def test_a_spec_file_whose_metadata_is_unchanged_is_not_read_again(tmp_path, monkeypatch):
    """As git trusts its index: an unchanged size, inode, modification and change time
    mean unchanged bytes. An edit that keeps the size and sets the modification time back
    is still seen: the change time cannot be set back."""
    monkeypatch.setattr(workspace, "SETTLED_NS", 0)  # the files were all written just now
    root = copy_example(tmp_path)
    build_here(root)
    read = spy_reads(monkeypatch)

    build_here(root)

    assert read == []
    spec = root / "specs/journeys/first-purchase.yml"
    before = spec.stat()
    text = spec.read_text("utf-8")
    edited = text.replace("Sees a welcome-cashback ad on Instagram",
                          "Sees a welcome-cashback ad on INSTAGRAM")
    assert len(edited) == len(text) and edited != text
    spec.write_text(edited, "utf-8")
    os.utime(spec, ns=(before.st_atime_ns, before.st_mtime_ns))

    build_here(root)

    assert read == ["specs/journeys/first-purchase.yml"]
    assert "INSTAGRAM" in (root / "site/journeys/first-purchase.html").read_text("utf-8")


def test_where_the_change_time_is_not_when_a_file_changed_every_spec_file_is_read(
        tmp_path, monkeypatch):
    """On Windows ``st_ctime`` is when the file was made: metadata cannot vouch for it."""
    monkeypatch.setattr(workspace, "SETTLED_NS", 0)
    monkeypatch.setattr(workspace, "CHANGE_TIME", False)
    root = copy_example(tmp_path)
    build_here(root)
    read = spy_reads(monkeypatch)

    build_here(root)

    assert len(read) == len(list((root / "specs").rglob("*.yml"))) > 0


def test_a_spec_file_changed_just_before_it_was_read_is_read_again(tmp_path, monkeypatch):
    """Two writes within one tick of the file system's clock can leave the same
    metadata: a file changed less than SETTLED_NS before it was looked at is not trusted."""
    root = copy_example(tmp_path)  # every spec file written just now
    build_here(root)
    read = spy_reads(monkeypatch)

    build_here(root)

    assert sorted(read) == sorted(
        path.relative_to(root).as_posix() for path in (root / "specs").rglob("*.yml"))


def test_one_changed_journey_makes_only_its_part_of_the_index_and_journeys_json(
        tmp_path, monkeypatch):
    """The search index and journeys.json are made from every journey: after a change
    they are put together from each journey's part as kept, that journey's made again,
    and come out as a clean build makes them. A journey deleted leaves no part behind."""
    root = copy_example(tmp_path / "ws")
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 10**9)  # made here: the spy sees
    build_here(root)
    made = []
    for module, name in ((search, "journey_part"), (data_files, "journey_json")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda journey, real=real, name=name: (
            made.append((name, journey.id)) or real(journey)))
    rename_first_step(root, "first-purchase", "Spots the cashback ad on Instagram")
    build_here(root)
    assert sorted(made) == [("journey_json", "first-purchase"),
                            ("journey_part", "first-purchase")]
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".mapgen-cache"))
    build_here(clean)
    made_files = {p: f[2] for p, f in snapshot(root / "site").items()}
    assert made_files == {p: f[2] for p, f in snapshot(clean / "site").items()}
    assert "Spots the cashback ad" in (root / "site/journeys.json").read_text("utf-8")
    made.clear()
    ws = read_workspace(root, Cache(root / ".mapgen-cache")).workspace
    site_build.build(ws, site_build.BuildOptions(root / "site", clean=True))
    assert sorted(made) == sorted((name, journey) for journey in ws.journeys
                                  for name in ("journey_json", "journey_part")), "--clean"

    (root / "specs/journeys/failed-payout-support.yml").unlink()
    build_here(root)
    kept = Cache(root / ".mapgen-cache").store
    for kind in (search.PART_KIND, data_files.PART_KIND):
        assert sorted(name for name, *_ in kept.rows(kind)) == sorted(
            read_workspace(root).workspace.journeys)


def test_a_site_and_cache_restored_in_a_new_checkout_make_again_only_what_changed(tmp_path):
    """As the workflow `init --github` writes keeps them between runs: the site and the
    cache go into a tar archive (actions/cache) and come out in a new checkout, every
    file a new inode and change time. A one-journey change then renders that journey's
    pages and the listings, lays out its own graph only, and the site is what a clean
    build makes."""
    first = copy_example(tmp_path / "run-1")
    build_in_new_process(first)
    archive = tmp_path / "cache.tar"
    subprocess.run(["tar", "-cf", str(archive), "site", ".mapgen-cache"], cwd=first,
                   check=True)
    checkout = copy_example(tmp_path / "run-2")  # the specs as git checks them out
    subprocess.run(["tar", "-xf", str(archive)], cwd=checkout, check=True)
    rename_first_step(checkout, "first-purchase", "Spots the cashback ad on Instagram")

    again = build_in_new_process(checkout)

    rename_first_step(first, "first-purchase", "Spots the cashback ad on Instagram")
    in_place = build_in_new_process(first)  # the same change where the site was built
    assert again == in_place, "the restored site and cache serve as well as the originals"
    journeys = len(list((checkout / "specs/journeys").glob("*.yml")))
    assert again["rendered"] <= again["pages"] - (journeys - 1), "other journeys' pages kept"
    assert again["laid_out"] == 1
    clean = copy_example(tmp_path / "clean")
    rename_first_step(clean, "first-purchase", "Spots the cashback ad on Instagram")
    build_in_new_process(clean)
    assert ({p: f[2] for p, f in snapshot(checkout / "site").items()}
            == {p: f[2] for p, f in snapshot(clean / "site").items()})


def test_a_rebuild_stages_only_files_whose_bytes_changed(tmp_path, monkeypatch):
    """A one-journey change makes the whole search index again; only the few of its
    files whose bytes differ are written, and a file edited by hand in the site is
    written again even though it was made with the same bytes as before."""
    from mapgen.site import output

    root = write_corpus(40, tmp_path / "corpus")  # an index of 85 files
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 10**9)  # made here: the spy sees
    build_here(root)
    staged: list[str] = []
    write_file = output.write_file
    monkeypatch.setattr(output, "write_file", lambda path, data: (
        staged.append(path.as_posix()) or write_file(path, data)))
    index_files = {p for p in manifest(root / "site") if p.startswith("assets/search/")}
    before = snapshot(root / "site")
    journey = root / "specs/journeys/j0000.yml"
    journey.write_text(journey.read_text("utf-8").replace(
        "Step 1 of awareness in journey 0", "Spots the cashback ad"), "utf-8")
    build_here(root)
    after = snapshot(root / "site")
    changed = {p for p in index_files if after[p][2] != before[p][2]}
    assert changed and len(changed) < len(index_files) / 4
    written = {p.split("/next/", 1)[1] for p in staged if "/next/" in p}
    assert written & index_files == changed
    assert all(after[p] == before[p] for p in index_files - changed), "same inode"

    edited = root / "site/assets/search/meta.js"
    edited.write_text("// edited by hand\n", "utf-8")
    staged.clear()
    build_here(root)
    assert edited.read_bytes() == before["assets/search/meta.js"][2]


def test_the_forked_process_links_the_kept_files_while_the_pages_render(tmp_path,
                                                                       monkeypatch):
    """Where the files that are not pages are made by a forked process, it also links
    the files kept as they are into the next site: publishing links none of them, and
    they keep their inodes. The site is the one a clean build makes."""
    from mapgen.site.output import Staging

    root = write_corpus(100, tmp_path / "corpus")  # the index alone is 101 files
    build_here(root)
    before, keys = snapshot(root / "site"), manifest(root / "site")
    linked_here: list[str] = []
    link = Staging.link
    monkeypatch.setattr(Staging, "link", lambda self, source, rel: (
        linked_here.append(rel) or link(self, source, rel)))
    journey = root / "specs/journeys/j0000.yml"
    journey.write_text(journey.read_text("utf-8").replace(
        "Step 1 of awareness in journey 0", "Spots the cashback ad"), "utf-8")
    build_here(root)
    after = snapshot(root / "site")
    reused = {p for p, entry in manifest(root / "site").items() if entry == keys.get(p)}
    assert len(reused) > 200 and all(after[p] == before[p] for p in reused), "same inode"
    assert linked_here, "files made again with the same bytes: linked when published"
    assert not reused & set(linked_here), "linked by the main process at publishing"
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".mapgen-cache"))
    build_here(clean)
    assert {p: f[2] for p, f in after.items()} == {
        p: f[2] for p, f in snapshot(clean / "site").items()}


def test_a_build_that_fails_while_the_forked_process_works_leaves_nothing_beside_the_site(
        tmp_path, monkeypatch):
    """The forked process is waited for before the staging folder is deleted: nothing it
    writes afterwards is left beside the output folder, and the old site is intact."""
    import time

    root = write_corpus(100, tmp_path / "corpus")
    build_here(root)
    before = snapshot(root / "site")
    render_page = site_build._render_page

    def failing(env, page, *args):
        if page.path == "index.html":  # the first: the forked process has just begun
            raise RuntimeError("a page failed")
        return render_page(env, page, *args)

    monkeypatch.setattr(site_build, "_render_page", failing)
    journey = root / "specs/journeys/j0000.yml"
    journey.write_text(journey.read_text("utf-8").replace(
        "Step 1 of awareness in journey 0", "Spots the cashback ad"), "utf-8")
    with pytest.raises(RuntimeError):
        build_here(root)
    time.sleep(0.5)  # what a process still running would write by now
    assert sorted(p.name for p in root.iterdir()) == [
        ".mapgen-cache", "mapgen.yml", "site", "specs"]
    assert snapshot(root / "site") == before


def test_a_cached_read_validates_a_journey_only_when_it_is_looked_up(tmp_path,
                                                                      monkeypatch):
    """Read back from the cache, a journey keeps its summary and findings as found, and
    is validated again from its document only when looked up whole: a build after a
    one-journey change validates that journey alone."""
    from mapgen import workspace

    root = copy_example(tmp_path)
    first = read_workspace(root, Cache(root / ".mapgen-cache"))
    validated: list[str] = []
    check = workspace.check_spec_file
    monkeypatch.setattr(workspace, "check_spec_file", lambda kind, path, doc: (
        validated.append(f"{kind}/{path.stem}") or check(kind, path, doc)))
    again = read_workspace(root, Cache(root / ".mapgen-cache"))
    assert not [v for v in validated if v.startswith("journeys/")], "the rules use summaries"
    validated.clear()
    assert again.findings == first.findings
    assert again.workspace.summaries == first.workspace.summaries
    assert again.workspace.journeys["first-purchase"] == first.workspace.journeys[
        "first-purchase"]
    assert again.workspace.journeys["first-purchase"] is not None
    assert validated == ["journeys/first-purchase"], "once, however often looked up"

    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 10**9)  # made here: the spy sees
    build_here(root)
    rename_first_step(root, "first-purchase", "Spots the cashback ad on Instagram")
    validated.clear()
    build_here(root)
    assert [v for v in validated if v.startswith("journeys/")] == ["journeys/first-purchase"]


def test_a_change_the_overview_shows_redraws_the_overview(tmp_path, monkeypatch):
    root = copy_example(tmp_path)
    build_here(root)
    path = root / "specs/journeys/first-purchase.yml"
    path.write_text(path.read_text("utf-8").replace("name: Awareness", "name: Discovery", 1),
                    "utf-8")
    spy = Spy(monkeypatch)
    build_here(root)
    assert "overview" in spy.drawn, "a stage's name is what the overview shows"
    assert spy.laid_out == ['the flow view of journey "first-purchase"'], (
        "the overview is a chart: redrawn, never laid out")
    chip = re.search(r'id="overview-stage-first-purchase-[^"]*">(?:<title>[^<]*</title>)?'
                     r'<rect[^>]*/><text[^>]*><tspan[^>]*>([^<]*)<',
                     (root / "site/index.html").read_text("utf-8"))
    assert chip and chip.group(1) == "Discovery", "the home page shows it renamed"


def test_clean_renders_and_draws_everything_again_and_writes_nothing_new(tmp_path):
    root = copy_example(tmp_path)
    first = build_in_new_process(root)
    before = snapshot(root / "site")
    done = subprocess.run([sys.executable, "-m", "mapgen", "build", "--clean"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    counts = dict(zip(("rendered", "pages", "drawn", "laid_out", "cached", "charts", "written"),
                      map(int, SUMMARY.search(done.stderr).groups())))
    assert counts["rendered"] == first["pages"] and counts["drawn"] == first["drawn"]
    assert counts["laid_out"] == 0 and counts["written"] == 0
    assert snapshot(root / "site") == before


def test_a_page_edited_or_deleted_in_the_site_is_made_again(tmp_path):
    root = copy_example(tmp_path)
    build_in_new_process(root)
    site = root / "site"
    original = snapshot(site)
    (site / "journeys/first-purchase.html").unlink()
    (site / "personas/leo.html").write_text("edited by hand", "utf-8")

    again = build_in_new_process(root)

    assert again["rendered"] == 2 and again["written"] == 2
    restored = snapshot(site)
    assert {p: v[2] for p, v in restored.items()} == {p: v[2] for p, v in original.items()}
    untouched = set(original) - {"journeys/first-purchase.html", "personas/leo.html"}
    assert all(restored[p] == original[p] for p in untouched)


def test_a_config_change_renders_every_page_again(tmp_path):
    root = copy_example(tmp_path)
    first = build_in_new_process(root)
    config = root / "mapgen.yml"
    config.write_text(re.sub(r"(?m)^title: .*$", "title: Renamed journeys",
                             config.read_text("utf-8"), count=1), "utf-8")
    again = build_in_new_process(root)
    assert again["rendered"] == first["pages"]
    assert again["laid_out"] == 0, "the layouts come from the cache"
    assert "Renamed journeys" in (root / "site/journeys/first-purchase.html").read_text("utf-8")


def test_a_language_change_redraws_every_diagram_as_a_clean_build_draws_it(tmp_path):
    root = copy_example(tmp_path / "incremental")
    first = build_in_new_process(root)
    assert "Flow of First purchase" in (root / "site/journeys/first-purchase.html").read_text(
        "utf-8")
    for workspace in (root, copy_example(tmp_path / "clean")):
        config = workspace / "mapgen.yml"
        config.write_text(config.read_text("utf-8") + "lang: de\n", "utf-8")

    again = build_in_new_process(root)
    build_in_new_process(tmp_path / "clean")

    assert again["drawn"] == first["drawn"], "every diagram is drawn in German"
    page = (root / "site/journeys/first-purchase.html").read_text("utf-8")
    assert "Ablauf: First purchase" in page and "Flow of" not in page
    assert "Größter Schwund" in page and "Biggest drop-off" not in page
    assert "Überblick über Personas" in (root / "site/index.html").read_text("utf-8")
    built = {path: made[2] for path, made in snapshot(root / "site").items()}
    clean = {path: made[2] for path, made in snapshot(tmp_path / "clean/site").items()}
    assert built == clean, "the incremental build is byte for byte the clean one"


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_another_engine_draws_every_diagram_again(tmp_path):
    root = copy_example(tmp_path)
    first = build_in_new_process(root)
    done = subprocess.run([sys.executable, "-m", "mapgen", "build", "--engine", "system"],
                          cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    counts = SUMMARY.search(done.stderr).groups()
    graphs = first["laid_out"]
    assert int(counts[3]) == graphs, "every graph laid out again by the other engine"
    assert int(counts[2]) == graphs, "charts are drawn by mapgen, whatever the engine"


def test_a_template_change_renders_every_page_again_but_draws_no_diagram(tmp_path):
    root = copy_example(tmp_path)
    custom = with_custom_dir(root)
    first = build_in_new_process(root)
    (custom / "templates/base.html").write_text(
        '{% extends "!theme/base.html" %}{% block head_extra %}<meta name="x-changed" '
        'content="yes">{% endblock %}', "utf-8")
    again = build_in_new_process(root)
    assert again["rendered"] == first["pages"] and again["drawn"] == 0
    assert 'name="x-changed"' in (root / "site/journeys/first-purchase.html").read_text("utf-8")


def test_a_stylesheet_change_rewrites_the_stylesheet_only(tmp_path):
    root = copy_example(tmp_path)
    custom = with_custom_dir(root)
    build_in_new_process(root)
    before = snapshot(root / "site")
    (custom / "static/extra.css").write_text("body { color: black; }\n", "utf-8")
    again = build_in_new_process(root)
    assert again["rendered"] == 0 and again["written"] == 1
    after = snapshot(root / "site")
    assert set(after) - set(before) == {"assets/extra.css"}
    assert all(after[path] == before[path] for path in before)


@pytest.mark.parametrize("damage", [b"not a pickle", b"", b"\x80\x05N."])
def test_a_damaged_cache_is_read_again_from_the_specs(tmp_path, damage):
    root = copy_example(tmp_path)
    build_in_new_process(root)
    cache = root / ".mapgen-cache/cache.sqlite"
    cache.write_bytes(damage)
    again = build_in_new_process(root)
    assert again["rendered"] == 0
    assert cache.read_bytes().startswith(b"SQLite format 3"), "started again, written whole"
    assert build_in_new_process(root)["written"] == 0


def test_a_cached_read_reports_the_same_findings_at_the_same_places(tmp_path):
    root = copy_example(tmp_path)
    journey = root / "specs/journeys/first-purchase.yml"
    journey.write_text(journey.read_text("utf-8").replace("personas: [leo]",
                                                          "personas: [leo, lea]"), "utf-8")
    (root / "specs/personas/unused.yml").write_text("name: Nobody\nchannels: [fax]\n", "utf-8")
    plain = read_workspace(root).findings
    assert {f.rule.name for f in plain} >= {"unknown-persona", "unused-persona", "unknown-channel"}
    folder = root / ".mapgen-cache"
    assert read_workspace(root, Cache(folder)).findings == plain  # fills the cache
    cache = Cache(folder)
    assert read_workspace(root, cache).findings == plain  # reads from it
    assert cache.stats.misses == {} and cache.stats.hits["spec"] > 0


def test_a_journeys_kept_findings_follow_the_personas_there_are(tmp_path):
    """A journey's own findings are kept under its file, the config and the persona ids:
    a persona file added, or taken away, says again whether the journey names one that
    is not there, though the journey's file is as it was."""
    root = copy_example(tmp_path)
    journey = root / "specs/journeys/first-purchase.yml"
    journey.write_text(journey.read_text("utf-8").replace("personas: [leo]",
                                                          "personas: [leo, lea]"), "utf-8")
    folder = root / ".mapgen-cache"

    def unknown() -> list[str]:
        findings = read_workspace(root, Cache(folder)).findings
        return [f.message for f in findings if f.rule.name == "unknown-persona"]

    assert any('"lea"' in message for message in unknown())
    lea = root / "specs/personas/lea.yml"
    lea.write_text("name: Lea\nrole: Buyer\n", "utf-8")
    assert unknown() == []
    cache = Cache(folder)
    read_workspace(root, cache)
    assert cache.stats.hits["checks"] == 4, "kept while nothing changed"
    lea.unlink()
    assert any('"lea"' in message for message in unknown())


def test_a_preview_renders_the_changed_journey_now_and_the_registers_when_asked(
        tmp_path, monkeypatch):
    root = copy_example(tmp_path)
    preview = Preview(root)
    assert preview.rebuild().crash is None
    assert b"<svg" in preview.state.file("index.html"), "the overview, drawn when asked for"
    rename_first_step(root, "first-purchase", "Spots the cashback ad on Instagram")
    rendered: list[str] = []
    render_page = site_build._render_page

    def spy_render_page(env, page, *args):
        rendered.append(page.path)
        return render_page(env, page, *args)

    monkeypatch.setattr(site_build, "_render_page", spy_render_page)
    spy = Spy(monkeypatch)

    state = preview.rebuild({root / "specs/journeys/first-purchase.yml"})

    assert state.crash is None
    assert sorted(rendered) == ["journeys/first-purchase.html"]
    assert sorted(spy.drawn) == ["flow-first-purchase", "funnel-first-purchase"]
    assert isinstance(state.files["pain-points.html"], Deferred)
    assert isinstance(state.files["personas/leo.html"], Deferred)
    # the poster is a download: made when asked for (embedding its font takes half a second)
    assert isinstance(state.files["posters/first-purchase.svg"], Deferred)
    poster = state.file("posters/first-purchase.svg")
    assert b">Spots the" in poster and b">Sees a welcome" not in poster  # wrapped in lines
    assert b"Spots the cashback ad on Instagram" in state.file("pain-points.html")
    assert b"Spots the cashback ad on Instagram" in state.file("journeys.json")
    assert rendered[-1] == "pain-points.html"
    assert b"First purchase" in state.file("personas/leo.html")
    assert b'class="mapgen-diagram"' in state.file("index.html"), "the overview, reused"
    assert "overview" not in spy.drawn, "what the overview shows did not change"


def test_many_files_read_in_parallel_give_what_one_process_gives(tmp_path, monkeypatch):
    from mapgen import workspace

    root = copy_example(tmp_path)
    journeys = sorted((root / "specs/journeys").glob("*.yml"))
    for copy in range(workspace.PARALLEL_FROM):
        source = journeys[copy % len(journeys)]
        text = source.read_text("utf-8")
        if copy == 3:  # one broken file among them: its finding must come back too
            text += "\nbogus-key: 1\n"
        (root / f"specs/journeys/copy-{copy:03d}.yml").write_text(text, "utf-8")
    parallel = read_workspace(root, Cache(root / ".mapgen-cache"))
    monkeypatch.setattr(workspace, "PARALLEL_FROM", 10**9)
    serial = read_workspace(root)
    assert parallel.findings == serial.findings
    assert any(f.rule.name == "unknown-key" for f in parallel.findings)
    assert parallel.workspace.journeys == serial.workspace.journeys
    assert parallel.workspace.digests == serial.workspace.digests


def test_files_made_in_a_process_of_their_own_are_what_one_process_makes(tmp_path,
                                                                        monkeypatch):
    forked, alone = copy_example(tmp_path / "forked"), copy_example(tmp_path / "alone")
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 1)  # posters, search, data: forked
    monkeypatch.setattr(elsewhere, "ELSEWHERE_CHUNK", 3)
    started = []
    start = elsewhere.Elsewhere.start
    monkeypatch.setattr(elsewhere.Elsewhere, "start",
                        lambda *args: started.append(start(*args)) or started[-1])
    build_here(forked)
    assert started and started[0] is not None, "made in a forked process"
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 10**9)
    build_here(alone)
    assert {p: f[2] for p, f in snapshot(forked / "site").items()} == {
        p: f[2] for p, f in snapshot(alone / "site").items()}
    assert manifest(forked / "site") == manifest(alone / "site"), "the same keys and reads"
    assert build_in_new_process(forked)["written"] == 0


def test_a_file_that_fails_in_the_forked_process_fails_the_build(tmp_path, monkeypatch):
    from mapgen import poster

    root = copy_example(tmp_path)
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 1)

    def broken(ws, journey, fmt, cuts=None):
        raise RuntimeError(f"no poster for {journey.id}")

    monkeypatch.setattr(poster, "render", broken)  # the fork inherits it
    with pytest.raises(RuntimeError, match="no poster for"):
        build_here(root)
    assert not (root / "site").exists(), "nothing published"
