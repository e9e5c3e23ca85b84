"""`mapgen import`: Mermaid and spreadsheets as people make them, in; specs that validate
out; export -> import gives back the same journey.

The input files are in tests/imports/ (written for these tests in the shapes real ones
have); workbooks are built here with openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from mapgen import importer, spreadsheet
from mapgen.export import mermaid_score, to_csv, to_json, to_mermaid
from mapgen.model import ID_PATTERN
from mapgen.sheet import spec_data
from mapgen.workspace import read_workspace

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
IMPORTS = TESTS / "imports"


def mapgen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real command, as a user runs it (conftest puts this checkout on the path)."""
    return subprocess.run([sys.executable, "-m", "mapgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def imported(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess:
    return mapgen("import", str(IMPORTS / name), *args, cwd=tmp_path)


def imported_text(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess:
    """Import a file of ``text`` written as ``name`` in ``tmp_path``."""
    source = tmp_path / name
    source.write_text(text, "utf-8")
    return mapgen("import", str(source), cwd=tmp_path)


def written(root: Path) -> list[str]:
    specs = root / "specs"
    return sorted(str(p.relative_to(specs)) for p in specs.rglob("*.yml")) if specs.exists() \
        else []


def journey(root: Path, ident: str):
    result = read_workspace(root)
    return result.workspace.journeys[ident], result.workspace


def assert_no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


# --- Mermaid -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["onboarding.mmd", "workshop.md"])
def test_an_imported_mermaid_file_validates_strictly_with_no_hand_edits(tmp_path, name):
    done = imported(tmp_path, name)
    assert done.returncode == 0, done.stderr
    checked = mapgen("validate", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_front_matter_acc_title_and_descr_comments_bom_and_crlf_import(tmp_path):
    assert (IMPORTS / "onboarding.mmd").read_bytes().startswith(b"\xef\xbb\xbf")
    done = imported(tmp_path, "onboarding.mmd")
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "opening-a-business-account")
    assert found.title == "Opening a business account", "the front matter's title"
    assert found.description == ("How a shop owner opens an account and takes a first "
                                 "payment.")
    assert found.extensions["x-acc-title"] == "Business account onboarding"
    assert found.extensions["x-mermaid"] == {"config": {"journey": {"taskMargin": 60}}}
    assert [s.name for s in found.stages] == ["Sign up", "First payment"]
    assert [s.name for s in found.steps] == [
        "Finds the pricing page", "Uploads ID documents", "Waits for approval",
        "Connects the card reader", "Takes a first payment: €12.50"]
    names = {p.id: p.name for p in ws.personas.values()}
    assert names == {"shop-owner": "Shop owner", "compliance-officer": "Compliance officer",
                     "customer": "Customer"}
    waits = found.steps[2]
    assert waits.emotion == {"shop-owner": -2}, "1 is the bottom of the scale; # comment gone"


def test_every_journey_block_of_a_markdown_file_is_its_own_journey(tmp_path):
    done = imported(tmp_path, "workshop.md")
    assert done.returncode == 0, done.stderr
    assert "3 journey diagrams" in done.stderr
    ws = read_workspace(tmp_path).workspace
    titles = sorted(j.title for j in ws.journeys.values())
    assert titles == ["Moving house with the bank", "ユーザー登録", "注册流程"]
    japanese = next(j for j in ws.journeys.values() if j.title == "ユーザー登録")
    assert japanese.description == "申し込みから本人確認まで。\nシステムはeKYCです。", \
        "accDescr { } after a section, in an indented fence, keywords in capitals"
    assert [s.name for s in japanese.stages] == ["申し込み", "利用開始"]
    moving = next(j for j in ws.journeys.values() if j.title == "Moving house with the bank")
    assert moving.extensions == {}, "accTitle is the title when there is no title line"
    assert moving.stages[0].steps[0].name == "Checks the new address rules", \
        "a task before any section gets a stage of its own"
    assert [s.name for s in moving.steps].count("Celebrates") == 2
    assert len({s.id for s in moving.steps}) == len(moving.steps)


def test_non_latin_actors_become_distinct_personas_with_stable_readable_ids(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for root in (first, second):
        root.mkdir()
        assert imported(root, "workshop.md").returncode == 0
    personas = read_workspace(first).workspace.personas
    by_name = {p.name: p.id for p in personas.values()}
    assert {"用户", "客服", "系统", "ユーザー", "システム", "Tenant", "Partner"} == set(by_name)
    assert len(set(by_name.values())) == len(by_name), "distinct actors never merge"
    assert all(re.fullmatch(ID_PATTERN, ident) for ident in by_name.values())
    assert by_name["用户"].startswith("yonghu-") and by_name["システム"].startswith("shisutemu-")
    assert by_name["Tenant"] == "tenant"
    assert written(first) == written(second), "the same ids on every run"


@pytest.mark.parametrize("name, readable", [
    ("👤 登录体验", "denglutiyan"), ("📱 MFA验证阶段", "mfayanzhengjieduan"),
    ("🔐 Login", "login"), ("🚀", "stage")])
def test_an_emoji_before_a_name_is_no_part_of_its_id(name, readable):
    """Mermaid sections and titles are often an emoji and a name: "👤 登录体验" became
    bust-in-silhouette-denglutiyan-1e4f, the emoji spelled out in the id."""
    assert re.fullmatch(rf"{readable}(-[0-9a-f]{{4}})?", importer.make_id(name, "stage", set()))


def test_names_that_read_the_same_in_latin_letters_get_different_ids():
    taken: set[str] = set()
    ids = []
    for name in ("用户", "用戶", "Łukasz", "Lukasz", "José", "Jose", "😀"):
        ids.append(importer.make_id(name, "persona", taken))
        taken.add(ids[-1])
    assert len(set(ids)) == len(ids)
    assert ids[2] == "lukasz" and ids[3].startswith("lukasz-") and ids[4] == "jose"
    assert ids[6].startswith("grinning-") or ids[6].startswith("persona-")
    assert importer.make_id("用户", "persona", set()) == ids[0], "stable"


@pytest.mark.parametrize("name, ident", [("Vertrag abschließen", "vertrag-abschliessen"),
                                         ("Søren Ærø", "soren-aero"), ("Łódź", "lodz")])
def test_latin_letters_without_accents_are_spelled_out_not_hashed(name, ident):
    """"ß" was taken for another script: a German step got "vertrag-abschliessen-c1ec"."""
    assert importer.make_id(name, "step", set()) == ident


def test_actors_match_the_workspace_personas_by_name_or_id(tmp_path):
    (tmp_path / "specs/personas").mkdir(parents=True)
    owner = tmp_path / "specs/personas/sam.yml"
    owner.write_text("name: Shop Owner\nrole: Runs a bakery\n")
    (tmp_path / "specs/personas/customer.yml").write_text("name: Cleo\n")
    done = imported(tmp_path, "onboarding.mmd")
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "opening-a-business-account")
    assert set(found.personas) == {"sam", "customer", "compliance-officer"}
    assert owner.read_text() == "name: Shop Owner\nrole: Runs a bakery\n", "not rewritten"
    assert "Wrote specs/personas/sam.yml" not in done.stderr


def test_scores_outside_one_to_five_widen_the_journey_scale_and_are_said(tmp_path):
    done = imported(tmp_path, "workshop.md")
    assert done.returncode == 0, done.stderr
    ws = read_workspace(tmp_path).workspace
    moving = next(j for j in ws.journeys.values() if j.title == "Moving house with the bank")
    assert (moving.emotion_scale.min, moving.emotion_scale.max) == (-3, 5)
    scores = {s.name: s.emotion for s in moving.steps}
    assert scores["Tells the bank"] == {"tenant": -3}, "0 is one below Mermaid's 1"
    assert scores["Gets a letter"] == {"tenant": 3}
    assert scores["Gets the new card"] == {"tenant": 5, "partner": 5}
    assert ("scores from 0 to 8 (Mermaid's 1 sad to 5 happy) lie outside the scale -2..2; "
            "the journey gets its own scale -3..5, where they are -3 to 5") in done.stderr


@pytest.mark.parametrize("scores, scale, mapped", [
    ((4, 7), (-2, 4), (1, 4)),  # all good or better: never the bottom of a 1..5 scale
    ((6, 6), (-2, 3), (3, 3)),  # a diagram scored 6 throughout (seen in a real README)
    ((2, 8), (-2, 5), (-1, 5)),
])
def test_mermaid_scores_above_five_keep_their_meaning(tmp_path, scores, scale, mapped):
    """Mermaid's 4 is good: a diagram scored 4 and 7 once got the scale 1..5 with its 4
    at the bottom, and its 6s became 3s, neutral on 1..5."""
    (tmp_path / "path.mmd").write_text(
        "journey\n  title Learning path\n  section Start\n"
        f"    Basics: {scores[0]}: Me\n    Mastery: {scores[1]}: Me\n")
    done = mapgen("import", "path.mmd", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "learning-path")
    assert (found.emotion_scale.min, found.emotion_scale.max) == scale
    assert [s.emotion for s in found.steps] == [{"me": mapped[0]}, {"me": mapped[1]}]
    assert found.emotion_scale.label(0) == "neutral", "the workspace's labels are kept"
    assert f"scores from {min(scores)} to {max(scores)} (Mermaid's" in done.stderr


def test_mermaid_lines_it_cannot_read_are_reported_by_line_and_nothing_is_written(tmp_path):
    done = imported(tmp_path, "bad.mmd")
    assert done.returncode == 1
    assert_no_traceback(done)
    source = str(IMPORTS / "bad.mmd")
    assert f"{source}:4:21: the score 'five'" in done.stderr
    assert f"{source}:5:23: the score '3.5'" in done.stderr and "write one from 1" in done.stderr
    assert "e.g. `Drops the parcel: 4: Leo`" in done.stderr, "the actors kept, the score whole"
    assert f"{source}:6:3: cannot read 'this line means nothing'" in done.stderr
    assert "no steps found" not in done.stderr, "it follows from what is said above"
    assert written(tmp_path) == []


@pytest.mark.parametrize("line, said", [
    ("    Confirm:", ':5:13: the task "Confirm" has no score; write one from 1 (sad) to 5 '
                   "(happy) after its name, e.g. `Confirm: 3`"),
    ("    登录网站：4：用户", ":5:5: cannot read '登录网站：4：用户'; write `title ...`, "
                     "`section ...` or a task `Name: score: actor, actor` with ASCII "
                     "colons: `登录网站: 4: 用户`"),
    ("    Review PR #42: 4: Dev", ":5:5: cannot read 'Review PR'; write `title ...`, "
                                "`section ...` or a task `Name: score: actor, actor` (`#` "
                                "starts a comment in Mermaid, so the line ends before "
                                "'#42: 4: Dev': write `#35;` for the character)"),
])
def test_a_mermaid_line_mermaid_cannot_read_says_where_and_what_to_write(tmp_path, line, said):
    (tmp_path / "j.mmd").write_text(f"journey\n  title T\n  section S\n    Opens: 4: Me\n{line}\n")
    done = mapgen("import", "j.mmd", cwd=tmp_path)
    assert done.returncode == 1 and written(tmp_path) == []
    assert f"j.mmd{said}" in done.stderr


def test_a_task_scored_n_a_or_x_is_a_step_with_no_feeling_and_said(tmp_path):
    """A cheat sheet's "Score N/A/5: X" stopped the whole file: a score that says there is
    none is a step without a feeling (a gap in the curve, which validate names)."""
    (tmp_path / "j.mmd").write_text("journey\n  title Checkout\n  section Pay\n"
                                    "    Enters the card: 4: Maya\n"
                                    "    Waits for the bank: N/A: Maya, Bank\n"
                                    "    Score N/A/5: X\n")
    done = mapgen("import", "j.mmd", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ("j.mmd:5:25: the task \"Waits for the bank\" is scored 'N/A', no score: its "
            "step has no feeling") in done.stderr
    found, ws = journey(tmp_path, "checkout")
    assert [(s.name, s.emotion) for s in found.steps] == [
        ("Enters the card", {"maya": 1}), ("Waits for the bank", None), ("Score N/A/5", None)]
    assert sorted(ws.personas) == ["maya"], "no persona for an actor of a task scored none"


def test_an_import_writes_all_its_files_or_none(tmp_path):
    """A journey and its two personas: a reader gone from the pipe ("| head -0") left the
    journey written and its personas not, which `validate` refuses; a folder that cannot
    be written left some files and not others."""
    source = tmp_path / "pay.mmd"
    source.write_text("journey\n  title Paying\n  section Pay\n    Pays: 4: Maya, Sam\n",
                      "utf-8")
    target = tmp_path / "ws"
    target.mkdir()
    with subprocess.Popen([sys.executable, "-m", "mapgen", "import", str(source)],
                          cwd=target, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        run.stdout.close()
        run.stderr.close()  # the reader is gone before the first line is said
        run.wait(timeout=120)
    assert written(target) == ["journeys/paying.yml", "personas/maya.yml", "personas/sam.yml"]

    blocked = tmp_path / "blocked"
    (blocked / "specs").mkdir(parents=True)
    (blocked / "specs/personas").write_text("a file where the folder goes", "utf-8")
    done = mapgen("import", str(source), cwd=blocked)
    assert done.returncode == 1 and "nothing was written" in done.stderr, done.stderr
    assert_no_traceback(done)
    assert [p.name for p in (blocked / "specs").rglob("*") if p.is_file()] == ["personas"], \
        "no journey written, nothing left beside"


def test_a_one_line_directive_with_colours_is_skipped_whole(tmp_path):
    """Its `#E6F0FF` is no comment: cut there, the directive looked open to the end of
    the block, and the journey after it was lost."""
    (tmp_path / "j.md").write_text(
        '```mermaid\n%%{init: {"themeVariables": {"primaryColor": "#E6F0FF"}} }%%\n'
        "journey\n  title Executive path\n  section Decide\n    Approves: 5: Executive\n```\n")
    done = mapgen("import", "j.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [s.name for s in journey(tmp_path, "executive-path")[0].steps] == ["Approves"]


def test_a_journey_in_a_block_quote_is_read_and_a_long_one_is_said(tmp_path):
    """An Obsidian note kept its diagram in a callout (`> ` on every line); a 26-task
    journey imported without a word, then failed `validate --strict` (MG408)."""
    tasks = "".join(f">     Task {n}: 3: Me\n" for n in range(1, 23))
    (tmp_path / "note.md").write_text("> [!note] Journey\n> ```mermaid\n> journey\n"
                                      f">   title Long\n>   section All\n{tasks}> ```\n")
    done = mapgen("import", "note.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(journey(tmp_path, "long")[0].steps) == 22
    assert "note.md: 22 steps; `mapgen validate` warns past 20 (MG408)" in done.stderr


def test_a_journey_in_an_html_comment_is_not_imported(tmp_path):
    """A blog post kept an old diagram in `<!-- -->`: GitHub shows none of it."""
    (tmp_path / "j.md").write_text(
        "<!-- the old version\n```mermaid\njourney\n  title Old\n  section S\n    A: 3: Me\n"
        "```\n-->\n```mermaid\njourney\n  title New\n  section S\n    B: 4: Me\n```\n")
    done = mapgen("import", "j.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert written(tmp_path) == ["journeys/new.yml", "personas/me.yml"]


@pytest.mark.parametrize("name, text", [
    ("post.md", "Intro\n\n{% mermaid journey %}\n%%{init: {'theme':'default'}}%%\n"
                "\ttitle Why Paxos\n\tsection One node\n\t\tOne copy: 1 : Low availability\n"
                "{% endmermaid %}\n"),
    ("notes.rst", "Journeys\n========\n\n.. mermaid::\n   :caption: A day\n\n   journey\n"
                  "       title Why Paxos\n       section One node\n"
                  "         One copy: 1: Low availability\n\nAfter the diagram.\n"),
    ("notes.rst", "Journeys\n========\n\n.. code:: mermaid\n\n   journey\n       title Why "
                  "Paxos\n       section One node\n         One copy: 1: Low availability\n"),
])
def test_mermaid_in_hexo_tags_and_restructuredtext_directives_is_read(tmp_path, name, text):
    """A Hexo blog wrote its journey in `{% mermaid journey %}` tags; Sphinx notes in a
    `.. mermaid::` or `.. code:: mermaid` directive."""
    (tmp_path / name).write_text(text)
    done = mapgen("import", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "why-paxos")
    assert [(s.name, s.emotion) for s in found.steps] == [
        ("One copy", {"low-availability": -2})]


def test_a_journey_outside_a_mermaid_block_is_pointed_at(tmp_path):
    (tmp_path / "j.md").write_text("# Path\n\n```bat\njourney\n  title T\n```\n")
    done = mapgen("import", "j.md", cwd=tmp_path)
    assert done.returncode == 1
    assert "the `journey` on line 4 is not in a Mermaid block" in done.stderr
    (tmp_path / "j.md").write_text("# Path\n<!--\n```mermaid\njourney\n  title T\n```\n-->\n")
    done = mapgen("import", "j.md", cwd=tmp_path)
    assert "the `journey` on line 4 is inside an HTML comment" in done.stderr


@pytest.mark.parametrize("name, text", [
    ("slides.md", '<div class="mermaid">\njourney\n  title Bid &amp; win\n  section Bid\n'
                  "    Registers: 3: Bidder\n</div>\n"),
    ("page.html", '<p>Our map</p><pre class="mermaid">journey\n  title Bid &amp; win\n'
                  "  section Bid\n    Registers: 3: Bidder</pre>\n"),
    ("wiki.md", "Intro\n\n::: mermaid\njourney\n  title Bid & win\n  section Bid\n"
                "    Registers: 3: Bidder\n:::\n"),
    ("post.md", "{{< mermaid >}}\njourney\ntitle Bid & win\nsection Bid\nRegisters: 3: Bidder\n"
                "{{< /mermaid >}}\n"),
    ("guide.adoc", "= Guide\n\n[mermaid]\n....\njourney\n  title Bid & win\n  section Bid\n"
                   "    Registers: 3: Bidder\n....\n"),
])
def test_mermaid_in_html_azure_hugo_and_asciidoc_blocks_is_read(tmp_path, name, text):
    """Real pages keep their diagrams in <div class="mermaid"> (reveal.js, Marp, Jekyll),
    ::: mermaid (Azure DevOps wikis), {{< mermaid >}} (Hugo) and [mermaid] (AsciiDoc):
    each was "no Mermaid journey diagram here"."""
    (tmp_path / name).write_text(text)
    done = mapgen("import", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "bid-win")
    assert found.title == "Bid & win", "HTML entities decoded"
    assert [(s.name, s.emotion) for s in found.steps] == [("Registers", {"bidder": 0})]


def test_what_mermaid_reads_otherwise_or_leaves_out_is_said_and_kept(tmp_path):
    """A real diagram had `section Step 1: Context` (Mermaid draws nothing for it, and the
    import suggested `section Step 1: 3`); another a title cut at `#`; another an init
    directive over several lines, in a fence indented under a list item."""
    (tmp_path / "j.md").write_text(
        "# Onboarding\n\n1. The journey:\n\n    ```mermaid\n    %%{\n      init: {\"theme\": "
        "\"forest\"}\n    }%%\n    journey\n      title Sprint #3 retro\n"
        "      section Step 1: Context\n        Reads the brief: 3: Dev\n    ```\n")
    done = mapgen("import", "j.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "sprint")
    assert found.title == "Sprint" and [s.name for s in found.stages] == ["Step 1: Context"]
    assert "j.md:11: the section 'Step 1: Context' is read whole" in done.stderr
    assert "j.md:10: `#` starts a comment in Mermaid, so '#3 retro' is left out" in done.stderr


def test_a_mermaid_diagram_saved_as_txt_is_read_as_mermaid(tmp_path):
    source = tmp_path / "returns.txt"
    source.write_text("journey\n  title Returns\n  section Return\n    Prints a label: 4: Leo\n")
    done = mapgen("import", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [s.name for s in journey(tmp_path, "returns")[0].steps] == ["Prints a label"]


def test_a_markdown_file_without_a_journey_says_what_it_found(tmp_path):
    source = tmp_path / "notes.md"
    source.write_text("# Notes\n\n```mermaid\nflowchart LR\n  A --> B\n```\n")
    done = mapgen("import", str(source), cwd=tmp_path)
    assert done.returncode == 1
    assert "no Mermaid journey diagram here (found: flowchart)" in done.stderr
    assert_no_traceback(done)


def test_list_cells_as_people_write_them_are_one_item_a_line(tmp_path):
    """A sentence wrapped in its cell is one pain point, not two; bullets ("- ", "•",
    "1.") are taken off, and a bullet's second line stays with it."""
    source = tmp_path / "map.csv"
    source.write_text(
        'Stage,Step,Pain points,Thoughts,Touchpoints,Personas\n'
        'Discover,Searches,"Results are slow to load\nand the filters reset","Is it down?"\n'
        'Discover,Compares,"- Fees are hidden\n- No phone number,\n  only a chat bot",'
        '"• Which one?\n• Is it safe?"\n'
        'Decide,Signs up,"1. The form is long.\n2) it asks for a fax number","Fine.\nokay"\n'
        'Decide,Pays,,,"- app: card payment\n- email: receipt","maya\nleo"\n',
        "utf-8")
    done = mapgen("import", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    searches, compares, signs_up, pays = journey(tmp_path, "map")[0].steps
    assert [p.text for p in searches.pain_points] == [
        "Results are slow to load and the filters reset"]
    assert [p.text for p in compares.pain_points] == [
        "Fees are hidden", "No phone number, only a chat bot"]
    assert list(compares.thoughts) == ["Which one?", "Is it safe?"]
    assert [p.text for p in signs_up.pain_points] == [
        "The form is long.", "it asks for a fax number"]
    assert list(signs_up.thoughts) == ["Fine.", "okay"], "a sentence ended: a new item"
    assert [(t.channel, t.name) for t in pays.touchpoints] == [
        ("app", "card payment"), ("email", "receipt")]
    assert list(pays.personas) == ["maya", "leo"], "ids are no sentence wrapped"


# --- journey maps kept as Markdown tables ------------------------------------------------------

def test_a_journey_map_kept_as_a_markdown_table_validates_strictly_with_no_hand_edits(
        tmp_path):
    """A team's journey map in its docs: a heading, a Persona line, and a pipe table with
    lanes as columns (another table above it, the document's history, is no journey)."""
    done = imported(tmp_path, "journey-map.md")
    assert done.returncode == 0, done.stderr
    assert "read the table on line 16" in done.stderr
    checked = mapgen("validate", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    found, ws = journey(tmp_path, "journey-map")
    assert found.title == "Opening a current account online", "the heading over the table"
    assert [p.name for p in ws.personas.values()] == ["Ana (first job, moving city)"]
    assert [s.name for s in found.stages] == ["Discover", "Apply", "Start using"]
    first, _, proves, waits, card = found.steps
    assert first.actions == "Reads two comparison sites | asks friends", "\\| is a pipe"
    assert list(first.thoughts) == ["Which one has no monthly fee?"], '"What she thinks"'
    assert [p.text for p in proves.pain_points] == [
        "The selfie fails in low light", "No way to retry without starting again"], "<br>"
    assert [(s.emotion, s.touchpoints[0].channel) for s in (first, proves, waits, card)] == [
        (0, "web"), (-1, "app"), (-2, "email"), (2, "app")]


def test_a_markdown_table_with_the_stages_as_columns_is_read(tmp_path):
    source = tmp_path / "returns.md"
    source.write_text(
        "## Returning a parcel\n\nPersona: Sam\n\n"
        "| | Decide | Book a pickup | Hand over |\n|---|---|---|---|\n"
        "| Actions | Reads the returns page | Picks a slot in the app | Gives it to the "
        "courier |\n| Feelings (1-5) | 2 | 4 | 3 |\n"
        "| Pain points | The policy is unclear | | The courier comes late |\n", "utf-8")
    done = mapgen("import", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "returns")
    assert [(s.name, [step.name for step in s.steps]) for s in found.stages] == [
        ("Decide", ["Reads the returns page"]), ("Book a pickup", ["Picks a slot in the app"]),
        ("Hand over", ["Gives it to the courier"])]
    assert (found.emotion_scale.min, found.emotion_scale.max) == (1, 5)
    assert list(ws.personas) == ["sam"]


def test_a_markdown_table_of_one_row_per_stage_imports_as_teams_write_it(tmp_path):
    """The commonest journey map kept in docs: a row per stage, feelings as an emoji and a
    word, a Persona line that says who she is after her name, touchpoints listed with
    commas, a lane's header with a note in brackets. Each of these stopped the import or
    made it wrong (three personas "Alex", "34" and "office worker with back pain")."""
    done = imported(tmp_path, "stage-rows.md")
    assert done.returncode == 0, done.stderr
    checked = mapgen("validate", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    found, ws = journey(tmp_path, "stage-rows")
    assert found.title == "Booking a physio appointment"
    assert [(p.id, p.name, p.role) for p in ws.personas.values()] == [
        ("alex", "Alex", "34, office worker with back pain")]
    assert [s.name for s in found.stages] == [
        "Awareness", "Consideration", "Booking", "Visit", "Follow-up"]
    assert [s.emotion for s in found.steps] == [-1, 0, 1, 1, -2]
    aware, compare, book, visit, _ = found.steps
    assert [(t.channel, t.name) for t in compare.touchpoints] == [
        ("web", "Google Maps"), ("web", "clinic websites")], "each part tells its channel"
    assert [t.name for t in aware.touchpoints] == ["Word of mouth, Google search"], \
        "one part tells no channel: the line is one touchpoint"
    assert [p.text for p in book.pain_points] == ["The form asks for too much (interviews 2, 5)"]
    assert [t.channel for t in visit.touchpoints] == ["store"]


def test_a_table_of_stages_with_no_step_column_makes_a_step_of_each_stage(tmp_path):
    done = imported_text(tmp_path, "funnel.md", (
        "## The buying journey\n\n| Stage | Customer goal | Key questions |\n|---|---|---|\n"
        "| **Awareness** | Learn the problem has a fix | \"What is causing this?\" |\n"
        "| **Decision** | Choose a provider | \"Which one is best for me?\" |\n"))
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "funnel")
    assert [(s.name, [(t.name, t.motivations, tuple(t.thoughts)) for t in s.steps])
            for s in found.stages] == [
        ("Awareness", [("Awareness", "Learn the problem has a fix",
                        ("What is causing this?",))]),
        ("Decision", [("Decision", "Choose a provider", ("Which one is best for me?",))])]


def test_numbered_steps_with_no_stage_column_are_one_stage_named_by_their_heading(tmp_path):
    """A flow kept as "Step | User action | System response", the steps numbered: each
    step was "1", "2"..., and every row said "no stage for the step"."""
    done = imported_text(tmp_path, "flow.md", (
        "### Booking by doctor\n\n| Step | User Action | Screen | System Response |\n"
        "|---|---|---|---|\n| 1 | Taps \"Book appointment\" | | Shows the booking types |\n"
        "| 2 | Searches by [name] or specialty | Search | Filters the results |\n"))
    assert done.returncode == 0, done.stderr
    assert 'no stage column: every step is in one stage, "Booking by doctor"' in done.stderr
    found, _ = journey(tmp_path, "flow")
    assert [s.name for s in found.stages] == ["Booking by doctor"]
    assert [(s.name, s.extensions["x-system-response"]) for s in found.steps] == [
        ('Taps "Book appointment"', "Shows the booking types"),
        ("Searches by [name] or specialty", "Filters the results")]
    assert found.lanes[-2:] == ("x-screen", "x-system-response"), \
        "its own columns are lanes of the map, in the table's order"
    checked = mapgen("validate", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_templates_empty_stages_are_left_out_and_its_own_columns_kept_as_text(tmp_path):
    """A template's rows of "..." name no step: their stages are left out, said, rather
    than written without steps (which `validate` refuses); a column of its own ("Owner
    [team]") is kept as text, not read as YAML ("[Ops] lead" is none)."""
    done = imported_text(tmp_path, "template.md", (
        "| Stage | Actions | Owner [team] |\n|---|---|---|\n"
        "| Onboarding | Signs the contract | [Ops] lead |\n| Renewal | ... | ... |\n"))
    assert done.returncode == 0, done.stderr
    assert f'{tmp_path / "template.md"}:4:3: the stage "Renewal" has no step (no row ' \
        'names one); left out' \
        in done.stderr
    found, _ = journey(tmp_path, "template")
    assert [s.name for s in found.stages] == ["Onboarding"]
    assert found.steps[0].extensions["x-owner-team"] == "[Ops] lead"
    checked = mapgen("validate", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_row_of_stage_fields_with_no_stage_name_and_no_step_is_left_out_and_said(tmp_path):
    done = import_sheet(tmp_path, "Stage,Goal,Step,Feeling\n,Be found,,\nFind,,Searches,2\n")
    assert done.returncode == 0, done.stderr
    assert "row 2, column B: a stage with no name has no step (no row names one); left " \
        "out" in done.stderr
    assert_no_traceback(done)
    assert [s.name for s in journey(tmp_path, "sheet")[0].stages] == ["Find"]


def test_a_french_map_with_its_lanes_in_prose_and_its_feelings_in_words_imports(tmp_path):
    """A course page's map: stages as columns, lanes named in prose ("Ce qu'il fait",
    "Ce qui coince"), an article before a lane's name, feelings as French words in
    either gender: the page had "no journey table"."""
    done = imported_text(tmp_path, "velo.md", (
        "## Louer un vélo en libre-service\n\nPersona: Karim\n\n"
        "| | Trouver | Payer | Rendre |\n| --- | --- | --- | --- |\n"
        "| Ce qu'il fait | Cherche une station sur l'appli | Paie à la borne | Cherche une "
        "place libre |\n"
        "| Le point de contact | Appli | Borne au comptoir | Station |\n"
        "| Ce qu'il ressent | Curieux | Inquiète | Soulagé |\n"
        "| Ce qui coince | La carte est lente | La borne refuse la carte | |\n"
        "| Les pistes | Carte hors ligne | Paiement dans l'appli | |\n"))
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "velo")
    assert [s.name for s in found.stages] == ["Trouver", "Payer", "Rendre"]
    assert [s.emotion for s in found.steps] == [1, -1, 1]
    assert [[p.text for p in s.pain_points] for s in found.steps] == [
        ["La carte est lente"], ["La borne refuse la carte"], []]
    assert [s.touchpoints[0].channel for s in found.steps[:2]] == ["app", "store"]
    assert [o.text for o in found.steps[1].opportunities] == ["Paiement dans l'appli"]


LIBRARY = """# Journeys of the library app

Persona: Noor

## Borrowing a book

| Stage | Step | Feeling | Pain points |
|---|---|---|---|
| Find | Searches the catalogue | 🙂 | Results show books out on loan first |
| Borrow | Scans the book at the kiosk | 😊 | |

## Returning a book late

| Stage | Step | Feeling | Pain points |
|---|---|---|---|
| Notice | Gets a reminder email | 😟 Worried | The fine is not in the email |
| Pay | Pays the fine online | 😐 | Card form times out |

## Version history

| Version | Date | Author |
|---|---|---|
| 1.0 | 2026-01-10 | Sam |
"""


def test_a_page_of_several_journey_tables_gives_one_journey_each(tmp_path):
    """As a page of Mermaid diagrams does: each table of steps and their lanes under its
    heading is a journey, the page's Persona line is each one's persona, and a table that
    is no journey (the page's history) is passed over."""
    done = imported_text(tmp_path, "library.md", LIBRARY)
    assert done.returncode == 0, done.stderr
    assert "library.md: 2 journey tables, one journey each" in done.stderr
    assert written(tmp_path) == ["journeys/borrowing-a-book.yml",
                                 "journeys/returning-a-book-late.yml", "personas/noor.yml"]
    late, ws = journey(tmp_path, "returning-a-book-late")
    assert late.personas == ("noor",) and [s.emotion for s in late.steps] == [-1, 0]
    checked = mapgen("validate", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    one = mapgen("import", "library.md", "-o", "specs/journeys/borrowing.yml", "--force",
                 cwd=tmp_path)
    assert one.returncode == 0 and "read the table on line 7" in one.stderr, one.stderr


def test_a_markdown_tables_cell_that_cannot_be_read_is_named_by_line_and_column(tmp_path):
    text = (IMPORTS / "journey-map.md").read_text("utf-8").replace("| 😟 |", "| banana |")
    source = tmp_path / "map.md"
    source.write_text(text, "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "banana" in row)
    column = text.splitlines()[line - 1].index("banana") + 1
    done = mapgen("import", str(source), cwd=tmp_path)
    assert done.returncode == 1
    assert f'{source}:{line}:{column}: "banana" is not a score; write' in done.stderr
    assert written(tmp_path) == []
    assert_no_traceback(done)


def test_a_table_shown_in_a_code_block_is_not_read_as_one():
    """A page explaining the format shows a table's text in a fenced block: no table."""
    text = ("# How to write a map\n\n````markdown\n| Step | Feeling |\n|---|---|\n"
            "| Shown, not a step | 1 |\n````\n\n## The map\n\n| Step | Feeling |\n"
            "|---|---|\n| Signs up | 2 |\n")
    [grid] = spreadsheet.markdown_grids(text)
    assert grid.cells == [["The map"], ["Step", "Feeling"], ["Signs up", "2"]]
    assert grid.places == [[(9, 1)], [(11, 3), (11, 10)], [(13, 3), (13, 14)]]


def test_a_markdown_cell_is_read_as_the_text_it_shows():
    """A bold stage name is the stage's name, a link its text; emphasis inside a line,
    or a star that is no emphasis, stays as written."""
    [grid] = spreadsheet.markdown_grids(
        "| Stage | Step | Touchpoints |\n|---|---|---|\n"
        "| **Discover** | Reads [the FAQ](faq.html)<br>*twice* | Web: **pricing** page |\n"
        "| _Decide_ | Picks 2 * 3 plans | App: [plans](https://x.test/p \"t\") |\n")
    assert grid.cells[1:] == [["Discover", "Reads the FAQ\ntwice", "Web: **pricing** page"],
                              ["Decide", "Picks 2 * 3 plans", "App: plans"]]


def test_a_markdown_file_with_a_mermaid_journey_imports_the_diagram_not_its_tables(tmp_path):
    source = tmp_path / "both.md"
    source.write_text(
        "# Both\n\n```mermaid\njourney\n  title Diagram\n  section Go\n    Leaves: 3: Me\n"
        "```\n\n| Step | Feeling |\n|---|---|\n| From the table | 1 |\n", "utf-8")
    done = mapgen("import", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [s.name for s in journey(tmp_path, "diagram")[0].steps] == ["Leaves"]


@pytest.mark.parametrize("header, column", [
    ("What she does", "actions"), ("What the customer thinks", "thoughts"),
    ("What users feel", "emotion"), ("What they say", "thoughts"),
    ("What he needs", "motivations"), ("What next", None), ("Whatever", None)])
def test_lanes_named_by_what_someone_does_thinks_or_feels_are_read(header, column):
    assert spreadsheet.column_of(header) == column


# --- spreadsheets ------------------------------------------------------------------------------

def test_the_template_layout_with_stages_as_columns_is_read(tmp_path):
    done = imported(tmp_path, "savings-template.csv")
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "savings-template")
    assert found.title == "Opening a savings account"
    assert found.personas == ("maya-chen",) and ws.personas["maya-chen"].name == "Maya Chen"
    assert [(s.name, [st.name for st in s.steps]) for s in found.stages] == [
        ("Awareness", ["Sees a post about savings rates", "Reads a comparison site"]),
        ("Consideration", ["Compares three banks"]),
        ("Sign-up", ["Fills in the online form", "Verifies her identity"])]
    assert [s.emotion for s in found.steps] == [1, 0, -1, -2, 2], "feelings as words"
    assert found.steps[2].thoughts == ("Which one has no fees?", "Can I leave any time?")
    assert [tp.channel for s in found.steps for tp in s.touchpoints] == [
        "social", "web", "web", "web", "app"]
    assert found.steps[3].pain_points[0].text == "The form asks for her tax id twice"
    assert found.steps[0].extensions == {"x-notes-from-the-workshop":
                                         "From the June interviews"}
    assert 'row 11 "Notes from the workshop" is not a field of the format; kept as ' \
           "`x-notes-from-the-workshop`" in done.stderr
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


def test_a_template_whose_stage_row_has_no_label_is_read(tmp_path):
    """Miro-style templates put the stage names in the row above the first lane, with an
    empty label cell, under a title and a "Persona: ..." line: each step was refused for
    having no stage."""
    done = import_sheet(tmp_path, "\ufeffJourney map – Home insurance claim,,,\r\n"
                        "Persona: Dana (homeowner),,,\r\n,,,\r\n"
                        ",Discover damage,Report claim,\r\n"
                        "Customer actions,Finds a leak,Calls the hotline,Uploads photos\r\n"
                        "Touchpoints,—,Call centre,Mobile app\r\n"
                        "Emotions,😟,😡,🙂\r\n")
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "sheet")
    assert found.title == "Journey map – Home insurance claim"
    assert [(st.name, [s.name for s in st.steps]) for st in found.stages] == [
        ("Discover damage", ["Finds a leak"]),
        ("Report claim", ["Calls the hotline", "Uploads photos"])]  # a merged stage cell
    assert [s.emotion for s in found.steps] == [-1, -2, 1]
    assert [p.name for p in ws.personas.values()] == ["Dana (homeowner)"]
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("sheet, stages", [
    ("Phase;Schritt;Kanal;Kundenaktion;Gedanken;Gefühl;Schmerzpunkte;Chancen\n"
     "Vor dem Kauf;Angebot vergleichen;Website;Vergleicht Tarife;Welcher passt?;0;"
     "Zu viele Tarife;Tarifrechner\n;Beratung anfragen;Telefon;Ruft an;;-1;;\n",
     ["Vor dem Kauf"]),
    ("Étape,Action,Point de contact,Pensées,Émotion,Irritants,Opportunités\n"
     "Découverte,Voit une annonce,Publicité Instagram,Tiens donc,1,,\n"
     ",Appelle l'agence,Appel téléphonique,,-1,Attente,Rappel\n", ["Découverte"]),
    ("Etapa,Paso,Canal,Pensamientos,Emoción,Puntos de dolor,Oportunidades\n"
     "Compra,Paga en línea,Sitio web,¿Es seguro?,0,Lento,Pago rápido\n"
     ",Llama al banco,Teléfono,,-2,Espera,Chat\n", ["Compra"]),
    ("ステージ,ステップ,タッチポイント,思考,感情,ペインポイント,機会\n"
     "検討,料金を比べる,ウェブサイト,どれが安い？,0,比較しにくい,比較表\n"
     ",店舗で相談する,店舗の窓口,,1,,\n", ["検討"]),
])
def test_sheets_with_headers_in_the_sites_other_languages_are_read(tmp_path, sheet, stages):
    """A German Excel export (Phase, Schritt, Kanal, Gefühl...) found no journey table;
    mapgen's site speaks German, French, Spanish and Japanese: its import reads them too."""
    done = import_sheet(tmp_path, sheet)
    assert done.returncode == 0, done.stderr
    assert "cannot tell the channel" not in done.stderr
    found, _ = journey(tmp_path, "sheet")
    assert [st.name for st in found.stages] == stages and len(found.steps) == 2
    assert all(s.touchpoints for s in found.steps) and found.steps[0].thoughts
    assert found.steps[1].emotion in (-1, -2, 1)
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


def test_a_semicolon_cp1252_sheet_with_synonym_headers_is_read(tmp_path):
    done = imported(tmp_path, "loyalty-semicolon-cp1252.csv")
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "loyalty-semicolon-cp1252")
    assert [s.name for s in found.stages] == ["Découverte", "Utilisation"]
    assert found.steps[0].name == "Sees the café’s loyalty offer"
    assert found.steps[1].thoughts == ("Another app…",)
    assert {p.name for p in ws.personas.values()} == {"Ana", "Bo"}
    assert found.steps[1].emotion == {"ana": 0, "bo": -1}
    assert [(tp.channel, tp.name) for tp in found.steps[2].touchpoints] == [
        ("store", "Till"), ("app", "Payment screen")]
    assert found.steps[2].extensions == {"x-owner-notes": "€ figures from the pilot"}
    assert 'column K "Owner Notes"' in done.stderr and "x-owner-notes" in done.stderr
    assert found.steps[1].opportunities[0].text == "Offer a lighter web sign-up"


def test_a_utf16_tab_separated_sheet_with_capital_headers_is_read(tmp_path):
    done = imported(tmp_path, "claim-utf16.txt", "--title", "Car insurance claim")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "claim-utf16")
    assert found.title == "Car insurance claim"
    assert [(s.name, s.emotion, [tp.channel for tp in s.touchpoints]) for s in found.steps] == [
        ("Reports the damage", -1, ["phone"]), ("Sends photos", 0, ["email"]),
        ("Gets the car back", 2, ["store"])]
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


SMALL_SHEET = "Stage,Step,Thoughts,Emotion\nÉtape 1,Ouvre l’appli,“Enfin”,1\n,Paie,,2\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_the_encoding_is_detected(tmp_path, encoding):
    source = tmp_path / "sheet.csv"
    source.write_bytes(SMALL_SHEET.encode(encoding))
    done = mapgen("import", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "sheet")
    assert found.stages[0].name == "Étape 1"
    assert [s.name for s in found.steps] == ["Ouvre l’appli", "Paie"]
    assert found.steps[0].thoughts == ("“Enfin”",)


@pytest.mark.parametrize("name, encoding", [("journey.md", "gb18030"), ("sheet.csv", "big5"),
                                            ("journey.mmd", "cp1251")])
def test_text_in_another_scripts_encoding_is_refused_not_garbled(tmp_path, name, encoding):
    """A Chinese Markdown file saved as GB18030 was read as Windows-1252: its title came out
    as "ÔÚÏß¹ºÎï", exit code 0."""
    text = ("journey\n  title 在线购物网站使用旅程\n  section 浏览\n    搜索商品: 4: 用户\n"
            if encoding != "cp1251" else
            "journey\n  title Покупка билета\n  section Поиск\n    Ищет рейс: 4: Клиент\n")
    if name.endswith(".csv"):
        text = "Stage,Step,Emotion\n瀏覽商品,搜尋商品,1\n,比較價格,0\n"
    (tmp_path / name).write_bytes(text.encode(encoding))
    done = mapgen("import", name, cwd=tmp_path)
    assert done.returncode == 1 and written(tmp_path) == []
    assert_no_traceback(done)
    save = "save the sheet as CSV UTF-8" if name.endswith(".csv") else "save the file as UTF-8"
    assert f"{name}: not UTF-8 text" in done.stderr and save in done.stderr


def test_feelings_of_a_file_that_names_no_one_are_a_customers(tmp_path):
    """A real sheet had an Emotion column and no persona; Mermaid tasks often have no
    actors. The journey got no persona, and a curve is drawn per persona: its feelings
    showed nowhere ("emotion: not recorded" in the flow, no emotion lane)."""
    done = import_sheet(tmp_path, "Stage,User Action,Thought/Quote,Emotion\n"
                                  "Awareness,Opens the welcome email,Where do I start?,"
                                  "Overwhelmed\nMastery,Builds a dashboard,Finally!,Confident++\n")
    assert done.returncode == 0, done.stderr
    assert 'no persona is named, so the feelings are "Customer"\'s' in done.stderr
    found, ws = journey(tmp_path, "sheet")
    assert found.personas == ("customer",) and ws.personas["customer"].name == "Customer"
    assert [s.scores(found.personas, ws.scale_of(found)) for s in found.steps] == [
        {"customer": -1}, {"customer": 2}]
    assert found.steps[0].thoughts == ("Where do I start?",), "Thought/Quote is thoughts"
    (tmp_path / "tasks.mmd").write_text("journey\n  title Tea\n  section Morning\n"
                                        "    Make tea: 5\n")
    assert mapgen("import", "tasks.mmd", cwd=tmp_path).returncode == 0
    assert journey(tmp_path, "tea")[0].personas == ("customer",), "the same Customer"


@pytest.mark.parametrize("header, column", [
    ("User Action", "actions"), ("Customer Thoughts", "thoughts"), ("Feeling", "emotion"),
    ("Touchpoint", "touchpoints"), ("Touch-points", "touchpoints"),
    ("Pain Point", "pain_points"), ("PAIN POINTS", "pain_points"), ("pain_points", "pain_points"),
    ("Opportunities", "opportunities"), ("  Stage ", "stage"), ("Step name", "step_name"),
    ("Backstage Actions", "backstage"), ("Front-stage", "frontstage"),
    ("Emotion (Maya Chen)", "emotion:Maya Chen"), ("Feeling - Bo", "emotion:Bo"),
    ("Channel", "channel"), ("KPIs", "stage_kpis"), ("x-team", "x-team"),
    ("Weather", None)])
def test_headers_match_whatever_their_case_spacing_and_punctuation(header, column):
    assert spreadsheet.column_of(header) == column


def test_in_a_workbook_the_sheet_with_the_journey_is_found(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    book.active.append(["How to use this template"])
    book.active.append(["Fill in one column per step; rate the feeling from 1 to 5."])
    sheet = book.create_sheet("Journey")
    sheet.append(["Stage", "Step", "Feeling", "Touchpoint", "Channel", "Quote"])
    sheet.append(["Order", "Chooses a plan", 4, "Pricing page", "web", "Cheap enough"])
    sheet.append([None, "Pays", 2, "Checkout", "web", None])
    sheet.append(["Use", "Gets the box", 5.0, "Delivery", "post", "Yay"])
    book.save(tmp_path / "meal-kit.xlsx")
    done = mapgen("import", "meal-kit.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'read the sheet "Journey"' in done.stderr
    found, _ = journey(tmp_path, "meal-kit")
    assert [s.name for s in found.steps] == ["Chooses a plan", "Pays", "Gets the box"]
    assert (found.emotion_scale.min, found.emotion_scale.max) == (1, 5), "a 1-5 rating"
    assert [s.emotion for s in found.steps] == [4, 2, 5]
    assert found.steps[0].thoughts == ("Cheap enough",), "Quote is a synonym of thoughts"
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


def test_a_blueprint_behind_an_instructions_sheet_that_lists_its_lanes_is_read(tmp_path):
    """A template's first sheet explained the lanes in a small table (Customer actions,
    Frontstage, Backstage, Emotion), which was read as the journey and refused; the
    Blueprint sheet after it has the stages above a lane of its own, merged cells, a
    Channel-less touchpoint row and a summary column of formulas."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    for row in (["Service blueprint – instructions"], [], ["Lane", "What to write"],
                ["Customer actions", "What the customer does"],
                ["Frontstage", "What staff do in view"], ["Backstage", "What staff do out of view"],
                ["Emotion", "frustrated / ok / delighted"]):
        book.active.append(row)
    sheet = book.create_sheet("Blueprint")
    for row in (["Hotel stay blueprint"], [], [None, "Arrive", None, "Stay", "Leave"],
                ["Physical evidence", "Car park", "Lobby", "Room", "Bill"],
                ["Customer actions", "Parks", "Checks in", "Sleeps", "Pays"],
                ["Emotion", "ok", "frustrated", "delighted", "anxious+"],
                ["Frontstage", None, "Receptionist greets", None, "Prints the bill"],
                ["Backstage", None, "Assigns a room", "Housekeeping", "Billing"]):
        sheet.append(row)
    book.save(tmp_path / "hotel.xlsx")
    done = mapgen("import", "hotel.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'read the sheet "Blueprint"' in done.stderr
    found, _ = journey(tmp_path, "hotel")
    assert [(st.name, [s.name for s in st.steps]) for st in found.stages] == [
        ("Arrive", ["Parks", "Checks in"]), ("Stay", ["Sleeps"]), ("Leave", ["Pays"])]
    assert [s.emotion for s in found.steps] == [0, -2, 2, -2]
    assert found.steps[1].extensions == {"x-physical-evidence": "Lobby"}
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


def test_a_summary_row_a_named_channel_and_a_persona_line_naming_two(tmp_path):
    """A Google Sheets export ended in a row "Average | =AVERAGE(F5:F9)", which stopped
    the import ("this row has no step name"); its Channel column said "in person", kept
    as a channel id no workspace has (validate --strict failed); another sheet's Persona
    line named "Sam (renter), Priya (homeowner)" beside Feeling (Sam) and (Priya)
    columns, and made a third persona with no feelings."""
    done = import_sheet(tmp_path, "Persona,\"Sam (renter), Priya (homeowner)\",,,\n,,,,\n"
                                  "Stage,Step,Channel,Feeling (Sam),Feeling (Priya)\n"
                                  "Research,Compares deals,Website,1,0\n"
                                  ",Visits the shop,in person,2,1\n"
                                  ",Asks a drone,Carrier pigeon,0,0\n"
                                  ",Average,,=AVERAGE(D4:D6),\n"
                                  "Average,,,1,0.3\n")
    assert done.returncode == 0, done.stderr
    assert 'row 7: a summary ("Average"), not a step; left out' in done.stderr
    assert 'row 8: a summary ("Average"), not a step; left out' in done.stderr
    assert 'the touchpoint "Carrier pigeon"; kept as `x-touchpoints`' in done.stderr
    found, ws = journey(tmp_path, "sheet")
    assert [s.name for s in found.steps] == ["Compares deals", "Visits the shop",
                                             "Asks a drone"]
    assert [[tp.channel for tp in s.touchpoints] for s in found.steps[:3]] == [
        ["web"], ["store"], []]
    assert found.steps[2].extensions == {"x-touchpoints": "Carrier pigeon"}
    assert found.personas == ("sam", "priya") and len(ws.personas) == 2
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("line, names", [
    ("Sam, Priya", ["Sam", "Priya"]), ("Dana (34, IT)", ["Dana (34, IT)"]),
    ("Marketing and Sales lead", ["Marketing and Sales lead"]),
])
def test_a_persona_line_names_one_persona_or_several(tmp_path, line, names):
    done = import_sheet(tmp_path, f'Persona,"{line}"\n,\nStage,Step,Emotion\nA,Does,1\n')
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "sheet")
    assert [ws.personas[p].name for p in found.personas] == names


def test_a_channel_column_is_read_by_the_channels_names_too(tmp_path):
    """"in person" beside the touchpoint "Surgery" was written as the channel id
    `in person`, which validate --strict then refused."""
    done = import_sheet(tmp_path, "Stage,Step,Touchpoint,Channel\n"
                                  "Visit,Sees the GP,Surgery,in person\n"
                                  ",Books online,Booking page,Website\n"
                                  ",Sends a pigeon,Loft,Carrier pigeon\n")
    assert done.returncode == 0, done.stderr
    assert 'row 4, column D: no channel "Carrier pigeon" in the workspace; the touchpoint ' \
           '"Loft" is kept as `x-touchpoints`' in done.stderr
    found, _ = journey(tmp_path, "sheet")
    assert [[(tp.channel, tp.name) for tp in s.touchpoints] for s in found.steps] == [
        [("store", "Surgery")], [("web", "Booking page")], []]
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("content", [b"stage,step\nA,B\n", b"PK\x03\x04 truncated", b""])
def test_a_broken_workbook_is_a_located_error_without_traceback(tmp_path, content):
    (tmp_path / "broken.xlsx").write_bytes(content)
    done = mapgen("import", "broken.xlsx", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "broken.xlsx:" in done.stderr and "save it" in done.stderr
    assert_no_traceback(done)
    assert written(tmp_path) == []


def test_a_zip_that_is_not_a_workbook_is_a_located_error(tmp_path):
    with zipfile.ZipFile(tmp_path / "photos.xlsx", "w") as archive:
        archive.writestr("photo.txt", "not a sheet")
    done = mapgen("import", "photos.xlsx", cwd=tmp_path)
    assert done.returncode == 1 and "photos.xlsx: the workbook cannot be read" in done.stderr
    assert_no_traceback(done)


def test_a_sheet_that_is_no_journey_gets_one_error_listing_found_and_expected(tmp_path):
    done = imported(tmp_path, "contacts.csv")
    assert done.returncode == 1
    assert_no_traceback(done)
    (message,) = [line for line in done.stderr.splitlines() if line.strip()]
    assert 'Found first row: "Name", "Email", "Phone"' in message
    assert "Expected a header row" in message and "Stage, Step (or Action)" in message
    assert written(tmp_path) == []


def test_an_empty_journey_is_never_written(tmp_path):
    done = imported(tmp_path, "only-headers.csv")
    assert done.returncode == 1
    assert "no steps found, so no journey is written" in done.stderr
    assert written(tmp_path) == []


def import_sheet(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    (tmp_path / "sheet.csv").write_text(text)
    return mapgen("import", "sheet.csv", cwd=tmp_path)


def test_a_csv_persona_line_split_by_its_own_commas_still_names_the_persona(tmp_path):
    """Saved as CSV, "Persona: Jordan, 28, first-time home buyer" is three cells (its
    commas unquoted): the persona was lost and the feelings went to "Customer"."""
    done = import_sheet(tmp_path, (
        "Customer Journey Map,,,\nPersona: Jordan, 28, first-time home buyer,,,\n"
        ",Research,Compare,Apply\n"
        "Doing,Reads mortgage guides,Compares rates,Uploads documents\n"
        "Feeling,😟 Anxious,🤔 Curious,😤 Frustrated\n"
        "Touchpoints,\"Blog, YouTube\",\"Comparison site, Phone call\",Bank portal\n"))
    assert done.returncode == 0, done.stderr
    found, ws = journey(tmp_path, "sheet")
    assert [(p.name, p.role) for p in ws.personas.values()] == [
        ("Jordan", "28, first-time home buyer")]
    assert found.personas == ("jordan",) and [s.emotion for s in found.steps] == [-1, 1, -2]
    assert [[t.channel for t in s.touchpoints] for s in found.steps] == [
        ["web", "social"], ["web", "phone"], ["web"]]


def test_cells_that_cannot_be_read_are_reported_by_row_and_column(tmp_path):
    done = import_sheet(tmp_path, 
        "stage_name,step_name,touchpoints,channel,emotion:leo\n"
        "Awareness,Sees an ad,Instagram ad,social,1\n"
        ",,Orphan touchpoint,web,\n"
        ',Clicks through,"Landing page\nPrice page",web,0\n'
        ",Reads reviews,,,blue-ish\n")
    assert done.returncode == 1
    assert "row 3, column C: this row has no step name; fill in the step_name column" \
        in done.stderr
    assert "row 4, column D: 2 touchpoint(s) but 1 channel(s)" in done.stderr
    assert 'row 5, column E: "blue-ish" is not a score; write a whole number from -2 to 2' \
        in done.stderr
    assert written(tmp_path) == [], "nothing half-written"


@pytest.mark.parametrize("written, score", [
    ("Overwhelmed", -1), ("Anxious+", -2), ("Frustrated", -2), ("Confident++", 2),
    ("Relieved + Satisfied", 1), ("Confident + Slightly Anxious", 0), ("very happy", 2),
    ("a bit lost", -1), ("slightly furious", -1), ("Curious but worried", 0), ("so-so", 0),
    ("😊", 1), ("Excited", 2), ("-1", -1),
    ("😟 Worried", -1), ("🙂 Hopeful", 1), ("Worried → relieved", 0),
    ("Frustrated -> Relieved", -1), ("Anxious (wants an answer today)", -1),
    ("🤷 Confused", -1), ("Impressed!", 2), ("4/5", 1), ("2 / 5", -1), ("7/10", 1),
    ("5/5", 2),
])
def test_feelings_are_read_as_journey_maps_write_them(written, score):
    """A real sheet's emotion row read "Overwhelmed", "Anxious+", "Confident++" and
    "Relieved + Satisfied", and each stopped the whole import."""
    assert importer.Target(None).emotion(written) == score


@pytest.mark.parametrize("header, scale", [("Feelings (1-5)", (1, 5)),
                                           ("Score (0 to 10)", (0, 10)),
                                           ("Emotion (−3..3)", (-3, 3))])
def test_a_scale_in_the_emotion_header_is_the_journeys_scale_not_a_persona(
        tmp_path, header, scale):
    """A Google Sheets map headed "Feelings (1-5)" made a persona "1-5" that had every
    score, and its real persona (above the table) none: `validate --strict` failed."""
    done = import_sheet(tmp_path, "Journey: Opening an account,,,\nPersona,Maya Chen,,\n,,,\n"
                                  f"Phase,Step,Channel,{header}\n"
                                  f"Explore,Compare banks,Web,{scale[0]}\n"
                                  f",Book a slot,Phone,{scale[1]}\n")
    assert done.returncode == 0, done.stderr
    assert written(tmp_path) == ["journeys/sheet.yml", "personas/maya-chen.yml"]
    found, _ = journey(tmp_path, "sheet")
    assert (found.emotion_scale.min, found.emotion_scale.max) == scale
    assert [s.emotion for s in found.steps] == [scale[0], scale[1]]
    assert found.personas == ("maya-chen",)
    check = mapgen("validate", "--strict", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_values_the_format_refuses_are_reported_in_their_cells(tmp_path):
    done = import_sheet(tmp_path, "Stage,Stage ID,Step,Phase,Pain points\n"
                        'Start,Sign Up,Opens,Later,"{text: slow, severity: huge}"\n')
    assert done.returncode == 1
    assert 'row 2, column B: "Sign Up" is not a valid id' in done.stderr and \
        'e.g. "sign-up"' in done.stderr
    assert 'row 2, column D: "Later" is not a phase (did you mean "after"?)' in done.stderr
    assert 'row 2, column E: "huge" is not a severity; write one of' in done.stderr
    assert len(done.stderr.strip().splitlines()) == 4, "each once, then: nothing written"
    assert written(tmp_path) == []


def test_a_touchpoint_whose_channel_cannot_be_told_is_kept_and_said(tmp_path):
    """A real sheet's touchpoints ("Scheduled tutorial with data engineer") named no
    channel, and each stopped the whole import: such a touchpoint is now kept on its step
    as `x-touchpoints`, and the note says how to give it a channel."""
    done = import_sheet(tmp_path, "Stage,Step,Touchpoint\nStart,Meets a friend,Word of mouth\n"
                                  ',Opens the app,"email: Welcome email\nPush nudge"\n'
                                  ",Waits,—\n")
    assert done.returncode == 0, done.stderr
    assert 'row 2, column C: cannot tell the channel of the touchpoint "Word of mouth"; kept ' \
           "as `x-touchpoints` on the step: add a Channel column, or write the line as " \
           "`channel: name`" in done.stderr
    found, _ = journey(tmp_path, "sheet")
    first, second, third = found.steps
    assert first.touchpoints == () and first.extensions == {"x-touchpoints": "Word of mouth"}
    assert [(tp.channel, tp.name) for tp in second.touchpoints] == [
        ("email", "Welcome email"), ("app", "Push nudge")]
    assert third.touchpoints == () and third.extensions == {}, "a dash says: nothing here"
    (tmp_path / "sheet.csv").write_text("Stage,Step,Touchpoint\nStart,Meets a friend,store: "
                                        "Word of mouth\n")
    fixed = mapgen("import", "sheet.csv", "--force", cwd=tmp_path)
    assert fixed.returncode == 0 and "cannot tell" not in fixed.stderr
    assert [(tp.channel, tp.name) for tp in journey(tmp_path, "sheet")[0].steps[0].touchpoints] == [
        ("store", "Word of mouth")]


def test_a_channel_column_without_touchpoints_gives_each_step_its_channel(tmp_path):
    """A Google Sheets map with Phase, Step, Channel (Web, Phone, Mobile app) and no
    Touchpoint column lost its channels without a word."""
    done = import_sheet(tmp_path, "Phase,Step,Channel,Feelings\n"
                                  "Explore,Compare banks,Web,3\n,Book appointment,Phone,2\n"
                                  ",Upload documents,Mobile app,1\n,Identity check,Video call,2\n")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "sheet")
    assert [[(tp.channel, tp.name) for tp in s.touchpoints] for s in found.steps] == [
        [("web", "Web")], [("phone", "Phone")], [("app", "Mobile app")],
        [("phone", "Video call")]]


def test_existing_specs_are_kept_unless_forced(tmp_path):
    assert imported(tmp_path, "claim-utf16.txt").returncode == 0
    target = tmp_path / "specs/journeys/claim-utf16.yml"
    target.write_text("edited")
    again = imported(tmp_path, "claim-utf16.txt")
    assert again.returncode == 2 and "use --force to replace" in again.stderr
    assert target.read_text() == "edited"
    assert imported(tmp_path, "claim-utf16.txt", "--force").returncode == 0
    assert target.read_text() != "edited"


# --- round trips --------------------------------------------------------------------------------

def fixture_journeys() -> list:
    """Every journey of the examples and of every test workspace under tests/."""
    roots = [REPO, *sorted({p.parent for p in TESTS.rglob("specs") if p.is_dir()})]
    found = []
    for root in roots:
        ws = read_workspace(root).workspace
        found += [pytest.param(root, ident, id=f"{root.relative_to(REPO)}/{ident}")
                  for ident in sorted(ws.journeys if ws else ())]
    return found


def round_trip(tmp_path, root, ident, exporter, suffix):
    ws = read_workspace(root).workspace
    original = ws.journeys[ident]
    source = tmp_path / f"{ident}{suffix}"
    source.write_text(exporter(ws, original), encoding="utf-8")
    result = importer.import_source(source, ws, ident)
    if not original.steps:
        assert ident not in result.journeys, "an empty journey is never written"
        assert [p.split(": ", 1)[1] for p in result.problems] == [
            "no steps found, so no journey is written; give each step a row (or a column) "
            "with its name"]
        return
    assert result.problems == []
    copy = result.journeys[ident]
    assert spec_data(copy) == spec_data(original)
    assert copy == original
    assert set(result.personas) == set(original.personas) - set(ws.personas), \
        "persona files only for personas the workspace lacks"


@pytest.mark.parametrize("root, ident", fixture_journeys())
def test_csv_export_then_import_gives_back_the_same_journey(tmp_path, root, ident):
    round_trip(tmp_path, root, ident, to_csv, ".csv")


@pytest.mark.parametrize("root, ident", fixture_journeys())
def test_json_export_then_import_gives_back_the_same_journey(tmp_path, root, ident):
    round_trip(tmp_path, root, ident, to_json, ".json")


def test_the_round_trip_through_the_real_commands(tmp_path):
    workspace = tmp_path / "w"
    (workspace / "specs").mkdir(parents=True)
    for folder in ("personas", "journeys"):
        (workspace / "specs" / folder).symlink_to(REPO / "specs" / folder)
    exported = mapgen("export", "first-purchase", "--format", "csv", "-o",
                      str(tmp_path / "copy.csv"), cwd=REPO)
    assert exported.returncode == 0, exported.stderr
    target = tmp_path / "target"
    (target / "specs/journeys").mkdir(parents=True)
    (target / "specs/personas").symlink_to(REPO / "specs/personas")
    done = mapgen("import", str(tmp_path / "copy.csv"), "-o",
                  "specs/journeys/first-purchase.yml", cwd=target)
    assert done.returncode == 0, done.stderr
    original = read_workspace(REPO).workspace.journeys["first-purchase"]
    assert read_workspace(target).workspace.journeys["first-purchase"] == original


def test_hostile_cells_stay_text_in_csv_and_come_back_unchanged(tmp_path):
    (tmp_path / "specs/personas").mkdir(parents=True)
    (tmp_path / "specs/journeys").mkdir()
    (tmp_path / "specs/personas/ana.yml").write_text("name: Ana\n")
    hostile = ["=HYPERLINK(\"http://x.example\",\"click\")", "@SUM(A1:A9)", "+1+cmd|' /C calc'!A0",
               "-2+3", "\tTabbed", "'=already quoted", "''@twice"]
    spec = {"title": hostile[0], "personas": ["ana"], "stages": [
        {"id": "s", "name": hostile[1], "steps": [
            {"id": "a", "name": hostile[2], "actions": hostile[3], "thoughts": hostile[4:],
             "emotion": -1}]}]}
    (tmp_path / "specs/journeys/j.yml").write_text(yaml.safe_dump(spec))
    ws = read_workspace(tmp_path).workspace
    text = to_csv(ws, ws.journeys["j"])
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    for cell in cells:
        assert not re.match(r"[=+\-@\t\r]", cell) or re.fullmatch(r"-?\d+", cell), cell
    assert "'=HYPERLINK(\"http://x.example\",\"click\")" in cells and "-1" in cells
    (tmp_path / "out").mkdir()
    round_trip(tmp_path / "out", tmp_path, "j", to_csv, ".csv")


def test_mermaid_export_gives_each_persona_their_own_score():
    ws = read_workspace(REPO).workspace
    b2b = ws.journeys["b2b-invoice-payments"]
    scale = ws.scale_of(b2b)
    names = {p: ws.personas[p].name for p in b2b.personas}
    lines = to_mermaid(ws, b2b).splitlines()
    tasks = [line.strip() for line in lines if line.startswith("      ")]
    differing = 0
    for step in b2b.steps:
        mine = [t for t in tasks if t.split(":")[0] == step.name]
        actors = {a.strip(): int(t.split(":")[1]) for t in mine for a in t.split(":")[2].split(",")}
        scores = step.scores(b2b.personas, scale)
        assert actors == {names[p]: mermaid_score(s, scale.min, scale.max)
                          for p, s in scores.items()}, step.id
        differing += len(set(scores.values())) > 1
    assert differing >= 3, "the example has steps where the two personas feel differently"


def test_a_mermaid_export_imports_back_with_each_persona_score(tmp_path):
    ws = read_workspace(REPO).workspace
    b2b = ws.journeys["b2b-invoice-payments"]
    source = tmp_path / "b2b.mmd"
    source.write_text(to_mermaid(ws, b2b))
    result = importer.import_source(source, ws, "copy")
    scale = ws.scale_of(b2b)
    assert result.problems == [] and result.personas == {}
    copy = result.journeys["copy"]
    assert [s.name for s in copy.steps] == [s.name for s in b2b.steps]
    for before, after in zip(b2b.steps, copy.steps, strict=True):
        assert after.scores(copy.personas, copy.emotion_scale or scale) == before.scores(
            b2b.personas, scale)


def test_a_blank_feeling_cell_is_a_gap_said_by_row_and_column(tmp_path):
    """A blank emotion cell (or `-`, `--`) imported without a word; `validate --strict`
    then failed on a gap (MG401) the import never named."""
    done = imported(tmp_path, "blank-emotion.csv")
    assert done.returncode == 0, done.stderr
    assert ('blank-emotion.csv: row 2, column C: the step "One" is scored blank, no score: '
            "its step has no feeling (a gap in the curve") in done.stderr
    found, _ = journey(tmp_path, "blank-emotion")
    assert [s.emotion for s in found.steps] == [None, 1]


def test_a_persona_with_no_feeling_at_a_step_takes_no_part_in_it(tmp_path):
    """Feeling (Sam) and Feeling (Priya) columns, each blank or `-` in some rows: the step
    names who takes part, so `validate --strict` passes; a step no one scores is a gap."""
    done = imported(tmp_path, "committee-feelings.csv")
    assert done.returncode == 0, done.stderr
    assert ('row 2, column D: no feeling for "priya" at the step "Compares deals": the step '
            "names who takes part, `personas: [sam]`") in done.stderr
    assert 'row 4, column C: no feeling for "sam" at the step "Signs the lease"' in done.stderr
    assert 'row 5, column C: the step "Pays the deposit" is scored \'--\', no score' \
        in done.stderr
    found, _ = journey(tmp_path, "committee-feelings")
    assert [(s.personas, s.emotion) for s in found.steps] == [
        (("sam",), {"sam": 1}), (("sam",), {"sam": 2}), (("priya",), {"priya": 1}),
        (None, None)]
    checked = mapgen("validate", "--strict", cwd=tmp_path)
    assert "MG401" in checked.stdout + checked.stderr and "pays-the-deposit" in \
        checked.stdout + checked.stderr, "only the step no one scores is a gap"
    assert checked.stdout.count("MG401") + checked.stderr.count("MG401") == 1


@pytest.mark.parametrize("name, scale", [("scores-1-10.csv", (1, 10)),
                                         ("satisfaction-1-10-header.csv", (1, 10))])
def test_a_sheet_scored_one_to_ten_gets_that_scale(tmp_path, name, scale):
    """Scores 3 to 8 were read on -2..2 and the journey got the scale -2..8, with the
    default labels (angry at -2, excited at 2) on scores nobody wrote."""
    done = imported(tmp_path, name)
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, Path(name).stem)
    assert (found.emotion_scale.min, found.emotion_scale.max) == scale
    assert not found.emotion_scale.labels
    assert [s.emotion for s in found.steps] == [3, 6, 8, 7]
    check = mapgen("validate", "--strict", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("header, scores, scale", [
    ("Emotion", (2, 6, 7), (1, 7)), ("Emotion", (0, 4, 9), (0, 10)),
    ("Emotion", (1, 3, 4), (1, 5)), ("Emotion", (-1, 6, 7), (-2, 7)),
    ("Score 1–7", (3, 4, 5), (1, 7)), ("Satisfaction (0-10)", (2, 1, 2), (0, 10)),
    ("Experience (1 to 10)", (7, 8, 9), (1, 10))])
def test_the_scale_a_sheet_is_scored_on_is_told_by_its_header_else_its_scores(
        tmp_path, header, scores, scale):
    rows = "".join(f"A,Step {n},{score}\n" for n, score in enumerate(scores))
    done = import_sheet(tmp_path, f"Stage,Step,{header}\n{rows}")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "sheet")
    assert (found.emotion_scale.min, found.emotion_scale.max) == scale
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


def test_a_step_column_of_names_beside_tasks_names_the_steps(tmp_path):
    """"Step" beside "Tasks" was read as ids beside names, and every row was refused:
    "Sign up" is not a valid id."""
    done = imported(tmp_path, "step-and-tasks.csv")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "step-and-tasks")
    assert [(s.id, s.name, s.actions) for s in found.steps] == [
        ("sign-up", "Sign up", "Fill in the registration form"),
        ("verify-email", "Verify email", "Click the link in the email"),
        ("first-project", "First project", "Create a project from a template")]
    assert mapgen("validate", "--strict", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("header", ["Task", "Activity", "Activities", "Step name"])
def test_a_step_column_of_names_beside_another_step_column_names_the_steps(tmp_path, header):
    done = import_sheet(tmp_path, f"Stage,Step,{header}\nA,Sign up,Fills in the form\n"
                                  "A,Verify email,Clicks the link\n")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "sheet")
    assert [(s.id, s.actions) for s in found.steps] == [
        ("sign-up", "Fills in the form"), ("verify-email", "Clicks the link")]


@pytest.mark.parametrize("name, said", [
    ("task-colon.mmd", "task-colon.mmd:4:32: the task \"Call hotline\" has a third `:`, in "
     "'wait 10 min: 1: Caller'"),
    ("task-third-colon.mmd", "task-third-colon.mmd:4:22: the task \"Call hotline\" has a "
     "third `:`, in '3: 1: Caller'")])
def test_a_colon_in_a_task_name_is_refused_with_mermaids_escape(tmp_path, name, said):
    """`Call hotline: wait 10 min: 1: Caller` was refused with the fix `Call hotline: 3:
    1: Caller`, which, followed, made a persona "1: Caller"."""
    done = imported(tmp_path, name)
    assert done.returncode == 1 and said in done.stderr, done.stderr
    escaped = re.search(r"`(Call hotline#58; [^`]*)`", done.stderr)[1]
    assert written(tmp_path) == []
    fixed = imported_text(tmp_path, "fixed.mmd", "journey\n  title Support call\n"
                                                 f"  section Contact\n    {escaped}\n")
    assert fixed.returncode == 0, fixed.stderr
    assert written(tmp_path) == ["journeys/support-call.yml", "personas/caller.yml"]
    found, _ = journey(tmp_path, "support-call")
    assert found.steps[0].name.startswith("Call hotline: ")


def test_a_score_that_reads_as_part_of_the_name_is_shown_with_the_colon_escaped(tmp_path):
    done = imported_text(tmp_path, "j.mmd", "journey\n  section S\n    Call: wait 10 min: 2\n")
    assert done.returncode == 1
    assert "write a colon in the name as `#58;`: `Call#58; wait 10 min: 2`" in done.stderr


@pytest.mark.parametrize("label", ["Average", "Average emotion", "Total"])
def test_a_summary_row_under_the_lanes_is_left_out_and_said(tmp_path, label):
    """With the stages as columns, an "Average" row under the lanes became a lane of the
    map, x-average, holding the first stage's average on its first step."""
    text = (IMPORTS / "average-row-lanes.csv").read_text().replace("Average", label)
    done = imported_text(tmp_path, "lanes.csv", text)
    assert done.returncode == 0, done.stderr
    assert f'row 5: a summary ("{label}"), not a lane; left out' in done.stderr
    found, _ = journey(tmp_path, "lanes")
    assert [s.emotion for s in found.steps] == [-1, 2]
    assert not any(s.extensions for s in found.steps) and not found.lanes


def test_a_summary_row_of_a_workbook_with_stages_as_columns_is_left_out(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for row in [["", "Discover", "Buy"], ["Actions", "Sees ad", "Buys"],
                ["Emotions", -1, 2], [], ["Average", "=AVERAGE(B3:C3)", None]]:
        book.active.append(row)
    book.save(tmp_path / "map.xlsx")
    done = mapgen("import", "map.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'row 5: a summary ("Average"), not a lane; left out' in done.stderr
    assert "x-average" not in (tmp_path / "specs/journeys/map.yml").read_text()


def test_with_the_stages_as_columns_a_note_names_the_cell_it_is_about(tmp_path):
    """The note on a touchpoint of no known channel named the row of stage names (row 3)
    instead of the Touchpoints row (6) the touchpoint is in."""
    done = imported(tmp_path, "touchpoint-row-number.csv")
    assert done.returncode == 0, done.stderr
    assert ('touchpoint-row-number.csv: row 6, column B: cannot tell the channel of the '
            'touchpoint "Billboard thing"') in done.stderr
    assert "row 3, column B" not in done.stderr


def test_with_the_stages_as_columns_a_problem_names_the_cell_it_is_about(tmp_path):
    done = import_sheet(tmp_path, ',Discover,Buy\nActions,Sees ad,Buys\n'
                                  'Touchpoints,Billboard,"Website\nApp"\nChannel,social,web\n')
    assert done.returncode == 1
    assert "sheet.csv: row 4, column C: 2 touchpoint(s) but 1 channel(s)" in done.stderr


def test_a_mermaid_section_with_no_tasks_is_left_out_and_said(tmp_path):
    """An empty section imported as a stage with no steps, which validate refused
    (MG313)."""
    done = imported(tmp_path, "empty-section.mmd")
    assert done.returncode == 0, done.stderr
    assert 'empty-section.mmd:3: the section "Setup" has no tasks; left out' in done.stderr
    found, _ = journey(tmp_path, "sections-edge-cases")
    assert [stage.name for stage in found.stages] == ["Use"]
    check = mapgen("validate", "--strict", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("name, said", [
    ("legacy.xls", ".xls (Excel 97-2003) is not read: save it as .xlsx or CSV"),
    ("sheet.ods", ".ods (OpenDocument spreadsheet) is not read: save it as .xlsx or CSV")])
def test_a_workbook_in_a_format_not_read_says_so(tmp_path, name, said):
    """An .xls or .ods file was read as text, and refused for holding no Mermaid diagram."""
    done = imported(tmp_path, name)
    assert done.returncode == 1 and f"{name}: {said}" in done.stderr, done.stderr
    renamed = tmp_path / "journey"  # by its bytes, whatever its name
    renamed.write_bytes((IMPORTS / name).read_bytes())
    done = mapgen("import", "journey", cwd=tmp_path)
    assert done.returncode == 1 and said in done.stderr, done.stderr


def test_a_workbook_with_no_extension_is_read_as_one(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for row in [["Stage", "Step", "Emotion"], ["Discover", "Sees an ad", 1]]:
        book.active.append(row)
    book.save(tmp_path / "map.xlsx")
    (tmp_path / "map.xlsx").rename(tmp_path / "map")
    done = mapgen("import", "map", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "map")
    assert [(s.name, s.emotion) for s in found.steps] == [("Sees an ad", 1)]


@pytest.mark.parametrize("name, said", [
    ("zip-bomb.xlsx", "zip-bomb.xlsx: the workbook unpacks to 51 MiB "
     "(xl/worksheets/sheet1.xml alone 51 MiB), past the 50 MiB"),
    ("zip-bomb-lying.xlsx", "zip-bomb-lying.xlsx: the workbook cannot be read")])
def test_a_workbook_that_unpacks_past_what_a_journey_holds_is_refused_unread(tmp_path, name,
                                                                            said):
    """A 100 kB workbook whose one cell is 100 MB of text took two minutes and 1.2 GB,
    and wrote a 100 MiB spec that validate refuses (MG105). Its parts' sizes are read
    before them; a part that says less than it holds is read no further than it says.
    (Both files are 2 kB: one cell of 51 MiB, and one of 60 MiB saying 2000 bytes.)"""
    done = imported(tmp_path, name)
    assert done.returncode == 1 and said in done.stderr, done.stderr
    assert_no_traceback(done)
    assert written(tmp_path) == []


def test_a_line_break_in_a_mermaid_name_is_a_space(tmp_path):
    """Mermaid draws `<br>` in a section or task as a line break; it stayed in the name
    (`Sign-up<br>flow`) and in the id (`sign-up-br-flow`)."""
    done = imported(tmp_path, "line-breaks.mmd")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "sign-up")
    assert [(stage.id, stage.name) for stage in found.stages] == [("sign-up-flow",
                                                                    "Sign-up flow")]
    assert [(step.id, step.name) for step in found.steps] == [
        ("enter-e-mail-and-password", "Enter e-mail and password"),
        ("confirm-the-address", "Confirm the address")]


def test_a_comment_after_a_mermaid_statement_is_left_out_and_said(tmp_path):
    """`Pay: 2: Shopper   %% coupon field hidden` made a persona "Shopper %% coupon field
    hidden": Mermaid takes `%%` for a comment only at a line's start, but whoever wrote
    it after a task meant one."""
    done = imported(tmp_path, "trailing-comment.mmd")
    assert done.returncode == 0, done.stderr
    for line, remark in ((3, "the basket page"), (4, "coupon field hidden")):
        assert f"trailing-comment.mmd:{line}: '%% {remark}' is left out as a comment" in \
            done.stderr, done.stderr
    found, ws = journey(tmp_path, "checkout")
    assert [stage.name for stage in found.stages] == ["Cart"]
    assert list(ws.personas) == ["shopper"] and found.personas == ("shopper",)


@pytest.mark.parametrize("header", ["Idea", "Ideas", "Improvement", "Improvement ideas",
                                    "Improvement idea", "Solution", "Recommendation"])
def test_ideas_and_improvements_in_the_singular_or_plural_are_opportunities(header):
    """"Ideas" and "Solutions" were opportunities, but "Idea" and "Improvement ideas" were
    columns of the sheet's own, kept as `x-` lanes."""
    assert spreadsheet.column_of(header) == "opportunities"


def test_a_goals_row_over_the_stages_is_their_goal_and_an_idea_row_their_opportunities(
        tmp_path):
    """With the stages as columns, a "🎯 Goals" row whose cells stand where the stages
    start went to the first step's motivations, not the stage's `goal`."""
    done = imported(tmp_path, "stage-goals-and-ideas.csv")
    assert done.returncode == 0 and "x-idea" not in done.stderr, done.stderr
    found, _ = journey(tmp_path, "stage-goals-and-ideas")
    assert [(stage.name, stage.goal) for stage in found.stages] == [
        ("Discover", "Find a fitting plan"), ("Buy", "Pay quickly")]
    assert [step.motivations for step in found.steps] == [None] * 3
    assert [[o.text for o in step.opportunities] for step in found.steps] == [
        ["Compare plans"], [], ["One-page checkout"]]
    done = imported(tmp_path, "improvement-ideas.csv")
    assert done.returncode == 0 and "not a field" not in done.stderr, done.stderr
    found, _ = journey(tmp_path, "improvement-ideas")
    assert [o.text for o in found.steps[0].opportunities] == ["Make it faster"]


def test_thumbs_and_signs_are_feelings_both_ways(tmp_path):
    """👍 read as 1 but 👎 was refused, blocking the import; `+` and `++` were refused
    while `--` was an empty cell. In a sheet scored with signs, `-` and `--` are signs
    too; elsewhere a lone `-` is what templates leave in an empty cell, and said."""
    done = imported(tmp_path, "thumbs-and-signs.csv")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "thumbs-and-signs")
    assert [step.emotion for step in found.steps] == [-1, 1, 2, 1, -1, -2]
    done = imported_text(tmp_path, "dashes.csv", "Stage,Step,Emotion\nA,One,👎\nA,Two,-\n")
    assert done.returncode == 0, done.stderr
    assert "dashes.csv: row 3, column C: the step \"Two\" is scored '-', no score" in \
        done.stderr and "a lone `-` is an empty cell where no feeling is `+`" in done.stderr
    assert [step.emotion for step in journey(tmp_path, "dashes")[0].steps] == [-1, None]


def test_a_touchpoints_channel_is_told_by_whole_words_the_telling_one_first(tmp_path):
    """Any name with "text" was a text message ("Terms and conditions text"), a "TV ad"
    social media, a "Self-checkout kiosk" the website, and a "Postcard" none."""
    done = imported(tmp_path, "touchpoint-names.csv")
    assert done.returncode == 0, done.stderr
    found, _ = journey(tmp_path, "touchpoint-names")
    assert [[(tp.channel, tp.name) for tp in step.touchpoints] for step in found.steps] == [
        [], [], [("store", "Self-checkout kiosk")], [("post", "Postcard")],
        [("sms", "Text message")], [("social", "Facebook post")],
        [("web", "Help text on checkout page")], [("post", "Welcome letter")], [],
        [("email", "Sales emails")]]
    for name in ("Terms and conditions text", "TV ad", "Radio spot"):
        assert f'cannot tell the channel of the touchpoint "{name}"' in done.stderr
