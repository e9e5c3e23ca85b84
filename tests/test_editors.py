"""Editors: the schemas explain every field and agree with the validator on empty lists,
`mapgen init` associates the spec files with them, and its .yamllint passes a new
workspace under real yamllint.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from mapgen import schema
from mapgen.cli import cli
from mapgen.model import Journey

KINDS = tuple(schema.KINDS)


def _init(target: Path, *options: str) -> Path:
    result = CliRunner().invoke(cli, ["init", str(target), *options])
    assert result.exit_code == 0, result.output
    return target


# --- the schemas -----------------------------------------------------------------------

def _properties(node, where: str = ""):
    """(place, name, schema) of every property of every object in a schema."""
    if isinstance(node, dict):
        for name, value in node.get("properties", {}).items():
            yield where, name, value
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}/{i}")


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_has_a_description(kind):
    """What an editor shows on hover and beside each completion."""
    fields = list(_properties(schema.json_schema(kind)))
    assert len(fields) > 10
    assert [f"{where}.{name}" for where, name, value in fields
            if not str(value.get("description", "")).strip()] == []


def test_each_schema_has_a_stable_id_naming_mapgen_the_kind_and_the_version():
    ids = {kind: schema.json_schema(kind)["$id"] for kind in KINDS}
    assert ids == {kind: f"urn:mapgen:schema:{kind}:{schema.FORMAT_VERSION}" for kind in KINDS}


def _stage(**extra) -> dict:
    return {"id": "s", "name": "S", "steps": [{"id": "a", "name": "A", "emotion": 0}], **extra}


EMPTY = {
    "no stages key": {"title": "T"},
    "empty stages": {"title": "T", "stages": []},
    "a stage without steps": {"title": "T", "stages": [{"id": "s", "name": "S"}]},
    "a stage with empty steps": {"title": "T", "stages": [{"id": "s", "name": "S",
                                                           "steps": []}]},
}


@pytest.mark.parametrize("doc", list(EMPTY.values()), ids=list(EMPTY))
def test_an_editor_and_the_validator_both_refuse_empty_journeys_and_stages(
        make_workspace, valid_specs, doc):
    validator = Draft202012Validator(json.loads(schema.dumps("journey")))
    assert list(validator.iter_errors(doc)), "the editor marks it"
    import yaml

    result = CliRunner().invoke(cli, ["validate", str(make_workspace(
        {**valid_specs, "specs/journeys/signup.yml": yaml.safe_dump(doc)})), "--format",
        "json"])
    codes = {f["code"] for f in json.loads(result.stdout)}
    assert codes & {"MG312", "MG313"} and result.exit_code == 1


def test_lists_that_may_be_empty_are_not_required():
    validator = Draft202012Validator(json.loads(schema.dumps("journey")))
    doc = {"title": "T", "personas": [], "tags": [], "sources": [], "stages": [_stage(kpis=[])]}
    assert list(validator.iter_errors(doc)) == []
    Journey.model_validate({"id": "j", **doc})


# --- what init writes for editors ------------------------------------------------------

def test_init_maps_the_spec_files_to_their_schemas_for_vs_code(tmp_path):
    workspace = _init(tmp_path / "ws")
    settings = json.loads((workspace / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert len(mapping) == 3
    for schema_file, patterns in mapping.items():
        assert (workspace / schema_file).is_file()
        kind = Path(schema_file).name.split(".")[0]
        matched = {p.relative_to(workspace).as_posix()
                   for pattern in patterns for p in workspace.glob(pattern)}
        assert matched == {"journey": {"specs/journeys/first-purchase.yml"},
                           "persona": {"specs/personas/customer.yml"},
                           "config": {"mapgen.yml"}}[kind]
        assert json.loads((workspace / schema_file).read_text())["$id"].endswith(f":{kind}:1")


def test_every_file_init_writes_names_its_schema_on_the_first_line(tmp_path):
    workspace = _init(tmp_path / "ws")
    for spec, kind in [("mapgen.yml", "config"), ("specs/personas/customer.yml", "persona"),
                       ("specs/journeys/first-purchase.yml", "journey")]:
        first = (workspace / spec).read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix)
        target = (workspace / spec).parent / first.removeprefix(prefix)
        assert target.resolve() == (workspace / f"schema/{kind}.schema.json").resolve()


def test_in_a_repository_the_settings_go_to_its_root_and_keep_what_is_there(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".vscode").mkdir()
    (repo / ".vscode/settings.json").write_text(json.dumps({
        "editor.rulers": [100], "yaml.schemas": {"other.json": "ci/*.yml"}}), "utf-8")
    _init(repo / "docs/journeys")
    settings = json.loads((repo / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["editor.rulers"] == [100]
    assert settings["yaml.schemas"]["other.json"] == "ci/*.yml"
    assert settings["yaml.schemas"]["docs/journeys/schema/journey.schema.json"] == [
        "docs/journeys/specs/journeys/*.yml", "docs/journeys/specs/journeys/*.yaml"]
    assert not (repo / "docs/journeys/.vscode").exists()


def test_settings_with_comments_are_left_alone_and_the_user_told(tmp_path):
    workspace = tmp_path / "ws"
    (workspace / ".vscode").mkdir(parents=True)
    commented = '{\n  // our settings\n  "editor.rulers": [100]\n}\n'
    (workspace / ".vscode/settings.json").write_text(commented, "utf-8")
    result = CliRunner().invoke(cli, ["init", str(workspace)])
    assert result.exit_code == 0, result.output
    assert (workspace / ".vscode/settings.json").read_text("utf-8") == commented
    assert "yaml.schemas" in result.output and "schema/journey.schema.json" in result.output


def test_the_hint_for_settings_with_comments_names_the_paths_from_the_repository_root(
        tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".vscode").mkdir()
    commented = '{\n  // team settings\n  "editor.tabSize": 2\n}\n'
    (repo / ".vscode/settings.json").write_text(commented, "utf-8")
    result = CliRunner().invoke(cli, ["init", str(repo / "journeys")])
    assert result.exit_code == 0, result.output
    assert (repo / ".vscode/settings.json").read_text("utf-8") == commented
    hint = result.output[result.output.index('"yaml.schemas"'):].splitlines()[0]
    hint = json.loads("{" + hint + "}")
    assert hint["yaml.schemas"]["journeys/schema/journey.schema.json"] == [
        "journeys/specs/journeys/*.yml", "journeys/specs/journeys/*.yaml"]


# --- yamllint --------------------------------------------------------------------------

def _yamllint(folder: Path, *config: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yamllint", "--strict", *config, "."],
                          cwd=folder, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("stages", ["five", "seven-b2b"])
def test_yamllint_passes_a_new_workspace(tmp_path, stages):
    workspace = _init(tmp_path / "ws", "--github", "--stages", stages)
    runner = CliRunner()
    for args in (["new", "persona", "leo"], ["new", "journey", "renewal"]):
        result = runner.invoke(cli, [*args, "-d", str(workspace)])
        assert result.exit_code == 0, result.output
    result = _yamllint(workspace)
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_without_the_written_settings_fails_a_new_workspace(tmp_path):
    """The control case: the settings are what makes it pass."""
    workspace = _init(tmp_path / "ws", "--github")
    result = _yamllint(workspace, "-d", "default")
    assert result.returncode == 1
    assert "line-length" in result.stdout


def test_yamllint_still_catches_a_broken_spec(tmp_path):
    workspace = _init(tmp_path / "ws")
    journey = workspace / "specs/journeys/first-purchase.yml"
    journey.write_text(journey.read_text("utf-8") + "title: again \n", "utf-8")
    result = _yamllint(workspace)
    assert result.returncode == 1
    assert "duplication of key" in result.stdout and "trailing spaces" in result.stdout


def test_init_keeps_a_teams_own_yamllint(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / ".yamllint").write_text("extends: relaxed\n", "utf-8")
    _init(workspace)
    assert (workspace / ".yamllint").read_text("utf-8") == "extends: relaxed\n"
