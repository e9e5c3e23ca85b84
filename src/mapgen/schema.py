"""Schema: the published JSON Schema of each file kind, generated from the model.

Editors use it through the YAML language server (``# yaml-language-server:
$schema=...``) for completion and inline errors. The validator uses the same schema to
name what it expected where a document went wrong: the keys a mapping knows and the
choices a field takes.
"""

from __future__ import annotations

import ast
import copy
import inspect
import itertools
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel

from mapgen import model as model_module
from mapgen.model import Config, Journey, Persona

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The version of the spec format (SPEC.md) the schemas describe: part of each ``$id``.
FORMAT_VERSION = 1
KINDS: dict[str, type[BaseModel]] = {"journey": Journey, "persona": Persona, "config": Config}
_TITLES = {
    "journey": "mapgen journey", "persona": "mapgen persona", "config": "mapgen.yml",
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema users' editors validate a ``kind`` file against."""
    model = KINDS[kind]
    out = _non_empty_lists_required(_numbers_as_text(_described(copy.deepcopy(_raw(model)))))
    out["$schema"] = SCHEMA_DIALECT
    out["$id"] = schema_id(kind)
    out["title"] = _TITLES[kind]
    required = [key for key in out.get("required", []) if key != "id"]
    out["required"] = required
    if kind == "journey":
        out["properties"]["persona"] = {
            "type": "string", "description": "Shorthand for `personas: [id]`."}
    if kind == "config":
        theme = out["properties"]["theme"]
        out["properties"]["theme"] = {"anyOf": [{"type": "string"}, theme],
                                      "description": theme.pop("description")}
    return out


def _described(root: dict[str, Any]) -> dict[str, Any]:
    """Each field described by the docstring under it in :mod:`mapgen.model` (what
    editors show on hover and beside completions), over what its type says. Read
    here, when a schema is made, rather than by pydantic as every process imports the
    model (``use_attribute_docstrings`` cost each ``mapgen`` run 15-20 ms)."""
    models = {name: cls for name, cls in vars(model_module).items()
              if isinstance(cls, type) and issubclass(cls, BaseModel)}
    for node in (root, *root.get("$defs", {}).values()):  # each titled by its model
        cls = models.get(node.get("title", ""))
        for name, field in node.get("properties", {}).items() if cls else ():
            doc = _field_docs(cls).get(name)
            if doc:  # over what its type says (a language tag, say)
                field["description"] = doc
    return root


@cache
def _field_docs(cls: type[BaseModel]) -> dict[str, str]:
    """The docstring under each field of ``cls`` and of the models it extends."""
    docs: dict[str, str] = {}
    for base in reversed([c for c in cls.__mro__ if issubclass(c, BaseModel)]):
        if base.__module__ != model_module.__name__:
            continue
        docs.update(_class_docs(_model_source(), base.__name__))
    return docs


@cache
def _model_source() -> ast.Module:
    return ast.parse(inspect.getsource(model_module))


def _class_docs(tree: ast.Module, name: str) -> dict[str, str]:
    body = next((node.body for node in tree.body
                 if isinstance(node, ast.ClassDef) and node.name == name), [])
    return {field.target.id: inspect.cleandoc(doc.value.value)
            for field, doc in itertools.pairwise(body)
            if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
            and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
            and isinstance(doc.value.value, str)}


def schema_id(kind: str) -> str:
    """A stable name for the schema of ``kind``: the same in every copy ``init`` writes,
    whatever folder it is in, and changed only with the spec format's version."""
    return f"urn:mapgen:schema:{kind}:{FORMAT_VERSION}"


def _non_empty_lists_required(root: dict[str, Any]) -> dict[str, Any]:
    """A list that must not be empty (``minItems``) must be written: required, no default."""
    for node in _objects(root):
        properties = node.get("properties", {})
        must = [key for key, value in properties.items() if value.get("minItems")]
        for key in must:
            properties[key].pop("default", None)
        required = node.get("required", [])
        if must:
            node["required"] = [*required, *(key for key in must if key not in required)]
    return root


def _numbers_as_text(root: dict[str, Any]) -> dict[str, Any]:
    """Free text accepts a number (``period: 2026``), as the validator does."""
    for node in _objects(root):
        if node.get("type") == "string" and not {"pattern", "enum", "const"} & set(node):
            node["type"] = ["string", "number"]
    return root


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a schema, outermost first."""
    if isinstance(node, dict):
        yield node
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return
    for child in list(children):
        yield from _objects(child)


def dumps(kind: str) -> str:
    """The schema as stable, diff-friendly JSON text."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@cache
def _raw(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


# --- questions the validator asks about a place in a document -------------------------

def _node(model: type[BaseModel], path) -> dict[str, Any]:
    """The schema that describes the value at ``path`` in a ``model`` document."""
    root = _raw(model)
    node = root
    for part in path:
        node = _resolve(root, node)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part) or node.get("additionalProperties") or {}
    return _resolve(root, node)


def _resolve(root: dict, node: Any) -> dict[str, Any]:
    """Follow ``$ref`` and pick the object or array branch of ``anyOf``."""
    if not isinstance(node, dict):
        return {}
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf"):
        if key in node:
            branches = [_resolve(root, b) for b in node[key]]
            rich = [b for b in branches if "properties" in b or "items" in b or "enum" in b]
            return rich[-1] if rich else branches[0]
    return node


def keys_at(model: type[BaseModel], path) -> list[str]:
    """The keys the mapping at ``path`` knows, in the order the model declares them."""
    return list(_node(model, path).get("properties", {}))


def choices_at(model: type[BaseModel], path) -> list[str]:
    """The values the field at ``path`` accepts."""
    return list(_node(model, path).get("enum", []))


def meaning(model: type[BaseModel], path) -> str | None:
    """What the field at ``path`` holds, as the docstring under it says, else None."""
    cls = getattr(model_module, _node(model, path[:-1]).get("title", ""), None)
    if not (path and isinstance(cls, type) and issubclass(cls, BaseModel)):
        return None
    return _field_docs(cls).get(path[-1])


def describe(model: type[BaseModel], path) -> str:
    """A reader's name for the mapping at ``path``: "a step", "the journey"."""
    if not path:
        return f"the {model.__name__.lower()}"
    title = _node(model, path).get("title", "this mapping")
    words = {"Kpi": "KPI", "PainPoint": "pain point", "EmotionScale": "emotion scale"}
    name = words.get(title, title.lower())
    article = "an" if name[:1] in "aeiou" else "a"
    return f"{article} {name}"
