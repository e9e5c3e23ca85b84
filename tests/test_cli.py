"""The command line as users and CI meet it: exit codes, output formats, colour, init/new.

Most tests drive the Click group in-process with CliRunner; the ones marked "real"
start the installed command in a subprocess, so the entry point (``mapgen.cli:main``),
its "no traceback, ever" guard and the real stream handling are covered too.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from mapgen import __version__
from mapgen.cli import cli

REPO = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
GITHUB_LINE = re.compile(
    r"^::(error|warning) file=[^,:\n]+,line=[1-9]\d*,col=[1-9]\d*,title=MG\d{3} [a-z0-9-]+::\S.*$")
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")

STAGE_NAMES = {
    "five": ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"],
    "six": ["Awareness", "Interest", "Intent", "Evaluation", "Purchase", "Retention"],
    "seven-b2b": ["Out-of-market", "Action", "Initial brand consideration",
                  "Active evaluation", "Purchase decision", "Experience", "Loyalty"],
}

BROKEN_JOURNEY = """\
title: Broken on purpose
personas: [nobody]
colour: red
stages:
  - id: look
    name: Look
    steps:
      - id: sees-it
        name: Sees it
        emotion: 9
"""
UNUSED_PERSONA = "name: Nobody Uses Me\n"


# --- helpers ---------------------------------------------------------------------------

def invoke(*args: str, color: bool = False, env: dict | None = None, **kwargs) -> Result:
    """Run ``mapgen ARGS`` in-process; fail loudly if anything but SystemExit escaped."""
    env = {"NO_COLOR": None, "MAPGEN_TRACEBACK": None, **(env or {})}
    result = CliRunner().invoke(cli, list(args), env=env, color=color, **kwargs)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"mapgen {' '.join(args)} raised {result.exception!r}\n"
                             f"{result.output}") from result.exception
    return result


def mapgen_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m mapgen``."""
    script = Path(sys.executable).with_name("mapgen")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "mapgen"]


def run_real(*args: str, cwd: Path | None = None, env: dict | None = None,
             module: bool = False) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "MAPGEN_TRACEBACK")}
    command = [sys.executable, "-m", "mapgen"] if module else mapgen_command()
    return subprocess.run([*command, *args], cwd=cwd, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=120, check=False)


