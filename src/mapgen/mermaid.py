"""Mermaid ``journey`` diagrams read as they are written: the whole grammar.

What Mermaid accepts, this reads: YAML front matter (``title``, ``config``), ``%%{init}%%``
directives and ``%%`` comments, ``title``, ``accTitle:``, ``accDescr:`` and
``accDescr { ... }`` (anywhere, also after a section), ``section``, tasks
``Name: score: actor, actor`` (the actors may be left out), tasks before any section,
keywords in any case, entity codes (``#58;``, ``#quot;``), ``<br>`` in a name (a space),
a byte-order mark, Windows line ends; and every Mermaid block of a document whose diagram
is a journey: fenced ```` ```mermaid ```` (Markdown), ``<pre class="mermaid">`` (HTML),
``::: mermaid`` (Azure DevOps), ``{{< mermaid >}}`` (Hugo), ``{% mermaid %}`` (Hexo,
Jekyll), ``.. mermaid::`` (reStructuredText) and ``[mermaid]`` (AsciiDoc). Nothing is
dropped: a line that is none of these is reported by its number.

The result is the diagram as written (:class:`Diagram`); turning it into a spec, with
personas and a scale, is :mod:`mapgen.importer`'s job.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

#: A fence, at any indent: in a list item the block is indented past the item's marker.
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\n]*)$")
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
    #: Where the score starts on its line (1 is the first character).
    column: int = 1


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
    #: (line, column, message): what could not be read, with what to write instead.
    problems: list[tuple[int, int, str]] = field(default_factory=list)
    #: (line, message): what was read otherwise than Mermaid would, or left out as it does.
    notes: list[tuple[int, str]] = field(default_factory=list)

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
        kinds = sorted(kind for kind in {_kind(block) for _, block in blocks}
                       if re.fullmatch(r"[A-Za-z][\w-]*", kind))  # a diagram's type
        said = f" (found: {', '.join(kinds)})" if kinds else ""
        loose = next((n for n, line in enumerate(lines, start=1)
                      if line.strip().lower() == "journey"), None)
        if loose is not None and loose - 1 in _commented(lines):
            said += (f"; the `journey` on line {loose} is inside an HTML comment "
                     "(`<!-- -->`), which no page shows: take it out of the comment")
        elif loose is not None:
            said += (f"; the `journey` on line {loose} is not in a Mermaid block: open "
                     "its block with ```mermaid")
        raise MermaidError("no Mermaid journey diagram here" + said + "; a journey starts "
                           "with the line `journey`, in a file of its own or in a Mermaid "
                           'block (```mermaid, <pre class="mermaid">, ::: mermaid, '
                           "{{< mermaid >}}, .. mermaid::, [mermaid])")
    return found


def _fenced_blocks(lines: list[str]):
    """(first line number, lines) of each Mermaid block of a document, as the module's
    text lists them (each kind read by one of the functions below); other blocks, and
    blocks inside HTML comments, are skipped."""
    index = 0
    while index < len(lines):
        for reader in (_fence, _tag, _directive, _html, _colons, _delimited):
            found = reader(lines, index)
            if found is not None:
                block, index = found
                if block is not None:
                    yield block
                break
        else:
            index = _past_comment(lines, index)


#: The markers of a block quote (an Obsidian callout, a GitHub alert) before a fence.
QUOTED = re.compile(r"^\s*(?:>\s?)+")


def _fence(lines: list[str], index: int):
    """((first line number, lines) or None for another language, the index after it) of
    a fenced block opened at ``index``, also inside a block quote; None when no fence
    opens there."""
    quote = QUOTED.match(lines[index])
    unquote = (lambda line: QUOTED.sub("", line, count=1)) if quote else (lambda line: line)
    match = FENCE.match(unquote(lines[index]))
    if not match:
        return None
    fence, indent = match["fence"], len(match["indent"])
    closing = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    end = _until(lines, index + 1, lambda line: closing.match(unquote(line)))
    if match["info"].strip().split(" ")[0].lower() != "mermaid":
        return None, end + 1
    body = [line[indent:] if line[:indent].strip() == "" else line.lstrip()
            for line in map(unquote, lines[index + 1:end])]
    return (index + 2, body), end + 1


#: ``{% mermaid %}`` or ``{% mermaid journey %}`` (the diagram's type given in the tag).
TAG = re.compile(r"^\s*\{%-?\s*mermaid\b(?P<kind>[^%]*)-?%\}\s*$", re.I)
TAG_END = re.compile(r"^\s*\{%-?\s*endmermaid\s*-?%\}\s*$", re.I)


def _tag(lines: list[str], index: int):
    """A Hexo or Jekyll ``{% mermaid %}`` ... ``{% endmermaid %}`` block, as :func:`_fence`."""
    match = TAG.match(lines[index])
    if not match:
        return None
    end = _until(lines, index + 1, TAG_END.match)
    body = [line.strip() for line in lines[index + 1:end]]
    if match["kind"].strip():  # the tag's line says the type
        return (index + 1, [match["kind"].strip(), *body]), end + 1
    return (index + 2, body), end + 1


#: ``.. mermaid::`` (sphinxcontrib-mermaid) or ``.. code:: mermaid`` / ``code-block``.
DIRECTIVE_RST = re.compile(r"^(?P<indent>\s*)\.\.\s+(?:mermaid::|code(?:-block)?::\s*mermaid)"
                           r"\s*$", re.I)


def _directive(lines: list[str], index: int):
    """A reStructuredText directive's indented body, as :func:`_fence` (its options, the
    ``:name:`` lines right under it, skipped)."""
    match = DIRECTIVE_RST.match(lines[index])
    if not match:
        return None
    depth, end = len(match["indent"]), index + 1
    while end < len(lines) and (not lines[end].strip() or
                                len(lines[end]) - len(lines[end].lstrip()) > depth):
        end += 1
    body = lines[index + 1:end]
    start = next((i for i, line in enumerate(body)
                  if line.strip() and not line.strip().startswith(":")), len(body))
    return (index + 2 + start, [line.strip() for line in body[start:]]), end


#: ``<pre class="mermaid">`` or ``<div class="mermaid">`` (HTML pages, Jekyll, Marp,
#: reveal.js), and where it ends.
HTML_OPEN = re.compile(r'<(?P<tag>pre|div)\b[^>]*\bclass\s*=\s*["\'][^"\']*\bmermaid\b[^"\']*'
                       r'["\'][^>]*>(?P<rest>.*)$', re.I)


def _html(lines: list[str], index: int):
    """An HTML element of class ``mermaid``, as :func:`_fence` (entities decoded)."""
    match = HTML_OPEN.search(lines[index])
    if not match:
        return None
    close = re.compile(rf"</{match['tag']}\s*>", re.I)
    body, end, text = [], index, match["rest"]
    while True:
        closed = close.search(text)
        body.append(text[:closed.start()] if closed else text)
        if closed or end + 1 >= len(lines):
            break
        end += 1
        text = lines[end]
    return (index + 1, [html.unescape(line) for line in body]), end + 1


#: ``::: mermaid`` ... ``:::`` (Azure DevOps wikis), ``{{< mermaid >}}`` ...
#: ``{{< /mermaid >}}`` (Hugo shortcodes, also with ``%``).
COLONS = re.compile(r"^\s*:::\s*mermaid\s*$", re.I)
SHORTCODE = re.compile(r"^\s*\{\{[<%]\s*mermaid\b[^}]*[>%]\}\}\s*$", re.I)
SHORTCODE_END = re.compile(r"^\s*\{\{[<%]\s*/mermaid\s*[>%]\}\}\s*$", re.I)


def _colons(lines: list[str], index: int):
    """An Azure DevOps ``::: mermaid`` block or a Hugo ``{{< mermaid >}}`` shortcode."""
    if COLONS.match(lines[index]):
        ends = re.compile(r"^\s*:::\s*$")
    elif SHORTCODE.match(lines[index]):
        ends = SHORTCODE_END
    else:
        return None
    end = _until(lines, index + 1, ends.match)
    return (index + 2, lines[index + 1:end]), end + 1


#: AsciiDoc's ``[mermaid]`` block attribute, and the delimiter line that follows it.
ASCIIDOC = re.compile(r"^\s*\[mermaid\b[^\]]*\]\s*$", re.I)
DELIMITER = re.compile(r"^(\.{4,}|-{4,}|={4,})\s*$")


def _delimited(lines: list[str], index: int):
    """An AsciiDoc ``[mermaid]`` block delimited by ``....`` (or ``----``)."""
    if not ASCIIDOC.match(lines[index]) or index + 1 >= len(lines):
        return None
    opening = DELIMITER.match(lines[index + 1].strip())
    if not opening:
        return None
    end = _until(lines, index + 2, lambda line: line.strip() == opening[1])
    return (index + 3, lines[index + 2:end]), end + 1


def _until(lines: list[str], start: int, closes: Callable[[str], object]) -> int:
    """The index of the first line from ``start`` that ``closes`` the block (or the end)."""
    end = start
    while end < len(lines) and not closes(lines[end]):
        end += 1
    return end


def _commented(lines: list[str]) -> set[int]:
    """The indices of the lines inside HTML comments."""
    inside: set[int] = set()
    index = 0
    while index < len(lines):
        after = _past_comment(lines, index)
        if after > index + 1:
            inside.update(range(index, after))
        index = after
    return inside


def _past_comment(lines: list[str], index: int) -> int:
    """The index of the next line to read: after the one that ends an HTML comment opened
    on line ``index`` (a block in it is not shown, on GitHub or anywhere), else the next."""
    opened = lines[index].rfind("<!--")
    if opened < 0 or "-->" in lines[index][opened:]:
        return index + 1
    return _until(lines, index + 1, lambda line: "-->" in line) + 1


def _content(block: list[str]) -> list[str]:
    """The lines after front matter, without directives, comments and blank lines."""
    _, index = _front_matter(block)
    content = []
    while index < len(block):
        line = block[index].strip()
        index = _past_directive(block, index) if _opens_directive(line) else index + 1
        if line and not line.startswith("%%"):
            content.append(line)
    return content


def _opens_directive(line: str) -> bool:
    """True for the first line of a ``%%{ ... }%%`` directive written over several."""
    return line.startswith("%%{") and "}%%" not in line


def _past_directive(block: list[str], index: int) -> int:
    """The index of the line after the one that closes the directive opened at ``index``."""
    return _until(block, index + 1, lambda line: "}%%" in line) + 1


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
        raw = block[index]
        said, remark = _trailing_remark(raw)
        number, (line, cut) = first_line + index, _strip_comment(said)
        if _opens_directive(raw.strip()):  # before comments: a directive's colours have #
            index = _past_directive(block, index)
            continue
        index += 1
        if not line or raw.strip().startswith("%%"):
            continue
        if not seen_journey:
            seen_journey = line.lower().split()[0] == "journey"
            continue
        block_match = ACC_BLOCK.match(line)
        if block_match:
            index = _acc_block(diagram, block, index, block_match["rest"], number)
            continue
        column = len(raw) - len(raw.lstrip()) + 1
        if _statement(diagram, line, Place(number, column, cut)) and cut:
            diagram.notes.append((number, f"`#` starts a comment in Mermaid, so {cut!r} is "
                                  "left out, as Mermaid leaves it out; write `#35;` for the "
                                  "character"))
        if remark and line:
            diagram.notes.append((number, f"{remark!r} is left out as a comment; Mermaid "
                                  "reads `%%` as one only at a line's start, and would "
                                  "draw it as part of the line: put the comment on a line "
                                  "of its own"))
    return diagram


@dataclass(frozen=True)
class Place:
    """Where a statement is: its line, the column it starts at, and the comment cut off
    its end (what followed a ``#``)."""

    line: int
    column: int
    cut: str = ""


def _read_front_matter(diagram: Diagram, matter: str, first_line: int) -> None:
    try:
        data = yaml.safe_load(matter) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + 1 + (mark.line if mark else 0)
        diagram.problems.append((line, 1, "the front matter is not YAML; write `title: ...` "
                                 "and `config:` between the two `---` lines"))
        return
    if not isinstance(data, dict):
        diagram.problems.append((first_line, 1, "the front matter is not a mapping; write "
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
            diagram.problems.append((number, 1, "`accDescr {` is never closed; end the "
                                     "description with `}`"))
            return index
        text = block[index]
        index += 1
    parts.append(text.split("}", 1)[0])
    diagram.acc_descr = "\n".join(p.strip() for p in parts).strip()
    return index


def _statement(diagram: Diagram, line: str, at: Place) -> bool:
    """Read one statement into ``diagram``; False when it cannot be read (said)."""
    acc = ACC.match(line)
    if acc:
        value = decode(acc["rest"])
        if acc["key"].lower() == "acctitle":
            diagram.acc_title = value
        else:
            diagram.acc_descr = value
        return True
    keyword = KEYWORD.match(line)
    if keyword and keyword["key"].lower() == "title":
        diagram.title = decode(keyword["rest"])
        return True
    if keyword:  # a task's name never starts with "section" in Mermaid: always a section
        name = decode(keyword["rest"])
        if ":" in keyword["rest"]:
            diagram.notes.append((at.line, f"the section {name!r} is read whole; Mermaid "
                                  "ends a section's name at `:` and draws nothing: write "
                                  "`#58;` for the colon"))
        diagram.sections.append(Section(name, at.line))
        return True
    if ":" in line and line.index(":") > 0:
        name, _, data = line.partition(":")
        score, _, actors = data.partition(":")
        column = at.column + len(name) + 1 + len(score) - len(score.lstrip())
        if ":" in actors:  # Mermaid would draw the actor "1" of "3: 1: Caller"
            diagram.problems.append((at.line, column + len(score.strip()) + 1 + len(actors)
                                     - len(actors.lstrip()), _colon_in_actors(name, data)))
            return False
        diagram.add_task(Task(decode(name), score.strip(),
                              [decode(a) for a in actors.split(",") if a.strip()],
                              at.line, column))
        return True
    diagram.problems.append((at.line, at.column, _unreadable(line, at.cut)))
    return False


def _colon_in_actors(name: str, data: str) -> str:
    """What to say of a task with a third ``:`` (``Call hotline: 3: 1: Caller``)."""
    return (f'the task "{decode(name)}" has a third `:`, in {data.strip()!r}: a task is '
            "`Name: score: actor, actor`, and Mermaid would take what is before it for an "
            f"actor; a colon in the name is written `#58;`: `{escaped_colon(name, data)}`")


def escaped_colon(name: str, data: str) -> str:
    """A task line whose name held a colon, with the colon written as Mermaid's entity:
    ``Call hotline: wait 10 min: 1: Caller`` -> ``Call hotline#58; wait 10 min: 1:
    Caller``."""
    return f"{name.strip()}#58; {data.strip()}"


def _unreadable(line: str, cut: str) -> str:
    """What to say of a line that is no statement, and what to write instead."""
    said = (f"cannot read {line!r}; write `title ...`, `section ...` or a task "
            "`Name: score: actor, actor`")
    if cut:
        return said + (f" (`#` starts a comment in Mermaid, so the line ends before "
                       f"{cut!r}: write `#35;` for the character)")
    if "\uff1a" in line:  # the full-width colon of Chinese and Japanese keyboards
        return said + f" with ASCII colons: `{line.replace(chr(0xFF1A), ': ')}`"
    return said


#: A ``%%`` comment after a statement (``Pay: 3: Shopper   %% coupon field hidden``).
TRAILING_REMARK = re.compile(r"(?<=\S)\s*(?P<remark>%%(?!\{).*)$")


def _trailing_remark(line: str) -> tuple[str, str]:
    """(the line without a ``%%`` comment after its statement, the comment). Mermaid's
    lexer takes ``%%`` for a comment only at a line's start, so it would make the
    comment part of a name or an actor; whoever wrote it meant a comment."""
    found = TRAILING_REMARK.search(line.strip())
    if found is None:
        return line, ""
    return line.strip()[:found.start()], found["remark"].strip()


def _strip_comment(line: str) -> tuple[str, str]:
    """(the line without a ``#`` comment, the comment): Mermaid's lexer drops ``#`` to
    the line's end, except in entity codes such as ``#58;``."""
    line = line.strip()
    for match in re.finditer("#", line):
        if not ENTITY.match(line, match.start()):
            return line[:match.start()].rstrip(), line[match.start():]
    return line, ""


#: A line break as Mermaid draws one in a name: ``<br>``, ``<br/>``, ``<br />``.
LINE_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.I)


def decode(text: str) -> str:
    """Text with Mermaid's entity codes as the characters (``#58;`` -> ``:``) and its line
    breaks as spaces (``Sign-up<br>flow`` -> ``Sign-up flow``): a name is one line."""
    def char(match: re.Match) -> str:
        code = match[1]
        if code.isdigit():
            return chr(int(code))
        return html.unescape(f"&{code};")
    return ENTITY.sub(char, LINE_BREAK.sub(" ", text.strip())).strip()
