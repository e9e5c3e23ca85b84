"""The emotion curve, the funnel and the overview: SVG drawn by our own code, checked on
real workspaces."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from mapgen import diagrams
from mapgen.diagrams import charts, style
from mapgen.model import Config, Journey, Persona, Workspace
from mapgen.workspace import read_workspace

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLE = Path(__file__).resolve().parents[1]
HOSTILE = 'Quote " brace } <script>alert(1)</script> back\\slash & url(#x) 🎉\nsecond line'
LONG = ("A very long step name " * 23).strip()  # about 500 characters


# --- building workspaces -------------------------------------------------------------

def write_workspace(root: Path, personas: dict[str, str], journeys: dict[str, dict],
                    config: dict | None = None):
    """Write mapgen.yml and one file per persona and journey; read them back as a model."""
    (root / "specs/personas").mkdir(parents=True)
    (root / "specs/journeys").mkdir(parents=True)
    (root / "mapgen.yml").write_text(dump({"title": "Charts", **(config or {})}))
    for persona_id, name in personas.items():
        (root / f"specs/personas/{persona_id}.yml").write_text(dump({"name": name}))
    for journey_id, journey in journeys.items():
        (root / f"specs/journeys/{journey_id}.yml").write_text(dump(journey))
    result = read_workspace(root)
    assert result.workspace is not None, [f.message for f in result.findings]
    return result.workspace


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def journey(personas: list[str], stages: list[list[dict]], reached: list | None = None,
            **extra) -> dict:
    """A journey whose stage ``i`` holds the steps ``stages[i]`` (each {name, emotion})."""
    out = {"title": "Checkout", "personas": personas, **extra, "stages": []}
    for s, steps in enumerate(stages):
        stage = {"id": f"stage-{s}", "name": f"Stage {s}"}
        if reached and reached[s] is not None:
            stage["reached"] = reached[s]
        stage["steps"] = [{"id": f"step-{s}-{i}", **step} for i, step in enumerate(steps)]
        out["stages"].append(stage)
    return out


def step(name: str, emotion=None) -> dict:
    return {"name": name} if emotion is None else {"name": name, "emotion": emotion}


def people(count: int) -> dict[str, str]:
    return {f"p{i}": f"Person {i}" for i in range(count)}


# --- reading the SVG -----------------------------------------------------------------

def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def texts(root: ET.Element, tag: str) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}{tag}")]


def visible(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}tspan"))


def points_of(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = polyline.get("points").split()
    return [tuple(float(v) for v in pair.split(",")) for pair in pairs]


# --- the emotion curve ---------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 3, 5])
def test_one_line_per_persona_with_a_marker_per_step(tmp_path, count):
    ids = list(people(count))
    stages = [[step(f"Step {s}", {p: (i + s) % 5 - 2 for i, p in enumerate(ids)})]
              for s in range(4)]
    ws = write_workspace(tmp_path, people(count), {"curve": journey(ids, stages)})
    root = parse(charts.emotion_curve(ws, ws.journeys["curve"]))
    lines = groups(root, "persona-line")
    assert [g.get("data-persona") for g in lines] == ids
    for line in lines:
        assert len(line.findall(f"{SVG}polyline")) == 1
        assert len(points_of(line.find(f"{SVG}polyline"))) == 4
        assert len(groups(line, "point")) == 4
    dashes = {line.find(f"{SVG}polyline").get("stroke-dasharray") for line in lines}
    assert len(dashes) == count, "lines differ by more than colour"
    assert all(f"Person {i}" in visible(root) for i in range(count))


def test_more_personas_than_styles_cycle_the_styles(tmp_path):
    ids = list(people(7))
    stages = [[step("Only", 1), step("Next", 0)]]
    ws = write_workspace(tmp_path, people(7), {"curve": journey(ids, stages)})
    lines = groups(parse(charts.emotion_curve(ws, ws.journeys["curve"])), "persona-line")
    colours = [line.find(f"{SVG}polyline").get("stroke") for line in lines]
    assert len(lines) == 7
    assert colours[5] == colours[0] == style.PERSONA_COLOURS[0]


def test_a_missing_score_is_a_gap_not_a_zero(tmp_path):
    stages = [[step("Lands", {"p0": 1, "p1": 1}), step("Browses", {"p1": 0})],
              [step("Pays", {"p0": 2, "p1": 1}), step("Leaves", {"p0": -1, "p1": 2})]]
    ws = write_workspace(tmp_path, people(2), {"curve": journey(["p0", "p1"], stages)})
    first, second = groups(parse(charts.emotion_curve(ws, ws.journeys["curve"])),
                           "persona-line")
    assert first.findall(f"{SVG}polyline") != []
    [after_gap] = first.findall(f"{SVG}polyline")
    assert len(points_of(after_gap)) == 2, "the line stops at the gap and starts after it"
    tips = texts(first, "title")
    assert not any("Browses" in tip for tip in tips), "no point where there is no score"
    assert len(groups(first, "point")) == 3
    [whole] = second.findall(f"{SVG}polyline")
    assert len(points_of(whole)) == 4


def test_the_curve_reads_labels_as_their_scores(tmp_path):
    """A journey written with labels draws exactly as the one written with numbers."""
    by_label = [[step("Lands", "Happy"), step("Browses", {"p0": "sad", "p1": "excited"})],
                [step("Pays", {"p0": -2, "p1": "neutral"})]]
    by_number = [[step("Lands", 1), step("Browses", {"p0": -1, "p1": 2})],
                 [step("Pays", {"p0": -2, "p1": 0})]]
    labels = write_workspace(tmp_path / "labels", people(2),
                             {"curve": journey(["p0", "p1"], by_label)})
    numbers = write_workspace(tmp_path / "numbers", people(2),
                              {"curve": journey(["p0", "p1"], by_number)})
    assert charts.emotion_curve(labels, labels.journeys["curve"]) == charts.emotion_curve(
        numbers, numbers.journeys["curve"])


def test_a_persona_not_taking_part_has_a_gap_there(tmp_path):
    stages = [[step("Lands", 1), {**step("Calls sales", 0), "personas": ["p1"]},
               step("Pays", {"p0": 2, "p1": 1})]]
    ws = write_workspace(tmp_path, people(2), {"curve": journey(["p0", "p1"], stages)})
    first, second = groups(parse(charts.emotion_curve(ws, ws.journeys["curve"])),
                           "persona-line")
    assert len(groups(first, "point")) == 2, "no point where p0 takes no part"
    assert not any("Calls sales" in tip for tip in texts(first, "title"))
    assert len(groups(second, "point")) == 3


def test_stages_steps_and_the_scale_are_all_named(tmp_path):
    stages = [[step("Sees an ad", 1), step("Reads the pricing page", 0)],
              [step("Fills in the checkout form", {"maya": -1})],
              [step("Gets the order confirmation", 2)]]
    ws = write_workspace(tmp_path, {"maya": "Maya Chen"},
                         {"curve": journey(["maya"], stages)})
    root = parse(charts.emotion_curve(ws, ws.journeys["curve"]))
    bands = groups(root, "stage-band")
    assert [b.get("data-stage") for b in bands] == ["stage-0", "stage-1", "stage-2"]
    assert [b.find(f"{SVG}title").text for b in bands] == ["Stage 0", "Stage 1", "Stage 2"]
    labels = [g.find(f"{SVG}title").text for g in groups(root, "step-label")]
    assert labels == ["Sees an ad", "Reads the pricing page", "Fills in the checkout form",
                      "Gets the order confirmation"]
    shown = visible(root)
    for tick in ("😠 angry", "🙁 sad", "😐 neutral", "🙂 happy", "😄 excited"):
        assert tick in shown
    assert "Maya Chen at Fills in the checkout form: sad (-1)" in texts(root, "title")
    desc = root.find(f"{SVG}desc").text
    assert "lowest sad (-1) at Fills in the checkout form" in desc
    assert "highest excited (+2) at Gets the order confirmation" in desc


def test_a_scale_without_labels_shows_numbers(tmp_path):
    stages = [[step("One", 0), step("Two", 7)]]
    ws = write_workspace(tmp_path, people(1),
                         {"curve": journey(["p0"], stages,
                                           emotion_scale={"min": 0, "max": 10})})
    root = parse(charts.emotion_curve(ws, ws.journeys["curve"]))
    ticks = [t.text for g in groups(root, "tick") for t in g.iter(f"{SVG}tspan")]
    assert ticks == ["0", "+1", "+2", "+3", "+4", "+5", "+6", "+7", "+8", "+9", "+10"]
    assert "Person 0 at Two: +7" in texts(root, "title")


def test_a_long_scale_labels_only_every_few_scores(tmp_path):
    stages = [[step("One", -100), step("Two", 100)]]
    ws = write_workspace(tmp_path, people(1),
                         {"curve": journey(["p0"], stages,
                                           emotion_scale={"min": -100, "max": 100})})
    root = parse(charts.emotion_curve(ws, ws.journeys["curve"]))
    ys = [float(t.get("y")) for g in groups(root, "tick") for t in g.iter(f"{SVG}text")]
    assert 2 < len(ys) < 30
    assert all(b - a >= 11 for a, b in zip(sorted(ys), sorted(ys)[1:])), "labels overlap"


# --- the funnel ----------------------------------------------------------------------

def funnel_of(tmp_path, reached: list) -> ET.Element | None:
    stages = [[step(f"Step {s}", 0)] for s in range(len(reached))]
    ws = write_workspace(tmp_path, people(1),
                         {"sales": journey(["p0"], stages, reached=reached)})
    chart = charts.funnel(ws.journeys["sales"])
    return None if chart is None else parse(chart)


def test_the_biggest_drop_off_is_marked_between_the_right_stages(tmp_path):
    root = funnel_of(tmp_path, [12000, 9000, 3000, 2500])
    drops = groups(root, "drop-off")
    assert [d.get("class") for d in drops] == ["drop-off", "drop-off biggest", "drop-off"]
    assert "".join(drops[1].itertext()) == "−6,000 (67%) · Biggest drop-off"
    assert drops[1].find(f"{SVG}text").get("font-weight") == "bold"
    assert drops[1].find(f"{SVG}text").get("fill") != drops[0].find(f"{SVG}text").get("fill")
    assert "".join(drops[0].itertext()) == "−3,000 (25%)"
    assert "Biggest drop-off: −6,000 (67%) between Stage 1 and Stage 2" in (
        root.find(f"{SVG}desc").text)


def test_one_bar_per_stage_with_reached_proportional_to_it(tmp_path):
    root = funnel_of(tmp_path, [12000, None, 3000, 1500])
    bars = groups(root, "funnel-stage")
    assert [b.get("data-stage") for b in bars] == ["stage-0", "stage-2", "stage-3"]
    widths = [float(b.find(f"{SVG}rect").get("width")) for b in bars]
    assert widths[0] == max(widths)
    assert widths[1] / widths[0] == pytest.approx(0.25, abs=0.01)
    assert widths[2] / widths[0] == pytest.approx(0.125, abs=0.01)
    assert ["Stage 0", "12,000"] == [t.text for t in bars[0].iter(f"{SVG}tspan")]
    assert len(groups(root, "drop-off")) == 2


def test_no_funnel_without_reached(tmp_path):
    assert funnel_of(tmp_path, [None, None]) is None


def test_a_funnel_that_widens_says_so(tmp_path):
    root = funnel_of(tmp_path, [0, 100, 50])
    drops = ["".join(d.itertext()) for d in groups(root, "drop-off")]
    assert drops == ["+100", "−50 (50%) · Biggest drop-off"]


# --- escaping, size and determinism ---------------------------------------------------

def hostile_workspace(tmp_path):
    stages = [[step(f"Step {HOSTILE}", {"ana": -2, "bo": 1}), step(LONG, {"ana": 0, "bo": 2})],
              [step("Control \x01 char", 1)]]
    spec = journey(["ana", "bo"], stages, reached=[100, 40])
    spec["title"] = f"Title {HOSTILE}"
    spec["stages"][0]["name"] = f"Stage {HOSTILE}"
    spec["stages"][1]["name"] = LONG
    return write_workspace(tmp_path, {"ana": f"Ana {HOSTILE}", "bo": LONG},
                           {"hostile": spec})


def test_hostile_names_are_escaped_and_round_trip(tmp_path):
    ws = hostile_workspace(tmp_path)
    hostile = ws.journeys["hostile"]
    for chart in (charts.emotion_curve(ws, hostile), charts.funnel(hostile)):
        root = parse(chart)
        assert not list(root.iter(f"{SVG}script")), "user text never becomes markup"
        assert "<script>" not in chart
        titles = texts(root, "title")
        assert root.find(f"{SVG}title").text.endswith(f" of Title {HOSTILE}")
        assert f"Stage {HOSTILE}" in titles and LONG in titles
        assert "url(#x)" in " ".join(titles), "finish() must not rewrite user text"
        for tspan in root.iter(f"{SVG}tspan"):
            assert len(tspan.text or "") <= 61, "long names are shortened on screen"
            assert "\n" not in (tspan.text or "")
    curve = parse(charts.emotion_curve(ws, hostile))
    assert f"Step {HOSTILE}" in texts(curve, "title")
    assert f"Ana {HOSTILE} at Step {HOSTILE}: angry (-2)" in texts(curve, "title")
    assert "Control \ufffd char" in texts(curve, "title")


def test_long_names_keep_the_chart_small(tmp_path):
    ws = hostile_workspace(tmp_path)
    for chart in (charts.emotion_curve(ws, ws.journeys["hostile"]),
                  charts.funnel(ws.journeys["hostile"])):
        width, height = (float(v) for v in parse(chart).get("viewBox").split()[2:])
        assert width < 1000 and height < 1000


def test_same_input_same_bytes(tmp_path):
    ws = hostile_workspace(tmp_path / "one")
    again = hostile_workspace(tmp_path / "two")
    hostile = ws.journeys["hostile"]
    curve = charts.emotion_curve(ws, hostile)
    assert curve == charts.emotion_curve(ws, hostile)
    assert curve == charts.emotion_curve(again, again.journeys["hostile"])
    assert charts.funnel(hostile) == charts.funnel(again.journeys["hostile"])
    assert not re.search(r"\d\.\d{2,}", curve), "numbers have a fixed number of decimals"


def test_page_ready_svg(tmp_path):
    ws = hostile_workspace(tmp_path)
    for chart, name in ((charts.emotion_curve(ws, ws.journeys["hostile"]), "emotion"),
                        (charts.funnel(ws.journeys["hostile"]), "funnel")):
        root = parse(chart)
        assert root.get("viewBox") and root.get("role") == "img"
        assert root.get("font-family").startswith(style.FONT)
        assert root.get("aria-labelledby") == f"{name}-hostile-title {name}-hostile-desc"


# --- the example workspace -----------------------------------------------------------

def test_the_example_workspace_draws():
    if not (EXAMPLE / "mapgen.yml").is_file() or not (EXAMPLE / "specs/journeys").is_dir():
        pytest.skip("no example workspace yet")
    ws = read_workspace(EXAMPLE).workspace
    if ws is None or not ws.journeys:
        pytest.skip("the example workspace does not build yet")
    for item in ws.journeys.values():
        root = parse(charts.emotion_curve(ws, item))
        assert [g.get("data-persona") for g in groups(root, "persona-line")] == list(
            item.personas)
        assert len(groups(root, "step-label")) == len(item.steps)
        with_figures = [s.id for s in item.stages if s.reached is not None]
        chart = charts.funnel(item)
        if not with_figures:
            assert chart is None
            continue
        bars = groups(parse(chart), "funnel-stage")
        assert [b.get("data-stage") for b in bars] == with_figures


# --- the overview --------------------------------------------------------------------

def overview_of(ws) -> ET.Element:
    """The overview as the site draws it: titled and described by the view's table."""
    return parse(diagrams.VIEWS["overview"].draw(ws, None))


