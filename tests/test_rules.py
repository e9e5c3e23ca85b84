"""Every validator rule against a bad spec, plus the semantics the rules rely on.

Each folder under tests/cases/ is a tiny workspace that is valid except for one mistake,
named after the rule it breaks. The table below says which finding the mistake must give,
down to the file, line and column, and that nothing else may be reported for it.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import mapgen
from mapgen.cli import cli
from mapgen.findings import RULES, RULES_BY_CODE, Severity
from mapgen.workspace import read_workspace

CASES = Path(__file__).parent / "cases"
JOURNEY = "specs/journeys/signup.yml"
SECOND_JOURNEY = "specs/journeys/checkout.yml"

#: case folder, the file the finding is in, its rule code, line and column.
BAD_SPECS = [
    ("yaml-syntax", SECOND_JOURNEY, "MG101", 3, 18),
    ("duplicate-key", SECOND_JOURNEY, "MG103", 6, 5),
    ("alias-bomb", SECOND_JOURNEY, "MG104", 1, 14),
    ("not-a-mapping", SECOND_JOURNEY, "MG108", 1, 1),
    ("number-too-long", SECOND_JOURNEY, "MG109", 6, 14),
    ("nested-folder", "specs/journeys/archive", "MG110", 0, 0),
    ("unknown-key", JOURNEY, "MG201", 9, 9),
    ("wrong-type", JOURNEY, "MG202", 6, 14),
    ("wrong-type-stage-owner", JOURNEY, "MG202", 6, 12),
    ("invalid-choice", JOURNEY, "MG203", 3, 9),
    ("missing-key", SECOND_JOURNEY, "MG204", 7, 9),
    ("invalid-value", JOURNEY, "MG205", 6, 14),
    ("invalid-value-duration", JOURNEY, "MG205", 7, 15),
    ("invalid-value-scale-labels", JOURNEY, "MG205", 6, 30),
    ("invalid-value-step-personas", JOURNEY, "MG205", 9, 19),
    ("invalid-value-theme", "mapgen.yml", "MG205", 2, 8),
    ("invalid-value-custom-dir", "mapgen.yml", "MG205", 4, 15),
    ("invalid-id", JOURNEY, "MG301", 11, 17),
    ("invalid-id-in-file-name", "specs/journeys/Sign_Up.yml", "MG301", 1, 1),
    ("duplicate-id", JOURNEY, "MG302", 10, 13),
    ("duplicate-id-across-files", "specs/personas/ana.yml", "MG302", 1, 1),
    ("id-file-mismatch", JOURNEY, "MG303", 1, 5),
    ("unknown-persona", JOURNEY, "MG304", 2, 17),
    ("unknown-channel", JOURNEY, "MG305", 10, 23),
    ("unknown-step", JOURNEY, "MG306", 10, 16),
    ("unknown-source", JOURNEY, "MG307", 10, 20),
    ("unknown-pain-point", JOURNEY, "MG308", 12, 25),
    ("emotion-persona", JOURNEY, "MG309", 9, 27),
    ("emotion-persona-not-taking-part", JOURNEY, "MG309", 10, 31),
    ("emotion-out-of-scale", JOURNEY, "MG310", 9, 18),
    ("invalid-scale", JOURNEY, "MG311", 3, 22),
    ("invalid-scale-too-wide", JOURNEY, "MG311", 3, 36),
    ("invalid-scale-too-wide-in-config", "mapgen.yml", "MG311", 4, 8),
    ("no-stages", JOURNEY, "MG312", 3, 9),
    ("no-steps", JOURNEY, "MG313", 12, 12),
    ("step-persona", JOURNEY, "MG314", 9, 25),
    ("unknown-emotion-label", JOURNEY, "MG315", 9, 18),
    ("invalid-embed", "pages/notes.md", "MG320", 6, 10),
    ("invalid-id-in-page-name", "pages/Interview_Notes.md", "MG301", 1, 1),
    ("emotion-gap", JOURNEY, "MG401", 7, 9),
    ("unaddressed-pain", JOURNEY, "MG402", 11, 13),
    ("unused-channel", "mapgen.yml", "MG403", 3, 5),
    ("unused-persona", "specs/personas/bo.yml", "MG404", 1, 1),
    ("unused-source", JOURNEY, "MG405", 4, 5),
    ("unreachable-step", JOURNEY, "MG406", 11, 9),
    ("reached-grows", JOURNEY, "MG407", 13, 14),
    ("journey-too-long", JOURNEY, "MG408", 3, 1),
    ("emotion-no-persona", JOURNEY, "MG409", 8, 9),
]

#: Rules whose bad file cannot sensibly be committed: test_load.py writes it in tmp_path.
BUILT_IN_TEST_LOAD = {
    "MG102": "test_a_file_that_is_not_utf8_points_at_the_bad_byte",
    "MG105": "test_a_file_over_2_mib_is_refused_as_a_whole",
    "MG106": "test_a_byte_order_mark_is_a_warning_at_the_start",
    "MG107": "test_a_file_that_cannot_be_read_is_reported",
}


# --- helpers ----------------------------------------------------------------------------

def findings_at(root: Path) -> set[tuple[str, str, int, int]]:
    """Every finding of the workspace as (file, code, line, column)."""
    return {(f.location.file, f.code, f.location.line, f.location.column)
            for f in read_workspace(root).findings}


def codes_and_lines(root: Path) -> set[tuple[str, int]]:
    return {(f.code, f.location.line) for f in read_workspace(root).findings}


def message_of(root: Path, code: str) -> str:
    """The message of the one finding with ``code``."""
    [message] = [f.message for f in read_workspace(root).findings if f.code == code]
    return message


def journey_with_steps(steps: str, personas: str = "[ana]") -> str:
    """A journey for ``personas`` with one stage holding ``steps`` (a YAML list)."""
    indented = "".join(f"      {line}\n" for line in steps.strip("\n").splitlines())
    return (f"title: Sign up\npersonas: {personas}\nstages:\n"
            f"  - id: start\n    name: Start\n    steps:\n{indented}")


def copy_of_case(name: str, tmp_path: Path) -> Path:
    """A case folder copied out of the repository (whose own mapgen.yml would win)."""
    return Path(shutil.copytree(CASES / name, tmp_path / name))


def mapgen_validate(*args: str) -> int:
    """The exit code of `mapgen validate ARGS`, run in-process."""
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


# --- one bad spec per rule --------------------------------------------------------------

@pytest.mark.parametrize(("case", "file", "code", "line", "column"), BAD_SPECS,
                         ids=[row[0] for row in BAD_SPECS])
def test_a_bad_spec_gives_exactly_its_finding_at_its_line_and_column(
        case, file, code, line, column):
    assert findings_at(CASES / case) == {(file, code, line, column)}


def test_every_rule_has_a_bad_spec():
    covered = {code for _, _, code, _, _ in BAD_SPECS} | set(BUILT_IN_TEST_LOAD)
    assert covered == set(RULES_BY_CODE)


def test_every_case_folder_is_named_after_the_rule_it_breaks():
    misnamed = [case for case, _, code, _, _ in BAD_SPECS
                if not case.startswith(RULES_BY_CODE[code].name)]
    assert misnamed == []


def test_every_case_folder_is_in_the_table():
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(
        case for case, *_ in BAD_SPECS)


def test_the_rules_made_in_test_load_are_tested_there():
    source = (Path(__file__).parent / "test_load.py").read_text(encoding="utf-8")
    missing = [name for name in BUILT_IN_TEST_LOAD.values() if f"def {name}(" not in source]
    assert missing == []


def test_the_warnings_are_the_4xx_rules_and_the_byte_order_mark():
    warnings = {r.code for r in RULES.values() if r.severity is Severity.WARNING}
    assert warnings == {code for code in RULES_BY_CODE if code.startswith("MG4")} | {"MG106"}


# --- every rule is the validator's ------------------------------------------------------

#: The rules of reading a file, reported by mapgen.load before there is a document.
READ_BY_THE_LOADER = {"MG101", "MG102", "MG103", "MG104", "MG105", "MG106", "MG107", "MG109"}


def modules_naming_each_rule() -> dict[str, set[str]]:
    """Rule code -> the modules of mapgen that make a finding of it: those with a call whose
    first argument is the rule's name (``finding("invalid-id", ...)``, ``self.add(...)``)."""
    package = Path(mapgen.__file__).parent
    made: dict[str, set[str]] = {code: set() for code in RULES_BY_CODE}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(
                    node.args[0], ast.Constant) and node.args[0].value in RULES:
                made[RULES[node.args[0].value].code].add(path.relative_to(package).as_posix())
    return made


