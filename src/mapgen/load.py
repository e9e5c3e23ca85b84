"""Load: read one YAML file into plain data, remembering where every node was written.

The loader is the only place that touches YAML. It turns a file into a
:class:`Document`: the data as dicts, lists and scalars, plus the line and column of
every node, so the validator can point at ``file:line:col`` for anything it finds.

What it refuses, each with its own rule: a path that is not a regular file (a folder, a
named pipe, a link to nothing or to itself), files over :data:`MAX_FILE_BYTES`, bytes
that are not UTF-8, YAML that does not parse, a mapping key written twice, anchors or
aliases that expand beyond :data:`MAX_NODES` (the "billion laughs" file) or refer to
themselves, and numbers too long to be numbers. A UTF-8 byte order mark is read past,
with a warning.

Plain scalars are typed as YAML 1.2's core schema types them, as editors and schema
tools do: only ``true``/``false`` (in three spellings) are booleans, so a step named
``On`` or an answer ``No`` is text; ``012`` is twelve, ``0o12`` ten; ``1:30``, ``1_000``
and dates are text. Mapping keys are text as written (``1:``, ``true:``, ``null:``), as in
JSON and so in every JSON Schema check. A number keeps the text it was written as
(:func:`as_written`): a text field given ``2026.10`` reads "2026.10", not "2026.1".
"""

from __future__ import annotations

import datetime
import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mapgen.findings import Finding, Location, finding

try:  # the C composer is several times faster; fall back quietly when absent
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


_NULL_TAG, _BOOL_TAG = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"
#: YAML 1.2's core schema: the plain scalars that are not text (spec 1.2.2, 10.3.2).
_CORE_SCHEMA = (
    (_NULL_TAG, re.compile(r"~|null|Null|NULL")),
    (_BOOL_TAG, re.compile(r"true|True|TRUE|false|False|FALSE")),
    (_INT_TAG, re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")),
    (_FLOAT_TAG, re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")),
)
#: The first characters of those scalars: any other plain scalar is text at once.
_CORE_FIRST = frozenset("0123456789-+.~nNtTfF")


class _AsWritten:
    """A number that remembers the text it was written as, when Python would spell it
    otherwise (``2026.10``, ``1e3``, ``+1``, ``0x1F``): read where text is expected
    (``period: 2026.10``, ``tags: [1.10]``), it is that text, not "2026.1" or "1000.0"."""

    text: str

    def __new__(cls, value, text: str):
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):  # +self: the plain int or float
        return (as_written, (+self, self.text))


class WrittenInt(_AsWritten, int):
    """A whole number and its text (see :class:`_AsWritten`)."""


class WrittenFloat(_AsWritten, float):
    """A number with a fraction or exponent and its text (see :class:`_AsWritten`)."""


def as_written(value: int | float, text: str) -> int | float:
    """``value``, remembering ``text`` when that is not how Python writes it."""
    if str(value) == text:
        return value
    return (WrittenInt if isinstance(value, int) else WrittenFloat)(value, text)


class _Loader(_BaseLoader):
    def resolve(self, kind, value, implicit):
        """The tag of a node as YAML 1.2's core schema gives it (merge keys kept)."""
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)
        if not implicit[0]:  # quoted
            return self.DEFAULT_SCALAR_TAG
        if not value:
            return _NULL_TAG
        if value[0] in _CORE_FIRST:
            for tag, pattern in _CORE_SCHEMA:
                if pattern.fullmatch(value):
                    return tag
        elif value == "<<":
            return _MERGE_TAG
        return self.DEFAULT_SCALAR_TAG

MAX_FILE_BYTES = 2 * 1024 * 1024
#: How many nodes one document may expand to once aliases are followed. A large real
#: journey has a few thousand; a "billion laughs" file reaches this in milliseconds.
MAX_NODES = 100_000
MAX_DEPTH = 64
#: The longest number a spec may hold. No score, count or year comes near it, and every
#: later step (JSON, the site) can still write it out: Python refuses to turn integers of
#: over 4,300 digits into text.
MAX_NUMBER_DIGITS = 1000
_NUMBER_LIMIT = 10 ** MAX_NUMBER_DIGITS
YAML_SUFFIXES = (".yml", ".yaml")
BOM = "\ufeff"
#: What the YAML parser counts as the end of a line: CR LF, LF, CR alone (old Mac
#: files), and NEL, LS and PS.
#: Opening never waits (for a named pipe's writer, say); O_NONBLOCK is POSIX only.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")

DocPath = tuple[str | int, ...]
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
_STR_TAG = "tag:yaml.org,2002:str"
_TEXT_TAGS = {"tag:yaml.org,2002:timestamp"}  # dates stay as written: "2026-07-01"
_CORE_TAGS = {_NULL_TAG, _BOOL_TAG, _INT_TAG, _FLOAT_TAG}