def marks(root: ET.Element) -> set[tuple[str, str]]:
    """(journey id, persona id) of every mark: where the chart says a persona goes."""
    return {(row.get("id").removeprefix("overview-journey-"), mark.get("data-persona"))
            for row in groups(root, "journey") for mark in row.iter(f"{SVG}circle")}


def test_the_overview_has_a_column_per_persona_a_row_per_journey_and_a_mark_per_link():
    ws = read_workspace(EXAMPLE).workspace
    root = overview_of(ws)
    columns = {g.get("data-persona"): g for g in groups(root, "persona")}
    assert list(columns) == list(ws.personas)
    for pid, persona in ws.personas.items():
        header = columns[pid]
        assert header.get("id") == f"overview-persona-{pid}"
        assert header.find(f"{SVG}title").text == persona.name
        taken = sum(pid in j.personas for j in ws.journeys.values())
        assert f"{taken} journey{'s' if taken != 1 else ''}" in "".join(header.itertext())
    rows = groups(root, "journey")
    assert [r.get("id") for r in rows] == [f"overview-journey-{j}" for j in ws.journeys]
    assert marks(root) == {(j.id, p) for j in ws.journeys.values() for p in j.personas}
    centres = {pid: float(g.find(f"{SVG}text").get("x")) for pid, g in columns.items()}
    for mark in root.iter(f"{SVG}circle"):
        assert float(mark.get("cx")) == centres[mark.get("data-persona")], "in its column"
    for row, journey in zip(rows, ws.journeys.values(), strict=True):
        assert row.find(f"{SVG}title").text == journey.title
        assert journey.status in visible(row)


