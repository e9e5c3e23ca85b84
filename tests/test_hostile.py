"""Hostile text stays text in every output that is not HTML (issue 13, must show 6).

Specs are written by anyone who can open a pull request. Their text reaches a terminal
(`mapgen validate`, `mapgen diff`, build and serve messages), GitHub's log (annotations) and
a pull-request comment (`mapgen diff --format markdown`). Each test writes hostile strings
into real spec files and checks what the real command prints.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import VALID_JOURNEY, VALID_PERSONA
from mapgen.escape import for_markdown, for_terminal, markdown_fence

JOURNEY = "specs/journeys/signup.yml"
ESC, BEL, CSI8 = "\x1b", "\x07", "\x9b"

#: What a terminal would act on: clear the screen, retitle the window, a hidden hyperlink,
#: an 8-bit CSI, a right-to-left override ("Trojan source"), a bell, a NUL.
TERMINAL_ATTACK = (f"Pays{ESC}[2J{ESC}]0;owned{BEL} by {ESC}]8;;https://evil.example{ESC}\\card"
                   f"{ESC}]8;;{ESC}\\ {CSI8}31mnow\u202egnol\u202c {ESC}c\x00done")
#: What a terminal shows once the attack is taken out.
TERMINAL_SHOWN = "Pays by card nowgnol done"
#: Anything a terminal or GitHub's log would act on, beyond the line break between lines.
ACTIVE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: What Markdown would turn into markup: HTML, a heading, a table cell, a link, emphasis,
#: code, an entity, math; and a line break that would start a block of its own.
MARKDOWN_ATTACK = ("<script>alert(1)</script> # Owned | cell [a](javascript:alert(1)) "
                   "*b* _i_ `code` &amp; $x$ ~~s~~ ![img](x.png)\n# Heading\n<img src=x>")


def yaml_text(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def workspace(tmp_path: Path, journey: str = VALID_JOURNEY, **files: str) -> Path:
    root = tmp_path / "ws"
    for name, content in {"mapgen.yml": "title: Hostile\n", JOURNEY: journey,
                          "specs/personas/ana.yml": VALID_PERSONA, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return root


def mapgen(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("MAPGEN_TRACEBACK", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "mapgen", *args], cwd=root,
                          env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=120, check=False)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=Test", *args],
                   cwd=root, check=True, capture_output=True)


# --- the helpers themselves ------------------------------------------------------------

def test_for_terminal_keeps_the_text_and_drops_what_a_terminal_acts_on():
    assert for_terminal(TERMINAL_ATTACK) == TERMINAL_SHOWN


@pytest.mark.parametrize("sequence", [
    f"{ESC}[31m", f"{ESC}[1;2;3H", f"{ESC}[?25l", f"{CSI8}2J", f"{ESC}]0;title{BEL}",
    f"{ESC}]52;c;cGF3bmVk{ESC}\\", "\x9d0;title\x9c", f"{ESC}P+q544e{ESC}\\", f"{ESC}c",
    f"{ESC}7", f"{ESC}(0", "\u202e", "\u2066", "\x00", "\x7f", "\x85"])
def test_for_terminal_removes_each_kind_of_sequence(sequence):
    assert ACTIVE.search(for_terminal(f"a{sequence}b")) is None


def test_for_terminal_makes_one_line():
    assert for_terminal("one\ntwo\r\nthree\rfour\u2028five\tsix") == \
        "one two three four five six"


def test_an_unterminated_title_sequence_loses_only_its_start():
    assert for_terminal(f"{ESC}]0;the rest is text") == "0;the rest is text"


def test_for_markdown_renders_as_the_text_itself():
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).renderInline(
        for_markdown(MARKDOWN_ATTACK))
    shown = html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&amp;", "&")
    assert shown == " ".join(MARKDOWN_ATTACK.split("\n"))


def test_a_fence_is_longer_than_any_backticks_inside():
    assert markdown_fence("a ```` b") == "`````" and markdown_fence("plain") == "```"


# --- validate: text, GitHub annotations, JSON ----------------------------------------

HOSTILE_JOURNEY = f"""\
title: Sign up
personas: [ana, {yaml_text("bo" + ESC + "]0;owned" + BEL)}]
status: {yaml_text("currnt" + ESC + "[2J" + TERMINAL_ATTACK)}
stages:
  - id: start
    name: Start
    steps:
      - id: visit
        name: {yaml_text(TERMINAL_ATTACK)}
        emotion: 0
        next: [{yaml_text("pay" + CSI8 + "31m" + chr(0x202e) + "later")}]
