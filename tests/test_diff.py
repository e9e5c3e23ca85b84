"""`mapgen diff` on a real git repository: each kind of change, in all three formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from conftest import copy_example
from mapgen import diff as diff_module
from mapgen.cli import cli
from mapgen.model import Channel, Journey, Persona, Step
from mapgen.workspace import read_workspace
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
    assert ("step renamed", ("reads-reviews: Checks whether Acme is safe -> "
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
    assert ("journey added", "first-purchase-v2: First purchase with Pay with Acme") in found
    assert any(k == "journey removed" and "failed-payout-support" in t for k, t in found)
    assert ("persona removed", "maya: Maya Chen") in found


def test_between_two_commits(repo):
    edit(repo, JOURNEY, "name: Checks whether Acme is safe", "name: Checks Acme")
    git(repo, "commit", "-qam", "rename")
    assert changes(repo, "HEAD~1", "HEAD") == [
        ("step renamed", "reads-reviews: Checks whether Acme is safe -> Checks Acme")]
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
    assert "  step renamed: reads-reviews: Checks whether Acme is safe -> Checks Acme\n" in text


def test_outside_git_and_unknown_revisions_are_clear_errors(repo, tmp_path_factory):
    bad = CliRunner().invoke(cli, ["diff", "no-such-branch", "-d", str(repo)])
    assert bad.exit_code == 2 and 'unknown revision "no-such-branch"' in bad.output
    plain = tmp_path_factory.mktemp("plain")
    shutil.copytree(REPO / "specs", plain / "specs")
    outside = CliRunner().invoke(cli, ["diff", "-d", str(plain)])
    assert outside.exit_code == 2 and "not in a git repository" in outside.output
    assert "Traceback" not in outside.output


def test_a_spec_broken_by_the_change_is_named_not_reported_as_removed(repo):
    journey = "specs/journeys/first-purchase.yml"
    edit(repo, journey, "stages:", "stages: 5\nnot_stages:")
    broken = CliRunner().invoke(cli, ["diff", "-d", str(repo)])
    assert broken.exit_code == 2, broken.output
    assert f"{journey}:" in broken.output and "stages should be a list" in broken.output
    assert "removed" not in broken.output and "Traceback" not in broken.output
    git(repo, "commit", "-qam", "broken")
    git(repo, "checkout", "-qb", "mend")
    git(repo, "checkout", "-q", "HEAD~1", "--", journey)
    git(repo, "commit", "-qam", "mended")  # a base with the broken spec is read as it can be
    assert ("stage added", "awareness: Awareness") in changes(repo, "main", "HEAD")


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


# --- every field a reader sees is compared -------------------------------------------

def test_a_journeys_status_owner_and_objective_are_reported(repo):
    edit(repo, JOURNEY, "status: current", "status: draft")
    edit(repo, JOURNEY, 'owner: "@growth-team"', 'owner: "@checkout-team"')
    edit(repo, JOURNEY, "from 14.8% to 18%", "from 14.8% to 20%")
    found = changes(repo)
    assert ("journey status", "current -> draft") in found
    assert ("journey owner", "@growth-team -> @checkout-team") in found
    [objective] = [t for k, t in found if k == "journey objective"]
    assert "to 18% by" in objective.split(" -> ")[0] and "to 20% by" in objective.split(" -> ")[1]


def test_a_steps_texts_are_reported(repo):
    edit(repo, JOURNEY, "and waits for the SMS code.", "and waits for the email code.")
    edit(repo, JOURNEY, '"Resend... still nothing."', '"Resend... finally."')
    edit(repo, JOURNEY, "next: [pays, compares-options]", "next: [pays]")
    found = changes(repo)
    assert ("step actions", "creates-account: …pop-up and waits for the SMS code. -> "
            "…pop-up and waits for the email code.") in found, "long: from near the change"
    assert ("step thoughts", "creates-account: Come on, where's the code?; Resend... still "
            "nothing. -> Come on, where's the code?; Resend... finally.") in found
    assert ("step next", "adds-card: pays, compares-options -> pays") in found


def test_a_pain_points_severity_and_text_and_an_opportunitys_priority_are_reported(repo):
    edit(repo, JOURNEY, "            severity: high\n            evidence: [funnel",
         "            severity: critical\n            evidence: [funnel")
    edit(repo, JOURNEY, "the cart is lost.", "the cart is emptied.")
    edit(repo, JOURNEY, "owner: \"@payments-core\"\n            priority: high",
         "owner: \"@payments-core\"\n            priority: low")
    found = changes(repo)
    assert ("pain point severity", "creates-account / sms-delay: high -> critical") in found
    [text] = [t for k, t in found if k == "pain point text"]
    assert text.startswith("adds-card / 3ds-timeout: ") and text.endswith("emptied.")
    assert ("opportunity priority", "adds-card / resume-after-3ds: high -> low") in found


def test_a_personas_fields_and_kpis_sources_touchpoints_and_x_keys_are_reported(repo):
    edit(repo, "specs/personas/leo.yml", "role: Junior graphic designer", "role: Graphic designer")
    edit(repo, "specs/personas/leo.yml", "  - Save a little on the things he buys anyway\n", "")
    edit(repo, JOURNEY, 'value: "1.6%", target: "2.5%"', 'value: "1.9%", target: "2.5%"')
    edit(repo, JOURNEY, "title: First-purchase funnel dashboard", "title: Funnel dashboard")
    edit(repo, JOURNEY, "name: Counter sticker at a pop-up store, description: Sticker",
         "name: Counter sticker at a pop-up store, description: A sticker")
    edit(repo, JOURNEY, '"#journey-first-purchase"', '"#first-purchase"')
    found = changes(repo)
    assert ("persona role", "leo: Junior graphic designer, first-time Acme shopper -> Graphic "
            "designer, first-time Acme shopper") in found
    assert any(k == "persona goals" and t.startswith("leo: ") for k, t in found)
    assert ("KPI value", "awareness / Ad click-through: 1.6% -> 1.9%") in found
    assert ("source title", "funnel: First-purchase funnel dashboard -> Funnel dashboard") in found
    assert any(k == "touchpoint description" and t.startswith(
        "sees-button / store: Counter sticker at a pop-up store: Sticker next") for k, t in found)
    assert ("journey x-slack-channel", "#journey-first-purchase -> #first-purchase") in found


def test_a_long_text_is_shown_around_what_changed(repo):
    edit(repo, JOURNEY, "Figures are for EU web", "Figures are for EU and UK web")
    [text] = [t for k, t in changes(repo) if k == "journey description"]
    before, after = text.split(" -> ")
    assert before.startswith("…") and "for EU web" in before and before.endswith("…")
    assert after.startswith("…") and "for EU and UK web" in after
    assert max(len(before), len(after)) <= 60


def test_changes_come_in_the_order_of_the_journey(repo):
    text = (repo / JOURNEY).read_text()
    steps = [line.split("id: ")[1] for line in text.split("\n")
             if line.startswith("      - id: ")]
    for step in steps:
        text = text.replace(f"      - id: {step}\n        name: ",
                            f"      - id: {step}\n        name: New ")
    (repo / JOURNEY).write_text(text)
    assert [t.split(":")[0] for k, t in changes(repo) if k == "step renamed"] == steps


def _models_in(value):
    """Every model (and the models inside it) in ``value``."""
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            yield from _models_in(getattr(value, name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _models_in(item)


def _model_types(annotation):
    """The model classes a field's type names, however deep in unions and tuples."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _model_types(arg)