def test_every_rule_but_reading_a_file_is_made_in_validate_py_and_nowhere_else():
    assert modules_naming_each_rule() == {
        code: {"load.py"} if code in READ_BY_THE_LOADER else {"validate.py"}
        for code in RULES_BY_CODE}


#: The rules of a file's name and of two files with one id, as `mapgen validate` prints them.
FILE_RULES = [
    ("invalid-id-in-file-name", 'specs/journeys/Sign_Up.yml:1:1: error MG301 the file name '
     'gives the journey id "Sign_Up", use lower-case letters, digits and dashes, starting '
     'with a letter or digit, e.g. "sign-up"; rename the file'),
    ("duplicate-id-across-files", "specs/personas/ana.yml:1:1: error MG302 another file, "
     'specs/personas/ana.yaml, already defines the persona "ana"; keep one of them'),
    ("id-file-mismatch", 'specs/journeys/signup.yml:1:5: error MG303 the id "sign-in" '
     'differs from the file name "signup.yml"; remove `id:` or rename the file to '
     '"sign-in.yml" [id]'),
]


@pytest.mark.parametrize(("case", "line"), FILE_RULES, ids=[case for case, _ in FILE_RULES])
def test_the_file_rules_print_their_file_line_and_column(case, line, tmp_path, monkeypatch):
    monkeypatch.chdir(copy_of_case(case, tmp_path))
    result = CliRunner().invoke(cli, ["validate", "."])
    assert (result.exit_code, result.output.splitlines()[0]) == (1, line)


