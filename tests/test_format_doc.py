"""docs/format.md, the users' reference of the format, against the format itself.

The JSON Schemas are generated from the model, so walking them finds every key of every
kind of file: each must have its row in the document's section for that kind, with its
default and its choices. The rules table must list every rule, the example workspace the
document shows must pass `validate --strict`, and the README must link to the document.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapgen import schema
from mapgen.cli import cli
from mapgen.findings import RULES

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "format.md"

#: The section (heading) of docs/format.md for each object of the schemas, by its name:
#: the root of each kind of file, and the objects under "$defs".
SECTIONS = {
    "config": "mapgen.yml", "persona": "Persona", "journey": "Journey",
    "Theme": "Theme", "EmotionScale": "Emotion scale", "Channel": "Channel",
    "Source": "Source", "Stage": "Stage", "Kpi": "KPI", "Step": "Step",
    "Touchpoint": "Touchpoint", "PainPoint": "Pain point", "Opportunity": "Opportunity",
}


def sections(text: str) -> dict[str, str]:
    """Heading -> the text under it, up to the next heading."""
    parts = re.split(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2])}


def table_rows(section: str) -> dict[str, list[str]]:
    """The rows of a key table, by key: ``| `key` | type | default | example | rules |``."""
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match[1]] = [cell.strip() for cell in match[2].split(" | ")]
    return rows


def objects() -> list[tuple[str, str, dict, dict]]:
    """(kind, object name, its schema, the whole schema) for every object of the format."""
    found = []
    for kind in schema.KINDS:
        root = schema.json_schema(kind)
        found.append((kind, kind, root, root))
        found += [(kind, name, node, root) for name, node in root.get("$defs", {}).items()
                  if "properties" in node]
    return found


def scalar_default(node: dict) -> str | None:
    """The default a key's row must show, as written in YAML; None when there is none."""
    if "default" not in node or isinstance(node["default"], (dict, list)) or \
            node["default"] is None:
        return None
    return json.dumps(node["default"]).strip('"')


def choices(node, root: dict) -> list[str]:
    """Every value of an ``enum`` under ``node``, following ``$ref``s."""
    if isinstance(node, list):
        return [c for item in node for c in choices(item, root)]
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        return choices(root["$defs"][node["$ref"].rsplit("/", 1)[-1]], root)
    found = [str(value) for value in node.get("enum", [])]
    for key in ("anyOf", "oneOf", "items"):
        found += choices(node.get(key, []), root)
    return found


@pytest.fixture(scope="module")
def doc() -> dict[str, str]:
    assert DOC.is_file(), "docs/format.md is missing"
    return sections(DOC.read_text(encoding="utf-8"))


OBJECTS = objects()


def test_every_object_of_the_schemas_has_its_section(doc):
    missing = [f"{kind}: {name}" for kind, name, _, _ in OBJECTS
               if SECTIONS.get(name) not in doc]
    assert missing == [], ("give each its own section in docs/format.md and add it to "
                           "SECTIONS here")


@pytest.mark.parametrize(("kind", "name", "node", "root"), OBJECTS,
                         ids=[f"{kind}-{name}" for kind, name, _, _ in OBJECTS])
def test_every_key_has_a_row_with_its_default_and_choices(doc, kind, name, node, root):
    rows = table_rows(doc.get(SECTIONS.get(name, name), ""))
    problems = []
    for key, prop in node["properties"].items():
        row = rows.get(key)
        if row is None:
            problems.append(f"`{key}` has no row")
            continue
        if len(row) != 4:
            problems.append(f"`{key}`: a row has type, default, example and rules")
            continue
        default = scalar_default(prop)
        if default is not None and f"`{default}`" not in row[1]:
            problems.append(f"`{key}`: the default `{default}` is not in {row[1]!r}")
        problems += [f"`{key}`: the choice `{c}` is not in its row"
                     for c in choices(prop, root) if f"`{c}`" not in " | ".join(row)]
        problems += [f"`{key}`: no rule code in {row[3]!r}"
                     for _ in [0] if not re.search(r"MG\d{3}", row[3])]
    extra = set(rows) - set(node["properties"])
    problems += [f"`{key}` is documented but not in the schema" for key in sorted(extra)]
    assert problems == []


def test_the_rules_table_lists_every_rule_with_its_name_and_severity(doc):
    rows = {m[1]: (m[2], m[3]) for m in re.finditer(
        r"^\| (MG\d{3}) \| ([a-z0-9-]+) \| (error|warning) \|", doc["Rules"], re.MULTILINE)}
    assert rows == {r.code: (r.name, r.severity.value) for r in RULES.values()}


def test_every_rule_code_the_document_names_exists():
    named = set(re.findall(r"MG\d{3}", DOC.read_text(encoding="utf-8")))
    assert named - {r.code for r in RULES.values()} == set()


def example_files(text: str) -> dict[str, str]:
    """The YAML blocks that start with ``# file: <path>``, by path."""
    return {m[1]: m[2] for m in re.finditer(
        r"^```yaml\n# file: (\S+)\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)}


def test_the_complete_example_passes_validate_strict_and_builds(tmp_path):
    files = example_files(DOC.read_text(encoding="utf-8"))
    assert {"mapgen.yml", "specs/journeys/invoice-automation.yml"} <= set(files)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    validate = CliRunner().invoke(cli, ["validate", "--strict", str(tmp_path)])
    assert validate.exit_code == 0, validate.output
    assert "0 errors, 0 warnings" in validate.output
    built = CliRunner().invoke(cli, ["build", "--strict", "-f", str(tmp_path / "mapgen.yml")])
    assert built.exit_code == 0, built.output


def test_the_readme_links_to_the_format_document():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    assert "docs/format.md" in links
    assert all((REPO / link).exists() for link in links
               if not re.match(r"[a-z]+:", link)), "every relative link of the README resolves"
