"""The loader: how files that are not sound YAML are refused, and where the finding points.

Files that cannot sensibly live in git (over 2 MiB, not UTF-8, with a byte order mark,
unreadable) are made here, in a temporary workspace. Each test checks the rule code and
the exact ``file:line:column`` a user would jump to.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from mapgen.cache import CACHE_DIR, Cache
from mapgen.load import MAX_FILE_BYTES, LoadError, load_file, load_text
from mapgen.workspace import read_workspace

BROKEN = "specs/journeys/broken.yml"


# --- helpers ----------------------------------------------------------------------------

def findings_for(root: Path, file: str = BROKEN) -> set[tuple[str, int, int]]:
    """(code, line, column) of every finding in one file of the workspace at ``root``."""
    return {(f.code, f.location.line, f.location.column)
            for f in read_workspace(root).findings if f.location.file == file}


def all_codes(root: Path) -> set[str]:
    return {f.code for f in read_workspace(root).findings}


def refused(text: str) -> tuple[str, int, int]:
    """Parse ``text``; return (code, line, column) of the finding it must raise."""
    with pytest.raises(LoadError) as caught:
        load_text(text, "broken.yml")
    location = caught.value.finding.location
    return caught.value.finding.code, location.line, location.column


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: each level repeats the previous one ``width`` times."""
    names = "abcdefghijklmnopqrstuvwxyz"[:levels]
    lines = [f'{names[0]}: &{names[0]} [' + ", ".join(['"lol"'] * width) + "]"]
    for previous, name in pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * width) + "]")
    return "\n".join(lines) + "\n"


# --- size -------------------------------------------------------------------------------

def test_a_file_over_2_mib_is_refused_as_a_whole(make_workspace, valid_specs):
    big = b"# " + b"x" * MAX_FILE_BYTES + b"\n"
    root = make_workspace({**valid_specs, BROKEN: big})
    assert findings_for(root) == {("MG105", 0, 0)}


def test_a_file_of_exactly_2_mib_is_read(make_workspace, valid_specs):
    journey = valid_specs["specs/journeys/signup.yml"].encode()
    padding = b"# " + b"x" * (MAX_FILE_BYTES - len(journey) - 3) + b"\n"
    root = make_workspace({**valid_specs, "specs/journeys/signup.yml": journey + padding})
    assert all_codes(root) == set()


# --- encoding ---------------------------------------------------------------------------

def test_a_file_that_is_not_utf8_points_at_the_bad_byte(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, BROKEN: b"title: Caf\xe9 visit\n"})
    assert findings_for(root) == {("MG102", 1, 11)}


def test_a_bad_byte_on_a_later_line_is_found_on_that_line(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, BROKEN: b"title: Visit\r\nowner: caf\xe9\r\n"})
    assert findings_for(root) == {("MG102", 2, 11)}


def test_the_column_of_a_bad_byte_counts_characters_not_bytes(make_workspace, valid_specs):
    # "owner: naïve caf" is 16 characters (17 bytes): the bad byte is character 17.
    root = make_workspace({**valid_specs, BROKEN: "owner: naïve caf".encode() + b"\xe9\n"})
    assert findings_for(root) == {("MG102", 1, 17)}


def test_a_byte_order_mark_is_a_warning_at_the_start(make_workspace, valid_specs):
    bom = b"\xef\xbb\xbf" + valid_specs["specs/journeys/signup.yml"].encode()
    root = make_workspace({**valid_specs, "specs/journeys/signup.yml": bom})
    assert findings_for(root, "specs/journeys/signup.yml") == {("MG106", 1, 1)}


def test_a_file_with_a_byte_order_mark_still_loads(make_workspace, valid_specs):
    bom = b"\xef\xbb\xbf" + valid_specs["specs/journeys/signup.yml"].encode()
    root = make_workspace({**valid_specs, "specs/journeys/signup.yml": bom})
    assert read_workspace(root).workspace.journeys["signup"].title == "Sign up"


# --- anchors and aliases ----------------------------------------------------------------

def test_a_billion_laughs_file_is_refused_without_expanding_it(make_workspace, valid_specs):
    # 9 levels of 9 aliases would be 387 million values: finishing at all shows the
    # loader stopped counting early instead of building them.
    root = make_workspace({**valid_specs, BROKEN: billion_laughs()})
    assert findings_for(root) == {("MG104", 1, 15)}