def format_path(path: DocPath) -> str:
    """``("stages", 1, "steps", 0)`` -> ``"stages[1].steps[0]"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Document:
    """One loaded file: its data and where each value and key was written."""

    file: str
    data: Any
    values: dict[DocPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    keys: dict[DocPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def locate(self, path: DocPath, *, key: bool = False) -> Location:
        """The location of ``path``; of its key when ``key``; else of its nearest parent."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                break
            if not key and probe in self.keys:
                table = self.keys
                break
            probe = probe[:-1]
        line, column = table.get(probe, self.values.get((), (1, 1)))
        return Location(self.file, line, column, format_path(path))


class LoadError(Exception):
    def __init__(self, result: Finding):
        super().__init__(result.message)
        self.finding = result


def load_file(path: Path, display: str | None = None) -> tuple[Document | None, list[Finding]]:
    """Read and parse ``path``. Returns the document (or None) and what went wrong."""
    name = display or str(path)
    try:
        raw = read_bytes(path, name)
    except LoadError as exc:
        return None, [exc.finding]
    return load_bytes(raw, name)


def load_bytes(raw: bytes, name: str) -> tuple[Document | None, list[Finding]]:
    """Parse the bytes of a file named ``name``: the document (or None) and what went wrong."""
    try:
        text, findings = _decode(raw, name)
        return _parse(text, name), findings
    except LoadError as exc:
        return None, [exc.finding]


def load_text(text: str, name: str) -> Document:
    """Parse YAML text already in memory; raises :class:`LoadError`."""
    return _parse(text, name)


def is_yaml_name(name: str) -> bool:
    """True for a name ending in .yml or .yaml, in any case (``signup.YML`` too: tools on
    Windows and macOS write upper-case suffixes, and those systems do not tell them apart)."""
    return name.lower().endswith(YAML_SUFFIXES)


def read_bytes(path: Path, name: str) -> bytes:
    """The bytes of a spec file; raises :class:`LoadError` (MG105, MG107) when it is too
    big, or not a regular file that can be read.

    It is opened without waiting, and what was opened is checked, not the name: a named
    pipe or a device under specs/ is refused at once instead of hanging the run.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _unreadable(path, name, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _error("unreadable-file", Location(name), (
                f"this is {_what_is(info.st_mode)}, not a YAML file, yet named like one: "
                "rename it, or replace it with the file"))
        if info.st_size > MAX_FILE_BYTES:
            raise _error(
                "file-too-large", Location(name),
                f"the file is {info.st_size / 1048576:.1f} MiB; the limit is 2 MiB. "
                "Split it: one persona or journey per file.",
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _unreadable(path, name, exc) from None
    finally:
        os.close(fd)


def _what_is(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _unreadable(path: Path, name: str, exc: OSError) -> LoadError:
    """MG107 for a file that cannot be opened, saying why in the user's terms."""
    if exc.errno == errno.ELOOP:
        problem = ("it is a symbolic link that leads back to itself (a loop); point it at "
                   "a real file or replace it with the file")
    elif exc.errno == errno.ENOENT and path.is_symlink():
        problem = (f"it is a symbolic link to {os.readlink(path)}, which does not exist; "
                   "fix the link or delete it")
    else:
        problem = f"cannot read the file: {exc.strerror}"
    return _error("unreadable-file", Location(name), problem)


def read_text(path: Path, name: str) -> tuple[str, list[Finding]]:
    """The text of a file that is not YAML (a Markdown page), by the same rules as a spec:
    within the size limit, UTF-8 (a byte order mark is a warning); raises
    :class:`LoadError` otherwise."""
    return _decode(read_bytes(path, name), name)


