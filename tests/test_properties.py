"""Property tests: whatever a user writes, mapgen answers with findings, never a crash.

(a) Arbitrary text and arbitrary YAML structures (built from the format's own keys, so
    they get deep into the models) go through ``load_text`` and ``check_document``: the
    only outcomes are a model, findings, or a :class:`LoadError` that carries a finding.
(b) Arbitrary mutations of the example workspace go through ``read_workspace``: never
    an unhandled exception, and every finding points at a file of the workspace and, when
    it has a line, at a line and column that exist.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapgen import schema
from mapgen.findings import Finding
from mapgen.load import LoadError, load_text
from mapgen.model import Config, Journey, Persona
from mapgen.validate import check_document
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO / "mapgen.yml"
EXAMPLE_SPECS = REPO / "specs"

#: Modest by default so the file runs in seconds; MAPGEN_FUZZ=10 runs ten times as many.
SCALE = max(1, int(os.environ.get("MAPGEN_FUZZ", "1")))
SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
SETTINGS = settings(max_examples=120 * SCALE, deadline=None, suppress_health_check=SLOW_OK)


def _all_keys() -> list[str]:
    """Every property name any of the three schemas knows, at any depth."""
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                keys.add(name)
                walk(sub)
            for sub in node.values():
                walk(sub)
        elif isinstance(node, list):
            for sub in node:
                walk(sub)

    for kind in schema.KINDS:
        walk(schema.json_schema(kind))
    return sorted(keys)


KNOWN_KEYS = _all_keys()
CHOICES = ["current", "future", "draft", "before", "during", "after", "low", "medium",
           "high", "critical", "idea", "planned", "in-progress", "done", "embedded",
           "system", "web", "email", "social", "maya", "leo", "interviews"]

# --- strategies ----------------------------------------------------------------------

YAML_NOISE = ["~", "&a", "*a", "!!python/object:os.system", "!!binary", "<<", "? ", "- ",
              ": ", "{", "}", "[", "]", "|", ">", "#", "%YAML 1.1", "---", "...", "\t",
              "'", '"', "\\", "\x00", "\ufeff", "@", "`", "!", "2026-07-01", "0x1F", ".nan",
              "1e400", "yes", "no", "null"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(CHOICES), st.sampled_from(KNOWN_KEYS), st.sampled_from(YAML_NOISE),
    st.dates(),
)
keys = st.one_of(
    st.sampled_from(KNOWN_KEYS), st.sampled_from(KNOWN_KEYS),  # twice: mostly known keys
    st.text(max_size=12), st.text(max_size=8).map(lambda s: "x-" + s),
    st.integers(min_value=-3, max_value=3), st.booleans(), st.none(),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=6),
    ),
    max_leaves=30,
)
documents = st.dictionaries(keys, values, max_size=10)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)


yaml_texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(YAML_NOISE + KNOWN_KEYS + ["\n", "  ", "x: 1\n"]),
             max_size=40).map("".join),
    documents.map(_dump),
    values.map(_dump),
)


# --- (a) load_text + check_document --------------------------------------------------

#: What YAML counts as a line break (PyYAML's reader): \x85 and \u2028 start a line too.
YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _assert_well_formed(f: Finding, text: str | bytes | None = None) -> None:
    assert isinstance(f, Finding)
    assert f.location.file
    assert f.message and f.code.startswith("MG")
    if f.location.line:
        assert f.location.line >= 1 and f.location.column >= 1, f
        if text is not None:
            if isinstance(text, bytes):
                text = text.decode("utf-8", errors="replace")
            lines = len(YAML_BREAK.findall(text)) + 1
            assert f.location.line <= lines, f"{f.location} is past the end of the file"


MODELS = [(Journey, {"id": "j"}), (Persona, {"id": "p"}), (Config, {})]


@pytest.mark.parametrize("model, fixed", MODELS, ids=lambda m: getattr(m, "__name__", ""))
@SETTINGS
@given(text=yaml_texts)
def test_any_text_gives_a_model_or_findings(model, fixed, text):
    _assert_model_or_findings(model, fixed, text)


def _assert_model_or_findings(model, fixed, text: str) -> None:
    """Loading and checking ``text`` gives a model or well-formed findings, nothing else."""
    try:
        doc = load_text(text, "spec.yml")
    except LoadError as exc:
        _assert_well_formed(exc.finding, text)
        return
    item, findings = check_document(doc, model, **fixed)
    for f in findings:
        _assert_well_formed(f, text)
    if item is None:
        assert findings, "no model and nothing to say why"
    else:
        assert isinstance(item, model)


@pytest.mark.parametrize("model, fixed", MODELS, ids=lambda m: getattr(m, "__name__", ""))
@SETTINGS
@given(data=documents)
def test_any_structure_gives_a_model_or_findings(model, fixed, data):
    _assert_model_or_findings(model, fixed, _dump(data))


# --- (b) mutations of the example workspace ------------------------------------------

def _example_files() -> dict[str, str]:
    """Relative path -> text of the example workspace's config and specs."""
    files = {}
    if EXAMPLE_CONFIG.is_file():
        files["mapgen.yml"] = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    if EXAMPLE_SPECS.is_dir():
        for path in sorted(EXAMPLE_SPECS.rglob("*")):
            if path.is_file() and path.suffix in (".yml", ".yaml"):
                files[path.relative_to(REPO).as_posix()] = path.read_text(encoding="utf-8")
    return files