"""


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_validate_prints_user_text_without_escapes_or_controls(tmp_path, fmt):
    root = workspace(tmp_path, HOSTILE_JOURNEY)
    done = mapgen(root, "validate", "--format", fmt)
    assert done.returncode == 1
    assert ACTIVE.search(done.stdout + done.stderr) is None, repr(done.stdout)
    assert f'"currnt{TERMINAL_SHOWN}" is not a status' in done.stdout  # the text is still shown
    assert 'no persona "bo"' in done.stdout and 'no step "paylater"' in done.stdout
    assert len(done.stdout.splitlines()) == 3, done.stdout  # each finding on its one line


def test_validate_json_keeps_the_text_as_written(tmp_path):
    root = workspace(tmp_path, HOSTILE_JOURNEY)
    done = mapgen(root, "validate", "--format", "json")
    [status] = [f for f in json.loads(done.stdout) if f["code"] == "MG203"]
    assert ESC + "[2J" in status["message"]  # JSON escapes it; a tool gets what was written


def test_a_line_break_in_a_value_cannot_fake_a_finding(tmp_path):
    fake = f"{JOURNEY}:1:1: error MG999 forged finding"
    status = f"status: {yaml_text('x' + chr(10) + fake)}\n"
    root = workspace(tmp_path, VALID_JOURNEY.replace("title: Sign up\n", f"title: x\n{status}"))
    for fmt in ("text", "github"):
        done = mapgen(root, "validate", "--format", fmt)
        assert done.returncode == 1
        assert not any(line.startswith((fake, "::error file=" + JOURNEY + ",line=1,col=1,"
                                        "title=MG999")) for line in done.stdout.splitlines())
        assert len(done.stdout.splitlines()) == 1, done.stdout


def test_a_file_name_with_escapes_is_printed_without_them(tmp_path):
    root = workspace(tmp_path, **{f"specs/personas/{ESC}[31mred{BEL}.yml": "name: Red\n"})
    done = mapgen(root, "validate")
    assert done.returncode == 1
    assert ACTIVE.search(done.stdout + done.stderr) is None
    assert "specs/personas/red.yml:1:1: error MG301" in done.stdout


def test_build_reports_findings_without_escapes(tmp_path):
    root = workspace(tmp_path, HOSTILE_JOURNEY)
    done = mapgen(root, "build", "-d", str(tmp_path / "site"))
    assert done.returncode == 1
    assert ACTIVE.search(done.stderr) is None and "MG203" in done.stderr


def test_an_unknown_journey_named_on_the_command_line_is_echoed_without_escapes(tmp_path):
    root = workspace(tmp_path)
    done = mapgen(root, "export", f"sign{ESC}]0;owned{BEL}up")
    assert done.returncode == 2
    assert ACTIVE.search(done.stderr) is None and 'no journey "signup"' in done.stderr


# --- diff: text and Markdown ---------------------------------------------------------

@pytest.fixture()
def changed(tmp_path) -> Path:
    """A git repository whose working tree renames the journey and its step to hostile
    text and adds a pain point and a step with more of it."""
    root = workspace(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "maps")
    hostile = VALID_JOURNEY.replace("title: Sign up", f"title: {yaml_text(MARKDOWN_ATTACK)}")
    hostile = hostile.replace("name: Visits the site", f"name: {yaml_text(TERMINAL_ATTACK)}")
    hostile += f"""\
        pain_points:
          - text: {yaml_text(MARKDOWN_ATTACK + TERMINAL_ATTACK)}
            severity: low
      - id: pay
        name: {yaml_text("```" + chr(10) + "# Pays" + chr(10) + "<b>bold</b>")}
        emotion: 1
"""
    (root / JOURNEY).write_text(hostile.replace("emotion: 0\n", "emotion: 0\n        next: "
                                                "[pay]\n"), encoding="utf-8")
    return root


def test_diff_text_prints_user_text_without_escapes(changed):
    done = mapgen(changed, "diff", "main")
    assert done.returncode == 0, done.stderr
    assert ACTIVE.search(done.stdout) is None, repr(done.stdout)
    assert TERMINAL_SHOWN in done.stdout


def test_diff_markdown_keeps_titles_and_names_as_text(changed):
    done = mapgen(changed, "diff", "main", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(done.stdout)
    kinds = [t.type for t in tokens]
    assert "html_block" not in kinds and "table_open" not in kinds
    headings = [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens)
                if t.type == "heading_open"]
    assert [tag for tag, _ in headings] == ["h3", "h4"]  # none but mapgen's own
    inline = [child for t in tokens if t.type == "inline" for child in t.children or ()]
    assert {c.type for c in inline} <= {"text", "strong_open", "strong_close", "softbreak"}
    title = " ".join(MARKDOWN_ATTACK.split("\n"))
    assert [_plain(content) for _, content in headings[1:]] == [f"{title} (signup)"]
    assert any("journey title" in t.content for t in tokens if t.type == "inline"), (
        "the new title is in the list of changes too")
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"], "the chart stays in one code block"
    assert ACTIVE.search(done.stdout) is None, "printed on a terminal first, often"


def _plain(inline_markdown: str) -> str:
    """The text that inline Markdown shows."""
    return "".join(c.content for c in MarkdownIt("commonmark").parseInline(
        inline_markdown)[0].children if c.type == "text")