def test_an_alias_inside_its_own_anchor_is_refused(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, BROKEN: "title: Loop\ntags: &tags [web, *tags]\n"})
    assert findings_for(root) == {("MG104", 2, 7)}


def test_an_alias_of_a_finished_value_is_allowed():
    doc = load_text("a: &shared [web, email]\nb: *shared\n", "ok.yml")
    assert doc.data == {"a": ["web", "email"], "b": ["web", "email"]}


# --- YAML that does not parse -----------------------------------------------------------

def test_a_duplicate_key_points_at_its_second_occurrence():
    assert refused("title: One\nowner: me\ntitle: Two\n") == ("MG103", 3, 1)


def test_a_duplicate_key_inside_a_flow_mapping_is_found():
    assert refused("tags: x\ntouch: {channel: web, channel: email}\n") == ("MG103", 2, 23)


def test_invalid_yaml_reports_where_the_parser_stopped():
    assert refused("title: Sign up\npersonas: [ana, bo\nstatus: draft\n") == ("MG101", 3, 7)


def test_an_unquoted_colon_in_text_is_invalid_yaml():
    assert refused("title: Sign up\ndescription: Pays: by card\n") == ("MG101", 2, 18)


def test_a_python_tag_on_text_is_refused():
    assert refused("title: !!python/name:os.system x\n") == ("MG101", 1, 8)


def test_a_python_tag_on_a_list_is_refused_like_one_on_text():
    assert refused("title: !!python/object/apply:os.system [echo hi]\n") == ("MG101", 1, 8)


def test_a_document_that_is_a_list_is_not_a_mapping(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, BROKEN: "- title: Sign up\n- personas: [ana]\n"})
    assert findings_for(root) == {("MG108", 1, 1)}


# --- reading files ----------------------------------------------------------------------

def test_a_file_that_cannot_be_read_is_reported(tmp_path):
    folder = tmp_path / "journey.yml"
    folder.mkdir()  # stat() works, reading does not: the same for root and other users
    _, findings = load_file(folder, "journey.yml")
    assert [(f.code, f.location.file, f.location.line) for f in findings] == [
        ("MG107", "journey.yml", 0)]


def test_yaml_and_yml_files_are_both_read(make_workspace):
    root = make_workspace({
        "specs/personas/ana.yaml": "name: Ana\n",
        "specs/journeys/signup.yaml": "title: Sign up\npersona: ana\nstages:\n"
                                      "  - {id: start, name: Start, steps: "
                                      "[{id: visit, name: Visits, emotion: 0}]}\n",
        "specs/journeys/checkout.yml": "title: Checkout\npersona: ana\nstages:\n"
                                       "  - {id: pay, name: Pay, steps: "
                                       "[{id: card, name: Pays, emotion: 0}]}\n",
    })
    result = read_workspace(root)
    assert (sorted(result.workspace.personas), sorted(result.workspace.journeys)) == (
        ["ana"], ["checkout", "signup"])


def test_mapgen_yaml_is_read_as_the_config(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, "mapgen.yaml": "title: Acme journeys\n"})
    assert read_workspace(root).workspace.config.title == "Acme journeys"


def test_a_finding_names_the_file_relative_to_the_workspace(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, BROKEN: "title: [\n"})
    assert [f.location.file for f in read_workspace(root).findings] == [BROKEN]


# --- YAML 1.2: what editors and schema tools read -------------------------------------

