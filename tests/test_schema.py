"""The published JSON Schemas: valid Draft 2020-12, true to the examples, never stale.

Editors validate users' files against these schemas through the YAML language server,
so each example spec must pass its schema exactly as an editor would see it, and the
copies committed in schema/ must be byte-for-byte what ``mapgen schema`` prints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from mapgen import schema
from mapgen.cli import cli

REPO = Path(__file__).resolve().parent.parent
KINDS = ("journey", "persona", "config")
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\s*$")


def _cli_schema(kind: str) -> str:
    result = CliRunner().invoke(cli, ["schema", kind])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module", params=KINDS)
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    return {k: Draft202012Validator(json.loads(_cli_schema(k))) for k in KINDS}


def _editor_view(path: Path):
    """The file's data as an editor's YAML language server sees it: YAML 1.2 (where `On`
    and `No` are text), then JSON (string keys). ruamel.yaml is an independent 1.2 reader."""
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def _examples(pattern: str) -> list[Path]:
    return sorted(REPO.glob(pattern))


def _need(paths: list[Path], what: str) -> None:
    if not paths:
        pytest.skip(f"the example workspace has no {what} yet (another engineer is writing "
                    "it; CI runs after it lands)")


def _errors(validator: Draft202012Validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(data), key=str)]


# --- the schemas themselves ----------------------------------------------------------

def test_each_schema_is_valid_draft_2020_12(kind):
    text = _cli_schema(kind)
    generated = json.loads(text)
    Draft202012Validator.check_schema(generated)
    assert generated["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert generated["type"] == "object" and generated["title"]


def test_the_cli_prints_what_the_module_builds(kind):
    assert _cli_schema(kind) == schema.dumps(kind)
    assert json.loads(schema.dumps(kind)) == schema.json_schema(kind)


def test_output_is_stable_and_diff_friendly(kind):
    text = schema.dumps(kind)
    assert text == schema.dumps(kind)
    assert text.endswith("}\n") and "\n  " in text, "indented, one key a line, final newline"
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True,
                              ensure_ascii=False) + "\n", "keys sorted"


def test_schema_o_writes_the_same_bytes(tmp_path, kind):
    target = tmp_path / "nested" / f"{kind}.schema.json"
    result = CliRunner().invoke(cli, ["schema", kind, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == _cli_schema(kind).encode("utf-8")


def test_an_unknown_kind_is_a_usage_error():
    result = CliRunner().invoke(cli, ["schema", "workspace"])
    assert result.exit_code == 2
    assert "journey" in result.output


def test_id_is_allowed_but_not_required(kind):
    generated = schema.json_schema(kind)
    assert "id" not in generated.get("required", [])
    if kind != "config":
        assert "id" in generated["properties"]


# --- the schemas against documents ---------------------------------------------------

MINIMAL = {
    "journey": {"title": "T", "stages": [{"id": "s", "name": "S",
                                          "steps": [{"id": "a", "name": "A", "emotion": 1}]}]},
    "persona": {"name": "Maya"},
    "config": {"title": "Site"},
}
#: An object inside each kind where unknown and x- keys must behave as at the top.
NESTED = {
    "journey": ("stages", 0, "steps", 0),
    "persona": (),
    "config": (),
}


def _at(data, path):
    for part in path:
        data = data[part]
    return data


def test_a_minimal_document_is_accepted(kind, validators):
    assert _errors(validators[kind], MINIMAL[kind]) == []


@pytest.mark.parametrize("where", ["top", "nested"])
def test_an_unknown_key_is_rejected(kind, validators, where):
    data = json.loads(json.dumps(MINIMAL[kind]))
    _at(data, NESTED[kind] if where == "nested" else ())["colour"] = "red"
    errors = _errors(validators[kind], data)
    assert errors and any("colour" in e for e in errors)


@pytest.mark.parametrize("where", ["top", "nested"])
def test_an_x_key_is_accepted(kind, validators, where):
    data = json.loads(json.dumps(MINIMAL[kind]))
    _at(data, NESTED[kind] if where == "nested" else ())["x-jira"] = {"epic": "JM-12", "n": [1]}
    assert _errors(validators[kind], data) == []


def test_required_keys_and_choices_are_enforced(validators):
    assert _errors(validators["journey"], {"stages": []}), "a journey needs a title"
    assert _errors(validators["persona"], {"role": "x"}), "a persona needs a name"
    journey = json.loads(json.dumps(MINIMAL["journey"]))
    journey["status"] = "as-is"
    assert any("status" in e for e in _errors(validators["journey"], journey))
    journey = json.loads(json.dumps(MINIMAL["journey"]))
    journey["stages"][0]["id"] = "Not An Id"
    assert _errors(validators["journey"], journey), "ids follow ^[a-z0-9][a-z0-9-]*$"


def test_the_documented_shorthands_are_accepted(validators):
    """`persona: maya`, `theme: default` and a single item for a list are in SPEC.md."""
    stages = MINIMAL["journey"]["stages"]
    assert _errors(validators["journey"], {"title": "T", "persona": "maya",
                                           "stages": stages}) == []
    assert _errors(validators["journey"], {"title": "T", "personas": "maya",
                                           "stages": stages}) == []
    assert _errors(validators["config"], {"theme": "default"}) == []
    assert _errors(validators["persona"], {"name": "M", "goals": "One goal"}) == []


@pytest.mark.parametrize("doc", [{"title": "T", "period": 2026}, {"title": 2026}],
                         ids=["period-2026", "title-2026"])
def test_the_schema_and_validate_agree_on_numbers_as_text(validators, doc):
    from mapgen.model import Journey

    doc = {**doc, "stages": MINIMAL["journey"]["stages"]}
    try:
        Journey.model_validate({"id": "j", **doc})
        model_accepts = True
    except ValueError:
        model_accepts = False
    assert (_errors(validators["journey"], doc) == []) == model_accepts


# --- the example workspace -----------------------------------------------------------

EXAMPLE_FILES = {
    "journey": "specs/journeys/*.y*ml",
    "persona": "specs/personas/*.y*ml",
    "config": "mapgen.y*ml",
}


def test_every_example_validates_against_its_schema(kind, validators):
    paths = _examples(EXAMPLE_FILES[kind])
    _need(paths, f"{kind} files ({EXAMPLE_FILES[kind]})")
    failures = {p.relative_to(REPO).as_posix(): _errors(validators[kind], _editor_view(p))
                for p in paths}
    assert {name: errs for name, errs in failures.items() if errs} == {}


def test_every_example_spec_names_a_schema_that_exists():
    paths = _examples("specs/*/*.y*ml") + _examples("mapgen.y*ml")
    _need(paths, "spec files")
    problems = []
    for path in paths:
        first = path.read_text(encoding="utf-8").splitlines()[:1]
        match = SCHEMA_LINE.match(first[0]) if first else None
        if not match:
            problems.append(f"{path.relative_to(REPO)}: first line is not "
                            "`# yaml-language-server: $schema=...`")
            continue
        target = (path.parent / match.group(1)).resolve()
        if not target.is_file():
            problems.append(f"{path.relative_to(REPO)}: {match.group(1)} does not exist")
            continue
        kind = "config" if path.parent == REPO else {"journeys": "journey",
                                                      "personas": "persona"}[path.parent.name]
        if target.name != f"{kind}.schema.json":
            problems.append(f"{path.relative_to(REPO)}: points at {target.name}, "
                            f"not {kind}.schema.json")
    assert problems == []


def test_committed_schemas_equal_the_generated_output(kind):
    """schema/*.schema.json never drift: regenerate with `mapgen schema KIND -o ...`."""
    committed = REPO / "schema" / f"{kind}.schema.json"
    assert committed.is_file(), (
        f"missing {committed.relative_to(REPO)}: run "
        f"`mapgen schema {kind} -o schema/{kind}.schema.json`")
    assert committed.read_bytes() == _cli_schema(kind).encode("utf-8"), (
        f"{committed.relative_to(REPO)} is stale: run "
        f"`mapgen schema {kind} -o schema/{kind}.schema.json`")


def test_init_writes_the_same_schemas(tmp_path, kind):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    written = tmp_path / "ws" / "schema" / f"{kind}.schema.json"
    assert written.read_bytes() == _cli_schema(kind).encode("utf-8")


@pytest.mark.parametrize("url, accepted", [
    *[(url, True) for url in ("https://acme.github.io/journeys/", "HTTP://intranet:8080",
                              "/journeys/", "/")],
    *[(url, False) for url in ("javascript:alert(1)//", "ftp://x", "example.com",
                               "//evil.example/", "/\\evil", "https://", "https://x/?a=1",
                               "https://x/#top", "https://a b/", "")]])
def test_an_editor_and_the_validator_agree_on_site_url(validators, url, accepted):
    from mapgen.model import site_url_problem

    assert (not _errors(validators["config"], {"site_url": url})) is accepted
    assert (site_url_problem(url) is None) is accepted


#: Words and numbers YAML 1.1 (PyYAML's default) reads as booleans or other numbers, and
#: YAML 1.2 (editors, schema tools, mapgen) does not: (where, what is written there).
YAML_11_ONLY = ["On", "Off", "Yes", "No", "y", "n", "YES", "off", "1:30", "0o12", "012"]
PLACES = {
    "step name": ("specs/journeys/signup.yml", "name: Visits the site", "name: {}"),
    "stage name": ("specs/journeys/signup.yml", "name: Start", "name: {}"),
    "persona name": ("specs/personas/ana.yml", "name: Ana", "name: {}"),
    "emotion": ("specs/journeys/signup.yml", "emotion: 0", "emotion: {}"),
}


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("word", YAML_11_ONLY)
def test_an_editor_and_the_validator_agree_on_yaml_1_1_words(
        validators, make_workspace, valid_specs, place, word):
    """What the editor's schema check accepts, `mapgen validate` accepts, and the reverse:
    a step named `On` is fine in both; `emotion: Yes` is text, so wrong in both."""
    from mapgen.workspace import read_workspace

    file, old, new = PLACES[place]
    root = make_workspace({**valid_specs, file: valid_specs[file].replace(old, new.format(word))})
    kind = "journey" if "journeys" in file else "persona"
    editor_accepts = _errors(validators[kind], _editor_view(root / file)) == []
    shape_errors = [f for f in read_workspace(root).findings  # what a schema can check
                    if f.code < "MG300" and f.fails(strict=False)]
    assert editor_accepts == (shape_errors == []), shape_errors


def _journey_with(stage: dict | None = None, step: dict | None = None) -> dict:
    """A minimal journey whose one stage and one step carry the given keys too."""
    return {"title": "T", "stages": [{"id": "s", "name": "S", **(stage or {}), "steps": [
        {"id": "a", "name": "A", **(step or {})}]}]}


def _model_accepts(doc: dict) -> bool:
    from pydantic import ValidationError

    from mapgen.model import Journey

    try:
        Journey.model_validate({"id": "j", **doc})
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("duration, accepted", [
    *[(d, True) for d in ("2 weeks", "1 week", "3-5 business days", "3–5 working days",
                          "2 to 3 months", "1.5 hours", "P2W", "PT30M", "P1DT12H", "P1Y")],
    *[(d, False) for d in ("2w", "2 Weeks", "p2w", "P", "PT", "P1DT", "soon", "14", "",
                           "two weeks", "2 weeks ago")]])
def test_an_editor_and_the_validator_agree_on_a_stage_duration(validators, duration, accepted):
    from mapgen.model import duration_problem

    doc = _journey_with(stage={"duration": duration, "owner": "@growth"})
    assert (not _errors(validators["journey"], doc)) is accepted
    assert (duration_problem(duration) is None) is accepted
    assert _model_accepts(doc) is accepted


@pytest.mark.parametrize("step, accepted", [
    ({"emotion": 1}, True), ({"emotion": "happy"}, True),
    ({"emotion": {"buyer": "happy", "finance": -1}}, True),
    ({"personas": "buyer"}, True), ({"personas": ["buyer", "finance"]}, True),
    ({"emotion": 1.5}, False), ({"emotion": [1]}, False), ({"emotion": True}, False),
    ({"emotion": {"buyer": 0.5}}, False), ({"emotion": {"buyer": [1]}}, False),
    ({"personas": []}, False), ({"personas": {"buyer": 1}}, False)],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else str(value))
def test_an_editor_and_the_validator_agree_on_who_takes_part_and_emotions(
        validators, step, accepted):
    doc = _journey_with(step=step)
    assert (not _errors(validators["journey"], doc)) is accepted
    assert _model_accepts(doc) is accepted
