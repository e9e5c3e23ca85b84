"""Report: findings as text for people, JSON for tools, annotations for GitHub Actions.

Messages quote what specs say, and file names are anyone's: text and annotations pass
both through :func:`mapgen.escape.for_terminal` (GitHub's log plays escape codes too);
JSON keeps them as written, escaped by JSON itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import click

from mapgen.escape import for_terminal
from mapgen.findings import Finding, Severity

FORMATS = ("text", "json", "github")


def render(findings: Iterable[Finding], fmt: str, strict: bool) -> str:
    """All findings in ``fmt``; empty text when there is nothing to say."""
    findings = list(findings)
    if fmt == "json":
        return json.dumps([_as_dict(f, strict) for f in findings], indent=2) + "\n"
    if fmt == "github":
        return "".join(_annotation(f, strict) + "\n" for f in findings)
    return "".join(_line(f, strict) + "\n" for f in findings)


def effective(finding: Finding, strict: bool) -> Severity:
    """The severity a finding has in this run: ``--strict`` turns warnings into errors."""
    return Severity.ERROR if finding.fails(strict) else Severity.WARNING


def _line(f: Finding, strict: bool) -> str:
    severity = effective(f, strict).value
    colour = "red" if severity == "error" else "yellow"
    label = click.style(f"{severity} {f.code}", fg=colour, bold=True)
    path = f" [{for_terminal(f.location.path)}]" if f.location.path else ""
    where = click.style(for_terminal(f.location), bold=True)
    return f"{where}: {label} {for_terminal(f.message)}{path}"


def _as_dict(f: Finding, strict: bool) -> dict:
    loc = f.location
    return {
        "file": loc.file, "line": loc.line, "column": loc.column, "path": loc.path,
        "code": f.code, "rule": f.rule.name, "severity": effective(f, strict).value,
        "message": f.message,
    }


def _annotation(f: Finding, strict: bool) -> str:
    loc = f.location
    props = f"file={_escape_property(loc.file)}"
    if loc.line:
        props += f",line={loc.line},col={loc.column}"
    props += f",title={_escape_property(f'{f.code} {f.rule.name}')}"
    return f"::{effective(f, strict).value} {props}::{_escape_data(f.message)}"


def _escape_data(text: str) -> str:
    return for_terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def summary(findings: Iterable[Finding], strict: bool) -> str:
    """"2 errors, 1 warning" for the end of a run."""
    severities = [effective(f, strict) for f in findings]
    errors = severities.count(Severity.ERROR)
    warnings = severities.count(Severity.WARNING)
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