def _another(value):
    """A value unlike ``value`` of the same kind, for a field no two examples differ in."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, tuple):
        return value[:-1] if value else ("other",)
    if isinstance(value, dict):
        return {**value, "other": "other"}
    return "other" if value is None else value + " other"


def test_every_field_of_every_thing_is_compared_or_has_a_rule_of_its_own():
    """A field added to the model later is compared as written; a new kind of thing inside
    a journey or persona needs a name in diff_module.THINGS. Fields with a rule of their own are
    tested one by one above."""
    ws = read_workspace(REPO).workspace
    found: dict[type, list] = {}
    for model in _models_in((*ws.personas.values(), *ws.journeys.values(),
                             *ws.config.channels)):
        found.setdefault(type(model), []).append(model)
    reachable = {Persona, Journey, Channel}
    for kind in list(reachable):
        reachable |= {t for f in kind.model_fields.values() for t in _model_types(f.annotation)}
    assert reachable <= set(diff_module.THINGS) <= set(found), "each has a name and an example"
    for kind, names in (*diff_module.OWN_RULES.items(), *diff_module.MATCHED_BY.items()):
        assert set(names) <= set(kind.model_fields), f"{kind.__name__}: no such field"
    for kind, models in found.items():
        apart = {"extensions", *diff_module.OWN_RULES.get(kind, ()),
                 *diff_module.MATCHED_BY.get(kind, ("id",))}
        compared = [f for f in kind.model_fields if f not in apart]
        for field in compared:
            values = [getattr(m, field) for m in models]
            others = [v for v in values if v != values[0]]
            other = others[0] if others else _another(values[0])
            changed = models[0].model_copy(update={field: other})
            assert diff_module._fields("j", "here", models[0], changed), f"{kind.__name__}.{field}"
    step = found[Step][0]
    marked = step.model_copy(update={"extensions": {**step.extensions, "x-new": 1}})
    assert diff_module._fields("j", "here", step, marked) == [
        diff_module.Change("j", "step x-new", "here: none -> 1")]


# --- a revision without a workspace, and one whose workspace is broken ----------------

@pytest.fixture()
def first_pr(tmp_path):
    """A repository whose main has no maps, and a branch that adds them in docs/journeys."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README.md").write_text("hi\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "readme")
    git(tmp_path, "checkout", "-qb", "add-maps")
    copy_example(tmp_path / "docs/journeys")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "maps")
    return tmp_path / "docs/journeys"