# --- all mistakes of a file, in one run -------------------------------------------------

TEN_MISTAKES = """\
title: Sign up
personas: [ana, bob]
status: finished
owner_team: growth
stages:
  - id: start
    name: Start
    reached: lots
    steps:
      - id: visit
        name: Visits the site
        touchpoints:
          - {channel: fax, name: Order form}
        emotion: 0
        evidence: [survey]
        pain_points:
          - id: slow-page
            text: The page takes ten seconds to load.
            severity: high
      - id: register
        name: Fills in the form
        opportunities:
          - text: Cache the page.
            addresses: [slow-pages]
        next: [confrim]
"""


def test_one_file_with_ten_mistakes_reports_all_ten_each_on_its_line(
        make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: TEN_MISTAKES})
    assert codes_and_lines(root) == {
        ("MG304", 2),   # unknown persona bob
        ("MG203", 3),   # status outside its choices
        ("MG201", 4),   # unknown key
        ("MG202", 8),   # reached is not a number
        ("MG305", 13),  # unknown channel fax
        ("MG307", 15),  # evidence cites no source
        ("MG402", 17),  # warning: high pain point nothing addresses
        ("MG401", 20),  # warning: no emotion for ana
        ("MG308", 24),  # addresses a pain point that does not exist
        ("MG306", 25),  # next names a step that does not exist
    }


# --- "did you mean" ---------------------------------------------------------------------

def test_an_unknown_key_suggests_the_close_one(make_workspace, valid_specs):
    journey = valid_specs[JOURNEY].replace("title:", "tittle:")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert 'did you mean "title"?' in message_of(root, "MG201")


def test_persona_beside_personas_says_to_give_one_of_the_two(make_workspace, valid_specs):
    journey = valid_specs[JOURNEY].replace("personas: [ana]", "personas: [ana]\npersona: ana")
    assert "persona: ana" in journey
    root = make_workspace({**valid_specs, JOURNEY: journey})
    message = message_of(root, "MG201")
    assert "give `persona` or `personas`, not both" in message and "did you mean" not in message


def test_an_unknown_persona_suggests_the_close_one(make_workspace, valid_specs):
    journey = valid_specs[JOURNEY].replace("[ana]", "[ana, anna]")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert 'did you mean "ana"?' in message_of(root, "MG304")