EXAMPLES = _example_files()
needs_examples = pytest.mark.skipif(
    not any(name.startswith("specs/journeys/") for name in EXAMPLES),
    reason="the example workspace (mapgen.yml, specs/) is not written yet")


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside ``data`` (the root excluded)."""
    out = []
    items = data.items() if isinstance(data, dict) else (
        enumerate(data) if isinstance(data, list) else ())
    for key, value in items:
        out.append(prefix + (key,))
        out += _paths(value, prefix + (key,))
    return out


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def data_mutation(draw, text: str) -> str:
    """Parse, change one value or key, dump again (comments are lost; that is fine)."""
    data = yaml.safe_load(text)
    paths = _paths(data)
    if not paths:
        return _dump(draw(values))
    path = draw(st.sampled_from(paths))
    parent, last = _parent(data, path), path[-1]
    op = draw(st.sampled_from(["delete", "replace", "borrow", "rename", "add", "empty"]))
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = draw(values)
    elif op == "borrow":  # another value of the same file: ids, references, numbers
        donor = draw(st.sampled_from(paths))
        parent[last] = copy.deepcopy(_parent(data, donor)[donor[-1]])
    elif op == "empty":
        parent[last] = draw(st.sampled_from([None, "", [], {}]))
    elif op == "rename" and isinstance(parent, dict):
        new = draw(keys)
        parent[new] = parent.pop(last)
    elif isinstance(parent, dict):
        parent[draw(keys)] = draw(values)
    else:
        parent.insert(draw(st.integers(0, len(parent))), draw(values))
    return _dump(data)


@st.composite
def text_mutation(draw, text: str) -> str:
    lines = text.splitlines(keepends=True) or [""]
    op = draw(st.sampled_from(["duplicate", "delete", "truncate", "insert", "swap",
                               "indent", "dedent"]))
    i = draw(st.integers(0, len(lines) - 1))
    if op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "delete":
        del lines[i]
    elif op == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent":
        lines[i] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[i]
    elif op == "dedent":
        lines[i] = lines[i].lstrip()
    else:
        joined = "".join(lines)
        at = draw(st.integers(0, len(joined)))
        if op == "truncate":
            return joined[:at]
        char = draw(st.one_of(st.characters(), st.sampled_from(list(":-[]{}&*!|>'\"#%@`\t\n"))))
        return joined[:at] + char + joined[at:]
    return "".join(lines)


FILE_OPS = ["none", "remove", "copy-as-yaml", "bad-name", "binary", "empty", "directory"]


@needs_examples
@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=SLOW_OK)
@given(data=st.data())
def test_mutated_examples_give_findings_not_crashes(data):
    files = dict(EXAMPLES)
    names = sorted(files)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        name = data.draw(st.sampled_from(names), label="file")
        kind = data.draw(st.sampled_from(["text", "data"]), label="kind")
        mutate = text_mutation if kind == "text" else data_mutation
        try:
            files[name] = data.draw(mutate(files[name]), label=f"{kind} mutation of {name}")
        except yaml.YAMLError:  # an earlier mutation broke it: mutate the text instead
            files[name] = data.draw(text_mutation(files[name]), label=f"text of {name}")
    file_op = data.draw(st.sampled_from(FILE_OPS), label="file op")
    victim = data.draw(st.sampled_from([n for n in names if n.startswith("specs/")]),
                       label="file op target")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        target = root / victim
        if file_op == "remove":
            target.unlink()
        elif file_op == "copy-as-yaml":
            shutil.copy(target, target.with_suffix(".yaml"))
        elif file_op == "bad-name":
            target.rename(target.with_name("Not An Id!.yml"))
        elif file_op == "binary":
            target.write_bytes(b"title: \xff\xfe\x00\x81 garbage\n" + bytes(range(256)))
        elif file_op == "empty":
            target.write_bytes(b"")
        elif file_op == "directory":
            (target.parent / "folder.yml").mkdir()

        result = read_workspace(root)
        assert isinstance(result.findings, tuple)
        for f in result.findings:
            path = root / f.location.file
            if f.code in ("MG107", "MG110") and path.is_dir():  # named, not a file to read
                assert f.location.line == 0, f
                continue
            assert path.is_file(), f"{f} names a file that is not there"
            _assert_well_formed(f, path.read_bytes())
        if result.workspace is None:
            assert result.fails() and result.findings


@needs_examples
def test_the_unmutated_examples_are_clean():
    """The baseline the mutations start from: without it, (b) proves less."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in EXAMPLES.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        result = read_workspace(root)
        assert result.workspace is not None
        assert [str(f.location) + " " + f.message for f in result.findings] == []



# --- bugs found by the properties, pinned as examples ---------------------------------

def test_a_specs_dir_too_long_for_the_file_system_is_a_finding(tmp_path):
    (tmp_path / "mapgen.yml").write_text(f"specs_dir: {'a' * 300}\n", encoding="utf-8")
    result = read_workspace(tmp_path)
    assert result.fails()
    assert any(f.location.file == "mapgen.yml" for f in result.findings)


@pytest.mark.parametrize("text", ["a: 1\nb", "a: [1, 2", "title: x\nstages:\n  - id: a\n    name",
                                  "---"])
def test_a_finding_at_the_end_of_a_file_points_at_a_line_that_exists(text):
    try:
        _, findings = check_document(load_text(text, "spec.yml"), Journey, id="j")
    except LoadError as exc:
        findings = [exc.finding]
    assert findings
    for f in findings:
        assert 1 <= f.location.line <= len(text.splitlines()), f