def test_the_change_that_adds_the_maps_lists_everything_as_added(first_pr):
    found = changes(first_pr, "main")
    assert {k for k, _ in found} == {"persona added", "channel added", "journey added"}
    assert ("journey added", "first-purchase: First purchase with Pay with Acme") in found
    assert len([k for k, _ in found if k == "journey added"]) == 4
    assert diff(first_pr, "main", "--format", "markdown").startswith("### Journey map changes")


def test_a_journey_added_shows_its_size_pain_points_and_chart_in_markdown(first_pr):
    text = diff(first_pr, "main", "--format", "markdown")
    section = text.split("#### First purchase with Pay with Acme (first-purchase)", 1)[1]
    section = section.split("#### ", 1)[0]
    assert "\n5 stages, 12 steps, 10 pain points:\n" in section
    pains = [line for line in section.split("\n") if line.startswith("- [")]
    assert pains[0].startswith("- [critical] adds-card: When he switches to the bank app")
    assert pains[0].endswith("…") and len(pains) == 10
    check_mermaid(section.split("```mermaid\n", 1)[1].split("```", 1)[0])


def test_the_change_that_removes_the_maps_lists_everything_as_removed(repo):
    git(repo, "rm", "-rq", "mapgen.yml", "specs")
    git(repo, "commit", "-qm", "no more maps")
    found = changes(repo, "HEAD~1", "HEAD")
    assert {k for k, _ in found} == {"persona removed", "channel removed", "journey removed"}
    assert len(changes(repo, "HEAD~1")) == len(found), "the working tree has no workspace either"


def test_a_broken_workspace_at_the_base_is_an_error_naming_the_revision(first_pr):
    root = first_pr.parents[1]
    git(root, "checkout", "-q", "main")
    (root / "docs/journeys").mkdir(parents=True)
    (root / "docs/journeys/mapgen.yml").write_text("specs_dir: maps\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a start")
    git(root, "checkout", "-q", "add-maps")
    done = CliRunner().invoke(cli, ["diff", "main", "-d", str(first_pr)])
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert "the workspace at main:docs/journeys cannot be read: " in done.output
    assert 'main:docs/journeys/mapgen.yml:1:12: specs_dir: there is no folder "maps"' in \
        done.output
    assert "mapgen-diff-" not in done.output, "the temporary folder is never named"


def test_a_step_in_another_stage_is_reported_as_moved(repo):
    edit(repo, JOURNEY, "  - id: retention\n", "  - id: keeping\n")
    found = changes(repo)
    assert ("stage added", "keeping: Retention") in found
    assert ("step moved", "gets-cashback: retention -> keeping") in found
