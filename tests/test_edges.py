"""Edge inputs a held-out run found: each gets a located message and exit 1, never silence,
a hang or an internal error (issue 13, must show 7).

Every case is a real workspace in a temporary folder, checked by the real command line in
a subprocess (`mapgen validate` and `mapgen build`), as a user or CI would run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import VALID_JOURNEY, VALID_PERSONA

JOURNEYS = "specs/journeys"


def workspace(tmp_path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """A valid workspace (persona ana, journey signup) with ``files`` added or replaced."""
    root = tmp_path / "ws"
    every = {"mapgen.yml": "title: Edges\n", "specs/personas/ana.yml": VALID_PERSONA,
             f"{JOURNEYS}/signup.yml": VALID_JOURNEY, **(files or {})}
    for name, content in every.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def mapgen(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``mapgen ARGS`` in ``root``, in a subprocess; a hang fails the test after 60 s."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAPGEN_TRACEBACK", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "mapgen", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def fails_at(root: Path, location: str, *words: str) -> None:
    """`mapgen validate` and `mapgen build` both exit 1 naming ``location`` with ``words``,
    and say nothing of a traceback or an internal error."""
    for args in (("validate",), ("build", "-d", str(root / "site"))):
        done = mapgen(root, *args)
        said = done.stdout + done.stderr
        assert "Traceback" not in said and "internal error" not in said, said
        assert done.returncode == 1, said
        lines = [line for line in said.splitlines() if line.startswith(location + ":")]
        assert lines, f"nothing at {location}:\n{said}"
        assert all(word in lines[0] for word in words), lines[0]


# --- numbers and keys ------------------------------------------------------------------

def test_an_integer_of_5000_digits_is_a_finding_at_the_number(tmp_path):
    journey = VALID_JOURNEY.replace("emotion: 0", "emotion: " + "7" * 5000)
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": journey})
    fails_at(root, f"{JOURNEYS}/signup.yml:9:18", "MG109", "quote it")


def test_a_hexadecimal_integer_too_large_to_print_is_a_finding(tmp_path):
    journey = VALID_JOURNEY.replace("emotion: 0", "emotion: 0x" + "f" * 4000)
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": journey})
    fails_at(root, f"{JOURNEYS}/signup.yml:9:18", "MG109")


@pytest.mark.parametrize(("key", "column"), [("1", 9), ("true", 9), ("null", 9), ("~", 9)])
def test_keys_1_true_and_null_are_unknown_keys_at_the_key(tmp_path, key, column):
    journey = VALID_JOURNEY.replace("        emotion: 0", f"        emotion: 0\n        {key}: x")
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": journey})
    fails_at(root, f"{JOURNEYS}/signup.yml:10:{column}", "MG201", f'no key "{key}"',
             "known keys")


def test_a_true_key_at_the_top_of_a_persona_is_an_unknown_key(tmp_path):
    root = workspace(tmp_path, {"specs/personas/ana.yml": "name: Ana\ntrue: 1\n"})
    fails_at(root, "specs/personas/ana.yml:2:1", "MG201", 'no key "true"')


def test_a_step_named_on_is_text_not_a_boolean(tmp_path):
    journey = VALID_JOURNEY.replace("Visits the site", "On")
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": journey})
    done = mapgen(root, "validate", "--strict")
    assert (done.returncode, done.stdout) == (0, "")


# --- line endings ---------------------------------------------------------------------

def test_a_finding_in_a_cr_only_file_is_on_its_own_line(tmp_path):
    journey = VALID_JOURNEY.replace("emotion: 0", "emotion: 7").replace("\n", "\r")
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": journey})
    fails_at(root, f"{JOURNEYS}/signup.yml:9:18", "MG310")


def test_a_bad_byte_in_a_cr_only_file_is_on_its_own_line(tmp_path):
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": b"title: Sign up\rowner: caf\xe9\r"})
    fails_at(root, f"{JOURNEYS}/signup.yml:2:11", "MG102")


def test_a_syntax_error_in_a_cr_only_file_is_on_its_own_line(tmp_path):
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": "title: Sign up\rpersonas: [ana\r"})
    done = mapgen(root, "validate")
    assert done.returncode == 1
    assert done.stdout.startswith(f"{JOURNEYS}/signup.yml:2:"), done.stdout


# --- what is in the specs folder ---------------------------------------------------------

def test_a_symlink_loop_is_reported_by_name(tmp_path):
    root = workspace(tmp_path)
    (root / JOURNEYS / "loop.yml").symlink_to("loop.yml")
    fails_at(root, f"{JOURNEYS}/loop.yml", "MG107", "leads back to itself")


def test_a_dangling_symlink_is_reported_with_its_target(tmp_path):
    root = workspace(tmp_path)
    (root / JOURNEYS / "gone.yml").symlink_to("moved-away.yml")
    fails_at(root, f"{JOURNEYS}/gone.yml", "MG107", "moved-away.yml", "does not exist")


def test_a_folder_named_like_a_spec_is_reported(tmp_path):
    root = workspace(tmp_path)
    (root / JOURNEYS / "x.yml").mkdir()
    fails_at(root, f"{JOURNEYS}/x.yml", "MG107", "a folder", "rename it")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_reported_without_waiting_for_a_writer(tmp_path):
    root = workspace(tmp_path)
    os.mkfifo(root / JOURNEYS / "pipe.yml")
    fails_at(root, f"{JOURNEYS}/pipe.yml", "MG107", "named pipe")  # a hang times out


def test_a_nested_folder_of_specs_is_reported_not_skipped(tmp_path):
    root = workspace(tmp_path, {f"{JOURNEYS}/archive/2024/old.yml": VALID_JOURNEY,
                                f"{JOURNEYS}/archive/notes.md": "kept for reference\n"})
    fails_at(root, f"{JOURNEYS}/archive", "MG110", "1 spec file", "Move them up")


def test_a_nested_folder_without_specs_is_left_alone(tmp_path):
    root = workspace(tmp_path, {f"{JOURNEYS}/images/map.png": b"\x89PNG"})
    assert mapgen(root, "validate", "--strict").returncode == 0


def test_an_upper_case_suffix_is_read_as_a_spec(tmp_path):
    root = workspace(tmp_path, {f"{JOURNEYS}/Checkout.YML": VALID_JOURNEY})
    fails_at(root, f"{JOURNEYS}/Checkout.YML:1:1", "MG301", '"checkout"', "rename the file")


def test_an_upper_case_suffix_with_a_valid_name_builds(tmp_path):
    root = workspace(tmp_path, {f"{JOURNEYS}/checkout.YAML": VALID_JOURNEY})
    done = mapgen(root, "build", "-d", str(root / "site"))
    assert done.returncode == 0, done.stderr
    assert (root / "site" / "journeys" / "checkout.html").is_file()


def test_hidden_files_are_not_read(tmp_path):
    root = workspace(tmp_path)
    (root / JOURNEYS / ".#signup.yml").symlink_to("user@host.1234:1700000000")  # Emacs' lock
    assert mapgen(root, "validate", "--strict").returncode == 0


def test_a_mapgen_yml_that_is_a_broken_link_is_reported(tmp_path):
    root = workspace(tmp_path)
    (root / "mapgen.yml").unlink()
    (root / "mapgen.yml").symlink_to("shared/mapgen.yml")
    done = mapgen(root, "validate")
    assert done.returncode == 1
    assert done.stdout.startswith("mapgen.yml: error MG107"), done.stdout


# --- rules of the whole workspace ---------------------------------------------------------

def test_duplicate_channel_ids_in_mapgen_yml_point_at_the_second(tmp_path):
    config = ("channels:\n  - {id: web, name: Web}\n  - {id: app, name: App}\n"
              "  - {id: web, name: Website}\n")
    journey = VALID_JOURNEY.replace("emotion: 0", "emotion: 0\n        touchpoints: [{channel: "
                                    "web, name: Home}, {channel: app, name: Home}]")
    root = workspace(tmp_path, {"mapgen.yml": config, f"{JOURNEYS}/signup.yml": journey})
    fails_at(root, "mapgen.yml:4:10", "MG302", '"web"', "line 2")


def test_next_pointing_at_its_own_step_is_a_finding(tmp_path):
    journey = VALID_JOURNEY.replace("emotion: 0", "emotion: 0\n        next: [visit]")
    root = workspace(tmp_path, {f"{JOURNEYS}/signup.yml": journey})
    fails_at(root, f"{JOURNEYS}/signup.yml:10:16", "MG205", "leads to itself")
