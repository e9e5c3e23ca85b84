"""Every script: Japanese labels fit their boxes, Arabic journeys read from the right.

The workspace in tests/workspaces/scripts holds a Japanese journey (opening an online bank
account) and an Arabic one (buying a prepaid SIM, ``dir: rtl``). The diagrams are laid
out by the embedded engine and read back from their SVG; a text's width is measured with
the glyph widths a browser draws: the engine's own Helvetica table for ASCII, one em for
a CJK character (see mapgen.diagrams.metrics).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import build_site, copy_example
from mapgen import schema
from mapgen.cli import cli
from mapgen.diagrams import charts, metrics
from mapgen.diagrams.engine import EmbeddedEngine
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "tests" / "workspaces" / "scripts"
SVG = "{http://www.w3.org/2000/svg}"
JAPANESE, ARABIC = "bank-account-ja", "sim-purchase-ar"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A copy of the scripts workspace (renders write their cache into it)."""
    root = tmp_path_factory.mktemp("scripts") / "ws"
    shutil.copytree(SCRIPTS, root)
    return root


def render(root: Path, journey: str | None, view: str) -> ET.Element:
    out = root / f"{view}-{journey}.svg"
    args = ["render", *([journey] if journey else []), "--view", view, "-d", str(root),
            "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return ET.fromstring(out.read_text("utf-8"))


# --- the engine's glyph widths ---------------------------------------------------------

def _engine_text_widths(labels: list[str]) -> list[float]:
    """The width the embedded engine gives each HTML-like label, at 100 points."""
    nodes = "".join(f"n{i} [label=<{label}>];" for i, label in enumerate(labels))
    dot = f'digraph {{ node [fontname="Helvetica", fontsize=100, shape=plain]; {nodes} }}'
    out = subprocess.run([EmbeddedEngine().binary, "-Tjson"], input=dot.encode("utf-8"),
                         capture_output=True, check=True).stdout
    objects = {o["name"]: o for o in json.loads(out)["objects"]}
    return [sum(op["width"] for op in objects[f"n{i}"]["_ldraw_"] if op["op"] == "T")
            for i in range(len(labels))]


def test_our_glyph_widths_are_the_embedded_engines():
    # Backslashes are escapes in Graphviz labels, so they are not measured here.
    chars = [chr(c) for c in range(33, 127) if chr(c) != "\\"]
    samples = [(char * 10, bold) for char in chars for bold in (False, True)]
    samples += [("口座開設の申し込み", False), ("شراء شريحة", True), ("Größe é", False)]
    labels = [f"<b>{escape(s)}</b>" if bold else escape(s) for s, bold in samples]
    measured = _engine_text_widths(labels)
    predicted = [metrics.engine_width(s, 100, bold) for s, bold in samples]
    assert measured == pytest.approx(predicted, abs=0.05)


def test_cjk_characters_are_drawn_wider_than_the_engine_thinks():
    """Why the fix is needed: a CJK character is 1 em drawn, 0.83 em to the engine."""
    assert metrics.drawn_width("口座", 10) == 20
    assert metrics.engine_width("口座", 10) == pytest.approx(16.67, abs=0.01)
    assert metrics.drawn_width("Checkout", 10) == metrics.engine_width("Checkout", 10)


# --- reading laid-out SVG back -----------------------------------------------------------

def _x_range(group: ET.Element) -> tuple[float, float]:
    """The left and right of a node's or cluster's outline (polygons, rounded paths)."""
    pairs = [point for shape in group.iter(f"{SVG}polygon")
             for point in shape.get("points").split()]
    pairs += [point for shape in group.iter(f"{SVG}path")
              for point in re.findall(r"-?[0-9.]+,-?[0-9.]+", shape.get("d"))]
    xs = [float(pair.split(",")[0]) for pair in pairs]
    return (min(xs), max(xs)) if xs else (float("-inf"), float("inf"))  # a bare heading


def _drawn_extent(text: ET.Element, rtl: bool) -> tuple[float, float]:
    """Where a text element is drawn, left to right, with the widths a browser draws."""
    width = metrics.drawn_width(text.text or "", float(text.get("font-size")),
                                text.get("font-weight") == "bold")
    x, anchor = float(text.get("x")), text.get("text-anchor")
    if anchor == "middle":
        return x - width / 2, x + width / 2
    starts_left = (anchor == "start") != rtl
    return (x, x + width) if starts_left else (x - width, x)


def _groups(svg: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if kind in (g.get("class") or "").split()]


def overflowing_texts(svg: ET.Element) -> tuple[list[str], int]:
    """(texts drawn outside their node or cluster, how many texts were checked)."""
    rtl = svg.get("direction") == "rtl"
    problems, checked = [], 0
    for group in _groups(svg, "node") + _groups(svg, "cluster"):
        left, right = _x_range(group)
        for text in group.iter(f"{SVG}text"):
            start, end = _drawn_extent(text, rtl)
            checked += 1
            if start < left - 0.5 or end > right + 0.5:
                problems.append(f"{text.text!r}: drawn {start:.1f}..{end:.1f}, "
                                f"box {left:.1f}..{right:.1f}")
    return problems, checked


def _centre(svg: ET.Element, suffix: str) -> float:
    group = next(g for g in svg.iter(f"{SVG}g") if (g.get("id") or "").endswith(suffix))
    left, right = _x_range(group)
    return (left + right) / 2


# --- CJK text fits its boxes -------------------------------------------------------------

def test_japanese_flow_text_is_drawn_inside_its_boxes(workspace):
    svg = render(workspace, JAPANESE, "flow")
    problems, checked = overflowing_texts(svg)
    japanese = [t.text for t in svg.iter(f"{SVG}text") if metrics.has_wide(t.text or "")]
    assert len(japanese) >= 20 and checked >= 30
    assert problems == []


def test_japanese_text_fits_the_blueprint_too(workspace):
    svg = render(workspace, JAPANESE, "blueprint")
    problems, checked = overflowing_texts(svg)
    assert checked >= 10 and problems == []


def test_japanese_and_arabic_text_fits_the_overviews_cells(workspace):
    """The overview is a chart: each stage's name fits its chip, each title its column."""
    svg = render(workspace, None, "overview")
    chips = _groups(svg, "stage")
    assert len(chips) >= 6
    for chip in chips:
        rect, label = chip.find(f"{SVG}rect"), chip.find(f"{SVG}text/{SVG}tspan").text
        assert metrics.drawn_width(label, 11) + 12 <= float(rect.get("width")) + 0.1, label
    wide = [t.text for row in _groups(svg, "journey") for t in row.iter(f"{SVG}tspan")
            if metrics.has_wide(t.text or "")]
    assert wide, "the Japanese journey's title and stages are drawn"
    for row in _groups(svg, "journey"):
        title = row.find(f"{SVG}text/{SVG}tspan").text
        assert metrics.drawn_width(title, 11) <= charts.OV_TITLE - 12, title


def test_japanese_labels_wrap_at_half_the_characters_of_english(workspace):
    svg = render(workspace, JAPANESE, "flow")
    step_names = [t.text for g in _groups(svg, "step") for t in g.iter(f"{SVG}text")
                  if t.get("font-weight") == "bold" and metrics.has_wide(t.text or "")]
    assert step_names and all(metrics.columns(name) <= 28 for name in step_names)
    assert any(len(name) <= 14 for name in step_names)


def test_japanese_charts_shorten_by_display_width(workspace):
    svg = render(workspace, JAPANESE, "emotion")
    labels = [t for g in _groups(svg, "step-label") for t in g.iter(f"{SVG}tspan")]
    assert labels and all(metrics.columns(t.text) <= 16 for t in labels)


# --- right to left -----------------------------------------------------------------------

def test_an_arabic_flow_runs_from_the_right(workspace):
    svg = render(workspace, ARABIC, "flow")
    assert svg.get("direction") == "rtl"
    assert _centre(svg, "step-browse") > _centre(svg, "step-pick-number") > _centre(
        svg, "step-activated")
    problems, checked = overflowing_texts(svg)
    assert checked >= 20 and problems == []


def test_a_japanese_flow_still_runs_from_the_left(workspace):
    svg = render(workspace, JAPANESE, "flow")
    assert svg.get("direction") is None
    assert _centre(svg, "step-compare") < _centre(svg, "step-first-deposit")


def test_an_arabic_blueprint_runs_from_the_right(workspace):
    svg = render(workspace, ARABIC, "blueprint")
    assert _centre(svg, "actions-browse") > _centre(svg, "actions-activated")
    assert overflowing_texts(svg)[0] == []


def test_an_arabic_emotion_curve_runs_from_the_right_with_its_scale_on_the_right(workspace):
    svg = render(workspace, ARABIC, "emotion")
    assert svg.get("direction") == "rtl"
    points = [float(c.get("cx")) for c in svg.iter(f"{SVG}circle")
              if c.get("r") == "5"][:7]  # the persona's six points, then the legend's
    assert points[0] > points[1] and points[4] > points[5]
    ticks = [float(t.get("x")) for g in _groups(svg, "tick") for t in g.iter(f"{SVG}text")]
    assert min(ticks) > max(points[:6])
    bands = {g.get("data-stage"): float(g.find(f"{SVG}rect").get("x"))
             for g in _groups(svg, "stage-band")}
    assert bands["choose"] > bands["verify"] > bands["activate"]


def test_an_arabic_funnel_puts_stage_names_on_the_right(workspace):
    svg = render(workspace, ARABIC, "funnel")
    stage = _groups(svg, "funnel-stage")[0]
    bar = stage.find(f"{SVG}rect")
    name, figure = stage.findall(f"{SVG}text")
    assert float(name.get("x")) > float(bar.get("x")) + float(bar.get("width"))
    assert float(figure.get("x")) < float(bar.get("x"))


def test_an_english_funnel_is_unchanged_by_direction(tmp_path):
    svg = render(copy_example(tmp_path), "first-purchase", "funnel")
    stage = _groups(svg, "funnel-stage")[0]
    name = stage.findall(f"{SVG}text")[0]
    assert svg.get("direction") is None
    assert float(name.get("x")) < float(stage.find(f"{SVG}rect").get("x"))


# --- lang and dir in the specs -----------------------------------------------------------

def _validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(root)])
    return result.exit_code, result.output


