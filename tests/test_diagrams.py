"""The graph views, the engines, the cache and the SVG they produce (the overview is a
chart: tests/test_charts.py)."""

from __future__ import annotations

import html
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapgen import diagrams
from mapgen.cli import cli
from mapgen.diagrams import dot, graphs
from mapgen.cache import Cache
from mapgen.diagrams import layouts
from mapgen.diagrams.engine import EngineError, Job, get_engine
from mapgen.messages import load_messages
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Quote " brace } <script>alert(1)</script> back\\slash & 🎉'
LONG = "A very long step name " * 23  # ~500 characters

HOSTILE_JOURNEY = f"""\
title: 'Hostile {HOSTILE.replace("'", "''")}'
personas: [ana, bo]
sources: [{{id: notes, title: Notes}}]
stages:
  - id: first
    name: 'Stage {HOSTILE.replace("'", "''")}'
    reached: 100
    steps:
      - id: one
        name: 'Step {HOSTILE.replace("'", "''")}'
        touchpoints: [{{channel: web, name: "Page \\\\ with {{braces}}"}}]
        emotion: {{ana: -2, bo: 1}}
        pain_points:
          - {{id: slow, text: "Slow <b>form</b>", severity: critical, evidence: [notes]}}
        opportunities: [{{text: Faster, addresses: [slow]}}]
      - id: two
        name: "{LONG.strip()}"
        emotion: {{ana: 0, bo: 2}}
        next: [one, three]
  - id: second
    name: Second
    reached: 40
    steps:
      - id: three
        name: "Line one\\nline two"
        emotion: {{ana: 1, bo: 1}}
        next: []
"""


