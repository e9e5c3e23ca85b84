"""Diff: what a change means for the journeys, between two git revisions.

Reviewers of a pull request want "the checkout step got worse for Maya" and "a critical
pain point was added", not which YAML lines moved. :func:`compare` matches journeys,
personas, stages and steps by id and lists the changes in those terms; :func:`render`
writes them as text, Markdown (with a Mermaid journey per changed journey, which GitHub
draws) or JSON. Revisions are read with plain ``git`` commands.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from mapgen.diagrams.graphs import signed
from mapgen.escape import for_markdown, for_terminal, markdown_fence
from mapgen.export import to_mermaid
from mapgen.load import is_yaml_name
from mapgen.model import Journey, Workspace, describe_duration
from mapgen.workspace import CONFIG_NAMES, read_workspace

FORMATS = ("text", "markdown", "json")
WORKING_TREE = "working tree"


class DiffError(Exception):
    """Not a git repository, or an unknown revision; the message says which."""


@dataclass(frozen=True)
class Change:
    journey: str | None   # the journey id, or None for workspace-wide changes
    kind: str             # e.g. "step added", "emotion", "pain point added"
    text: str             # what a reviewer reads


# --- reading revisions ---------------------------------------------------------------

def git(root: Path, *args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                             check=False, timeout=60)
    except FileNotFoundError:
        raise DiffError("git is not installed; mapgen diff reads revisions with git") from None
    if out.returncode != 0:
        if "not a git repository" in out.stderr:
            raise DiffError(f"{root} is not in a git repository: mapgen diff compares "
                            "revisions of specs kept in git")
        raise DiffError(out.stderr.strip() or f"git {' '.join(args)} failed")
    return out.stdout


def default_base(root: Path) -> str:
    """The merge base of HEAD with the default branch (origin's HEAD, main or master)."""
    candidates = []
    try:
        candidates.append(git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
                          .strip())
    except DiffError:
        pass
    candidates += ["origin/main", "main", "origin/master", "master"]
    for branch in candidates:
        try:
            return git(root, "merge-base", "HEAD", branch).strip()
        except DiffError:
            continue
    return "HEAD"


def workspace_at(root: Path, revision: str) -> Workspace:
    """The workspace at ``root`` as it was at ``revision`` (or the working tree)."""
    if revision == WORKING_TREE:
        return _read(root)
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    try:
        git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except DiffError:
        raise DiffError(f'unknown revision "{revision}": give a branch, tag or commit '
                        "(e.g. main, HEAD~1)") from None
    names = git(top, "ls-tree", "-r", "--name-only", revision, "--", prefix or ".").split("\n")
    with tempfile.TemporaryDirectory(prefix="mapgen-diff-") as tmp:
        for name in filter(None, names):
            rel = name[len(prefix):]
            if not (rel in CONFIG_NAMES or is_yaml_name(rel)):
                continue
            target = Path(tmp) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(subprocess.run(["git", "show", f"{revision}:{name}"], cwd=top,
                                              capture_output=True, check=True).stdout)
        return _read(Path(tmp))


def _read(root: Path) -> Workspace:
    result = read_workspace(root)
    if result.workspace is None:
        raise DiffError(f"the workspace at {root} cannot be read: "
                        + "; ".join(f"{f.location}: {f.message}" for f in result.findings[:3]))
    return result.workspace


# --- comparing -----------------------------------------------------------------------

def compare(old: Workspace, new: Workspace) -> list[Change]:
    changes = _named("persona", old.personas, new.personas, lambda p: p.name, None)
    old_channels = {c.id: c for c in old.config.channels}
    new_channels = {c.id: c for c in new.config.channels}
    changes += _named("channel", old_channels, new_channels, lambda c: c.name, None)
    changes += _named("journey", old.journeys, new.journeys, lambda j: j.title, None)
    for jid in new.journeys.keys() & old.journeys.keys():
        changes += _journey(old, new, old.journeys[jid], new.journeys[jid])
    return changes


def _named(kind, old: dict, new: dict, name, journey: str | None) -> list[Change]:
    out = [Change(journey, f"{kind} added", f'{kind} "{i}" added: {name(new[i])}')
           for i in new if i not in old]
    out += [Change(journey, f"{kind} removed", f'{kind} "{i}" removed: {name(old[i])}')
            for i in old if i not in new]
    out += [Change(journey, f"{kind} renamed", f'{kind} "{i}" renamed: {name(old[i])} -> '
                   f"{name(new[i])}") for i in new if i in old and name(old[i]) != name(new[i])]
    return out


def _journey(old_ws: Workspace, new_ws: Workspace, old: Journey, new: Journey) -> list[Change]:
    jid = new.id
    changes = _named("stage", {s.id: s for s in old.stages}, {s.id: s for s in new.stages},
                     lambda s: s.name, jid)
    old_steps, new_steps = {s.id: s for s in old.steps}, {s.id: s for s in new.steps}
    changes += _named("step", old_steps, new_steps, lambda s: s.name, jid)
    changes += _stage_facts(jid, old, new)
    old_scale, new_scale = old_ws.scale_of(old), new_ws.scale_of(new)
    for sid in new_steps.keys() & old_steps.keys():
        before, after = old_steps[sid], new_steps[sid]
        changes += _taking_part(jid, sid, before.personas, after.personas)
        changes += _emotions(jid, sid, before.scores(old.personas, old_scale),
                             after.scores(new.personas, new_scale))
        changes += _step(jid, before, after)
    for sid in new_steps.keys() - old_steps.keys():
        changes += _pains(jid, sid, (), new_steps[sid].pain_points)
        changes += _touchpoints(jid, sid, (), new_steps[sid].touchpoints)
    changes += _reached(jid, old, new)
    return changes


def _stage_facts(jid: str, old: Journey, new: Journey) -> list[Change]:
    """Who owns a stage and how long it takes, where either changed."""
    before = {s.id: s for s in old.stages}
    changes = []
    for stage in new.stages:
        was = before.get(stage.id)
        if was is None:
            continue
        if was.owner != stage.owner:
            changes.append(Change(jid, "stage owner", f"{stage.id}: {was.owner or 'none'} -> "
                                  f"{stage.owner or 'none'}"))
        if was.duration != stage.duration:
            show = lambda d: describe_duration(d) if d else "none"
            changes.append(Change(jid, "stage duration", f"{stage.id}: {show(was.duration)} -> "
                                  f"{show(stage.duration)}"))
    return changes


def _taking_part(jid: str, step_id: str, before, after) -> list[Change]:
    """Who takes part in a step (``personas``; not given: every persona of the journey)."""
    if before == after:
        return []
    show = lambda personas: "everyone" if personas is None else ", ".join(personas)
    return [Change(jid, "taking part", f"{step_id}: {show(before)} -> {show(after)}")]


def _emotions(jid: str, step_id: str, before: dict[str, int],
              after: dict[str, int]) -> list[Change]:
    """Each persona whose score changed (labels compared by the score they stand for)."""
    changes = []
    for persona in sorted(before.keys() | after.keys()):
        a, b = before.get(persona), after.get(persona)
        if a != b:
            direction = ("set" if a is None else "removed" if b is None else
                         "up" if b > a else "down")
            show = lambda v: "none" if v is None else signed(v)
            changes.append(Change(jid, "emotion", f"{step_id}: {persona} {show(a)} -> "
                                  f"{show(b)} ({direction})"))
    return changes


def _step(jid: str, old, new) -> list[Change]:
    changes = _pains(jid, new.id, old.pain_points, new.pain_points)
    changes += _touchpoints(jid, new.id, old.touchpoints, new.touchpoints)
    old_status = {o.id or o.text: o.status for o in old.opportunities}
    for o in new.opportunities:
        before = old_status.get(o.id or o.text)
        if before is None:
            changes.append(Change(jid, "opportunity added", f'{new.id}: "{o.text}" ({o.status})'))
        elif before != o.status:
            changes.append(Change(jid, "opportunity status",
                                  f'{new.id}: "{o.text}" {before} -> {o.status}'))
    return changes


def _pains(jid: str, step_id: str, old, new) -> list[Change]:
    key = lambda p: p.id or p.text
    before, after = {key(p): p for p in old}, {key(p): p for p in new}
    out = [Change(jid, "pain point added", f"{step_id}: [{p.severity}] {p.text}")
           for k, p in after.items() if k not in before]
    out += [Change(jid, "pain point removed", f"{step_id}: [{p.severity}] {p.text}")
            for k, p in before.items() if k not in after]
    return out


def _touchpoints(jid: str, step_id: str, old, new) -> list[Change]:
    before = {(t.channel, t.name) for t in old}
    after = {(t.channel, t.name) for t in new}
    return ([Change(jid, "touchpoint added", f"{step_id}: {c}: {n}")
             for c, n in sorted(after - before)]
            + [Change(jid, "touchpoint removed", f"{step_id}: {c}: {n}")
               for c, n in sorted(before - after)])


def _reached(jid: str, old: Journey, new: Journey) -> list[Change]:
    before = {s.id: s.reached for s in old.stages}
    stages = [s for s in new.stages if s.reached is not None]
    out = []
    for index, stage in enumerate(stages):
        if stage.id in before and before[stage.id] != stage.reached:
            drop = ""
            if index:
                prev = stages[index - 1].reached
                lost = prev - stage.reached
                drop = f"; drop-off from {stages[index - 1].id}: {lost:,} " \
                       f"({100 * lost / prev:.0f}%)" if prev else ""
            was = "none" if before[stage.id] is None else f"{before[stage.id]:,}"
            out.append(Change(jid, "reached", f"{stage.id}: {was} -> {stage.reached:,}{drop}"))
    return out


# --- output --------------------------------------------------------------------------

def render(changes: list[Change], new: Workspace, fmt: str, base: str, head: str) -> str:
    if fmt == "json":
        return json.dumps({"base": base, "head": head,
                           "changes": [asdict(c) for c in changes]}, indent=2) + "\n"
    if not changes:
        return f"No changes to the journeys between {base} and {head}.\n"
    groups: dict[str | None, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.journey, []).append(change)
    if fmt == "markdown":
        return _markdown(groups, new, base, head)
    lines = []
    for journey, items in groups.items():
        lines.append(f"{for_terminal(_title(new, journey))}:")
        lines += [f"  {c.kind}: {for_terminal(c.text)}" for c in items]
    return "\n".join(lines) + "\n"


def _title(ws: Workspace, journey: str | None) -> str:
    if journey is None:
        return "Workspace"
    found = ws.journeys.get(journey)
    return f"{found.title} ({journey})" if found else journey


def _markdown(groups, new: Workspace, base: str, head: str) -> str:
    """A pull-request comment: every piece of user text in it (titles, names, revisions)
    is escaped, so a title such as ``<script>`` or ``# x`` stays text; the chart is kept
    in a fence it cannot close, without control characters (the comment is often read on
    a terminal first)."""
    revisions = f"{for_markdown(base)} → {for_markdown(head)}"
    out = [f"### Journey map changes ({revisions})", ""]
    for journey, items in groups.items():
        out += [f"#### {for_markdown(_title(new, journey))}", ""]
        out += [f"- **{c.kind}**: {for_markdown(c.text)}" for c in items]
        if journey in new.journeys:
            chart = "\n".join(for_terminal(line) for line in
                              to_mermaid(new, new.journeys[journey]).rstrip().split("\n"))
            fence = markdown_fence(chart)
            out += ["", f"{fence}mermaid", chart, fence]
        out.append("")
    return "\n".join(out)