def test_an_unknown_channel_suggests_the_close_one(make_workspace, valid_specs):
    step = "- {id: visit, name: Visits, emotion: 0, touchpoints: [{channel: emial, name: Mail}]}"
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(step)})
    assert 'did you mean "email"?' in message_of(root, "MG305")


def test_an_unknown_key_with_nothing_close_suggests_nothing(make_workspace, valid_specs):
    journey = valid_specs[JOURNEY] + "colour: red\n"
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert "did you mean" not in message_of(root, "MG201")


# --- x- keys ----------------------------------------------------------------------------

X_KEYS_JOURNEY = """\
title: Sign up
personas: [ana]
x-jira: SHOP-12
stages:
  - id: start
    name: Start
    steps:
      - id: visit
        name: Visits the site
        emotion: 0
        x-figma: {frame: 42}
"""


def test_x_keys_are_not_reported(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: X_KEYS_JOURNEY,
                           "specs/personas/ana.yml": "name: Ana\nx-crm-segment: smb\n"})
    assert findings_at(root) == set()


def test_x_keys_are_kept_as_extensions_of_the_journey(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: X_KEYS_JOURNEY})
    assert read_workspace(root).workspace.journeys["signup"].extensions == {"x-jira": "SHOP-12"}


def test_x_keys_are_kept_as_extensions_of_a_step(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: X_KEYS_JOURNEY})
    step = read_workspace(root).workspace.journeys["signup"].steps[0]
    assert step.extensions == {"x-figma": {"frame": 42}}


def test_x_keys_are_kept_as_extensions_of_a_persona(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, "specs/personas/ana.yml": "name: Ana\nx-crm: smb\n"})
    assert read_workspace(root).workspace.personas["ana"].extensions == {"x-crm": "smb"}


# --- strict -----------------------------------------------------------------------------

def test_warnings_alone_do_not_fail_the_run():
    assert read_workspace(CASES / "emotion-gap").fails() is False


def test_warnings_fail_the_run_when_strict():
    assert read_workspace(CASES / "emotion-gap").fails(strict=True) is True


def test_warnings_fail_the_run_with_strict_true_in_mapgen_yml(tmp_path):
    root = copy_of_case("emotion-gap", tmp_path)
    (root / "mapgen.yml").write_text("strict: true\n", encoding="utf-8")
    assert read_workspace(root).fails() is True


def test_an_error_fails_the_run_without_strict():
    assert read_workspace(CASES / "emotion-out-of-scale").fails() is True


def test_cli_validate_exits_0_with_only_warnings(tmp_path):
    assert mapgen_validate(str(copy_of_case("emotion-gap", tmp_path))) == 0


def test_cli_validate_strict_exits_1_with_only_warnings(tmp_path):
    assert mapgen_validate("--strict", str(copy_of_case("emotion-gap", tmp_path))) == 1


def test_cli_validate_exits_1_with_strict_true_in_mapgen_yml(tmp_path):
    root = copy_of_case("emotion-gap", tmp_path)
    (root / "mapgen.yml").write_text("strict: true\n", encoding="utf-8")
    assert mapgen_validate(str(root)) == 1


def test_cli_validate_exits_1_on_an_error(tmp_path):
    assert mapgen_validate(str(copy_of_case("unknown-step", tmp_path))) == 1


def test_cli_validate_checks_the_folder_given_even_inside_another_workspace(
        tmp_path, valid_specs):
    outer = tmp_path / "outer"
    for name, text in {**valid_specs, "mapgen.yml": "title: Outer\n"}.items():
        (outer / name).parent.mkdir(parents=True, exist_ok=True)
        (outer / name).write_text(text, encoding="utf-8")
    inner = Path(shutil.copytree(CASES / "emotion-gap", outer / "inner"))
    assert mapgen_validate("--strict", str(inner)) == 1


# --- semantics the rules rely on --------------------------------------------------------

def test_the_persona_shorthand_names_the_journeys_one_persona(make_workspace, valid_specs):
    journey = valid_specs[JOURNEY].replace("personas: [ana]", "persona: ana")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert read_workspace(root).workspace.journeys["signup"].personas == ("ana",)


def test_the_persona_shorthand_gives_no_findings(make_workspace, valid_specs):
    journey = valid_specs[JOURNEY].replace("personas: [ana]", "persona: ana")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert findings_at(root) == set()


