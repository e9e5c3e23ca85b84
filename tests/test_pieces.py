"""Pieces: a listing page made again after a one-journey change renders that journey's
rows and takes every other journey's rows as the last build rendered them, byte for byte
what a clean build makes (see mapgen.site.pieces). test_differential checks the same
over random edits; these tests pin the mechanism."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from conftest import build_site, copy_example, with_custom_dir
from mapgen import compact
from mapgen.cache import Cache, Reads, Sources
from mapgen.site import pages as site_pages
from mapgen.site import pieces as site_pieces
from mapgen.site.pieces import PieceExtension, Pieces
from mapgen.workspace import read_workspace

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from corpus import write_corpus  # noqa: E402  (bench/corpus.py: the benchmark's journeys)

LISTINGS = ("index.html", "touchpoints.html", "pain-points.html", "opportunities.html",
            "personas/maya.html")


@pytest.fixture
def made(monkeypatch) -> dict[str, list[str]]:
    """What the build rendered, by what: the journeys whose pieces were rendered, and
    those the registers made their records from (each journey's rows, as plain data)."""
    seen: dict[str, list[str]] = {"pieces": [], "rows": []}
    rendered = Pieces._rendered

    def spy_piece(self, name, journey_id, render):
        def rendering():
            seen["pieces"].append(journey_id)
            return render()
        return rendered(self, name, journey_id, rendering)

    monkeypatch.setattr(Pieces, "_rendered", spy_piece)
    records = site_pages._records

    def spy_records(ws, journey):
        seen["rows"].append(journey.id)
        return records(ws, journey)

    monkeypatch.setattr(site_pages, "_records", spy_records)
    return seen


def clean_copy(root: Path, target: Path) -> Path:
    """The same workspace, built from nothing."""
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("site", ".mapgen-cache"))
    return build_site(target)


def listings(site: Path) -> dict[str, bytes]:
    return {page: (site / page).read_bytes() for page in LISTINGS}


#: The example's journeys.
EVERY_JOURNEY = {"b2b-invoice-payments", "failed-payout-support", "first-purchase",
                 "plus-cancellation"}


def edit(root: Path, spec: str, old: str, new: str) -> None:
    """Replace ``old`` with ``new`` in ``specs/<spec>.yml``."""
    path = root / f"specs/{spec}.yml"
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_changed_journey_renders_its_own_rows_and_takes_the_others_as_kept(tmp_path, made):
    root = copy_example(tmp_path / "ws")
    build_site(root)
    assert set(made["pieces"]) == EVERY_JOURNEY, "a first build renders every piece"
    made["pieces"].clear()
    made["rows"].clear()
    # a pain point made more severe moves up the register; the step renamed shows in
    # every listing
    edit(root, "journeys/first-purchase", "severity: medium", "severity: critical")
    edit(root, "journeys/first-purchase", "name: Sees a welcome-cashback ad",
         "name: Sees a cashback advert")
    site = build_site(root)
    assert set(made["pieces"]) == {"first-purchase"}
    assert set(made["rows"]) == {"first-purchase"}, "the listings looked into other journeys"
    assert "Sees a cashback advert" in (site / "touchpoints.html").read_text("utf-8")
    assert listings(site) == listings(clean_copy(root, tmp_path / "clean"))


def test_a_page_whose_rows_were_taken_still_changes_with_their_journeys(tmp_path):
    """A page made of rows taken from the last page depends on those rows' journeys as
    much as on the rows it rendered: Leo's page, after a change to one of his journeys,
    still shows the other journey's next change."""
    root = copy_example(tmp_path / "ws")
    edit(root, "journeys/plus-cancellation", "personas: [rosa]", "personas: [rosa, leo]")
    build_site(root)
    edit(root, "journeys/first-purchase", "title: First purchase with Pay with Acme",
         "title: First purchase, paying with Acme")
    build_site(root)  # Leo's page: the row of plus-cancellation taken as it was
    edit(root, "journeys/plus-cancellation", "title: Acme Plus price change and cancellation",
         "title: Acme Plus, a new price and a cancellation")
    page = (build_site(root) / "personas/leo.html").read_text("utf-8")
    assert "Acme Plus, a new price and a cancellation" in page
    assert page == (clean_copy(root, tmp_path / "clean") / "personas/leo.html").read_text(
        "utf-8")


