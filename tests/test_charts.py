"""The emotion curve and the funnel: SVG drawn by our own code."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mapgen.diagrams import charts
from mapgen.workspace import read_workspace
from test_diagrams import HOSTILE, write_workspace

SVG = "{http://www.w3.org/2000/svg}"


def journey_with(personas: int, scores: list[list[int | None]], reached=None) -> str:
    ids = [f"p{i}" for i in range(personas)]
    lines = ["title: Curve", f"personas: [{', '.join(ids)}]", "stages:"]
    for s, stage_scores in enumerate(scores):
        lines += [f"  - id: stage-{s}", f"    name: Stage {s}"]
        if reached:
            lines.append(f"    reached: {reached[s]}")
        lines.append("    steps:")
        emotion = {pid: v for pid, v in zip(ids, stage_scores) if v is not None}
        body = ", ".join(f"{k}: {v}" for k, v in emotion.items())
        lines.append(f"      - {{id: step-{s}, name: Step {s}, emotion: {{{body}}}}}")
    return "\n".join(lines) + "\n"


def workspace(tmp_path, text: str, personas: int):
    (tmp_path / "specs/personas").mkdir(parents=True)
    (tmp_path / "specs/journeys").mkdir(parents=True)
    for i in range(personas):
        (tmp_path / f"specs/personas/p{i}.yml").write_text(f"name: Person {i}\n")
    (tmp_path / "specs/journeys/curve.yml").write_text(text)
    return read_workspace(tmp_path).workspace


def lines_of(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "persona-line"]


@pytest.mark.parametrize("personas", [1, 3, 5])
def test_one_line_per_persona(tmp_path, personas):
    scores = [[(i + s) % 5 - 2 for i in range(personas)] for s in range(4)]
    ws = workspace(tmp_path, journey_with(personas, scores), personas)
    curve = charts.emotion_curve(ws, ws.journeys["curve"])
    found = lines_of(curve)
    assert [g.get("data-persona") for g in found] == [f"p{i}" for i in range(personas)]
    for g in found:
        assert len(g.findall(f"{SVG}polyline")) == 1
    text = " ".join(t.text or "" for t in ET.fromstring(curve).iter(f"{SVG}tspan"))
    for s in range(4):
        assert f"Stage {s}" in text and f"Step {s}" in text
    assert "😠 angry (-2)" in text and "😄 excited (+2)" in text


def test_a_missing_score_breaks_the_line(tmp_path):
    ws = workspace(tmp_path, journey_with(2, [[1, 1], [None, 0], [2, 1]]), 2)
    first, second = lines_of(charts.emotion_curve(ws, ws.journeys["curve"]))
    assert first.findall(f"{SVG}polyline") == [], "two points around a gap make no line"
    assert len([g for g in first if g.get("class") == "point"]) == 2
    assert len(second.findall(f"{SVG}polyline")) == 1


def test_the_biggest_drop_off_is_marked_between_the_right_stages(tmp_path):
    text = journey_with(1, [[0], [0], [0], [0]], reached=[1000, 900, 300, 250])
    ws = workspace(tmp_path, text, 1)
    root = ET.fromstring(charts.funnel(ws.journeys["curve"]))
    drops = [g for g in root.iter(f"{SVG}g") if "drop-off" in (g.get("class") or "")]
    assert [g.get("class") for g in drops] == ["drop-off", "drop-off biggest", "drop-off"]
    biggest = "".join(drops[1].itertext())
    assert "−600 (67%)" in biggest and "Biggest drop-off" in biggest
    stages = [g.get("data-stage") for g in root.iter(f"{SVG}g")
              if g.get("class") == "funnel-stage"]
    assert stages == ["stage-0", "stage-1", "stage-2", "stage-3"]


def test_no_funnel_without_reached(tmp_path):
    ws = workspace(tmp_path, journey_with(1, [[0], [1]]), 1)
    assert charts.funnel(ws.journeys["curve"]) is None


def test_hostile_names_are_escaped_and_output_is_stable(tmp_path):
    from test_diagrams import HOSTILE_JOURNEY

    ws = read_workspace(write_workspace(tmp_path, {"hostile": HOSTILE_JOURNEY})).workspace
    journey = ws.journeys["hostile"]
    for draw in (lambda: charts.emotion_curve(ws, journey), lambda: charts.funnel(journey)):
        first, second = draw(), draw()
        assert first == second
        root = ET.fromstring(first)
        assert not list(root.iter(f"{SVG}script"))
        assert "<script>" in "".join(root.itertext()) or HOSTILE[:5] in "".join(root.itertext())