def test_one_number_is_the_emotion_of_every_persona(make_workspace, valid_specs):
    journey = journey_with_steps("- {id: visit, name: Visits, emotion: 1}", "[ana, bo]")
    root = make_workspace({**valid_specs, JOURNEY: journey,
                           "specs/personas/bo.yml": "name: Bo\n"})
    assert findings_at(root) == set()


def test_a_mapping_emotion_leaves_a_gap_for_the_persona_it_omits(make_workspace, valid_specs):
    journey = journey_with_steps("- {id: visit, name: Visits, emotion: {ana: 1}}", "[ana, bo]")
    root = make_workspace({**valid_specs, JOURNEY: journey,
                           "specs/personas/bo.yml": "name: Bo\n"})
    assert codes_and_lines(root) == {("MG401", 7)}


def test_an_empty_next_is_an_exit_and_a_later_step_can_be_reached_another_way(
        make_workspace, valid_specs):
    steps = """
- {id: visit, name: Visits, emotion: 0, next: [leave, pricing]}
- {id: leave, name: Leaves, emotion: -1, next: []}
- {id: pricing, name: Reads the prices, emotion: 1}
"""
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(steps)})
    assert findings_at(root) == set()


def test_a_step_after_an_exit_that_nothing_leads_to_is_unreachable(make_workspace, valid_specs):
    steps = """
- {id: visit, name: Visits, emotion: 0}
- {id: leave, name: Leaves, emotion: -1, next: []}
- {id: pricing, name: Reads the prices, emotion: 1}
"""
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(steps)})
    assert codes_and_lines(root) == {("MG406", 9)}


def test_a_revisit_of_an_earlier_step_is_accepted(make_workspace, valid_specs):
    steps = """
- {id: visit, name: Visits, emotion: 0}
- {id: checkout, name: Checks out, emotion: -1, next: [confirm, visit]}
- {id: confirm, name: Gets the confirmation, emotion: 2}
"""
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(steps)})
    assert findings_at(root) == set()


def test_next_may_be_a_single_id(make_workspace, valid_specs):
    steps = """
- {id: visit, name: Visits, emotion: 0, next: confirm}
- {id: leave, name: Leaves, emotion: -1, next: []}
- {id: confirm, name: Gets the confirmation, emotion: 2}
"""
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(steps)})
    assert codes_and_lines(root) == {("MG406", 8)}


# --- known bugs (see the report): these fail until src/ is fixed -----------------------

def test_an_unknown_channel_in_a_persona_is_reported(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, "specs/personas/ana.yml": "name: Ana\nchannels: [fax]\n"})
    assert findings_at(root) == {("specs/personas/ana.yml", "MG305", 2, 12)}


@pytest.mark.xfail(strict=True, reason=(
    "validate._repaired gives up on a missing key, so the journey is dropped and its "
    "persona is reported unused (MG404) although the journey lists her"))
def test_a_journey_with_a_missing_key_still_counts_as_using_its_persona(
        make_workspace, valid_specs):
    journey = valid_specs[JOURNEY].replace("        name: Visits the site\n", "")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert {code for _, code, _, _ in findings_at(root)} == {"MG204"}


@pytest.mark.xfail(strict=True, reason=(
    "validate._drop removes the whole list when one entry has the wrong type, so the "
    "stage's valid steps vanish and MG313 'the stage has no steps' is reported too"))
def test_a_step_of_the_wrong_type_does_not_also_empty_its_stage(make_workspace, valid_specs):
    journey = valid_specs[JOURNEY] + "      - Visits the pricing page\n"
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert {code for _, code, _, _ in findings_at(root)} == {"MG202"}


# --- who takes part in a step, emotions by label, a stage's owner and duration ----------

def two_persona_workspace(make_workspace, valid_specs, steps: str, **extra: str) -> Path:
    """The valid workspace with ``bo`` beside ``ana`` in a journey of ``steps``."""
    return make_workspace({**valid_specs, "specs/personas/bo.yml": "name: Bo\n",
                           JOURNEY: journey_with_steps(steps, "[ana, bo]"), **extra})


