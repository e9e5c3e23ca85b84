"""Mermaid ``journey`` diagrams read as they are written: the whole grammar.

What Mermaid accepts, this reads: YAML front matter (``title``, ``config``), ``%%{init}%%``
directives and ``%%`` comments, ``title``, ``accTitle:``, ``accDescr:`` and
``accDescr { ... }`` (anywhere, also after a section), ``section``, tasks
``Name: score: actor, actor`` (the actors may be left out), tasks before any section,
keywords in any case, entity codes (``#58;``, ``#quot;``), a byte-order mark, Windows line
ends; and every fenced ```` ```mermaid ```` block of a Markdown file whose diagram is a
journey. Nothing is dropped: a line that is none of these is reported by its number.

The result is the diagram as written (:class:`Diagram`); turning it into a spec, with
personas and a scale, is :mod:`mapgen.importer`'s job.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\n]*)$")
ENTITY = re.compile(r"#(\w+);")
KEYWORD = re.compile(r"^(?P<key>title|section)\s+(?P<rest>.*)$", re.I)
ACC = re.compile(r"^(?P<key>accTitle|accDescr)\s*:\s*(?P<rest>.*)$", re.I)
ACC_BLOCK = re.compile(r"^accDescr\s*\{(?P<rest>.*)$", re.I)
DIRECTIVE = re.compile(r"^%%\{.*\}%%\s*$", re.S)


class MermaidError(ValueError):
    """Text that holds no journey diagram at all."""


@dataclass
class Task:
    name: str
    score: str
    actors: list[str]
    line: int


@dataclass
class Section:
    name: str | None
    line: int
    tasks: list[Task] = field(default_factory=list)


@dataclass
class Diagram:
    """One journey diagram as written. ``line`` numbers count from the top of the file."""

    line: int
    title: str | None = None
    acc_title: str | None = None
    acc_descr: str | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    #: (line, message): what could not be read, with what to write instead.
    problems: list[tuple[int, str]] = field(default_factory=list)

    def add_task(self, task: Task) -> None:
        if not self.sections:
            self.sections.append(Section(None, task.line))
        self.sections[-1].tasks.append(task)


def diagrams(text: str) -> list[Diagram]:
    """Every journey diagram in ``text``: a Mermaid file, or each ```` ```mermaid ````
    journey block of a Markdown file."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    blocks = list(_fenced_blocks(lines))
    if not blocks and not any(FENCE.match(line) for line in lines):
        blocks = [(1, lines)]
    found = [parse(block, first) for first, block in blocks if _is_journey(block)]
    if not found:
        kinds = sorted({_kind(block) for _, block in blocks} - {""})
        said = f" (found: {', '.join(kinds)})" if kinds else ""
        raise MermaidError("no Mermaid journey diagram here" + said + "; a journey starts "
                           "with the line `journey`, in a file of its own or in a "
                           "```mermaid block of a Markdown file")
    return found


def _fenced_blocks(lines: list[str]):
    """(first line number, lines) of each ```mermaid block; other blocks are skipped."""
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, indent = match["fence"], len(match["indent"])
        end = index + 1
        while end < len(lines) and not re.match(
                rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[end]):
            end += 1
        if match["info"].strip().split(" ")[0].lower() == "mermaid":
            body = [line[indent:] if line[:indent].strip() == "" else line.lstrip()
                    for line in lines[index + 1:end]]
            yield index + 2, body
        index = end + 1


def _content(block: list[str]) -> list[str]:
    """The lines after front matter, directives and comments."""
    _, start = _front_matter(block)
    return [line.strip() for line in block[start:]
            if line.strip() and not line.strip().startswith("%%")]


def _kind(block: list[str]) -> str:
    content = _content(block)
    return content[0].split()[0] if content else ""


def _is_journey(block: list[str]) -> bool:
    return _kind(block).lower() == "journey"