def test_the_overview_shows_each_journeys_stages_in_order_then_how_many_more():
    ws = read_workspace(EXAMPLE).workspace
    for row, journey in zip(groups(overview_of(ws), "journey"), ws.journeys.values(),
                            strict=True):
        chips = groups(row, "stage")
        shown = [g.get("id").removeprefix(f"overview-stage-{journey.id}-") for g in chips]
        assert chips and shown == [s.id for s in journey.stages][:len(chips)]
        more = len(journey.stages) - len(chips)
        texts_of_row = [t.text for t in row.iter(f"{SVG}tspan")]
        assert (f"+{more}" in texts_of_row) == (more > 0)
        for chip, stage in zip(chips, journey.stages):
            label = chip.find(f"{SVG}text/{SVG}tspan").text
            assert label == stage.name or label.endswith("…")


def synthetic(journeys: int, personas: int = 10, stages: int = 5, links: int = 2) -> Workspace:
    """A workspace made in memory: each journey takes ``links`` personas in turn."""
    people_ = {f"p{i}": Persona.model_validate({"id": f"p{i}", "name": f"Person {i}"})
               for i in range(personas)}
    journeys_ = {}
    for n in range(journeys):
        data = {"id": f"j{n}", "title": f"Journey {n}",
                "personas": [f"p{(n + k) % personas}" for k in range(links)],
                "stages": [{"id": f"s{s}", "name": f"Stage {s} of journey {n}",
                            "steps": [{"id": f"j{n}-s{s}", "name": "Step"}]}
                           for s in range(stages)]}
        journeys_[f"j{n}"] = Journey.model_validate(data)
    return Workspace(".", Config(), people_, journeys_)


