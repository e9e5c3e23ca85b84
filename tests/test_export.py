"""`mapgen export`: Mermaid that Mermaid's grammar accepts, CSV a spreadsheet opens, JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mapgen.cli import cli
from mapgen.export import mermaid_score, mermaid_text, to_csv, to_mermaid
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]

# The token rules of Mermaid's journey grammar (its jison lexer): what each line may hold.
TITLE = re.compile(r"^    title [^#\n;]+$")
SECTION = re.compile(r"^    section [^#:\n;]+$")
TASK = re.compile(r"^      (?P<task>[^#:\n;]+):(?P<data>[^#\n;]+)$")
ENTITY = re.compile(r"#\d+;")


def check_mermaid(text: str) -> list[tuple[str, int, list[str]]]:
    """Parse ``text`` with the grammar's rules (entities masked first, as Mermaid does)."""
    lines = text.splitlines()
    assert lines[0] == "journey"
    tasks = []
    for line in lines[1:]:
        masked = ENTITY.sub("E", line)
        if TITLE.match(masked) or SECTION.match(masked):
            continue
        match = TASK.match(masked)
        assert match, f"Mermaid cannot parse: {line!r}"
        score, *actors = match["data"].split(":")
        assert 1 <= int(score) <= 5
        tasks.append((match["task"], int(score), actors))
    return tasks


@pytest.fixture(scope="module")
def example():
    return read_workspace(REPO).workspace


def test_every_example_journey_exports_as_valid_mermaid(example):
    for journey in example.journeys.values():
        tasks = check_mermaid(to_mermaid(example, journey))
        names = list(dict.fromkeys(task for task, _, _ in tasks))
        assert names == [mermaid_text(s.name) for s in journey.steps], "each step, in order"
        for step in journey.steps:
            actors = [a for task, _, actors in tasks if task == mermaid_text(step.name)
                      for a in actors[0].split(",")]
            scores = step.scores(journey.personas, example.scale_of(journey))
            assert len(actors) == len(set(actors)) == len(scores), "each persona once"


@pytest.mark.parametrize("char, entity", [(":", "#58;"), (";", "#59;"), ("#", "#35;"),
                                          (",", "#44;")])
def test_each_special_character_is_escaped(char, entity):
    text = mermaid_text(f"a{char}b")
    assert text == f"a{entity}b"
    line = f"      {text}: 3: {text}"
    assert TASK.match(ENTITY.sub("E", line)), line


def test_a_hostile_journey_still_parses(tmp_path):
    (tmp_path / "specs/personas").mkdir(parents=True)
    (tmp_path / "specs/journeys").mkdir()
    (tmp_path / "specs/personas/ana.yml").write_text("name: 'Ana: the #1, ok;'\n")
    journey = {"title": "T: #1; a, b", "persona": "ana", "stages": [
        {"id": "s", "name": "S: x; #y", "steps": [
            {"id": "a", "name": "Pays: card; #2, fast\nnow", "emotion": -2}]}]}
    (tmp_path / "specs/journeys/j.yml").write_text(yaml.safe_dump(journey))
    ws = read_workspace(tmp_path).workspace
    (task,) = check_mermaid(to_mermaid(ws, ws.journeys["j"]))
    assert task[1] == 1 and len(task[2]) == 1, "one actor, whatever commas the name has"


@pytest.mark.parametrize("score, low, high, expected", [
    (-2, -2, 2, 1), (0, -2, 2, 3), (2, -2, 2, 5), (-3, -3, 3, 1), (1, -3, 3, 4), (0.5, -2, 2, 4)])
def test_scores_map_onto_one_to_five(score, low, high, expected):
    assert mermaid_score(score, low, high) == expected


def test_csv_has_a_row_per_step_and_a_column_per_persona(example):
    journey = example.journeys["b2b-invoice-payments"]
    rows = list(csv.DictReader(io.StringIO(to_csv(example, journey))))
    assert [r["step"] for r in rows] == [s.id for s in journey.steps]
    assert "emotion:daniel" in rows[0] and "emotion:priya" in rows[0]
    for row, step in zip(rows, journey.steps, strict=True):
        assert row["step_name"] == step.name
        assert row["channel"].splitlines() == [tp.channel for tp in step.touchpoints]
        assert row["thoughts"].splitlines() == list(step.thoughts)
        written = step.emotion
        if isinstance(written, dict):
            assert {p: row[f"emotion:{p}"] for p in written} == {
                p: str(v) for p, v in written.items()}, "as written: a score or a label"
        else:
            assert row["emotion"] == ("" if written is None else str(written))
        assert len([p for p in row["pain_points"].splitlines() if p]) == len(step.pain_points)
    assert rows[0]["journey_title"] == journey.title and rows[1]["journey_title"] == ""
    first_of_stage = [r for r in rows if r["stage"]]
    assert [r["stage_phase"] for r in first_of_stage] == [s.phase or "" for s in journey.stages]


