"""Every validator rule, each against a bad spec on disk, at its exact line and column.

The bad specs live in tests/rules/: `<CODE>-<rule>.<kind>.yml`, where kind says where the
file goes in a small otherwise valid workspace (a journey, a persona, or mapgen.yml).
Each case must produce exactly the findings listed here, in that file, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mapgen.findings import RULES, RULES_BY_CODE, Severity
from mapgen.workspace import read_workspace

CASES = Path(__file__).parent / "rules"

#: case file -> the (code, line, column) findings it must give, and nothing more.
EXPECTED = {
    "MG101-yaml-syntax.journey.yml": [("MG101", 3, 7)],
    "MG103-duplicate-key.journey.yml": [("MG103", 3, 1)],
    "MG104-alias-bomb.journey.yml": [("MG104", 1, 53)],
    "MG108-not-a-mapping.journey.yml": [("MG108", 1, 1)],
    "MG201-unknown-key.journey.yml": [("MG201", 11, 9)],
    "MG202-wrong-type.journey.yml": [("MG202", 6, 14)],
    "MG203-invalid-choice.journey.yml": [("MG203", 7, 12)],
    "MG204-missing-key.journey.yml": [("MG204", 4, 5)],
    "MG205-invalid-value.journey.yml": [("MG205", 6, 14)],
    "MG301-invalid-id.journey.yml": [("MG301", 4, 9)],
    "MG302-duplicate-id.journey.yml": [("MG302", 11, 14)],
    "MG303-id-file-mismatch.journey.yml": [("MG303", 1, 5)],
    "MG304-unknown-persona.journey.yml": [("MG304", 2, 17)],
    "MG305-unknown-channel.journey.yml": [("MG305", 10, 33)],
    "MG306-unknown-step.journey.yml": [("MG306", 7, 54)],
    "MG307-unknown-source.journey.yml": [("MG307", 13, 52)],
    "MG308-unknown-pain-point.journey.yml": [("MG308", 11, 54)],
    "MG309-emotion-persona.journey.yml": [("MG309", 7, 48)],
    "MG310-emotion-out-of-scale.journey.yml": [("MG310", 7, 39)],
    "MG311-invalid-scale.journey.yml": [("MG311", 3, 22)],
    "MG312-no-stages.journey.yml": [("MG312", 3, 9)],
    "MG313-no-steps.journey.yml": [("MG313", 10, 12)],
    "MG401-emotion-gap.journey.yml": [("MG401", 8, 39)],
    "MG402-unaddressed-pain.journey.yml": [("MG402", 11, 13)],
    "MG403-unused-channel.config.yml": [("MG403", 3, 5)],
    "MG404-unused-persona.persona.yml": [("MG404", 1, 1)],
    "MG405-unused-source.journey.yml": [("MG405", 5, 5)],
    "MG406-unreachable-step.journey.yml": [("MG406", 8, 9)],
    "MG407-reached-grows.journey.yml": [("MG407", 11, 14)],
    "MG408-journey-too-long.journey.yml": [("MG408", 3, 1)],
}
#: Rules whose bad input cannot sit in a text file in git; tested below in tmp_path.
BYTE_LEVEL = {"MG102", "MG105", "MG106", "MG107"}


def workspace_with(root: Path, name: str, content: bytes) -> tuple[Path, str]:
    """A valid workspace (personas ana and bo) plus one file; returns its display path."""
    (root / "specs/personas").mkdir(parents=True)
    (root / "specs/journeys").mkdir()
    (root / "specs/personas/ana.yml").write_text("name: Ana\n")
    (root / "specs/personas/bo.yml").write_text("name: Bo\n")
    code, kind = name.split(".")[:2]
    stem = code.lower()
    target = {"journey": f"specs/journeys/{stem}.yml",
              "persona": f"specs/personas/{stem}.yml", "config": "mapgen.yml"}[kind]
    (root / target).write_bytes(content)
    return root, target


def findings_in(root: Path, target: str):
    return [f for f in read_workspace(root).findings if f.location.file == target]


def test_every_rule_has_a_case():
    covered = {name.split("-")[0] for name in EXPECTED} | BYTE_LEVEL
    assert covered == set(RULES_BY_CODE)
    assert {p.name for p in CASES.glob("MG*.yml")} == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_rule_reports_exactly_its_finding(tmp_path, case):
    root, target = workspace_with(tmp_path, case, (CASES / case).read_bytes())
    found = findings_in(root, target)
    assert [(f.code, f.location.line, f.location.column) for f in found] == EXPECTED[case]
    for f in found:
        assert f.severity is RULES_BY_CODE[f.code].severity
        assert f.message and f.location.path is not None


def test_a_file_that_is_not_utf8(tmp_path):
    root, target = workspace_with(tmp_path, "x.journey", b"title: Caf\xe9\npersonas: [ana]\n")
    (f,) = findings_in(root, target)
    assert (f.code, f.location.line, f.location.column) == ("MG102", 1, 11)
    assert "UTF-8" in f.message


def test_a_file_over_two_mebibytes(tmp_path):
    big = b"title: Case\n" + b"# padding\n" * (2 * 1024 * 1024 // 10 + 1)
    root, target = workspace_with(tmp_path, "x.journey", big)
    (f,) = findings_in(root, target)
    assert f.code == "MG105" and "2 MiB" in f.message


def test_a_byte_order_mark_warns_and_the_file_still_loads(tmp_path):
    text = ("\ufefftitle: Case\npersonas: [ana]\nstages:\n  - id: first\n    name: First\n"
            "    steps:\n      - {id: one, name: One, emotion: 0}\n")
    root, target = workspace_with(tmp_path, "x.journey", text.encode("utf-8"))
    result = read_workspace(root)
    (f,) = [f for f in result.findings if f.location.file == target]
    assert (f.code, f.severity, f.location.line) == ("MG106", Severity.WARNING, 1)
    assert result.workspace.journeys["x"].title == "Case"


def test_an_unreadable_file(tmp_path, monkeypatch):
    root, target = workspace_with(tmp_path, "x.journey", b"title: Case\n")
    real = Path.read_bytes

    def refuse(path):
        if path.name == "x.yml":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    (f,) = findings_in(root, target)
    assert f.code == "MG107" and "Permission denied" in f.message


def test_yaml_and_yml_are_both_read(tmp_path):
    root, _ = workspace_with(tmp_path, "x.journey", (CASES / "MG402-unaddressed-pain"
                                                    ".journey.yml").read_bytes())
    (root / "specs/personas/cy.yaml").write_text("name: Cy\n")
    ws = read_workspace(root).workspace
    assert "cy" in ws.personas and ws.files["personas/cy"] == "specs/personas/cy.yaml"


TEN_MISTAKES = """\
title: Ten mistakes
personas: [ana, anaa]
status: curent
owner: 42
sources: [{id: notes, title: Notes}, {id: unused, title: Unused}]
stages:
  - id: first
    name: First
    reached: 10
    steps:
      - id: one
        name: One
        emotion: {ana: 3}
        touchpoints: [{channel: fax, name: Fax cover}]
        evidence: [notez]
        colour: red
        next: [tree]
  - id: second
    name: Second
    reached: 20
    steps:
      - id: two
        name: Two
        emotion: 0
        pain_points: [{id: ouch, text: Ouch, severity: high, evidence: [notes]}]
"""


def test_a_file_with_ten_mistakes_reports_all_ten(tmp_path):
    root, target = workspace_with(tmp_path, "x.journey", TEN_MISTAKES.encode())
    found = sorted((f.code, f.location.line) for f in findings_in(root, target))
    assert found == sorted([
        ("MG304", 2),   # unknown persona anaa
        ("MG203", 3),   # status curent
        ("MG405", 5),   # source "unused" cited by nothing
        ("MG310", 13),  # emotion 3 outside -2..2
        ("MG305", 14),  # channel fax
        ("MG307", 15),  # evidence notez
        ("MG201", 16),  # unknown key colour
        ("MG306", 17),  # next: tree
        ("MG407", 20),  # reached grows 10 -> 20
        ("MG406", 22),  # step two unreachable (one's next goes nowhere)
        ("MG402", 25),  # high pain point nobody addresses
    ]), found
    assert len({code for code, _ in found}) >= 10


def test_rule_codes_and_names_are_unique():
    assert len(RULES) == len(RULES_BY_CODE)