def test_a_persona_renamed_renders_the_pieces_that_may_show_her_name(tmp_path, made):
    root = copy_example(tmp_path / "ws")
    build_site(root)
    made["pieces"].clear()
    edit(root, "personas/maya", "name: Maya Chen", "name: Maia Chen")
    site = build_site(root)
    assert set(made["pieces"]) == EVERY_JOURNEY
    assert "Maia Chen" in (site / "index.html").read_text("utf-8")
    assert listings(site) == listings(clean_copy(root, tmp_path / "clean"))


def test_clean_renders_every_piece_again(tmp_path, made):
    root = copy_example(tmp_path / "ws")
    build_site(root)
    made["pieces"].clear()
    build_site(root, "--clean")
    assert set(made["pieces"]) == EVERY_JOURNEY


def test_a_template_change_renders_every_piece_again(tmp_path, made):
    root = copy_example(tmp_path / "ws")
    custom = with_custom_dir(root)
    build_site(root)
    made["pieces"].clear()
    shipped = Path(site_pages.__file__).parents[3] / "themes/default/templates/home.html"
    (custom / "templates/home.html").write_text(shipped.read_text("utf-8").replace(
        '<li class="card">', '<li class="card custom-card">'), "utf-8")
    site = build_site(root)
    assert set(made["pieces"]) == EVERY_JOURNEY
    assert (site / "index.html").read_text("utf-8").count("custom-card") == 4


def test_a_piece_names_its_journey_or_the_page_says_how(tmp_path):
    env = jinja2.Environment(extensions=[PieceExtension])
    template = env.from_string("{% for item in items %}{% piece item %}<p>{{ item.title }}"
                               "</p>{% endpiece %}{% endfor %}")
    # outside a build (no pieces kept), the body is rendered as it is
    assert template.render(items=[{"title": "A"}]) == "<p>A</p>"
    root = copy_example(tmp_path / "ws")
    ws = read_workspace(root).workspace
    pieces = Pieces(Cache(), Sources(ws), "index.html", Reads())
    with pytest.raises(jinja2.TemplateRuntimeError, match="needs the journey"):
        template.render(items=[{"title": "A"}], _mapgen_pieces=pieces)
    # a journey, its id, or a listing's item
    journeys = list(ws.journeys.values())[:2]
    assert template.render(items=journeys, _mapgen_pieces=pieces) == "".join(
        f"<p>{j.title}</p>" for j in journeys)
    # the loop says the same, naming its line
    loop = env.from_string("\n{% pieces item in items %}<p>{{ item.title }}</p>"
                           "{% endpieces %}")
    pieces = Pieces(Cache(), Sources(ws), "index.html", Reads())
    with pytest.raises(jinja2.TemplateRuntimeError, match=":2: a piece needs the journey"):
        loop.render(items=[{"title": "A"}], _mapgen_pieces=pieces)
    assert loop.render(items=journeys, _mapgen_pieces=pieces) == "\n" + "".join(
        f"<p>{j.title}</p>" for j in journeys)


def _index_rows(root: Path) -> dict[str, bytes]:
    """The cache's rows of where each page's pieces are, by page."""
    with sqlite3.connect(root / ".mapgen-cache/cache.sqlite") as db:
        return dict(db.execute("SELECT name, value FROM entries WHERE kind = ?",
                               (site_pieces.KIND,)))


