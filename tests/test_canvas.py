"""The journey map canvas as data: stage spans, step columns, lanes and their order."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mapgen.canvas import LANES, canvas
from mapgen.cli import cli
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]

#: Two stages; only actions, emotion, one pain point and one backstage note are written.
SPARSE_JOURNEY = """\
title: Sign up
personas: [ana, ben]
stages:
  - id: find
    name: Find
    phase: before
    reached: 1000
    steps:
      - id: visit
        name: Visits the site
        actions: Opens the home page.
        emotion: {ana: 1, ben: -1}
      - id: reads
        name: Reads the prices
        emotion: {ana: 0}
        pain_points: [{text: Prices hidden, severity: high}]
  - id: join
    name: Join
    reached: 250
    steps:
      - id: signs-up
        name: Signs up
        emotion: 2
        backstage: Account service creates the account.
        next: [visit]
      - id: leaves
        name: Leaves
        next: []
"""


@pytest.fixture
def sparse(make_workspace):
    def make(config: str = "", journey_lanes: str = ""):
        root = make_workspace({
            "mapgen.yml": config,
            "specs/personas/ana.yml": "name: Ana\n",
            "specs/personas/ben.yml": "name: Ben\n",
            "specs/journeys/signup.yml": journey_lanes + SPARSE_JOURNEY,
        })
        ws = read_workspace(root).workspace
        return canvas(ws, ws.journeys["signup"])
    return make


@pytest.fixture(scope="module")
def example():
    ws = read_workspace(REPO).workspace
    return {journey_id: canvas(ws, journey) for journey_id, journey in ws.journeys.items()}


def test_lanes_with_nothing_in_them_are_left_out(sparse):
    assert [lane.id for lane in sparse().lanes] == [
        "actions", "emotion", "pain_points", "backstage"]


def test_every_lane_covers_every_step_column_once(example):
    for journey in example.values():
        for lane in journey.lanes:
            columns = [c for cell in lane.cells for c in range(cell.start, cell.start + cell.span)]
            assert columns == list(range(len(journey.steps))), (journey.journey.id, lane.id)


def test_the_example_journeys_show_every_lane_in_the_default_order(example):
    assert [lane.id for lane in example["first-purchase"].lanes] == list(LANES)


def test_mapgen_yml_chooses_the_lanes_and_their_order(sparse):
    chosen = sparse(config="lanes: [pain_points, emotion, kpis]\n")
    assert [lane.id for lane in chosen.lanes] == ["pain_points", "emotion"]


def test_a_journey_choice_wins_over_mapgen_yml(sparse):
    chosen = sparse(config="lanes: [pain_points, emotion]\n",
                    journey_lanes="lanes: [backstage, actions]\n")
    assert [lane.id for lane in chosen.lanes] == ["backstage", "actions"]


def test_stage_headers_span_their_steps_with_figures_and_drop_off(example):
    stages = {s.id: s for s in example["first-purchase"].stages}
    assert (stages["awareness"].start, stages["awareness"].span) == (0, 2)
    assert (stages["purchase"].start, stages["purchase"].span) == (4, 3)
    assert stages["awareness"].drop_off is None
    assert stages["consideration"].reached == 21500
    assert stages["consideration"].drop_off == 48000 - 21500
    assert stages["consideration"].drop_off_share == pytest.approx(26500 / 48000)
    assert stages["purchase"].phase == "during"


def test_kpis_are_one_cell_per_stage_spanning_its_steps(example):
    kpis = example["first-purchase"].lane("kpis")
    assert [(c.start, c.span) for c in kpis.cells] == [(0, 2), (2, 2), (4, 3), (7, 3), (10, 2)]
    assert kpis.cells[0].items[0].name == "Ad click-through"


def test_blueprint_lanes_carry_the_lines_between_them(example, sparse):
    lines = {lane.id: lane.line_above for lane in example["first-purchase"].lanes}
    assert lines["frontstage"] == "line of interaction"
    assert lines["backstage"] == "line of visibility"
    assert lines["support"] == "line of internal interaction"
    assert lines["actions"] is None and lines["kpis"] is None
    # Without frontstage, the line above backstage is still the line of visibility.
    assert sparse().lane("backstage").line_above == "line of visibility"


def test_revisits_and_exits_are_on_the_step_columns(sparse):
    steps = {step.id: step for step in sparse().steps}
    assert [(j.step_id, j.kind) for j in steps["signs-up"].jumps] == [("visit", "revisit")]
    assert steps["leaves"].exits and not steps["signs-up"].exits
    assert steps["visit"].jumps == () and steps["reads"].index == 1


def test_a_branch_to_a_later_step_is_a_forward_jump(example):
    offers = next(s for s in example["plus-cancellation"].steps if s.id == "sees-offers")
    assert {j.kind for j in offers.jumps} == {"forward"}


def test_the_emotion_lane_has_each_personas_feeling_and_curve(sparse):
    map_ = sparse()
    cells = map_.lane("emotion").cells
    assert [(f.persona_name, f.score, f.label) for f in cells[0].items] == [
        ("Ana", 1, "happy"), ("Ben", -1, "sad")]
    assert cells[2].items[0].emoticon == "😄"
    assert [(c.persona, c.scores) for c in map_.curves] == [
        ("ana", (1, 0, 2, None)), ("ben", (-1, None, 2, None))]
    assert [level.score for level in map_.levels] == [2, 1, 0, -1, -2]
    assert (map_.height(2), map_.height(0), map_.height(-2)) == (0.0, 0.5, 1.0)


def test_touchpoints_carry_their_channels_name_and_icon(example):
    touch = example["first-purchase"].lane("touchpoints").cells[0].items[0]
    assert (touch.channel, touch.channel_name, touch.name) == (
        "social", "Social media", "Instagram story ad")
    assert touch.icon


@pytest.mark.parametrize("where", ["mapgen.yml", "specs/journeys/signup.yml"])
def test_an_unknown_lane_is_reported_where_it_is_written_with_the_valid_names(
        make_workspace, where):
    files = {"mapgen.yml": "", "specs/personas/ana.yml": "name: Ana\n",
             "specs/personas/ben.yml": "name: Ben\n",
             "specs/journeys/signup.yml": SPARSE_JOURNEY}
    files[where] = "lanes: [actions, painpoints]\n" + files[where]
    root = make_workspace(files)
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 1, result.output
    assert f"{where}:1:18:" in result.output
    assert '"painpoints" is not a lane (did you mean "pain_points"?)' in result.output
    assert '"actions", "thoughts", "motivations"' in result.output
    assert 'or a lane of your own: "x-" and the name of the steps\' field' in result.output
    assert "Traceback" not in result.output


#: The sparse journey with fields of the team's own on its steps.
OWN_FIELDS = SPARSE_JOURNEY.replace(
    "        actions: Opens the home page.\n",
    "        actions: Opens the home page.\n        x-system-response: Shows the plans\n"
    "        x-jira: {key: SHOP-12}\n").replace(
    "        emotion: {ana: 0}\n",
    "        emotion: {ana: 0}\n        x-system-response: [Loads prices, Logs the visit]\n")


def test_a_lane_of_the_teams_own_shows_its_steps_x_field_as_text(make_workspace):
    """A sheet's own columns are kept as the steps' x- fields; listed in `lanes`, one
    is a lane, titled after its name. A mapping is no text, and is not shown; a field
    not listed is no lane."""
    root = make_workspace({
        "mapgen.yml": "", "specs/personas/ana.yml": "name: Ana\n",
        "specs/personas/ben.yml": "name: Ben\n",
        "specs/journeys/signup.yml": "lanes: [actions, x-system-response, x-jira, emotion]\n"
                                     + OWN_FIELDS})
    ws = read_workspace(root).workspace
    lanes = canvas(ws, ws.journeys["signup"]).lanes
    assert [(lane.id, lane.title) for lane in lanes] == [
        ("actions", "Actions"), ("x-system-response", "System response"),
        ("emotion", "Emotion")]
    assert [cell.items for cell in lanes[1].cells] == [
        ("Shows the plans",), ("Loads prices", "Logs the visit"), (), ()]
    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert result.exit_code == 0, result.output
    page = (root / "site/journeys/signup.html").read_text("utf-8")
    assert '<tr class="lane lane-x-system-response' in page
    assert '<span class="lane-title">System response</span>' in page
    assert "<p>Logs the visit</p>" in page and "SHOP-12" not in page
    poster = (root / "site/posters/signup.svg").read_text("utf-8")
    assert "System response" in poster and "Logs the visit" in poster


def test_curve_pieces_meet_halfway_between_step_columns(sparse):
    map_ = sparse()
    ana, ben = map_.points(0)
    assert (ana.curve, ana.height, ana.before, ana.after) == (0, 0.25, None, 0.375)
    assert (ben.persona, ben.height, ben.after) == ("ben", 0.75, None)  # no score next
    assert [p.persona for p in map_.points(1)] == ["ana"]
    assert map_.points(1)[0].before == ana.after
    assert map_.points(3) == ()
    # as SVG path data in a 100 x 100 column: level through the point, on to halfway
    assert ana.piece == "M50,25.0 C66.67,25.0 83.33,33.33 100,37.5"
    assert map_.points(1)[0].piece.startswith("M0,37.5 C16.67,")
    assert (ana.persona_name, ana.label, ben.label) == ("Ana", "happy", "sad")


def test_the_journey_page_shows_the_chosen_lanes_in_their_order(make_workspace):
    root = make_workspace({
        "mapgen.yml": "lanes: [pain_points, emotion, support]\n",
        "specs/personas/ana.yml": "name: Ana\n", "specs/personas/ben.yml": "name: Ben\n",
        "specs/journeys/signup.yml": SPARSE_JOURNEY,
    })
    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert result.exit_code == 0, result.output
    page = (root / "site/journeys/signup.html").read_text("utf-8")
    rows = [line.split('"')[1] for line in page.splitlines() if '<tr class="lane ' in line]
    assert rows == ["lane lane-pain_points", "lane lane-emotion"]
    assert page.count('<th scope="col" id="step-') == 4
    assert 'colspan="2" id="stage-find"' in page and "−750 (75%)" in page
    assert "leaves the journey" in page and 'href="#step-visit"' in page


#: A buying committee: stages with an owner and a duration, steps naming who takes part,
#: emotions written by label.
COMMITTEE_JOURNEY = """\
title: Buying committee
personas: [ana, ben]
stages:
  - id: evaluate
    name: Evaluate
    owner: "@solutions"
    duration: P6W
    steps:
      - id: demo
        name: Watches a demo
        emotion: {ana: happy, ben: Sad}
      - id: trial
        name: Runs a trial
        personas: ben
        emotion: excited
  - id: decide
    name: Decide
    duration: 2-3 weeks
    steps:
      - id: signs
        name: Signs
        personas: [ana]
        emotion: neutral