def size_of(ws: Workspace) -> tuple[int, int]:
    """(elements, bytes) of the overview."""
    svg = diagrams.VIEWS["overview"].draw(ws, None)
    return len(list(parse(svg).iter())), len(svg.encode("utf-8"))


def test_the_overview_grows_linearly_with_the_journeys():
    elements, size = size_of(synthetic(200))
    twice_elements, twice_size = size_of(synthetic(400))
    assert twice_elements <= 2.2 * elements and twice_size <= 2.2 * size
    assert twice_elements >= 1.8 * elements, "every journey is drawn"


def test_more_personas_add_columns_not_cells():
    few, many = size_of(synthetic(200, personas=5))[0], size_of(synthetic(200, personas=50))[0]
    assert many - few < 10 * 45, "a header and a line per persona, no empty cells"


def test_a_journey_of_many_stages_takes_a_row_like_any_other():
    short, long = synthetic(1, stages=5), synthetic(1, stages=500)
    chips = len(groups(overview_of(long), "stage"))
    assert 0 < chips <= len(groups(overview_of(short), "stage")), "as many as fit, then +n"
    assert f"+{500 - chips}" in visible(overview_of(long))
    assert size_of(long)[0] <= size_of(short)[0]


def test_the_overview_escapes_hostile_names_and_keeps_them_whole_in_tooltips(tmp_path):
    ws = hostile_workspace(tmp_path)
    svg = diagrams.VIEWS["overview"].draw(ws, None)
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script")) and "<script>" not in svg
    titles = texts(root, "title")
    assert f"Title {HOSTILE}" in titles and f"Ana {HOSTILE}" in titles and LONG in titles
    assert f"Stage {HOSTILE}" in titles, "a stage cut short on its chip keeps its name"
    assert root.find(f"{SVG}title").text == "Overview of personas and journeys"
    assert "url(#x)" in " ".join(titles), "finish() must not rewrite user text"
    assert f"Title {HOSTILE}" in root.find(f"{SVG}desc").text
    for tspan in root.iter(f"{SVG}tspan"):
        assert "\n" not in (tspan.text or "") and len(tspan.text or "") <= 60