def test_pieces_are_taken_from_the_page_as_written_and_never_kept_twice(tmp_path, made):
    """The cache says where each piece is in the page the last build wrote, one row per
    listing page, and holds none of their HTML; a page gone takes its row with it."""
    root = copy_example(tmp_path / "ws")
    site = build_site(root)
    rows = _index_rows(root)
    assert set(LISTINGS) <= set(rows) and all((site / page).is_file() for page in rows)
    titles = [j.title.encode() for j in read_workspace(root).workspace.journeys.values()]
    for page, row in rows.items():
        shown = [title for title in titles if title in (site / page).read_bytes()]
        assert shown and not any(title in row for title in shown), f"{page}'s HTML kept"
    cache = Cache(root / ".mapgen-cache")
    cache.put(site_pieces.KIND, "gone.html", "a page no longer made", {}, site_pieces.JSON)
    cache.save()
    edit(root, "journeys/first-purchase", "severity: medium", "severity: critical")
    build_site(root)
    assert "gone.html" not in _index_rows(root) and set(LISTINGS) <= set(_index_rows(root))


def test_a_page_changed_in_the_output_folder_renders_every_piece_again(tmp_path, made):
    """Pieces come from the page only while it is as the last build wrote it: a page
    edited by hand (or a damaged record of where they are) makes them again, and the
    page comes out as a clean build makes it."""
    root = copy_example(tmp_path / "ws")
    site = build_site(root)
    page = site / "pain-points.html"
    page.write_text(page.read_text("utf-8").replace("<tr>", "<tr class='edited'>"), "utf-8")
    made["pieces"].clear()
    edit(root, "journeys/first-purchase", "severity: medium", "severity: critical")
    site = build_site(root)
    assert made["pieces"].count("first-purchase") > 1
    assert set(made["pieces"]) == EVERY_JOURNEY, "pain-points.html rendered whole"
    assert listings(site) == listings(clean_copy(root, tmp_path / "clean"))

    with sqlite3.connect(root / ".mapgen-cache/cache.sqlite") as db:
        db.execute("UPDATE entries SET value = ?, checksum = ? WHERE kind = ? AND name = ?",
                   (b"=" + json.dumps({"reads": [["theme"]], "keys": ["x"], "names": ["a"],
                                       "places": [0, 1, 0]}).encode(), "",
                    site_pieces.KIND, "index.html"))
    edit(root, "journeys/first-purchase", "name: Sees a welcome-cashback ad",
         "name: Sees a cashback advert")
    assert listings(build_site(root)) == listings(clean_copy(root, tmp_path / "again"))


#: The name of the piece the test below asks for.
NAME = "home.html:20\nfirst-purchase\n1"


