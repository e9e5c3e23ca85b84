"""Shared fixtures: small workspaces written into a temporary folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Commands run in a subprocess (`mapgen ...` in a temporary folder) must run this checkout's
# code: a relative PYTHONPATH=src would not resolve there and they would import whatever
# mapgen the virtualenv has installed.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO / "src"), *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                          if p and Path(p).is_absolute())])


def copy_example(target: Path) -> Path:
    """Copy the repository's example workspace (mapgen.yml and specs/) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mapgen.yml", target / "mapgen.yml")
    shutil.copytree(REPO / "specs", target / "specs")
    return target

def with_custom_dir(root: Path) -> Path:
    """Point the workspace's theme at an empty custom_dir; returns it."""
    custom = root / "overrides"
    (custom / "templates").mkdir(parents=True)
    (custom / "static").mkdir()
    config = root / "mapgen.yml"
    text = config.read_text("utf-8")
    assert "  name: default\n" in text
    config.write_text(text.replace("  name: default\n",
                                   "  name: default\n  custom_dir: overrides\n"), "utf-8")
    return custom


#: One persona and one journey that uses her: a workspace with no findings at all.
VALID_PERSONA = "name: Ana\n"
VALID_JOURNEY = """\
title: Sign up
personas: [ana]
stages:
  - id: start
    name: Start
    steps:
      - id: visit
        name: Visits the site
        emotion: 0
"""


@pytest.fixture
def valid_specs() -> dict[str, str]:
    """The files of a workspace with no findings: persona `ana`, journey `signup`.

    Add or replace entries to make the one mistake a test is about.
    """
    return {
        "specs/personas/ana.yml": VALID_PERSONA,
        "specs/journeys/signup.yml": VALID_JOURNEY,
    }


@pytest.fixture
def make_workspace(tmp_path) -> Callable[[dict[str, str | bytes]], Path]:
    """A function that writes ``{relative path: text or bytes}`` and returns the root.

    Text is written as UTF-8; bytes exactly as given (for encoding and BOM cases).
    """
    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "workspace"
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            path.write_bytes(data)
        return root

    return make


def build_site(root: Path, *options: str) -> Path:
    """Build the workspace at ``root`` with `mapgen build` (and ``options``); the site folder."""
    from click.testing import CliRunner

    from mapgen.cli import cli

    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml"), *options])
    assert result.exit_code == 0, result.output
    return root / "site"