def test_only_the_personas_taking_part_need_an_emotion(make_workspace, valid_specs):
    steps = """
- {id: visit, name: Visits, personas: [ana], emotion: 1}
- {id: call, name: Calls sales, personas: bo, emotion: {bo: -1}}
"""
    root = two_persona_workspace(make_workspace, valid_specs, steps)
    assert findings_at(root) == set()
    journey = read_workspace(root).workspace.journeys["signup"]
    scale = read_workspace(root).workspace.scale_of(journey)
    assert [s.scores(journey.personas, scale) for s in journey.steps] == [{"ana": 1}, {"bo": -1}]


def test_a_persona_taking_part_without_an_emotion_is_still_a_gap(make_workspace, valid_specs):
    steps = "- {id: visit, name: Visits, personas: [ana, bo], emotion: {ana: 1}}"
    root = two_persona_workspace(make_workspace, valid_specs, steps)
    assert codes_and_lines(root) == {("MG401", 7)}
    assert '"bo"' in message_of(root, "MG401")


def test_a_gap_suggests_naming_who_takes_part(make_workspace, valid_specs):
    root = two_persona_workspace(make_workspace, valid_specs,
                                 "- {id: visit, name: Visits, emotion: {ana: 1}}")
    assert "`personas`" in message_of(root, "MG401")


def test_a_step_persona_that_is_no_persona_at_all_is_reported(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(
        "- {id: visit, name: Visits, personas: [ana, anna], emotion: 0}")})
    assert findings_at(root) == {(JOURNEY, "MG314", 7, 51)}
    assert 'did you mean "ana"?' in message_of(root, "MG314")


def test_a_single_emotion_for_a_step_nobody_of_the_journey_takes_part_in(
        make_workspace, valid_specs):
    """`personas: [bo]` where bo is not in the journey: one finding (MG314), no gap."""
    root = make_workspace({**valid_specs, "specs/personas/bo.yml": "name: Bo\n",
                           "specs/journeys/other.yml": journey_with_steps(
                               "- {id: a, name: A, emotion: 0}", "[bo]"),
                           JOURNEY: journey_with_steps(
                               "- {id: visit, name: Visits, personas: bo, emotion: 0}")})
    assert {code for _, code, _, _ in findings_at(root)} == {"MG314"}


@pytest.mark.parametrize("written, score", [
    ("happy", 1), ("Happy", 1), ("EXCITED", 2), ("neutral", 0), ("angry", -2)])
def test_an_emotion_may_be_a_label_of_the_default_scale(make_workspace, valid_specs,
                                                         written, score):
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(
        f"- {{id: visit, name: Visits, emotion: {written}}}")})
    result = read_workspace(root)
    assert result.findings == ()
    journey = result.workspace.journeys["signup"]
    assert journey.steps[0].scores(journey.personas, result.workspace.scale_of(journey)) == {
        "ana": score}


def test_labels_and_numbers_mix_per_persona(make_workspace, valid_specs):
    root = two_persona_workspace(make_workspace, valid_specs,
                                 "- {id: visit, name: Visits, emotion: {ana: sad, bo: 2}}")
    result = read_workspace(root)
    assert result.findings == ()
    journey = result.workspace.journeys["signup"]
    assert journey.steps[0].scores(journey.personas, result.workspace.scale_of(journey)) == {
        "ana": -1, "bo": 2}


def test_labels_are_read_on_the_journeys_own_scale(make_workspace, valid_specs):
    journey = journey_with_steps("- {id: visit, name: Visits, emotion: Great}").replace(
        "stages:", "emotion_scale: {min: 1, max: 5, labels: {1: awful, 3: ok, 5: great}}\n"
                   "stages:")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    result = read_workspace(root)
    assert result.findings == ()
    signup = result.workspace.journeys["signup"]
    assert signup.steps[0].scores(signup.personas, result.workspace.scale_of(signup)) == {
        "ana": 5}


def test_labels_are_read_on_the_scale_of_mapgen_yml(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, "mapgen.yml": (
        "emotion_scale: {min: 0, max: 10, labels: {0: furious, 10: delighted}}\n"),
        JOURNEY: journey_with_steps("- {id: visit, name: Visits, emotion: delighted}")})
    assert findings_at(root) == set()


