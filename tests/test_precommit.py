"""The pre-commit hook checks the whole workspace when a spec or mapgen.yml changes.

Real `pre-commit` runs the hook defined in .pre-commit-hooks.yaml from a real `git commit`
in a temporary repository. The hook is declared there as `repo: local` with the same
`files`, `pass_filenames` and arguments, run by this checkout's Python (`language:
system`): a remote hook would make pre-commit pip-install mapgen from a package index,
which a test must not need.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mapgen.cli import cli

REPO = Path(__file__).resolve().parents[1]
(HOOK,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))

#: Channels the example journey of `mapgen init` uses, declared in mapgen.yml.
CHANNELS = """\
channels:
  - {id: web, name: Website}
  - {id: email, name: Email}
  - {id: social, name: Social media}
"""


def _local_hook(**overrides) -> dict:
    """The shipped hook as a `repo: local` hook run by this Python."""
    program, *arguments = shlex.split(HOOK["entry"])
    assert program == "mapgen"
    hook = {key: HOOK[key] for key in ("id", "name", "files", "pass_filenames")}
    entry = shlex.join([sys.executable, "-m", "mapgen", *arguments])
    return {**hook, "entry": entry, "language": "system", **overrides}


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.com",
           "GIT_COMMITTER_NAME": "Ana", "GIT_COMMITTER_EMAIL": "ana@example.com"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=check, timeout=180)


def _repository(tmp_path: Path, hook: dict) -> Path:
    """A git repository with a workspace that passes, committed through the hook."""
    repo = tmp_path / "repo"
    assert CliRunner().invoke(cli, ["init", str(repo)]).exit_code == 0
    config = repo / "mapgen.yml"
    config.write_text(config.read_text(encoding="utf-8") + CHANNELS, encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(
        {"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False), encoding="utf-8")
    _git(repo, "init", "-q")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True,
                   capture_output=True, timeout=120)
    _git(repo, "add", ".")
    first = _git(repo, "commit", "-q", "-m", "journeys", check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    return repo


#: Edits to mapgen.yml alone that break the journey, which uses the channel "web".
EDITS = {
    "rename": ("{id: web, name: Website}", "{id: website, name: Website}"),
    "remove": ("  - {id: web, name: Website}\n", ""),
}


def _edit_mapgen_yml(repo: Path, edit: str) -> subprocess.CompletedProcess:
    """Make ``edit`` to mapgen.yml, and commit that one file."""
    config = repo / "mapgen.yml"
    text = config.read_text(encoding="utf-8")
    assert EDITS[edit][0] in text
    config.write_text(text.replace(*EDITS[edit]), encoding="utf-8")
    _git(repo, "add", "mapgen.yml")
    return _git(repo, "commit", "-m", f"{edit} the web channel", check=False)


def test_the_hook_runs_once_on_the_whole_workspace():
    assert HOOK["pass_filenames"] is False
    assert HOOK["entry"].split()[:2] == ["mapgen", "validate"]


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_channel_edit_in_mapgen_yml_fails_the_commit_where_journeys_use_it(tmp_path, edit):
    repo = _repository(tmp_path, _local_hook())
    result = _edit_mapgen_yml(repo, edit)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "mapgen validate" in output and "Failed" in output
    assert "specs/journeys/first-purchase.yml:" in output, "located in the file not staged"
    assert "MG305" in output and '"web"' in output
    assert _git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1", "not committed"


def test_a_hook_given_only_the_staged_files_lets_the_breakage_through(tmp_path):
    """The control case: why the hook must not be given the staged file names."""
    repo = _repository(tmp_path, _local_hook(pass_filenames=True))
    result = _edit_mapgen_yml(repo, "remove")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "2"


@pytest.mark.parametrize("name, runs", [
    ("mapgen.yml", True), ("specs/journeys/first-purchase.yml", True),
    ("specs/personas/customer.yml", True), ("docs/journeys/mapgen.yaml", True),
    ("README.md", False), ("specs/journeys/notes.md", False),
    (".github/workflows/journey-maps.yml", False),
])
def test_which_changes_run_the_hook(name, runs):
    import re

    assert bool(re.search(HOOK["files"], name)) is runs
