"""Report: findings as text for people, JSON for tools, annotations for GitHub Actions,
SARIF for code scanning.

Findings name files relative to their workspace. GitHub and code scanning place them on
a repository's files, so those two formats name them from the repository root: a
workspace in ``docs/journeys/`` reports ``docs/journeys/specs/journeys/x.yml``.

Messages quote what specs say, and file names are anyone's: text and annotations pass
both through :func:`mapgen.escape.for_terminal` (GitHub's log plays escape codes too);
JSON and SARIF keep them as written, escaped by JSON itself.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import click

from mapgen import __version__
from mapgen.escape import for_terminal
from mapgen.findings import RULES, Finding, Severity
from mapgen.workspace import repository_root

FORMATS = ("text", "json", "github", "sarif")
#: Formats whose paths are relative to the repository root rather than the workspace.
REPOSITORY_FORMATS = frozenset({"github", "sarif"})
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")


def render(findings: Iterable[Finding], fmt: str, strict: bool) -> str:
    """All findings in ``fmt``; empty text when there is nothing to say (SARIF always
    says something: a log with no results tells code scanning the alerts are fixed)."""
    findings = list(findings)
    if fmt == "json":
        return json.dumps([_as_dict(f, strict) for f in findings], indent=2) + "\n"
    if fmt == "github":
        return "".join(_annotation(f, strict) + "\n" for f in findings)
    if fmt == "sarif":
        return json.dumps(sarif_log(findings, strict), indent=2, ensure_ascii=False) + "\n"
    return "".join(_line(f, strict) + "\n" for f in findings)


def in_repository(findings: Iterable[Finding], workspace: Path) -> list[Finding]:
    """The findings of the workspace at ``workspace`` with their files named from the
    root of its git repository (unchanged when it is not in one)."""
    workspace = workspace.resolve()
    repository = repository_root(workspace)
    if repository is None or repository == workspace:
        return list(findings)
    prefix = workspace.relative_to(repository).as_posix() + "/"
    return [dataclasses.replace(f, location=dataclasses.replace(
        f.location, file=prefix + f.location.file)) for f in findings]


def effective(finding: Finding, strict: bool) -> Severity:
    """The severity a finding has in this run: ``--strict`` turns warnings into errors."""
    return Severity.ERROR if finding.fails(strict) else Severity.WARNING


def as_run(finding: Finding, strict: bool) -> Finding:
    """The finding with the severity it has in a run with ``strict`` (as its own), so
    findings of workspaces with different ``strict`` settings can be reported together."""
    return dataclasses.replace(finding, severity=effective(finding, strict))


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


def sarif_log(findings: list[Finding], strict: bool) -> dict:
    """A SARIF 2.1.0 log of one run: every rule mapgen has, and the findings as results."""
    rules = list(RULES.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    driver = {
        "name": "mapgen", "version": __version__, "rules": [
            {"id": rule.code, "name": rule.name, "shortDescription": {"text": rule.summary},
             "defaultConfiguration": {"level": rule.severity.value}} for rule in rules],
    }
    results = [{
        "ruleId": f.code, "ruleIndex": index[f.code], "level": effective(f, strict).value,
        "message": {"text": f.message}, "locations": [_sarif_location(f)],
    } for f in findings]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results}]}


def _sarif_location(f: Finding) -> dict:
    loc = f.location
    physical: dict = {"artifactLocation": {"uri": quote(loc.file)}}
    if loc.line:
        physical["region"] = {"startLine": loc.line, "startColumn": max(loc.column, 1)}
    location: dict = {"physicalLocation": physical}
    if loc.path:
        location["logicalLocations"] = [{"fullyQualifiedName": loc.path}]
    return location


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
