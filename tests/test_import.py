"""`mapgen import`: spreadsheets and Mermaid in, specs that validate out; round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_example
from mapgen.cli import cli
from mapgen.export import mermaid_score, to_csv, to_mermaid
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = read_workspace(REPO).workspace


def scores(journey, step) -> dict[str, int]:
    """The step's score per persona, on the journey's scale in the example workspace."""
    return step.scores(journey.personas, EXAMPLE.scale_of(journey))


@pytest.fixture()
def workspace(tmp_path, monkeypatch):
    copy_example(tmp_path)
    (tmp_path / "mapgen.yml").write_text(
        (tmp_path / "mapgen.yml").read_text().replace("strict: true", "strict: false"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def import_file(source: Path, *args: str):
    return CliRunner().invoke(cli, ["import", str(source), *args])


def reimported(workspace: Path, name: str, text: str, suffix: str):
    source = workspace / f"{name}{suffix}"
    source.write_text(text, encoding="utf-8")
    result = import_file(source, "-o", f"specs/journeys/{name}.yml", "--title", "Copy")
    assert result.exit_code == 0, result.output
    checked = read_workspace(workspace)
    failing = [f"{f.location}: {f.message}" for f in checked.findings if f.fails(False)]
    assert failing == [], "the imported spec validates"
    return checked.workspace.journeys[name]


def csv_view(journey):
    return [(stage.id, stage.name, step.id, step.name, step.actions,
             [(tp.channel, tp.name) for tp in step.touchpoints],
             scores(journey, step),
             [(p.severity, p.text) for p in step.pain_points],
             [o.text for o in step.opportunities])
            for stage in journey.stages for step in stage.steps]


@pytest.mark.parametrize("journey_id", sorted(EXAMPLE.journeys))
def test_csv_round_trip_gives_back_an_equivalent_journey(workspace, journey_id):
    original = EXAMPLE.journeys[journey_id]
    copy = reimported(workspace, f"copy-{journey_id}", to_csv(EXAMPLE, original), ".csv")
    assert copy.personas == original.personas
    assert csv_view(copy) == csv_view(original)


@pytest.mark.parametrize("journey_id", sorted(EXAMPLE.journeys))
def test_mermaid_round_trip_keeps_what_mermaid_can_hold(workspace, journey_id):
    original = EXAMPLE.journeys[journey_id]
    copy = reimported(workspace, f"copy-{journey_id}", to_mermaid(EXAMPLE, original), ".mmd")
    assert copy.title == "Copy"
    assert [s.name for s in copy.stages] == [s.name for s in original.stages]
    assert [s.name for s in copy.steps] == [s.name for s in original.steps]
    assert set(copy.personas) == set(original.personas), "actors map back to persona ids"
    scale = EXAMPLE.scale_of(original)
    for before, after in zip(original.steps, copy.steps, strict=True):
        written = scores(original, before)
        mean = sum(written.values()) / len(written)
        for score in scores(copy, after).values():
            assert mermaid_score(score, -2, 2) == mermaid_score(mean, scale.min, scale.max)


def test_rows_that_cannot_be_placed_are_reported_by_number(workspace):
    sheet = workspace / "sheet.csv"
    sheet.write_text(
        "stage_name,step_name,touchpoints,channel,emotion:leo\n"
        "Awareness,Sees an ad,Instagram ad,social,1\n"
        ",,Orphan touchpoint,web,\n"
        ',Clicks through,"Landing page\nPrice page",web,0\n'
        ",Reads reviews,,,very happy\n")
    result = import_file(sheet)
    assert result.exit_code == 1
    assert "row 3: no step_name" in result.output
    assert "row 4: 2 touchpoint(s) but 1 channel(s)" in result.output
    assert "row 5: emotion:leo is 'very happy'" in result.output
    assert not (workspace / "specs/journeys/sheet.yml").exists(), "nothing half-written"


def test_blank_stage_cells_continue_the_stage_above(workspace):
    sheet = workspace / "onboarding.csv"
    sheet.write_text("stage_name,step_name,emotion:leo\nStart,Opens the app,1\n"
                     ",Signs up,0\nUse,Pays,2\n")
    assert import_file(sheet).exit_code == 0
    journey = read_workspace(workspace).workspace.journeys["onboarding"]
    assert [(s.name, [st.name for st in s.steps]) for s in journey.stages] == [
        ("Start", ["Opens the app", "Signs up"]), ("Use", ["Pays"])]


def test_xlsx_import(workspace):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["stage", "stage_name", "step", "step_name", "emotion:leo"])
    sheet.append(["start", "Start", "opens", "Opens the app", 1])
    sheet.append([None, None, "pays", "Pays", -1])
    book.save(workspace / "sheet.xlsx")
    result = import_file(workspace / "sheet.xlsx", "--title", "From Excel")
    assert result.exit_code == 0, result.output
    journey = read_workspace(workspace).workspace.journeys["sheet"]
    assert [s.id for s in journey.steps] == ["opens", "pays"]
    assert scores(journey, journey.steps[1]) == {"leo": -1}


def test_mermaid_lines_it_cannot_place_are_reported(workspace):
    source = workspace / "bad.mmd"
    source.write_text("journey\n  title T\n  section S\n    Pays: five: Leo Marchetti\n"
                      "  this line means nothing\n")
    result = import_file(source)
    assert result.exit_code == 1
    assert "line 4: the score 'five' is not 1 to 5" in result.output
    assert "line 5: cannot place 'this line means nothing'" in result.output