def test_csv_cells_read_like_a_spreadsheet_people_would_keep(example):
    journey = example.journeys["first-purchase"]
    rows = list(csv.DictReader(io.StringIO(to_csv(example, journey))))
    adds_card = next(r for r in rows if r["step"] == "adds-card")
    assert adds_card["support"] == "Card vault\n3-D Secure server\nRisk engine"
    assert adds_card["next"] == "pays\ncompares-options"
    assert adds_card["pain_points"].startswith("{id: 3ds-timeout, text: When he switches")
    first = rows[0]
    assert first["journey_owner"] == "'@growth-team", "a cell starting with @ stays text"
    assert first["journey_x-slack-channel"] == "'#journey-first-purchase'"
    assert first["stage_kpis"].splitlines()[0] == (
        "{name: Ad click-through, value: 1.6%, target: 2.5%, source: funnel}")


def test_the_cli_exports_json_and_refuses_an_unknown_journey(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "first-purchase", "--format", "json", "-d",
                                 str(REPO)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "first-purchase"
    unknown = runner.invoke(cli, ["export", "first-purchse", "-d", str(REPO)])
    assert unknown.exit_code == 2 and 'did you mean "first-purchase"' in unknown.output


def test_the_pre_commit_hook_runs_mapgen_validate():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"].startswith("mapgen validate")
    pattern = re.compile(hook["files"])
    assert pattern.search("specs/journeys/checkout.yml")
    assert pattern.search("mapgen.yml")
    assert not pattern.search(".github/workflows/pages.yml")


def test_init_github_writes_a_workflow_with_the_steps_named(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "w"), "--github"])
    assert result.exit_code == 0, result.output
    flow = yaml.safe_load((tmp_path / "w/.github/workflows/journey-maps.yml").read_text())
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"pull_request", "push"} <= set(on)
    steps = flow["jobs"]["build"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    uses = [s.get("uses", "").split("@")[0] for s in steps + flow["jobs"]["deploy"]["steps"]]
    assert "mapgen build --strict" in runs and "--site-url" in runs
    assert "mapgen diff" in runs and "--format markdown" in runs and "GITHUB_STEP_SUMMARY" in runs
    assert "gh api" in flow["jobs"]["comment"]["steps"][0]["run"]
    assert {"actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages", "actions/cache"} <= set(uses)
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"].split() == [".mapgen-cache", "site"]
    assert flow["jobs"]["deploy"]["needs"] == "build"


def test_csv_carries_who_takes_part_and_each_stages_owner_and_duration(example):
    journey = example.journeys["b2b-invoice-payments"]
    rows = list(csv.DictReader(io.StringIO(to_csv(example, journey))))
    by_step = {r["step"]: r for r in rows}
    first_row_of = {r["stage"]: r for r in rows if r["stage"]}
    evaluation = first_row_of["active-evaluation"]
    assert (evaluation["stage_owner"], evaluation["stage_duration"]) == (
        "'@solutions-engineering", "6-10 weeks"), "@ starts no formula"
    assert first_row_of["purchase-decision"]["stage_duration"] == "P6W"
    assert by_step["sandbox-trial"]["personas"] == "priya"
    assert by_step["signs"]["personas"].splitlines() == ["daniel", "grace"]


def test_csv_keeps_emotions_as_written_labels_included(example):
    journey = example.journeys["b2b-invoice-payments"]
    rows = {r["step"]: r for r in csv.DictReader(io.StringIO(to_csv(example, journey)))}
    # written as {daniel: excited, grace: happy}; Priya does not take part
    assert [rows["signs"][f"emotion:{p}"] for p in ("daniel", "priya", "grace")] == [
        "excited", "", "happy"]


def test_json_carries_the_new_fields_as_written(example):
    result = CliRunner().invoke(cli, ["export", "b2b-invoice-payments", "--format", "json",
                                      "-d", str(REPO)])
    data = json.loads(result.stdout)
    stage = next(s for s in data["stages"] if s["id"] == "purchase-decision")
    assert (stage["owner"], stage["duration"]) == ("@deal-desk", "P6W")
    signs = next(s for s in stage["steps"] if s["id"] == "signs")
    assert signs["personas"] == ["daniel", "grace"]
    assert signs["emotion"] == {"daniel": "excited", "grace": "happy"}


def test_mermaid_actors_are_those_taking_part_with_their_own_scores(example):
    journey = example.journeys["b2b-invoice-payments"]
    tasks = check_mermaid(to_mermaid(example, journey))
    actors = {(task, a.strip()): score for task, score, (names, *_) in tasks
              for a in names.split(",")}
    assert [(a, s) for (t, a), s in actors.items() if t == "Tests the API in the sandbox"] == [
        ("Priya Raman", 2)], "Priya alone, sad (-1) is 2 on Mermaid's 1..5"
    assert {a: s for (t, a), s in actors.items() if t == "Sends the security questionnaire"} \
        == {"Priya Raman": 1, "Daniel Okafor": 2}, "angry and sad, not their mean"
