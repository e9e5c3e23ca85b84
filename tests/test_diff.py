"""`mapgen diff` on a real git repository: each kind of change, in all three formats."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_example
from mapgen.cli import cli
from test_export import check_mermaid

REPO = Path(__file__).resolve().parents[1]
JOURNEY = "specs/journeys/first-purchase.yml"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=Test", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    copy_example(tmp_path)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "maps")
    return tmp_path


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def diff(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["diff", "-d", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def changes(root: Path, *args: str) -> list[tuple[str, str]]:
    data = json.loads(diff(root, *args, "--format", "json"))
    return [(c["kind"], c["text"]) for c in data["changes"]]


def test_no_change(repo):
    assert changes(repo) == []
    assert "No changes" in diff(repo)


def test_a_renamed_step_and_an_emotion_change(repo):
    edit(repo, JOURNEY, "name: Checks whether Acme is safe", "name: Checks Acme's reviews")
    text = (repo / JOURNEY).read_text()
    step = text.index("id: reads-reviews")
    emotion = text.index("emotion: -1", step)  # the first emotion after the step's id
    (repo / JOURNEY).write_text(text[:emotion] + "emotion: 2" + text[emotion + 11:])
    found = changes(repo)
    assert ("step renamed", ('step "reads-reviews" renamed: Checks whether Acme is safe -> '
                             "Checks Acme's reviews")) in found
    assert ("emotion", "reads-reviews: leo -1 -> +2 (up)") in found


def test_pain_points_opportunities_touchpoints_and_reached(repo):
    edit(repo, JOURNEY, "pain_points:\n", "pain_points:\n          - {text: Brand new worry, "
         "severity: critical}\n")
    edit(repo, JOURNEY, "status: planned", "status: done")
    edit(repo, JOURNEY, "touchpoints:\n", "touchpoints:\n          - {channel: phone, name: "
         "Hotline}\n")
    text = (repo / JOURNEY).read_text()
    reached = text[text.index("reached: "):].split("\n")[0]
    edit(repo, JOURNEY, reached, "reached: 47000")
    found = changes(repo)
    kinds = {k for k, _ in found}
    assert {"pain point added", "opportunity status", "touchpoint added", "reached"} <= kinds
    assert any("[critical] Brand new worry" in t for k, t in found if k == "pain point added")
    assert any("planned -> done" in t for k, t in found if k == "opportunity status")
    assert any("phone: Hotline" in t for k, t in found if k == "touchpoint added")


def test_a_removed_pain_point_and_journeys_added_and_removed(repo):
    text = (repo / JOURNEY).read_text()
    assert "severity: low" in text or "severity: medium" in text
    shutil.copy(repo / JOURNEY, repo / "specs/journeys/first-purchase-v2.yml")
    (repo / "specs/journeys/failed-payout-support.yml").unlink()
    (repo / "specs/personas/maya.yml").unlink()
    found = changes(repo)
    assert ("journey added", ('journey "first-purchase-v2" added: First purchase with Pay '
                              "with Acme")) in found
    assert any(k == "journey removed" and "failed-payout-support" in t for k, t in found)
    assert any(k == "persona removed" and '"maya"' in t for k, t in found)


def test_between_two_commits(repo):
    edit(repo, JOURNEY, "name: Checks whether Acme is safe", "name: Checks Acme")
    git(repo, "commit", "-qam", "rename")
    assert changes(repo, "HEAD~1", "HEAD") == [
        ("step renamed", ('step "reads-reviews" renamed: Checks whether Acme is safe -> '
                          "Checks Acme"))]
    assert changes(repo, "HEAD", "HEAD~1")[0][1].endswith("Checks whether Acme is safe")


def test_markdown_has_a_mermaid_block_that_parses(repo):
    edit(repo, JOURNEY, "name: Checks whether Acme is safe", "name: 'Checks: is it safe; #1, ok'")
    text = diff(repo, "--format", "markdown")
    assert text.startswith("### Journey map changes")
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    tasks = check_mermaid(block)
    assert "ChecksE is it safeE E1E ok" in [task for task, _, _ in tasks], "entities masked"
    assert "**step renamed**" in text


def test_text_format_groups_by_journey(repo):
    edit(repo, JOURNEY, "name: Checks whether Acme is safe", "name: Checks Acme")
    text = diff(repo)
    assert text.startswith("First purchase with Pay with Acme (first-purchase):")
    assert "  step renamed: " in text


def test_outside_git_and_unknown_revisions_are_clear_errors(repo, tmp_path_factory):
    bad = CliRunner().invoke(cli, ["diff", "no-such-branch", "-d", str(repo)])
    assert bad.exit_code == 2 and 'unknown revision "no-such-branch"' in bad.output
    plain = tmp_path_factory.mktemp("plain")
    shutil.copytree(REPO / "specs", plain / "specs")
    outside = CliRunner().invoke(cli, ["diff", "-d", str(plain)])
    assert outside.exit_code == 2 and "not in a git repository" in outside.output
    assert "Traceback" not in outside.output


B2B = "specs/journeys/b2b-invoice-payments.yml"


def test_a_stages_owner_and_duration_changes_are_reported(repo):
    edit(repo, B2B, 'owner: "@deal-desk"\n    duration: P6W', 'owner: "@legal-ops"\n'
         '    duration: "8-10 weeks"')
    edit(repo, B2B, '    owner: "@customer-success"\n', '    owner: "@customer-success"\n'
         "    duration: 1 year\n")
    found = changes(repo)
    assert ("stage owner", "purchase-decision: @deal-desk -> @legal-ops") in found
    assert ("stage duration", "purchase-decision: 6 weeks -> 8–10 weeks") in found
    assert ("stage duration", "loyalty: none -> 1 year") in found


def test_who_takes_part_is_reported_and_a_persona_leaving_loses_their_score(repo):
    edit(repo, B2B, "        personas: [daniel, grace]\n        actions: Signs the order form",
         "        personas: daniel\n        actions: Signs the order form")
    edit(repo, B2B, "emotion: {daniel: excited, grace: happy}", "emotion: excited")  # signs
    found = changes(repo)
    assert ("taking part", "signs: daniel, grace -> daniel") in found
    assert ("emotion", "signs: grace +1 -> none (removed)") in found
    assert not any("signs: daniel" in t for k, t in found if k == "emotion"), (
        "daniel's score is the same, whether written in a mapping or alone")


def test_an_emotion_written_as_its_label_instead_of_its_number_is_no_change(repo):
    edit(repo, B2B, "emotion: {daniel: happy, priya: neutral}", "emotion: {daniel: 1, priya: 0}")
    assert changes(repo) == []
    edit(repo, B2B, "emotion: {daniel: 1, priya: 0}", "emotion: {daniel: SAD, priya: 0}")
    assert changes(repo) == [("emotion", "discovery-call: daniel +1 -> -1 (down)")]