#: Plain scalars as YAML 1.2's core schema types them (spec 1.2.2, section 10.3.2), which is
#: what an editor's YAML language server checks against the JSON Schema. YAML 1.1 (PyYAML's
#: default) differs on every row marked 1.1.
CORE_SCHEMA = [
    *[(word, word) for word in ("Yes", "No", "On", "Off", "y", "n", "YES", "off")],  # 1.1: bool
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False),
    ("FALSE", False), ("tRUE", "tRUE"),
    ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None), ("nULL", "nULL"),
    ("12", 12), ("+12", 12), ("-12", -12), ("012", 12), ("0777", 777), ("08", 8),  # 1.1: octal
    ("0o12", 10), ("0x1F", 31),                                                  # 1.1: 0o is text
    ("1:30", "1:30"), ("190:20:30", "190:20:30"),                                # 1.1: base 60
    ("1_000", "1_000"), ("0b101", "0b101"), ("-0o12", "-0o12"),                  # 1.1: numbers
    ("1.5", 1.5), (".5", 0.5), ("1.", 1.0), ("-1.5E-2", -0.015), ("1e3", 1000.0),  # 1.1: 1e3 text
    (".inf", float("inf")), ("-.Inf", float("-inf")), ("+.INF", float("inf")),
    ("2026-07-01", "2026-07-01"), ("text", "text"), ("=", "="), ("ñandú", "ñandú"),
]


@pytest.mark.parametrize(("written", "read"), CORE_SCHEMA,
                         ids=[f"{w or 'empty'}" for w, _ in CORE_SCHEMA])
def test_plain_scalars_are_typed_as_yaml_1_2_types_them(written, read):
    value = load_text(f"key: {written}\n", "doc.yml").data["key"]
    assert (type(value), value) == (type(read), read) or (  # a number that keeps its text
        isinstance(value, type(read)) and value == read and str(value) == written)


#: A number written where text is expected, and the text it is read as: as written.
NUMBERS_AS_TEXT = ["2026.10", "1.10", "1e3", "1e999999", "+1", "0x1F", "012", ".5", "-.inf",
                   "2026", "1.5"]


@pytest.mark.parametrize("cached", [False, True], ids=["read", "cached"])
def test_a_number_read_as_text_is_the_text_written(make_workspace, valid_specs, cached):
    tags = ", ".join(NUMBERS_AS_TEXT)
    root = make_workspace({**valid_specs, "specs/personas/ana.yml": "name: Ana\nrole: 1e999999\n",
                           "specs/journeys/signup.yml": valid_specs["specs/journeys/signup.yml"]
                           + f"period: 2026.10\ntags: [{tags}]\n"})
    for _ in range(2 if cached else 1):  # the second read is the cache's
        ws = read_workspace(root, Cache(root / CACHE_DIR) if cached else None).workspace
    signup = ws.journeys["signup"]
    assert (signup.period, list(signup.tags)) == ("2026.10", NUMBERS_AS_TEXT)
    assert ws.personas["ana"].role == "1e999999"


def test_not_a_number_is_a_float():
    assert load_text("key: .NaN\n", "doc.yml").data["key"] != load_text(
        "key: .NaN\n", "doc.yml").data["key"]  # NaN is the one float unequal to itself


def test_quoted_scalars_are_text():
    assert load_text("a: 'true'\nb: \"12\"\n", "doc.yml").data == {"a": "true", "b": "12"}


def test_a_tag_that_does_not_fit_its_text_is_refused():
    assert refused("reached: !!int many\n") == ("MG101", 1, 10)


@pytest.mark.parametrize("key", ["1", "true", "null", "~", "On", "0x1F", "1.5"])
def test_keys_are_text_as_written(key):
    assert load_text(f"{key}: value\n", "doc.yml").data == {key: "value"}


def test_a_key_and_its_quoted_twin_are_one_key_written_twice():
    assert refused("1: a\n'1': b\n") == ("MG103", 2, 1)


def test_a_step_named_on_and_a_persona_named_no_are_valid(make_workspace, valid_specs):
    journey = valid_specs["specs/journeys/signup.yml"].replace("Visits the site", "On")
    root = make_workspace({**valid_specs, "specs/journeys/signup.yml": journey,
                           "specs/personas/ana.yml": "name: No\nrole: Yes\n"})
    result = read_workspace(root)
    assert result.findings == ()
    assert result.workspace.journeys["signup"].steps[0].name == "On"
    assert result.workspace.personas["ana"].name == "No"


def test_emotion_labels_keyed_by_score_still_read_as_scores(make_workspace, valid_specs):
    root = make_workspace({**valid_specs, "mapgen.yml":
                           "emotion_scale: {min: -1, max: 1, labels: {-1: low, +1: high}}\n"})
    scale = read_workspace(root).workspace.config.emotion_scale
    assert (scale.label(-1), scale.label(1)) == ("low", "high")