"""


@pytest.fixture
def committee(make_workspace):
    root = make_workspace({"specs/personas/ana.yml": "name: Ana\n",
                           "specs/personas/ben.yml": "name: Ben\n",
                           "specs/journeys/committee.yml": COMMITTEE_JOURNEY})
    result = read_workspace(root)
    assert result.findings == ()
    return canvas(result.workspace, result.workspace.journeys["committee"])


def test_stage_headers_carry_the_owner_and_the_duration_as_people_say_it(committee):
    assert [(s.owner, s.duration) for s in committee.stages] == [
        ("@solutions", "6 weeks"), (None, "2–3 weeks")]


def test_step_columns_name_who_takes_part_when_the_step_says(committee):
    assert [s.taking_part for s in committee.steps] == [(), ("Ben",), ("Ana",)]


def test_curves_and_feelings_read_labels_and_skip_those_not_taking_part(committee):
    assert [(c.persona, c.scores) for c in committee.curves] == [
        ("ana", (1, None, 0)), ("ben", (-1, 2, None))]
    emotion = committee.lane("emotion")
    assert [[(f.persona, f.score, f.label) for f in cell.items] for cell in emotion.cells] == [
        [("ana", 1, "happy"), ("ben", -1, "sad")], [("ben", 2, "excited")],
        [("ana", 0, "neutral")]]