def init(path: Path, *extra: str) -> Path:
    result = invoke("init", str(path), *extra)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A fresh workspace made by `mapgen init` (the five-stage model)."""
    return init(tmp_path / "ws")


@pytest.fixture
def broken(workspace) -> Path:
    """A workspace with errors in one journey."""
    (workspace / "specs" / "journeys" / "broken.yml").write_text(BROKEN_JOURNEY, "utf-8")
    return workspace


@pytest.fixture
def warned(workspace) -> Path:
    """A workspace whose only finding is a warning (a persona no journey uses)."""
    (workspace / "specs" / "personas" / "lonely.yml").write_text(UNUSED_PERSONA, "utf-8")
    return workspace


def no_traceback(result: Result | subprocess.CompletedProcess) -> None:
    out = result.output if isinstance(result, Result) else result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert "internal error" not in out, out


# --- --version and help ------------------------------------------------------------------

def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"mapgen, version {__version__}"


def test_version_real_console_script_and_module():
    for module in (False, True):
        done = run_real("--version", module=module)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"mapgen, version {__version__}"


@pytest.mark.parametrize("module", [False, True], ids=["script", "module"])
def test_ctrl_c_while_mapgen_starts_prints_no_traceback(workspace, module):
    """Importing what mapgen needs takes a few tenths of a second, before main() runs:
    Ctrl-C then (Python says when each import is done) ends it as at any other time."""
    command = [sys.executable, "-m", "mapgen"] if module else mapgen_command()
    child = subprocess.Popen([*command, "build"], cwd=workspace, text=True,
                             env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    said = []
    for line in child.stderr:
        said.append(line)
        if line.split("|")[-1].strip() == "click":  # jinja2, pydantic, mapgen to come
            child.send_signal(signal.SIGINT)
            break
    said += child.stderr.readlines()
    shown = "".join(line for line in said if not line.startswith("import time:"))
    assert child.wait(timeout=60) == 130, shown
    assert shown == "Interrupted.\n"


def test_the_command_line_looks_for_no_pydantic_plugins(workspace):
    """pydantic scans every installed package's entry points for plugins as the first
    model is made (10 ms of every command); the command line turns that off, unless the
    user set PYDANTIC_DISABLE_PLUGINS, and the library (mapgen.api) never does."""
    probe = (
        "import os, sys\n"
        "from mapgen.cli import main\n"
        "sys.argv = ['mapgen', 'validate', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "from pydantic.plugin import _loader\n"
        "print(_loader._plugins, os.environ['PYDANTIC_DISABLE_PLUGINS'])\n")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", probe, str(workspace)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.split()[-2:] == ["None", "__all__"], done.stdout + done.stderr
    done = subprocess.run([sys.executable, "-c", probe, str(workspace)],
                          env={**env, "PYDANTIC_DISABLE_PLUGINS": "logfire"},
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.split()[-2:] == ["{}", "logfire"], done.stdout + done.stderr
    library = subprocess.run(
        [sys.executable, "-c", "import os, mapgen.api\n"
                               "print('PYDANTIC_DISABLE_PLUGINS' in os.environ)"],
        env=env, capture_output=True, text=True, timeout=120)
    assert library.stdout.strip() == "False", library.stderr


def test_help_lists_the_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("validate", "schema", "init", "new", "render", "build"):
        assert command in result.output


# --- validate: exit codes ------------------------------------------------------------

def test_validate_a_clean_workspace_exits_0(workspace):
    result = invoke("validate", str(workspace), "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 journey, 1 persona; 0 errors, 0 warnings" in result.stderr


def test_validate_errors_exit_1_and_are_all_reported(broken):
    result = invoke("validate", str(broken))
    assert result.exit_code == 1
    codes = set(re.findall(r"\b(MG\d{3})\b", result.stdout))
    assert {"MG201", "MG304", "MG310"} <= codes, result.stdout  # key, persona, scale
    assert "specs/journeys/broken.yml:3:1" in result.stdout, "file:line:col of `colour`"


def test_warnings_pass_unless_strict(warned):
    assert invoke("validate", str(warned)).exit_code == 0
    assert invoke("validate", str(warned), "--strict").exit_code == 1
    config = warned / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("strict: false", "strict: true"),
                      "utf-8")
    assert invoke("validate", str(warned)).exit_code == 1, "strict: true in mapgen.yml"


def test_an_unknown_option_is_a_usage_error(workspace):
    result = invoke("validate", str(workspace), "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_a_folder_that_is_not_a_workspace_is_a_usage_error(tmp_path):
    empty = tmp_path / "not-a-workspace"
    empty.mkdir()
    result = invoke("validate", str(empty))
    assert result.exit_code == 2, result.output
    assert "not a mapgen workspace" in result.output
    no_traceback(result)


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    result = invoke("validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    no_traceback(result)


def test_an_unknown_format_is_a_usage_error(workspace):
    assert invoke("validate", str(workspace), "--format", "xml").exit_code == 2


def test_validate_defaults_to_the_current_folder(broken, monkeypatch):
    monkeypatch.chdir(broken / "specs")
    result = invoke("validate")
    assert result.exit_code == 1
    assert "specs/journeys/broken.yml" in result.stdout


def test_validate_one_file_shows_only_its_findings(broken):
    (broken / "specs" / "personas" / "lonely.yml").write_text(UNUSED_PERSONA, "utf-8")
    everything = invoke("validate", str(broken), "--format", "json")
    files = {f["file"] for f in json.loads(everything.stdout)}
    assert files == {"specs/journeys/broken.yml", "specs/personas/lonely.yml"}
    one = invoke("validate", str(broken / "specs" / "personas" / "lonely.yml"),
                 "--format", "json")
    assert {f["file"] for f in json.loads(one.stdout)} == {"specs/personas/lonely.yml"}
    assert one.exit_code == 0, "the errors elsewhere are not shown and do not fail the run"


# --- validate: output formats --------------------------------------------------------

def test_json_format_is_a_list_of_findings(broken):
    result = invoke("validate", str(broken), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert isinstance(findings, list) and findings
    for f in findings:
        assert {"file", "line", "column", "code", "severity", "message"} <= set(f)
        assert f["file"] == "specs/journeys/broken.yml"
        assert isinstance(f["line"], int) and f["line"] >= 1
        assert isinstance(f["column"], int) and f["column"] >= 1
        assert re.fullmatch(r"MG\d{3}", f["code"])
        assert f["severity"] in ("error", "warning")
        assert f["message"]
    assert "summary" not in result.stdout and "0 warnings" not in result.stdout


def test_json_format_of_a_clean_workspace_is_an_empty_list(workspace):
    result = invoke("validate", str(workspace), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_json_severity_follows_strict(warned):
    (lenient,) = json.loads(invoke("validate", str(warned), "--format", "json").stdout)
    (strict,) = json.loads(invoke("validate", str(warned), "--format", "json",
                                  "--strict").stdout)
    assert (lenient["severity"], strict["severity"]) == ("warning", "error")
    assert lenient["code"] == strict["code"] == "MG404"


def test_github_format_is_workflow_annotations(broken):
    (broken / "specs" / "personas" / "lonely.yml").write_text(UNUSED_PERSONA, "utf-8")
    result = invoke("validate", str(broken), "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines
    for line in lines:
        assert GITHUB_LINE.match(line), line
    assert any(line.startswith("::error file=specs/journeys/broken.yml,line=3,col=1,")
               for line in lines)
    assert any(line.startswith("::warning file=specs/personas/lonely.yml,") for line in lines)


def test_github_format_escapes_newlines_and_percent(tmp_path):
    ws = init(tmp_path / "ws")
    (ws / "specs" / "journeys" / "odd.yml").write_text(
        'title: x\nstages:\n  - id: s\n    name: S\n    steps:\n'
        '      - {id: a, name: A, emotion: 0, "50%\\nof: 1"}\n', "utf-8")
    result = invoke("validate", str(ws), "--format", "github")
    assert result.exit_code == 1
    for line in result.stdout.splitlines():
        assert GITHUB_LINE.match(line), line
    assert "%25" in result.stdout and "%0A" in result.stdout


# --- colour and verbosity --------------------------------------------------------------

def test_colour_when_forced(broken):
    result = invoke("validate", str(broken), color=True)
    assert result.exit_code == 1
    assert ANSI.search(result.stdout), "invoke(color=True) keeps colour: the control case"


@pytest.mark.parametrize("value", ["1", "true", "anything"])
def test_no_color_wins_over_forced_colour(broken, value):
    result = invoke("validate", str(broken), color=True, env={"NO_COLOR": value})
    assert result.exit_code == 1
    assert result.stdout and "\x1b" not in result.output


def test_an_empty_no_color_does_not_disable_colour(broken):
    """no-color.org: only a NO_COLOR that is present *and not empty* turns colour off."""
    result = invoke("validate", str(broken), color=True, env={"NO_COLOR": ""})
    assert ANSI.search(result.stdout)


def test_no_colour_when_not_a_terminal(broken):
    result = invoke("validate", str(broken))
    assert "\x1b" not in result.output


def test_real_run_with_no_color_has_no_escapes(broken):
    done = run_real("validate", str(broken), env={"NO_COLOR": "1"})
    assert done.returncode == 1
    assert "\x1b" not in done.stdout + done.stderr
    assert "specs/journeys/broken.yml:3:1: error MG201" in done.stdout


def test_quiet_silences_the_summary(workspace):
    loud = invoke("validate", str(workspace))
    assert "0 errors, 0 warnings" in loud.stderr
    quiet = invoke("-q", "validate", str(workspace))
    assert quiet.exit_code == 0
    assert quiet.output == ""


def test_quiet_still_shows_findings(broken):
    result = invoke("-q", "validate", str(broken))
    assert result.exit_code == 1
    assert "MG201" in result.stdout
    assert result.stderr == ""
    assert not re.search(r"\d+ errors?, \d+ warnings?", result.output), "no summary"


# --- init ------------------------------------------------------------------------------

@pytest.mark.parametrize("stages", list(STAGE_NAMES))
def test_init_writes_a_workspace_that_validates_strict(tmp_path, stages):
    ws = tmp_path / "new"
    result = invoke("init", str(ws), "--stages", stages)
    assert result.exit_code == 0, result.output

    assert (ws / "mapgen.yml").is_file()
    assert list((ws / "specs" / "personas").glob("*.yml"))
    journeys = list((ws / "specs" / "journeys").glob("*.yml"))
    assert len(journeys) == 1
    gitignore = (ws / ".gitignore").read_text("utf-8").splitlines()
    assert "/site/" in gitignore and ".mapgen-cache/" in gitignore
    schemas = sorted(p.name for p in (ws / "schema").glob("*.schema.json"))
    assert schemas == ["config.schema.json", "journey.schema.json", "persona.schema.json"]
    for path in schemas:
        json.loads((ws / "schema" / path).read_text("utf-8"))

    journey = yaml.safe_load(journeys[0].read_text("utf-8"))
    assert [stage["name"] for stage in journey["stages"]] == STAGE_NAMES[stages]

    checked = invoke("validate", str(ws), "--strict")
    assert checked.exit_code == 0, checked.output
    assert "0 errors, 0 warnings" in checked.stderr


def test_init_files_point_their_editors_at_the_schemas(workspace):
    for path in [workspace / "mapgen.yml", *workspace.glob("specs/*/*.yml")]:
        first = path.read_text("utf-8").splitlines()[0]
        match = SCHEMA_LINE.match(first)
        assert match, f"{path.name}: {first}"
        assert (path.parent / match.group(1)).resolve().is_file(), first


def test_init_real_seven_b2b(tmp_path):
    done = run_real("init", "--stages", "seven-b2b", "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    checked = run_real("validate", "demo", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    names = [s["name"] for s in yaml.safe_load(
        (tmp_path / "demo/specs/journeys/first-purchase.yml").read_text("utf-8"))["stages"]]
    assert names[0] == "Out-of-market" and names[-1] == "Loyalty"


def test_init_into_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "--title", "Acme maps").exit_code == 0
    assert yaml.safe_load((tmp_path / "mapgen.yml").read_text("utf-8"))["title"] == "Acme maps"
    assert invoke("validate", "--strict").exit_code == 0


def test_init_an_unknown_stage_model_is_a_usage_error(tmp_path):
    assert invoke("init", str(tmp_path / "x"), "--stages", "four").exit_code == 2
    assert not (tmp_path / "x").exists()


def test_init_refuses_an_existing_workspace(workspace):
    journey = workspace / "specs" / "journeys" / "first-purchase.yml"
    journey.write_text(BROKEN_JOURNEY, "utf-8")
    result = invoke("init", str(workspace))
    assert result.exit_code == 2
    assert "--force" in result.output
    assert journey.read_text("utf-8") == BROKEN_JOURNEY, "nothing was overwritten"
    no_traceback(result)


def test_init_refuses_a_workspace_with_mapgen_yaml(tmp_path):
    (tmp_path / "mapgen.yaml").write_text("title: Mine\n", "utf-8")
    assert invoke("init", str(tmp_path)).exit_code == 2
    assert not (tmp_path / "mapgen.yml").exists()


def test_init_refuses_to_overwrite_specs_without_a_config(tmp_path):
    init(tmp_path / "ws")
    (tmp_path / "ws" / "mapgen.yml").unlink()
    journey = tmp_path / "ws" / "specs" / "journeys" / "first-purchase.yml"
    journey.write_text(BROKEN_JOURNEY, "utf-8")
    result = invoke("init", str(tmp_path / "ws"))
    assert result.exit_code == 2
    assert journey.read_text("utf-8") == BROKEN_JOURNEY


def test_init_force_starts_over(workspace):
    journey = workspace / "specs" / "journeys" / "first-purchase.yml"
    journey.write_text(BROKEN_JOURNEY, "utf-8")
    result = invoke("init", str(workspace), "--force", "--stages", "six")
    assert result.exit_code == 0, result.output
    names = [s["name"] for s in yaml.safe_load(journey.read_text("utf-8"))["stages"]]
    assert names == STAGE_NAMES["six"]
    assert invoke("validate", str(workspace), "--strict").exit_code == 0


def test_init_keeps_an_existing_gitignore(tmp_path):
    (tmp_path / ".gitignore").write_text("node_modules/\n/site/\n", "utf-8")
    init(tmp_path)
    lines = (tmp_path / ".gitignore").read_text("utf-8").splitlines()
    assert lines[0] == "node_modules/"
    assert lines.count("/site/") == 1 and lines.count(".mapgen-cache/") == 1
    assert invoke("init", str(tmp_path), "--force").exit_code == 0
    again = (tmp_path / ".gitignore").read_text("utf-8").splitlines()
    assert again.count("/site/") == 1 and again.count(".mapgen-cache/") == 1


# --- new -------------------------------------------------------------------------------

def test_new_persona_only_warns_that_no_journey_uses_it(workspace):
    result = invoke("new", "persona", "maya", "-d", str(workspace))
    assert result.exit_code == 0, result.output
    path = workspace / "specs" / "personas" / "maya.yml"
    assert path.is_file()
    assert yaml.safe_load(path.read_text("utf-8"))["name"] == "Maya"
    checked = invoke("validate", str(workspace), "--format", "json")
    assert checked.exit_code == 0
    assert [(f["code"], f["severity"]) for f in json.loads(checked.stdout)] == [
        ("MG404", "warning")]


def test_new_persona_then_a_journey_for_it_keeps_strict_clean(workspace):
    assert invoke("new", "persona", "maya", "-d", str(workspace)).exit_code == 0
    result = invoke("new", "journey", "maya-renews", "-d", str(workspace),
                    "--persona", "maya", "--stages", "seven-b2b")
    assert result.exit_code == 0, result.output
    journey = yaml.safe_load(
        (workspace / "specs" / "journeys" / "maya-renews.yml").read_text("utf-8"))
    assert journey["personas"] == ["maya"]
    assert [s["name"] for s in journey["stages"]] == STAGE_NAMES["seven-b2b"]
    checked = invoke("validate", str(workspace), "--strict")
    assert checked.exit_code == 0, checked.output
    assert "2 journeys, 2 personas; 0 errors, 0 warnings" in checked.stderr


def test_new_journey_for_a_persona_not_there_is_refused_and_writes_nothing(workspace):
    result = invoke("new", "journey", "sam-buys", "-d", str(workspace), "--persona", "custmer")
    assert result.exit_code == 2, result.output
    assert 'no persona "custmer"' in result.output and 'did you mean "customer"?' in result.output
    assert "mapgen new persona custmer" in result.output
    assert not (workspace / "specs" / "journeys" / "sam-buys.yml").exists()


@pytest.mark.parametrize("stages", list(STAGE_NAMES))
def test_new_journey_keeps_strict_clean(workspace, stages):
    result = invoke("new", "journey", "second-visit", "-d", str(workspace), "--stages", stages)
    assert result.exit_code == 0, result.output
    path = workspace / "specs" / "journeys" / "second-visit.yml"
    journey = yaml.safe_load(path.read_text("utf-8"))
    assert journey["personas"] == ["customer"], "the first persona by default"
    assert SCHEMA_LINE.match(path.read_text("utf-8").splitlines()[0])
    checked = invoke("validate", str(workspace), "--strict")
    assert checked.exit_code == 0, checked.output


def test_new_in_the_current_folder(workspace, monkeypatch):
    monkeypatch.chdir(workspace / "specs")
    assert invoke("new", "persona", "leo").exit_code == 0
    assert invoke("new", "journey", "leo-buys", "--persona", "leo").exit_code == 0
    assert (workspace / "specs" / "personas" / "leo.yml").is_file()
    assert (workspace / "specs" / "journeys" / "leo-buys.yml").is_file()
    assert invoke("validate", "--strict").exit_code == 0


@pytest.mark.parametrize("kind", ["persona", "journey"])
@pytest.mark.parametrize("bad", ["Maya", "-maya", "maya_chen", "maya chen", "maya.yml",
                                 "../maya", "", "mayá"])
def test_new_refuses_an_invalid_id(workspace, kind, bad):
    before = sorted(p.relative_to(workspace) for p in workspace.rglob("*"))
    result = invoke("new", kind, "-d", str(workspace), "--", bad)
    assert result.exit_code == 2, result.output
    assert "is not an id" in result.output
    no_traceback(result)
    assert sorted(p.relative_to(workspace) for p in workspace.rglob("*")) == before


@pytest.mark.parametrize("kind, existing", [("persona", "customer"),
                                            ("journey", "first-purchase")])
def test_new_refuses_an_existing_file(workspace, kind, existing):
    path = workspace / "specs" / f"{kind}s" / f"{existing}.yml"
    path.write_text(path.read_text("utf-8") + "# my edits\n", "utf-8")
    before = path.read_text("utf-8")
    result = invoke("new", kind, existing, "-d", str(workspace))
    assert result.exit_code == 2, result.output
    assert "will not overwrite" in result.output
    assert path.read_text("utf-8") == before
    no_traceback(result)


@pytest.mark.parametrize("command, target", [
    (["export", "first-purchase", "--format", "csv"], "specs/journeys/first-purchase.yml"),
    (["render", "first-purchase", "--format", "dot"], "mapgen.yml"),
    (["schema", "persona"], "specs/personas/customer.yml"),
    (["schema", "journey"], "specs/journeys/new.yml"),
    (["export", "first-purchase"], "pages/notes.md"),
])
def test_o_never_writes_over_the_workspaces_own_files(workspace, monkeypatch, command,
                                                       target):
    (workspace / "pages").mkdir()
    (workspace / "pages" / "notes.md").write_text("# Notes\n", "utf-8")
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    monkeypatch.chdir(workspace)
    result = invoke(*command, "-o", target)
    assert result.exit_code == 2, result.output
    assert f"-o {target}: this is" in result.output
    assert "never writes over its own inputs" in result.output
    assert "write to another file, e.g. -o " in result.output
    no_traceback(result)
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()} == before
    assert invoke("validate").exit_code == 0


@pytest.mark.parametrize("journey", ["nosuch", "first-purchase"])
def test_a_workspace_view_refuses_a_journey(workspace, journey):
    result = invoke("render", journey, "--view", "overview", "-d", str(workspace))
    assert result.exit_code == 2, result.output
    assert (f"the overview view is of the whole workspace and takes no journey: leave out "
            f"{journey}, e.g. `mapgen render --view overview`") in result.output
    no_traceback(result)


def test_o_replaces_an_earlier_output_of_the_same_name(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    for fmt in ("csv", "json"):
        result = invoke("export", "first-purchase", "--format", fmt, "-o", "out.txt")
        assert result.exit_code == 0, result.output
    assert (workspace / "out.txt").read_text("utf-8").startswith("{")


def test_new_outside_a_workspace_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("new", "persona", "maya", "-d", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert not (tmp_path / "empty" / "specs").exists()


def test_new_uses_the_configured_specs_dir(tmp_path):
    ws = init(tmp_path / "ws")
    (ws / "specs").rename(ws / "maps")
    config = ws / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("specs_dir: specs", "specs_dir: maps"),
                      "utf-8")
    assert invoke("new", "persona", "leo", "-d", str(ws)).exit_code == 0
    assert (ws / "maps" / "personas" / "leo.yml").is_file()
    assert not (ws / "specs").exists()


# --- bad input never crashes ---------------------------------------------------------

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))

#: name -> (bytes written, a code that must be among the file's findings, or None)
GARBAGE = {
    "binary": (bytes(range(256)) * 8, "MG102"),
    "binary-after-text": (b"title: ok\nstages:\n\x00\x81\xfe\xff\n", "MG102"),
    "nul-in-text": (b"title: a\x00b\n", "MG101"),
    "latin-1": ("title: caf\xe9\n".encode("latin-1"), "MG102"),
    "utf-16": ("title: x\n".encode("utf-16"), "MG102"),
    "bom": ("\ufefftitle: x\n".encode(), "MG106"),
    "empty": (b"", None),
    "only-dashes": (b"---\n", None),
    "two-documents": (b"title: a\n---\ntitle: b\n", "MG101"),
    "a-list": (b"- a\n- b\n", "MG108"),
    "a-scalar": (b"just text\n", "MG108"),
    "tabs": (b"title:\tx\n\tstages: []\n", "MG101"),
    "unclosed": (b'title: "x\nstages: [\n', "MG101"),
    "billion-laughs": (LAUGHS.encode(), "MG104"),
    "self-alias": (b"title: &a [*a]\n", "MG104"),
    "deep-flow": (b"title: " + b"[" * 500 + b"]" * 500 + b"\n", "MG101"),
    "deep-block": (b"".join(b"  " * i + b"k%d:\n" % i for i in range(120)), "MG101"),
    "python-tag": (b"!!python/object/apply:os.system ['echo pwned']\n", "MG101"),
    "python-scalar-tag": (b"title: !!python/name:os.system x\n", "MG101"),
    "complex-key": (b"? [a, b]\n: c\n", "MG101"),
    "undefined-alias": (b"<<: *nowhere\n", "MG101"),
    "duplicate-key": (b"title: a\ntitle: b\n", "MG103"),
    "null-key": (b"~: x\ntitle: y\n", None),
    "odd-scalars": ((b"title: .nan\nstages:\n- id: 1e400\n  name: [1]\n  reached: .inf\n"
                     b"  steps: [{id: A, name: ~, emotion: .nan, next: {a: 1}}]\n"), None),
    "too-large": (b"# " + b"x" * (2 * 1024 * 1024 + 16) + b"\n", "MG105"),
}


def _place(ws: Path, where: str, data: bytes) -> Path:
    path = {"journey": ws / "specs" / "journeys" / "garbage.yml",
            "persona": ws / "specs" / "personas" / "garbage.yml",
            "config": ws / "mapgen.yml"}[where]
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("where", ["journey", "persona", "config"])
@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_gives_findings_not_tracebacks(workspace, name, where):
    data, code = GARBAGE[name]
    path = _place(workspace, where, data)
    shown = path.relative_to(workspace).as_posix()
    for fmt in ("text", "json", "github"):
        result = invoke("validate", str(workspace), "--format", fmt)
        no_traceback(result)
        assert result.exit_code in (0, 1), result.output
    findings = json.loads(invoke("validate", str(workspace), "--format", "json").stdout)
    for f in findings:
        assert f["line"] >= 1 and f["column"] >= 1 or f["line"] == 0
    if code is not None:
        assert code in {f["code"] for f in findings if f["file"] == shown}, findings
        if code != "MG106":  # a byte order mark is a warning, the rest are errors
            assert result.exit_code == 1


def test_garbage_beside_other_files_still_reports_those(broken):
    _place(broken, "journey", bytes(range(256)))
    findings = json.loads(invoke("validate", str(broken), "--format", "json").stdout)
    assert {f["file"] for f in findings} == {"specs/journeys/broken.yml",
                                             "specs/journeys/garbage.yml"}


def test_odd_files_in_the_specs_folders(workspace):
    journeys = workspace / "specs" / "journeys"
    (journeys / "folder.yml").mkdir()
    (journeys / "dangling.yml").symlink_to(journeys / "nowhere.yml")
    (journeys / "notes.txt").write_bytes(bytes(range(256)))
    (journeys / "first-purchase.yaml").write_bytes(
        (journeys / "first-purchase.yml").read_bytes())
    (journeys / "Bad Name!.yml").write_bytes((journeys / "first-purchase.yml").read_bytes())
    result = invoke("validate", str(workspace), "--format", "json")
    no_traceback(result)
    assert result.exit_code == 1
    codes = {(f["file"], f["code"]) for f in json.loads(result.stdout)}
    assert {("specs/journeys/first-purchase.yaml", "MG302"),
            ("specs/journeys/first-purchase.yml", "MG302")} & codes, "duplicate id"
    assert ("specs/journeys/Bad Name!.yml", "MG301") in codes, "invalid id from file name"
    assert {("specs/journeys/folder.yml", "MG107"),
            ("specs/journeys/dangling.yml", "MG107")} <= codes, "named as specs, not files"
    assert {f for f, _ in codes} <= {"specs/journeys/first-purchase.yaml",
                                     "specs/journeys/first-purchase.yml",
                                     "specs/journeys/Bad Name!.yml", "specs/journeys/folder.yml",
                                     "specs/journeys/dangling.yml"}, "notes.txt is ignored"


def test_a_bad_file_name_is_reported_once(workspace):
    journeys = workspace / "specs" / "journeys"
    (journeys / "first-purchase.yml").rename(journeys / "Bad Name!.yml")
    result = invoke("validate", str(workspace), "--format", "json")
    assert [f["code"] for f in json.loads(result.stdout)] == ["MG301"]


def test_real_run_on_binary_garbage_has_no_traceback(workspace):
    _place(workspace, "journey", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    _place(workspace, "config", b"\xff\xfe" + "title: x".encode("utf-16-le"))
    for fmt in ("text", "json", "github"):
        done = run_real("validate", str(workspace), "--format", fmt)
        no_traceback(done)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "mapgen.yml" in done.stdout


def test_a_specs_dir_too_long_is_a_finding_not_an_internal_error(workspace):
    config = workspace / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace(
        "specs_dir: specs", "specs_dir: " + "x" * 300), "utf-8")
    done = run_real("validate", str(workspace))
    no_traceback(done)
    assert done.returncode == 1, done.stdout + done.stderr


# --- site_url --------------------------------------------------------------------------

GENERIC_ADVICE = ('write an http:// or https:// URL with a host, or a path starting with "/", '
                  'e.g. "https://your-org.github.io/journeys/" or "/journeys/"')
#: A site_url that is no web address, and what the finding must tell its writer to do.
NOT_WEB_ADDRESSES = [
    ("javascript:alert(1)//", GENERIC_ADVICE),
    ("ftp://x", GENERIC_ADVICE),
    ("//evil.example/", GENERIC_ADVICE),
    ("/\\evil.example/", GENERIC_ADVICE),
    ("https://", GENERIC_ADVICE),
    ("data:text/html,hi", GENERIC_ADVICE),
    ("example.com", 'add the scheme: "https://example.com"'),
    ("https://x.example/?a=1", 'leave out the ?query and #fragment: "https://x.example/"'),
]
WEB_ADDRESSES = ["https://acme.github.io/journeys/", "http://intranet:8080", "/journeys/", "/"]


def _with_site_url(workspace: Path, url: str) -> tuple[int, int]:
    """Set site_url in the workspace's mapgen.yml; the line and column of its value."""
    config = workspace / "mapgen.yml"
    lines = config.read_text("utf-8").splitlines()
    lines.append(f"site_url: {json.dumps(url)}")
    config.write_text("\n".join(lines) + "\n", "utf-8")
    return len(lines), len("site_url: ") + 1