def test_a_number_past_its_bound_says_what_the_field_holds_and_what_to_write():
    assert message_of(CASES / "invalid-value", "MG205") == (
        "reached (how many customers reached this stage in the journey's period) is -40; "
        "write a whole number of 0 or more")


def test_a_scale_of_0_to_100_is_the_widest_accepted(make_workspace, valid_specs):
    for top, found in ((100, set()), (101, {("mapgen.yml", "MG311", 1, 30)})):
        root = make_workspace({**valid_specs, "mapgen.yml": (
            f"emotion_scale: {{min: 0, max: {top}}}\n")})
        assert findings_at(root) == found
    assert message_of(root, "MG311") == (
        "the scale 0..101 has 102 scores, more than the 101 a map can show; narrow it, "
        "e.g. `{min: 0, max: 100}` or `{min: -2, max: 2}`")


def test_an_unknown_label_lists_the_scales_labels_and_suggests_the_close_one(
        make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(
        "- {id: visit, name: Visits, emotion: hapy}")})
    message = message_of(root, "MG315")
    assert 'did you mean "happy"?' in message
    assert "angry (-2), sad (-1), neutral (0), happy (+1), excited (+2)" in message


def test_a_label_on_a_scale_without_labels_says_to_write_a_number(make_workspace, valid_specs):
    journey = journey_with_steps("- {id: visit, name: Visits, emotion: happy}").replace(
        "stages:", "emotion_scale: {min: 1, max: 5}\nstages:")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert findings_at(root) == {(JOURNEY, "MG315", 8, 44)}
    assert "a number from 1 to 5" in message_of(root, "MG315")


def test_a_quoted_number_is_not_a_label(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(
        "- {id: visit, name: Visits, emotion: '1'}")})
    assert "write 1 without quotes" in message_of(root, "MG315")


def test_an_unknown_label_in_a_mapping_points_at_its_value(make_workspace, valid_specs):
    root = two_persona_workspace(make_workspace, valid_specs,
                                 "- {id: visit, name: Visits, emotion: {ana: 1, bo: meh}}")
    assert findings_at(root) == {(JOURNEY, "MG315", 7, 57)}


def test_an_emotion_that_is_neither_number_nor_label_says_what_it_may_be(
        make_workspace, valid_specs):
    root = make_workspace({**valid_specs, JOURNEY: journey_with_steps(
        "- {id: visit, name: Visits, emotion: [1, 2]}")})
    assert "a label of the scale (emotion: happy)" in message_of(root, "MG202")


@pytest.mark.parametrize("duration", [
    "2 weeks", "1 week", "3-5 business days", "2 to 3 months", "1.5 hours", "30 minutes",
    "1 quarter", "P2W", "PT30M", "P1DT12H", "P1Y2M"])
def test_a_stage_duration_in_words_or_iso_8601_is_accepted(make_workspace, valid_specs,
                                                           duration):
    journey = valid_specs[JOURNEY].replace("    name: Start\n", (
        f"    name: Start\n    owner: Growth team\n    duration: {duration}\n"))
    root = make_workspace({**valid_specs, JOURNEY: journey})
    result = read_workspace(root)
    assert result.findings == ()
    stage = result.workspace.journeys["signup"].stages[0]
    assert (stage.owner, stage.duration) == ("Growth team", duration)


@pytest.mark.parametrize("duration, advice", [
    ("2w", 'write "2 weeks"'), ("30 min", 'write "30 minutes"'), ("2 Weeks", 'write "2 weeks"'),
    ("p2w", 'write "P2W"'), ("5-3 days", 'write the shorter time first, e.g. "3-5 days"'),
    ("soon", 'e.g. "2 weeks"'), ("P", "ISO 8601"), ("14", 'e.g. "2 weeks"')])
def test_a_duration_that_is_not_one_says_what_to_write(make_workspace, valid_specs,
                                                       duration, advice):
    journey = valid_specs[JOURNEY].replace("    name: Start\n",
                                           f"    name: Start\n    duration: {duration}\n")
    root = make_workspace({**valid_specs, JOURNEY: journey})
    assert findings_at(root) == {(JOURNEY, "MG205", 6, 15)}
    assert advice in message_of(root, "MG205")