def _decode(raw: bytes, name: str) -> tuple[str, list[Finding]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = _LINE_BREAK.split(raw[:exc.start].decode("utf-8", "replace"))
        line, column = len(before), len(before[-1]) + 1
        raise _error(
            "not-utf8", Location(name, line, column),
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8 "
            "(most editors offer it under 'Save with encoding').",
        )
    findings = []
    if text.startswith(BOM):
        text = text[1:]
        findings.append(finding(
            "byte-order-mark", Location(name, 1, 1),
            "the file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM.",
        ))
    return text, findings


def _parse(text: str, name: str) -> Document:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _clamp(_lines(text), (mark.line + 1, mark.column + 1) if mark else (1, 1))
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise _error("yaml-syntax", Location(name, line, column),
                     f"this is not valid YAML: {problem}. Check the indentation and quoting "
                     "here; quote text that contains ': ' or starts with a special character.")
    except yaml.YAMLError as exc:
        raise _error("yaml-syntax", Location(name, 1, 1), f"this is not valid YAML: {exc}")
    except RecursionError:
        raise _error("yaml-syntax", Location(name, 1, 1),
                     f"the document nests deeper than {MAX_DEPTH} levels; flatten it.")
    builder = _Builder(name, text)
    data = builder.build(root, ()) if root is not None else None
    return Document(name, data, builder.values, builder.keys)


def _error(rule: str, location: Location, message: str) -> LoadError:
    return LoadError(finding(rule, location, message))


class _Builder:
    """Turns a composed node graph into plain data, recording marks and budgets."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.lines = _lines(text)
        self.values: dict[DocPath, tuple[int, int]] = {}
        self.keys: dict[DocPath, tuple[int, int]] = {}
        self.count = 0
        self.active: set[int] = set()
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: DocPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail("alias-bomb", node, (
                f"anchors and aliases expand to more than {MAX_NODES:,} values; "
                "write the repeated parts out or reference them by id"))
        if len(path) > MAX_DEPTH:
            raise self._fail("yaml-syntax", node,
                             f"the document nests deeper than {MAX_DEPTH} levels; flatten it")
        if path not in self.values:
            self.values[path] = self.mark(node)
        if isinstance(node, ScalarNode):  # most nodes: plain text first, it needs no work
            return node.value if node.tag == _STR_TAG else self._scalar(node)
        if id(node) in self.active:
            raise self._fail("alias-bomb", node, "an alias refers to the node that contains it; "
                             "an alias may only repeat a finished value")
        if node.tag not in _COLLECTION_TAGS:
            raise self._fail("yaml-syntax", node, f"the tag {node.tag} is not allowed here; "
                             "remove it: specs are plain data")
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag in _CORE_TAGS:
            return self._core(node)
        if node.tag in _TEXT_TAGS:
            return node.value
        try:
            value = self.constructor.construct_object(node)
        except ConstructorError as exc:
            raise self._fail("yaml-syntax", node, f"{exc.problem}; remove the tag")
        if isinstance(value, (datetime.date, bytes)):
            return node.value
        return value

    def _core(self, node: ScalarNode) -> Any:
        """A null, bool, int or float as YAML 1.2's core schema reads it."""
        text, tag = node.value, node.tag
        pattern = dict(_CORE_SCHEMA)[tag]
        if not (pattern.fullmatch(text) or (tag == _NULL_TAG and not text)):
            raise self._fail("yaml-syntax", node, f'"{text}" is not a {tag.rsplit(":", 1)[1]}; '
                             "remove the tag")
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return text.lower() == "true"
        if tag == _FLOAT_TAG:  # Python spells .inf and .nan without the dot
            lowered = text.lower()
            return as_written(float(lowered.replace(".", "") if lowered.lstrip("+-.") in (
                "inf", "nan") else text), text)
        return as_written(self._integer(node), text)

    def _integer(self, node: ScalarNode) -> int:
        text = node.value
        digits = text.lstrip("+-")
        if digits[:2] in ("0o", "0x"):
            value = int(digits[2:], 8 if digits[1] == "o" else 16)
        elif len(digits) <= MAX_NUMBER_DIGITS:
            value = int(text, 10)
        else:
            value = _NUMBER_LIMIT
        if abs(value) >= _NUMBER_LIMIT:
            shown = text if len(text) <= 12 else text[:12] + "..."
            raise self._fail("number-too-long", node, (
                f"this number ({shown}) has more than {MAX_NUMBER_DIGITS:,} digits, more than "
                f'any score or count needs; if it is text, quote it: "{shown}"'))
        return value

    def _mapping(self, node: MappingNode, path: DocPath) -> dict:
        out: dict = {}
        seen: dict[Any, Node] = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.update(self._merge(value_node, path))
                continue
            if not isinstance(key_node, ScalarNode):
                raise self._fail("yaml-syntax", key_node,
                                 "a key must be plain text, not a list or mapping")
            if key_node.tag not in _CORE_TAGS and key_node.tag != _STR_TAG:
                self._scalar(key_node)  # refuses the tags a value may not have either
            key = key_node.value  # text as written: `1:`, `true:` and `null:` too, as in JSON
            if key in seen:
                first = self.mark(seen[key])
                raise self._fail("duplicate-key", key_node, (
                    f'the key "{key}" is written twice (first on line {first[0]}); '
                    "keep one and merge the two values"))
            seen[key] = key_node
            self.keys[path + (key,)] = self.mark(key_node)
            out[key] = self.build(value_node, path + (key,))
        return {**{k: v for k, v in merged.items() if k not in out}, **out}

    def _merge(self, node: Node, path: DocPath) -> dict:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict = {}
        for source in reversed(sources):
            if not isinstance(source, MappingNode):
                raise self._fail("yaml-syntax", source, "`<<` merges only mappings")
            merged.update(self.build(source, path))
        return merged

    def mark(self, node: Node) -> tuple[int, int]:
        mark = node.start_mark
        if mark.line < len(self.lines):
            return mark.line + 1, mark.column + 1
        return _clamp(self.lines, (mark.line + 1, mark.column + 1))

    def _fail(self, rule: str, node: Node, message: str) -> LoadError:
        line, column = self.mark(node)
        return _error(rule, Location(self.name, line, column), message + ".")


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as the YAML parser counts them (a CR alone ends one too)."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "" and len(lines) > 1:
        lines.pop()
    return lines


def _clamp(lines: list[str], position: tuple[int, int]) -> tuple[int, int]:
    """A position that exists: libyaml reports the end of a file that lacks a final
    newline one line past it."""
    if position[0] <= len(lines):
        return position
    last = len(lines) or 1
    return last, len(lines[-1]) + 1 if lines else 1