@pytest.mark.parametrize("url, advice", NOT_WEB_ADDRESSES)
def test_a_site_url_that_is_not_a_web_address_is_a_located_error(workspace, monkeypatch,
                                                                   url, advice):
    line, column = _with_site_url(workspace, url)
    monkeypatch.chdir(workspace)
    for command in ("validate", "build"):
        result = invoke(command)
        assert result.exit_code == 1, result.output
        assert f"mapgen.yml:{line}:{column}: error MG205 site_url: " in result.output
        assert "is not a web address" in result.output and advice in result.output
        no_traceback(result)
    assert not (workspace / "site").exists(), "nothing is built with such a site_url"


@pytest.mark.parametrize("url", WEB_ADDRESSES)
def test_a_web_address_or_a_path_is_a_site_url(workspace, monkeypatch, url):
    _with_site_url(workspace, url)
    monkeypatch.chdir(workspace)
    result = invoke("build")
    assert result.exit_code == 0, result.output
    page = (workspace / "site/404.html").read_text("utf-8")
    assert f'href="{url.rstrip("/")}/' in page, "404.html links from site_url"


@pytest.mark.parametrize("command", ["build", "serve"])
@pytest.mark.parametrize("url", ["javascript:alert(1)//", "ftp://x", "example.com"])
def test_site_url_on_the_command_line_must_be_a_web_address(workspace, command, url):
    done = run_real(command, "--site-url", url, cwd=workspace)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--site-url" in done.stderr and f'"{url}" is not a web address' in done.stderr
    no_traceback(done)
    assert not (workspace / "site").exists()


# --- the example workspace -----------------------------------------------------------

def test_the_example_workspace_validates_strict():
    if not (REPO / "specs" / "journeys").is_dir():
        pytest.skip("the example workspace (specs/) is not written yet")
    for target in ("specs", "."):
        done = run_real("validate", target, "--strict", cwd=REPO)
        assert done.returncode == 0, done.stdout + done.stderr