def test_bad_lang_and_dir_are_reported_where_they_are_written(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(SCRIPTS, root)
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("lang: en", "lang: en\ndir: rtll"),
                      "utf-8")
    journey = root / "specs/journeys" / f"{JAPANESE}.yml"
    journey.write_text(journey.read_text("utf-8").replace("lang: ja\n", "lang: ja_JP\n"),
                       "utf-8")
    code, output = _validate(root)
    assert code == 1
    assert ('mapgen.yml:6:6: error MG203 "rtll" is not a dir (did you mean "rtl"?); '
            'write one of "ltr", "rtl" or "auto" [dir]') in output
    assert (f'specs/journeys/{JAPANESE}.yml:2:7: error MG205 lang: "ja_JP" is not a BCP 47 '
            'language tag; write "ja-JP" (a dash, not "_") [lang]') in output
    assert "Traceback" not in output


@pytest.mark.parametrize("tag", ["en", "ja", "ar-SA", "zh-Hant-TW", "sr-Latn-RS",
                                 "de-CH-1996", "x-klingon", "en-US-x-twain"])
def test_well_formed_language_tags_are_accepted_by_model_and_schema(tag):
    from jsonschema import Draft202012Validator

    from mapgen.model import Config

    assert Config.model_validate({"lang": tag}).lang == tag
    assert list(Draft202012Validator(schema.json_schema("config")).iter_errors(
        {"lang": tag})) == []