def _front_matter(block: list[str]) -> tuple[str | None, int]:
    """The YAML between ``---`` lines at the top, and the index of the line after it."""
    first = next((i for i, line in enumerate(block) if line.strip()), None)
    if first is None or block[first].strip() != "---":
        return None, 0
    for end in range(first + 1, len(block)):
        if block[end].strip() == "---":
            return "\n".join(block[first + 1:end]), end + 1
    return None, 0


def parse(block: list[str], first_line: int = 1) -> Diagram:
    """One journey diagram; ``first_line``: the file's line number of ``block[0]``."""
    diagram = Diagram(first_line)
    matter, start = _front_matter(block)
    if matter is not None:
        _read_front_matter(diagram, matter, first_line)
    seen_journey = False
    index = start
    while index < len(block):
        number, line = first_line + index, _strip_comment(block[index])
        index += 1
        if not line or line.startswith("%%"):
            continue
        if not seen_journey:
            seen_journey = line.lower().split()[0] == "journey"
            continue
        block_match = ACC_BLOCK.match(line)
        if block_match:
            index = _acc_block(diagram, block, index, block_match["rest"], number)
            continue
        _statement(diagram, line, number)
    return diagram


def _read_front_matter(diagram: Diagram, matter: str, first_line: int) -> None:
    try:
        data = yaml.safe_load(matter) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + 1 + (mark.line if mark else 0)
        diagram.problems.append((line, "the front matter is not YAML; write `title: ...` "
                                 "and `config:` between the two `---` lines"))
        return
    if not isinstance(data, dict):
        diagram.problems.append((first_line, "the front matter is not a mapping; write "
                                 "`title: ...` between the two `---` lines"))
        return
    if data.get("title") is not None:
        diagram.title = str(data.pop("title"))
    diagram.front_matter = data


def _acc_block(diagram: Diagram, block: list[str], index: int, rest: str,
               number: int) -> int:
    """Read ``accDescr { ... }`` (the closing brace may be on any later line)."""
    parts = []
    text = rest
    while "}" not in text:
        parts.append(text)
        if index >= len(block):
            diagram.problems.append((number, "`accDescr {` is never closed; end the "
                                     "description with `}`"))
            return index
        text = block[index]
        index += 1
    parts.append(text.split("}", 1)[0])
    diagram.acc_descr = "\n".join(p.strip() for p in parts).strip()
    return index


def _statement(diagram: Diagram, line: str, number: int) -> None:
    acc = ACC.match(line)
    if acc:
        value = decode(acc["rest"])
        if acc["key"].lower() == "acctitle":
            diagram.acc_title = value
        else:
            diagram.acc_descr = value
        return
    keyword = KEYWORD.match(line)
    if keyword and (keyword["key"].lower() == "title" or ":" not in keyword["rest"]):
        if keyword["key"].lower() == "title":
            diagram.title = decode(keyword["rest"])
        else:
            diagram.sections.append(Section(decode(keyword["rest"]), number))
        return
    if ":" in line and line.index(":") > 0:
        name, _, data = line.partition(":")
        score, _, actors = data.partition(":")
        diagram.add_task(Task(decode(name), score.strip(),
                              [decode(a) for a in actors.split(",") if a.strip()], number))
        return
    diagram.problems.append((number, f"cannot read {line!r}; write `title ...`, "
                             "`section ...` or a task `Name: score: actor, actor`"))


def _strip_comment(line: str) -> str:
    """The line without a ``#`` comment (Mermaid's lexer drops ``#`` to the line's end,
    except in entity codes such as ``#58;``)."""
    line = line.strip()
    for match in re.finditer("#", line):
        if not ENTITY.match(line, match.start()):
            return line[:match.start()].rstrip()
    return line


def decode(text: str) -> str:
    """Text with Mermaid's entity codes as the characters: ``#58;`` -> ``:``."""
    def char(match: re.Match) -> str:
        code = match[1]
        if code.isdigit():
            return chr(int(code))
        return html.unescape(f"&{code};")
    return ENTITY.sub(char, text.strip()).strip()