def test_the_overviews_text_is_at_least_11_px():
    root = overview_of(read_workspace(EXAMPLE).workspace)
    assert root.get("font-size") == "11"
    assert all(float(el.get("font-size")) >= 11 for el in root.iter() if el.get("font-size"))


def test_a_right_to_left_overview_reads_from_the_right(tmp_path):
    ws = write_workspace(tmp_path, {"ana": "Ana", "bo": "Bo"}, {
        "first": journey(["ana"], [[step("One")], [step("Two")]]),
        "second": journey(["bo"], [[step("One")]])}, config={"dir": "rtl"})
    left_to_right = write_workspace(tmp_path / "ltr", {"ana": "Ana", "bo": "Bo"}, {
        "first": journey(["ana"], [[step("One")], [step("Two")]]),
        "second": journey(["bo"], [[step("One")]])})
    for root, rtl in ((overview_of(ws), True), (overview_of(left_to_right), False)):
        assert (root.get("direction") == "rtl") == rtl
        row = groups(root, "journey")[0]
        title = float(row.find(f"{SVG}text").get("x"))
        mark = float(row.find(f"{SVG}circle").get("cx"))
        chips = [float(g.find(f"{SVG}rect").get("x")) for g in groups(row, "stage")]
        order = [title, mark, chips[0], chips[1]]
        assert order == sorted(order, reverse=rtl), "title, marks, stages in reading order"
        ana, bo = (float(g.find(f"{SVG}text").get("x")) for g in groups(root, "persona"))
        assert (ana > bo) == rtl


def test_the_overview_is_the_same_bytes_for_the_same_workspace():
    assert (diagrams.VIEWS["overview"].draw(synthetic(30), None)
            == diagrams.VIEWS["overview"].draw(synthetic(30), None))


def test_what_the_overview_shows_ignores_what_it_does_not_show():
    ws = synthetic(3)
    request = diagrams.Request("overview")
    described = replace(ws, journeys={**ws.journeys, "j0": ws.journeys["j0"].model_copy(
        update={"description": "Another description"})})
    assert diagrams.shown(described, request) == diagrams.shown(ws, request)
    stage = ws.journeys["j0"].stages[0].model_copy(update={"name": "Renamed"})
    renamed_stage = replace(ws, journeys={**ws.journeys, "j0": ws.journeys["j0"].model_copy(
        update={"stages": [stage, *ws.journeys["j0"].stages[1:]]})})
    assert diagrams.shown(renamed_stage, request) != diagrams.shown(ws, request)