@pytest.mark.parametrize("tag", ["ja_JP", "en GB", "e", "en-", "123", "en--GB"])
def test_malformed_language_tags_are_refused_by_model_and_schema(tag):
    from jsonschema import Draft202012Validator
    from pydantic import ValidationError

    from mapgen.model import Journey

    with pytest.raises(ValidationError):
        Journey.model_validate({"id": "j", "title": "T", "lang": tag})
    assert list(Draft202012Validator(schema.json_schema("journey")).iter_errors(
        {"title": "T", "lang": tag}))


def test_a_journey_takes_its_direction_from_its_own_language(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(SCRIPTS, root)
    journey = root / "specs/journeys" / f"{ARABIC}.yml"
    journey.write_text(journey.read_text("utf-8").replace("dir: rtl\n", ""), "utf-8")
    ws = read_workspace(root).workspace
    assert ws.dir == "ltr" and ws.dir_of(ws.journeys[ARABIC]) == "rtl"
    assert ws.dir_of(ws.journeys[JAPANESE]) == "ltr"
    assert ws.lang_of(ws.journeys[JAPANESE]) == "ja" and ws.lang == "en"


# --- the site ----------------------------------------------------------------------------

def _tag(page: Path, name: str) -> str:
    tag = re.search(rf"<{name}\b[^>]*>", page.read_text("utf-8")).group(0)
    return re.sub(r' class="[^"]*"', "", tag)  # the theme's classes are not the point here


def test_pages_carry_the_sites_language_and_a_journeys_own(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(SCRIPTS, root)
    site = build_site(root, "--strict")
    arabic = site / "journeys" / f"{ARABIC}.html"
    assert _tag(arabic, "html").startswith('<html lang="en" dir="ltr"')
    assert _tag(arabic, "main") == '<main id="main" lang="ar" dir="rtl">'
    assert _tag(site / "journeys" / f"{JAPANESE}.html", "main") == (
        '<main id="main" lang="ja" dir="ltr">')
    assert _tag(site / "index.html", "main") == '<main id="main">'
    assert 'direction="rtl"' in arabic.read_text("utf-8")


def test_a_right_to_left_workspace_makes_a_right_to_left_site(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(SCRIPTS, root)
    (root / "mapgen.yml").write_text("title: رحلات العملاء\nlang: ar\n", "utf-8")
    site = build_site(root, "--strict")
    assert _tag(site / "index.html", "html").startswith('<html lang="ar" dir="rtl"')
    assert _tag(site / "journeys" / f"{JAPANESE}.html", "main") == (
        '<main id="main" lang="ja" dir="ltr">')