@pytest.mark.parametrize("index", [
    {"reads": [["theme"]], "keys": [], "names": [NAME], "places": [0, 3, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [10, 10**9, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [-3, 3, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [0, -3, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [0, 3, 5]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [0, 3, -1]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [0, 3]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [0, 3, 0, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME, NAME], "places": [0, 3, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [0, 2.5, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [NAME], "places": [0, 2**70, 0]},
    {"reads": [["theme"]], "keys": ["k"], "names": [7], "places": [0, 3, 0]},
    {"reads": "theme", "keys": ["k"], "names": [NAME], "places": [0, 3, 0]},
    {"reads": [["theme"]], "keys": ["k"], "pieces": [[NAME, 0, 0, 3]]},  # an older record
    ["not", "an", "index"], None,
])
def test_a_record_of_another_shape_is_never_trusted(tmp_path, index):
    """Where the pieces are comes from the cache as data: anything but what a build
    wrote, for the page it wrote, renders every piece."""
    ws = read_workspace(copy_example(tmp_path / "ws")).workspace
    sources = Sources(ws)
    cache = Cache(memory=True)
    if isinstance(index, dict) and index["keys"]:
        index["keys"] = [sources.key(("theme",))]
    cache.put(site_pieces.KIND, "index.html", "page key", index, site_pieces.JSON)
    pieces = Pieces(cache, sources, "index.html", Reads(),
                    previous=lambda: ("page key", b"<p>the page as last made</p>"))
    assert pieces.made("home.html:20", "first-purchase", lambda: "made now") == "made now"


def test_a_record_as_written_gives_the_piece_from_the_page(tmp_path):
    """The counterpart of the test above: a record of the right shape is used."""
    sources = Sources(read_workspace(copy_example(tmp_path / "ws")).workspace)
    cache = Cache(memory=True)
    cache.put(site_pieces.KIND, "index.html", "page key", {
        "reads": [["theme"]], "keys": [sources.key(("theme",))], "names": [NAME],
        "places": [3, 3, 0]}, site_pieces.JSON)
    pieces = Pieces(cache, sources, "index.html", Reads(),
                    previous=lambda: ("page key", b"<p>the page as last made</p>"))
    assert pieces.made("home.html:20", "first-purchase", lambda: "made now") == "the"


def test_the_listings_look_into_no_journey_until_a_row_is_shown(tmp_path, made):
    ws = read_workspace(copy_example(tmp_path / "ws")).workspace
    register = site_pages.pain_register(ws)
    backlog = site_pages.backlog(ws)
    matrix = site_pages.touchpoint_matrix(ws)
    assert made["rows"] == []
    assert [r.journey_id for r in register[:1]] and register[0].pain.severity == "critical"
    assert made["rows"] == [register[0].journey_id]
    assert sum(len(items) for _, items in backlog) == sum(
        len(step.opportunities) for j in ws.journeys.values() for step in j.steps)
    assert {c.id for c in matrix.channels} == {
        tp.channel for j in ws.journeys.values() for s in j.steps for tp in s.touchpoints}


def test_a_register_holds_no_row_it_has_shown(tmp_path, made):
    """A register of 10,000 journeys held every row it showed until the page was
    written; a row shown in a piece is now let go, each journey's record made once."""
    ws = read_workspace(copy_example(tmp_path / "ws")).workspace
    register = site_pages.pain_register(ws)
    env = jinja2.Environment(extensions=[PieceExtension])
    template = env.from_string("{% for row in register %}{% piece row %}{{ row.pain.id }} "
                               "{% endpiece %}{% endfor %}")
    pieces = Pieces(Cache(), Sources(ws), "pain-points.html", Reads())
    shown = template.render(register=register, _mapgen_pieces=pieces).split()
    assert len(shown) == len(register) > len(ws.journeys)
    assert all(row._item is None for row in register)
    assert sorted(made["rows"]) == sorted({row.journey_id for row in register})
    # looked into again, a row is made again from its journey's record, kept
    assert register[0].pain.id == shown[0]
    assert sorted(made["rows"]) == sorted({row.journey_id for row in register})


def test_the_three_registers_read_each_journey_once_between_them(tmp_path, made,
                                                                  monkeypatch):
    """The register, the backlog and the matrix show the journeys each in an order of
    its own (by severity, by status and priority, cell by cell): each journey's rows of
    all three are made from it once, when the first of them looks into one."""
    ws = read_workspace(copy_example(tmp_path / "ws")).workspace
    looked_up: list[str] = []
    lookup = compact.Specs.__getitem__
    monkeypatch.setattr(compact.Specs, "__getitem__", lambda self, ident: (
        looked_up.append(ident), lookup(self, ident))[1])
    shown = []
    for row in site_pages.pain_register(ws):
        shown.append((row.pain.text, row.step.name, [o.text for o in row.opportunities]))
    for _, items in site_pages.backlog(ws):
        shown.extend((item.opportunity.text, item.step.name) for item in items)
    for groups in site_pages.touchpoint_matrix(ws).cells.values():
        shown.extend((use.stage.name, use.name) for group in groups
                     for use in group.made()[1])
    assert sorted(made["rows"]) == sorted(ws.journeys), "each journey's records made once"
    assert sorted(looked_up) == sorted(ws.journeys), "each journey looked up once"
    assert len(shown) > 3 * len(ws.journeys)


def test_a_journey_page_makes_the_registers_records_while_it_has_the_journey(
        tmp_path, made, monkeypatch):
    """A build renders every journey's page before the registers: each page makes its
    journey's records then, so the registers look up no journey at all (past 1024
    journeys, each look would unpack it again)."""
    ws = read_workspace(copy_example(tmp_path / "ws")).workspace
    for page in site_pages.plan(ws):
        if page.template == "journey.html":
            page.context(ws)
    assert sorted(made["rows"]) == sorted(ws.journeys)
    looked_up: list[str] = []
    lookup = compact.Specs.__getitem__
    monkeypatch.setattr(compact.Specs, "__getitem__", lambda self, ident: (
        looked_up.append(ident), lookup(self, ident))[1])
    shown = [row.pain.text for row in site_pages.pain_register(ws)]
    shown += [item.opportunity.text for _, items in site_pages.backlog(ws) for item in items]
    shown += [use.name for groups in site_pages.touchpoint_matrix(ws).cells.values()
              for group in groups for use in group.made()[1]]
    assert looked_up == [] and len(shown) > 3 * len(ws.journeys)
    assert sorted(made["rows"]) == sorted(ws.journeys), "records made once"


def test_the_matrix_makes_each_journey_once_and_shows_its_touchpoints(tmp_path, made):
    """The matrix shows a journey in cell after cell: its record is made once, and each
    cell shows the touchpoints of that channel in stages of that phase, in step order."""
    ws = read_workspace(copy_example(tmp_path / "ws")).workspace
    matrix = site_pages.touchpoint_matrix(ws)
    expected = [_cell_group(ws, ws.journeys[row.journey_id], cell)
                for cell, rows in matrix.cells.items() for row in rows]
    env = jinja2.Environment(extensions=[PieceExtension])
    template = env.from_string(
        "{% for cell in cells %}{% for group in cell %}{% piece group %}"
        "{% set journey, uses = group %}{{ journey.id }} {{ journey.title }}:"
        "{% for use in uses %}{{ use.stage.name }}/{{ use.step.name }}/{{ use.name }}/"
        "{{ use.figure }};{% endfor %}\n{% endpiece %}{% endfor %}{% endfor %}")
    pieces = Pieces(Cache(), Sources(ws), "touchpoints.html", Reads())
    shown = template.render(cells=list(matrix.cells.values()), _mapgen_pieces=pieces)
    assert shown == template.render(cells=[expected])
    assert len(shown.splitlines()) > len(ws.journeys)  # journeys in several cells
    assert sorted(made["rows"]) == sorted(ws.journeys)


def _cell_group(ws, journey, cell: tuple[str, str]) -> tuple:
    """(journey, uses) of ``journey`` in ``cell``, worked out from the journey itself."""
    channel, phase = cell
    scale = ws.scale_of(journey)
    uses = []
    for stage in journey.stages:
        for step in stage.steps:
            scores = step.scores(journey.personas, scale)
            average = sum(scores.values()) / len(scores) if scores else None
            figure = None if average is None else (
                f"{average:+.1f}" if round(average, 1) else "0")
            uses.extend(SimpleNamespace(stage=stage, step=step, name=tp.name, figure=figure)
                        for tp in step.touchpoints
                        if tp.channel == channel and (stage.phase or "none") == phase)
    return journey, uses


def test_a_preview_takes_the_pieces_from_the_page_it_made_last(tmp_path, made):
    """``serve`` renders a register when it is asked for, and after a change takes the
    other journeys' rows from the register it made last (kept in its own folder)."""
    from mapgen.serve import Preview

    root = copy_example(tmp_path / "ws")
    preview = Preview(root)
    assert preview.rebuild().crash is None
    first = preview.state.file("pain-points.html")
    assert set(made["pieces"]) == EVERY_JOURNEY and b"Sees a welcome-cashback ad" in first
    made["pieces"].clear()
    edit(root, "journeys/first-purchase", "name: Sees a welcome-cashback ad",
         "name: Sees a cashback advert")
    assert preview.rebuild({root / "specs/journeys/first-purchase.yml"}).crash is None
    page = preview.state.file("pain-points.html")
    assert set(made["pieces"]) == {"first-purchase"}
    assert page == (clean_copy(root, tmp_path / "clean") / "pain-points.html").read_bytes()


def test_pieces_are_found_again_across_the_parts_a_page_is_written_in(tmp_path, made,
                                                                        monkeypatch):
    """A page goes to its file in parts; where a piece is counts the bytes of the parts
    before it (each emoji four): with parts of a few characters, the pieces taken are
    still the right bytes."""
    from mapgen.site import build as site_build

    monkeypatch.setattr(site_build, "PART", 50)
    root = copy_example(tmp_path / "ws")
    build_site(root)
    made["pieces"].clear()
    edit(root, "journeys/first-purchase", "name: Sees a welcome-cashback ad",
         "name: Sees a cashback advert")
    site = build_site(root)
    assert set(made["pieces"]) == {"first-purchase"}
    assert listings(site) == listings(clean_copy(root, tmp_path / "clean"))


def _spy_slices(monkeypatch) -> list[int]:
    """How many rows each slice taken from a last page holds, as the build takes them."""
    slices: list[int] = []
    part = Pieces.part

    def spy(self, taken, render):
        if isinstance(taken, site_pieces.Slice):
            slices.append(len(taken.items))
        return part(self, taken, render)

    monkeypatch.setattr(Pieces, "part", spy)
    return slices


def test_unchanged_rows_side_by_side_are_taken_as_one_slice(tmp_path, made, monkeypatch):
    """``{% pieces row in rows %}``: the rows of the journeys not changed, kept next to
    each other in the last page, are copied a slice at a time (a register of 1000
    journeys is 5,000 rows: looking each one up through Jinja cost more than the rest of
    the page), and the pages still come out as a clean build makes them."""
    slices = _spy_slices(monkeypatch)
    root = write_corpus(40, tmp_path / "corpus")
    build_site(root)
    made["pieces"].clear()
    journey = root / "specs/journeys/j0000.yml"
    journey.write_text(journey.read_text("utf-8").replace(
        "name: Step 1 of awareness in journey 0\n", "name: A step renamed\n"), "utf-8")
    site = build_site(root)
    assert set(made["pieces"]) == {"j0000"}
    assert sum(slices) > 10 * len(slices), "rows taken one by one"
    pages = ("index.html", "touchpoints.html", "pain-points.html", "opportunities.html")
    clean = clean_copy(root, tmp_path / "clean")
    assert all((site / page).read_bytes() == (clean / page).read_bytes() for page in pages)


def test_a_slice_holds_a_bounded_part_of_the_page(tmp_path, made, monkeypatch):
    """A listing of 10,000 journeys is tens of megabytes: a slice taken whole would
    hold it in memory. With slices of one byte at most, each row is taken on its own,
    and the pages are the same."""
    slices = _spy_slices(monkeypatch)
    monkeypatch.setattr(site_pieces, "SLICE", 1)
    root = copy_example(tmp_path / "ws")
    build_site(root)
    edit(root, "journeys/first-purchase", "name: Sees a welcome-cashback ad",
         "name: Sees a cashback advert")
    site = build_site(root)
    assert slices and set(slices) == {1}
    assert listings(site) == listings(clean_copy(root, tmp_path / "clean"))


def test_a_slice_that_is_not_text_renders_its_rows(tmp_path):
    """Two kept pieces side by side in the last page are taken as one slice; when those
    bytes are not UTF-8 text (a record not of this page), each row is rendered instead,
    and noted where it now is."""
    sources = Sources(read_workspace(copy_example(tmp_path / "ws")).workspace)
    ids = ["first-purchase", "plus-cancellation"]
    cache = Cache(memory=True)
    cache.put(site_pieces.KIND, "index.html", "page key", {
        "reads": [["theme"]], "keys": [sources.key(("theme",))],
        "names": [f"t:1\n{ident}\n1" for ident in ids], "places": [3, 3, 0, 6, 2, 0]},
        site_pieces.JSON)
    env = jinja2.Environment(extensions=[PieceExtension], loader=jinja2.DictLoader(
        {"t": "{% pieces id in ids %}[{{ id }}]{% endpieces %}"}))
    for last, shown in (("<p>été</p>".encode(), "été"),
                        (b"<p>\xff\xfe\xfd\xfc\xfb</p>", "[first-purchase][plus-cancellation]")):
        pieces = Pieces(cache, sources, "index.html", Reads(),
                        previous=lambda last=last: ("page key", last))
        written = list(env.get_template("t").generate(ids=ids, _mapgen_pieces=pieces))
        assert "".join(written) == shown
        pieces.placed(written[0], 0)
        assert pieces._names == [f"t:1\n{ident}\n1" for ident in ids]


def test_pieces_outside_a_build_render_each_item(tmp_path):
    """A theme's own tests render ``{% pieces %}`` with no build keeping pieces: each
    item's body, in order, with the page's variables."""
    env = jinja2.Environment(extensions=[PieceExtension])
    template = env.from_string("{% for n in [1, 2] %}{% pieces item in items %}{{ n }}"
                               "{{ item.title }};{% endpieces %}{% endfor %}")
    assert template.render(items=[{"title": "A"}, {"title": "B"}]) == "1A;1B;2A;2B;"
    assert template.render(items=[]) == template.render() == ""


def test_listings_made_by_the_forked_process_are_as_made_here_and_keep_their_pieces(
        tmp_path, monkeypatch):
    """With many journey pages to render, the listings that show no diagram are made by
    the forked process that makes the posters (``ASIDE_FROM``, ``ELSEWHERE_FROM``,
    lowered here): this
    process renders none of their rows, the pages are those it would have made, and the
    pieces noted over there let the next build (which makes them here) render only the
    changed journey's rows."""
    from mapgen.site import build as site_build
    from mapgen.site import elsewhere

    rendered: list[tuple[str, str]] = []  # (page, journey) of each piece rendered here
    kept_rendered = Pieces._rendered

    def spy(self, name, journey_id, render):
        rendered.append((self.page, journey_id))
        return kept_rendered(self, name, journey_id, render)

    monkeypatch.setattr(Pieces, "_rendered", spy)
    monkeypatch.setattr(site_build, "ASIDE_FROM", 2)
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 1)  # the example has few posters
    root = copy_example(tmp_path / "ws")
    site = build_site(root)
    aside = {"pain-points.html", "opportunities.html", "touchpoints.html",
             "personas/maya.html"}
    assert rendered and not aside & {page for page, _ in rendered}, rendered
    first = listings(site)
    monkeypatch.setattr(site_build, "ASIDE_FROM", 10**6)
    assert first == listings(clean_copy(root, tmp_path / "here"))
    rendered.clear()
    edit(root, "journeys/first-purchase", "name: Sees a welcome-cashback ad",
         "name: Sees a cashback advert")
    site = build_site(root)
    assert {journey for page, journey in rendered if page in aside} == {"first-purchase"}
    assert listings(site) == listings(clean_copy(root, tmp_path / "clean"))


def test_a_broken_template_of_a_page_made_by_the_forked_process_names_its_line(
        tmp_path, monkeypatch):
    """A listing made by the forked process fails as one made here does: the message
    names the template and the line (a traceback stays in the process it was made in,
    so the place is noted before the error crosses), and nothing else is printed."""
    from click.testing import CliRunner

    from mapgen.cli import cli
    from mapgen.site import build as site_build
    from mapgen.site import elsewhere

    monkeypatch.setattr(site_build, "ASIDE_FROM", 2)
    monkeypatch.setattr(elsewhere, "ELSEWHERE_FROM", 1)
    root = copy_example(tmp_path / "ws")
    (with_custom_dir(root) / "templates/persona.html").write_text(
        '{% extends "!theme/base.html" %}\n{% block content %}\n{{ nope.x }}\n'
        "{% endblock %}\n", "utf-8")
    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert result.exit_code == 1
    assert "persona.html:3: the theme's template failed: 'nope' is undefined" in \
        result.output, result.output
    assert "Traceback" not in result.output