def write_workspace(root: Path, journeys: dict[str, str]) -> Path:
    (root / "specs/personas").mkdir(parents=True)
    (root / "specs/journeys").mkdir(parents=True)
    for pid, name in (("ana", "Ana"), ("bo", "Bo")):
        (root / f"specs/personas/{pid}.yml").write_text(f"name: {name}\n", encoding="utf-8")
    for jid, text in journeys.items():
        (root / f"specs/journeys/{jid}.yml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture()
def hostile(tmp_path):
    result = read_workspace(write_workspace(tmp_path, {"hostile": HOSTILE_JOURNEY}))
    assert not result.fails(), [str(f.location) + f.message for f in result.findings]
    return result.workspace


@pytest.fixture(scope="module")
def example():
    if not (REPO / "specs").is_dir():
        pytest.skip("the example workspace specs/ is missing")
    result = read_workspace(REPO)
    assert not result.fails(strict=True)
    return result.workspace


@pytest.fixture(scope="module")
def engine():
    return get_engine("embedded")


def draw(ws, view, journey=None, engine=None, cache=None):
    request = diagrams.Request(view, ws.journeys[journey] if journey else None)
    cache = cache or Cache()
    return diagrams.render(ws, [request], engine or get_engine("embedded"), cache)[0]


def parse(diagram) -> ET.Element:
    return ET.fromstring(diagram.content.decode("utf-8"))


def all_text(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [g for g in root.iter() if name in (g.get("class") or "").split()]


# --- the views, on the example workspace ----------------------------------------------

def test_flow_shows_every_stage_and_step_of_every_example_journey(example, engine):
    for journey in example.journeys.values():
        root = parse(draw(example, "flow", journey.id, engine))
        text = " ".join(all_text(root).split())
        for stage in journey.stages:
            assert graphs.text(stage.name, 40, 2).split("<br/>")[0] in text
            for step in stage.steps:  # names wrap over lines: each line must be there
                for line in html.unescape(graphs.text(step.name)).split("<br/>"):
                    assert line.rstrip("…") in text, (step.id, line)
        assert len(by_class(root, "step")) == len(journey.steps)


def test_flow_draws_revisits_and_exits_distinctly(example, engine):
    revisits = exits = 0
    for journey in example.journeys.values():
        root = parse(draw(example, "flow", journey.id, engine))
        revisits += len(by_class(root, "revisit"))
        exits += len(by_class(root, "exit"))
    assert revisits >= 1, "the example specs have a revisit in `next`"
    assert exits >= 1, "the example specs have an explicit exit (`next: []`)"


def test_flow_marks_pain_points_with_their_severity(example, engine):
    for journey in example.journeys.values():
        text = all_text(parse(draw(example, "flow", journey.id, engine)))
        pains = [p for s in journey.steps for p in s.pain_points]
        assert text.count("⚠") == len(pains)
        for severity in {p.severity for p in pains}:
            assert f"⚠ {severity}" in text


def test_blueprint_has_one_aligned_column_per_step(example, engine):
    for journey in example.journeys.values():
        root = parse(draw(example, "blueprint", journey.id, engine))
        text = all_text(root)
        for _, title in graphs.LANES:
            assert load_messages("en").text(title) in text
        prefix = f"blueprint-{journey.id}-"
        for step in journey.steps:
            centres = {round(centre_x(root, f"{prefix}{lane}-{step.id}"), 1)
                       for lane in ["step"] + [lane for lane, _ in graphs.LANES]}
            assert len(centres) == 1, f"the column of {step.id} is not aligned: {centres}"
        lefts = [centre_x(root, f"{prefix}step-{s.id}") for s in journey.steps]
        assert lefts == sorted(lefts), "columns follow the order of the steps"


def centre_x(root: ET.Element, ident: str) -> float:
    node = next(el for el in root.iter() if el.get("id") == ident)
    shape = node.find(f"{SVG}path")
    numbers = [float(v) for v in shape.get("d").replace("M", " ").replace("C", " ")
               .replace(",", " ").split()]
    xs = numbers[::2]
    return (min(xs) + max(xs)) / 2


# --- SVG fit for a page ---------------------------------------------------------------

def test_svg_is_page_ready(example, engine):
    journey = next(iter(example.journeys.values()))
    diagram = draw(example, "flow", journey.id, engine)
    text = diagram.content.decode("utf-8")
    root = ET.fromstring(text)
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == f"Flow of {journey.title}"
    assert desc.text.startswith("Stages and steps:")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and all(i.startswith(f"flow-{journey.id}-") for i in ids)
    assert "<!--" not in text and "<?xml" not in text


def test_two_diagrams_on_one_page_share_no_id(example, engine):
    ids: list[str] = []
    for request in diagrams.requests_for(example):
        diagram = diagrams.render(example, [request], engine, Cache())[0]
        ids += [el.get("id") for el in parse(diagram).iter() if el.get("id")]
    assert len(ids) == len(set(ids))


# --- hostile input --------------------------------------------------------------------

@pytest.mark.parametrize("view", ["flow", "blueprint"])
def test_hostile_labels_render_as_written(hostile, engine, view):
    diagram = draw(hostile, view, "hostile", engine)
    root = parse(diagram)
    assert not list(root.iter(f"{SVG}script")), "user text became markup"
    assert not list(root.iter(f"{SVG}b"))
    text = all_text(root)
    assert "<script>alert(1)</script>" in text.replace(" ", "") or "<script>" in text
    assert "back\\slash" in text
    assert "}" in text


def test_hostile_labels_cannot_change_the_graph(hostile):
    dot = graphs.flow(hostile, hostile.journeys["hostile"])
    nodes = [line for line in dot.splitlines() if line.strip().startswith("step_")
             and "->" not in line]
    assert len(nodes) == 3
    assert "<script>" not in dot and "&lt;script&gt;" in dot


def test_dot_names_and_values_are_quoted_as_the_grammar_asks(engine):
    values = ("step_3", "-1.5", ".5", "node", "Edge", "a b", "#d0d7de", 'say "hi"',
              "back\\slash", "<<b>x</b>>")
    assert [dot.quote(v) for v in values] == [
        "step_3", "-1.5", ".5", '"node"', '"Edge"', '"a b"', '"#d0d7de"', '"say \\"hi\\""',
        '"back\\\\slash"', "<<b>x</b>>"]
    graph = dot.Digraph("quoting")
    graph.node("node", "x", id='say "hi" back\\slash')
    graph.edge("node", "a b")
    svg = engine.layout([Job("quoting", graph.source)])[0].decode()
    assert 'id="say &quot;hi&quot; back\\slash"' in svg  # read back as written
    assert svg.count('class="node"') == 2  # "node" and "a b": names, not a keyword


def test_a_500_character_name_is_wrapped_not_dropped(hostile, engine):
    text = all_text(parse(draw(hostile, "flow", "hostile", engine)))
    assert "A very long step name" in text
    assert "…" in text


# --- determinism and the cache --------------------------------------------------------

def test_same_input_gives_identical_bytes(hostile, engine):
    first = draw(hostile, "flow", "hostile", engine).content
    second = draw(hostile, "flow", "hostile", engine).content
    assert first == second


def test_an_unchanged_diagram_comes_from_the_cache(hostile, engine, tmp_path):
    cache = Cache(tmp_path / ".mapgen-cache")
    first = draw(hostile, "flow", "hostile", engine, cache)
    cache.save()
    assert (layouts.reused(cache), layouts.laid_out(cache)) == (0, 1)
    again = Cache(tmp_path / ".mapgen-cache")
    second = draw(hostile, "flow", "hostile", engine, again)
    assert (layouts.reused(again), layouts.laid_out(again)) == (1, 0)
    assert first.content == second.content


class _Engine:
    def __init__(self, name: str, version: str):
        self.name, self.version, self.jobs = name, version, []

    def layout(self, jobs, fmt):
        self.jobs += jobs
        return [b"<svg/>" for _ in jobs]


@pytest.mark.parametrize("other", [("digraph{a}", "embedded", "1", "svg"),
                                   ("digraph{}", "system", "1", "svg"),
                                   ("digraph{}", "embedded", "2", "svg"),
                                   ("digraph{}", "embedded", "1", "png")])
def test_the_layout_key_covers_dot_engine_version_and_format(other):
    cache = Cache(memory=True)
    layouts.lay_out(cache, _Engine("embedded", "1"), [Job("a", "digraph{}")], "svg")
    dot, name, version, fmt = other
    engine = _Engine(name, version)
    layouts.lay_out(cache, engine, [Job("a", dot)], fmt)
    assert len(engine.jobs) == 1, "laid out again, not taken from the cache"


def test_a_second_cli_render_is_served_from_the_cache(tmp_path, monkeypatch):
    write_workspace(tmp_path, {"hostile": HOSTILE_JOURNEY})
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["-v", "render", "hostile"])
    second = runner.invoke(cli, ["-v", "render", "hostile"])
    assert first.exit_code == 0, first.output
    assert "0 hit(s), 1 laid out" in first.stderr
    assert "1 hit(s), 0 laid out" in second.stderr
    assert first.stdout_bytes == second.stdout_bytes


# --- the engines ----------------------------------------------------------------------

def test_a_batch_is_split_across_processes_in_order(engine):
    jobs = [Job(f"g{i}", f'digraph g{i} {{ n{i} [label="node {i}"] }}') for i in range(7)]
    outputs = get_engine("embedded", jobs=3).layout(jobs)
    assert [f"node {i}" in out.decode() for i, out in enumerate(outputs)] == [True] * 7


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_a_batch_gives_each_diagram_what_it_gives_alone(hostile, fmt):
    """A batch goes through one engine process, its drawings cut apart from one output:
    each must be whole, and the one its graph gives alone (labels with "</svg>" too)."""
    jobs = [Job(r.name, diagrams.dot_source(hostile, r))
            for r in diagrams.requests_for(hostile, diagrams.GRAPH_VIEWS)]
    jobs.append(Job("a label that ends an SVG", 'digraph { a [label="</svg>\n<?xml"] }'))
    engine = get_engine("embedded", jobs=1)
    together = engine.layout(jobs, fmt)
    assert together == [engine.layout([job], fmt)[0] for job in jobs]
    end = b"</svg>\n" if fmt == "svg" else b"IEND\xaeB`\x82"
    assert all(out.endswith(end) and out.count(end) == 1 for out in together)


def test_a_broken_graph_in_a_batch_is_named_and_the_rest_still_laid_out(engine):
    good = [Job(f"g{i}", f"digraph {{ n{i} }}") for i in range(3)]
    broken = Job('the flow view of journey "checkout"', "digraph { a -> }")
    with pytest.raises(EngineError, match='journey "checkout"'):
        engine.layout([good[0], broken, *good[1:]])
    assert all(b"<svg" in out for out in engine.layout(good))


def test_a_graph_far_bigger_than_the_rest_is_laid_out_first_and_alone():
    from mapgen.diagrams.engine import MIN_BATCH, _batches

    jobs = [Job(f"flow {i}", "x" * (100 + i)) for i in range(100)]
    jobs.insert(40, Job("the workspace overview", "x" * 50_000))
    batches = _batches(jobs, 2)
    assert batches[0] == [40]
    assert sorted(i for batch in batches for i in batch) == list(range(101))
    assert all(len(batch) >= MIN_BATCH for batch in batches[1:-1])
    assert len(batches) > 3, "small enough batches for two workers to finish together"


def test_a_layout_past_its_time_limit_names_the_journey(tmp_path):
    slow = tmp_path / "slow-engine"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    engine = get_engine("embedded", timeout=0.3)
    engine.__dict__["binary"] = str(slow)
    engine.__dict__["version"] = "test"
    with pytest.raises(EngineError, match='journey "checkout"'):
        engine.layout([Job('the flow view of journey "checkout"', "digraph{}")])


def test_a_broken_graph_is_reported_not_crashed(engine):
    with pytest.raises(EngineError, match="failed"):
        engine.layout([Job("bad", "digraph { a -> }")])


def test_png_output(hostile, engine):
    request = diagrams.Request("flow", hostile.journeys["hostile"])
    png = diagrams.render(hostile, [request], engine, Cache(), "png")[0]
    assert png.content.startswith(b"\x89PNG")


needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` is not installed (CI installs it)")


def _structure(svg: bytes) -> tuple[list[str], list[str]]:
    root = ET.fromstring(svg)
    titles = {}
    for kind in ("node", "edge", "cluster"):
        titles[kind] = sorted(g.find(f"{SVG}title").text for g in by_class(root, kind))
    return titles["node"] + titles["cluster"], titles["edge"]


@needs_dot
def test_both_engines_draw_the_same_graph_structure(example):
    embedded, system = get_engine("embedded"), get_engine("system")
    for request in diagrams.requests_for(example, diagrams.GRAPH_VIEWS):
        job = Job(request.name, diagrams.dot_source(example, request))
        ours, theirs = embedded.layout([job])[0], system.layout([job])[0]
        assert _structure(ours) == _structure(theirs), request.name


def test_a_missing_system_dot_names_the_install_command(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EngineError, match="apt-get install graphviz"):
        get_engine("system").layout([Job("x", "digraph{}")])


def test_render_cli_writes_a_file_and_refuses_unknown_journeys(tmp_path, monkeypatch):
    write_workspace(tmp_path, {"hostile": HOSTILE_JOURNEY})
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(cli, ["render", "hostile", "--view", "blueprint", "-o", "bp.svg"])
    assert ok.exit_code == 0, ok.output
    assert ET.parse(tmp_path / "bp.svg").getroot().get("role") == "img"
    dot = runner.invoke(cli, ["render", "hostile", "--format", "dot"])
    assert dot.stdout.startswith("digraph")
    unknown = runner.invoke(cli, ["render", "hostlie"])
    assert unknown.exit_code == 2 and 'did you mean "hostile"' in unknown.output


# --- the table of views ---------------------------------------------------------------

SHORT_JOURNEY = """\
title: Short
personas: [ana, bo]
stages:
  - id: only
    name: Only
    steps:
      - {id: alone, name: Alone, emotion: 0}
"""


def step_path(ws, journey):
    """The one function of a view a test adds to the table: the steps in a row."""
    return "digraph path {" + " -> ".join(f'"{step.id}"' for step in journey.steps) + "}"


@pytest.fixture
def path_view(monkeypatch):
    """A view added to the table as a developer would add one: an entry and a function."""
    monkeypatch.setitem(diagrams.VIEWS, "path", diagrams.View(
        "path", "Step path", step_path, applies_to=lambda journey: journey.steps > 1,
        missing="one step only; a path needs two"))


def test_a_view_added_to_the_table_can_be_rendered_from_the_cli(path_view, tmp_path,
                                                                monkeypatch):
    write_workspace(tmp_path, {"hostile": HOSTILE_JOURNEY, "short": SHORT_JOURNEY})
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    usage = runner.invoke(cli, ["render", "--help"]).output
    assert "[flow|blueprint|emotion|funnel|overview|path]" in usage
    dot = runner.invoke(cli, ["render", "hostile", "--view", "path", "--format", "dot"])
    assert (dot.exit_code, dot.stdout) == (0, 'digraph path {"one" -> "two" -> "three"}')
    drawn = runner.invoke(cli, ["render", "hostile", "--view", "path"])
    title = ET.fromstring(drawn.stdout_bytes).find(f"{SVG}title").text
    assert title == f"Step path of Hostile {HOSTILE}"
    short = runner.invoke(cli, ["render", "short", "--view", "path"])
    assert short.exit_code == 2
    assert 'journey "short" has one step only; a path needs two' in short.output


def test_a_view_added_to_the_table_is_requested_where_it_applies(path_view, tmp_path):
    ws = read_workspace(write_workspace(
        tmp_path, {"hostile": HOSTILE_JOURNEY, "short": SHORT_JOURNEY})).workspace
    assert [r.name for r in diagrams.requests_for(ws)] == [
        "flow-hostile", "blueprint-hostile", "emotion-hostile", "funnel-hostile",
        "path-hostile", "flow-short", "blueprint-short", "emotion-short", "overview"]
    assert [r.name for r in diagrams.requests_for(ws, ["path"])] == ["path-hostile"]
