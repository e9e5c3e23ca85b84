"""Diff: what a change means for the journeys, between two git revisions.

Reviewers of a pull request want "the checkout step got worse for Maya" and "a critical
pain point was added", not which YAML lines moved. :func:`compare` matches journeys,
personas, stages, steps and what is in them by id, compares every field a reader sees,
and lists the changes in those terms; :func:`render`
writes them as text, Markdown (with a Mermaid journey per changed journey, which GitHub
draws) or JSON. Revisions are read with plain ``git`` commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from pydantic import BaseModel

from mapgen.diagrams.graphs import signed
from mapgen.diagrams.metrics import columns
from mapgen.diagrams.wrap import clip
from mapgen.escape import for_markdown, for_terminal, markdown_fence
from mapgen.export import to_mermaid
from mapgen.load import is_yaml_name
from mapgen.model import (
    SEVERITY_RANK,
    Channel,
    Config,
    EmotionScale,
    Journey,
    Kpi,
    Opportunity,
    PainPoint,
    Persona,
    Source,
    Spec,
    Stage,
    Step,
    Touchpoint,
    Workspace,
    describe_duration,
)
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


def workspace_at(root: Path, revision: str, whole: bool = False) -> Workspace:
    """The workspace at ``root`` as it was at ``revision`` (or the working tree); an empty
    one where there was none (the change that adds mapgen, or removes it). ``whole``: a
    spec with an error is refused, not left out (a change would read as its removal); the
    base of a change may hold one that the change mends."""
    if revision == WORKING_TREE:
        return _read(root, f"{root}{os.sep}", whole)
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
        return _read(Path(tmp), f"{revision}:{prefix}", whole)


def _read(root: Path, place: str, whole: bool) -> Workspace:
    """The workspace at ``root``, which errors name by ``place``: the revision and the path
    in it ("main:docs/journeys/"), or the folder."""
    if not any((root / name).exists() for name in (*CONFIG_NAMES, "specs")):
        return Workspace(place, Config(channels=()))  # so every channel is new, or gone
    result = read_workspace(root)
    errors = [f for f in result.findings if f.fails(strict=False)]
    if result.workspace is None or (whole and errors):
        problems = "; ".join(f"{place}{f.location}: {f.message}"
                             for f in (errors or result.findings)[:3])
        for folder in {str(root), str(root.resolve())}:  # no temporary folder is named
            problems = problems.replace(folder + os.sep, place)
        raise DiffError(f"the workspace at {place.rstrip('/:' + os.sep)} cannot be read: "
                        + problems)
    return result.workspace


# --- comparing -----------------------------------------------------------------------
#
# Things are matched by id (or by what stands for one) and each field of a matched pair is
# compared as written, but those with a rule of their own (OWN_RULES) and those that match
# them (MATCHED_BY): a field added to the model later is compared without a change here.

#: What a reader calls each kind of thing, in the kinds of the changes ("step actions").
THINGS = {Persona: "persona", Channel: "channel", Journey: "journey", Stage: "stage",
          Step: "step", Touchpoint: "touchpoint", PainPoint: "pain point",
          Opportunity: "opportunity", Kpi: "KPI", Source: "source",
          EmotionScale: "emotion scale"}
#: The fields that match a thing to itself in the other revision (never a change); a
#: pain point or opportunity without an id is matched by its text.
MATCHED_BY = {Touchpoint: ("channel", "name"), Kpi: ("name",)}
#: Fields compared by a rule of their own below: names (renamed), a journey's stages and
#: steps (added, removed, moved), who takes part, emotions (by score), reached (drop-off).
#: ``x-`` keys are compared each as a field of its own.
OWN_RULES = {Persona: {"name"}, Channel: {"name"}, Journey: {"stages"},
             Stage: {"name", "steps", "reached"}, Step: {"name", "personas", "emotion"}}
#: How a field's value reads, where not as written.
SHOWN = {(Stage, "duration"): lambda d: describe_duration(d) if d else "none",
         (Step, "next"): lambda n: "the following step" if n is None else ", ".join(n)}
#: The columns a value is shortened to (around what changed) in a change's text.
WIDTH = 60


def compare(old: Workspace, new: Workspace) -> list[Change]:
    changes = _named("persona", old.personas, new.personas, lambda p: p.name, None)
    changes += _common(None, old.personas, new.personas)
    old_channels, new_channels = old.config.channels_by_id, new.config.channels_by_id
    changes += _named("channel", old_channels, new_channels, lambda c: c.name, None)
    changes += _common(None, old_channels, new_channels)
    for jid, journey in new.journeys.items():
        if jid in old.journeys:
            changes += _journey(old, new, old.journeys[jid], journey)
        else:
            changes.append(Change(jid, "journey added", f"{jid}: {journey.title}"))
    changes += [Change(jid, "journey removed", f"{jid}: {journey.title}")
                for jid, journey in old.journeys.items() if jid not in new.journeys]
    return changes


def _named(kind, old: dict, new: dict, name, journey: str | None) -> list[Change]:
    out = [Change(journey, f"{kind} added", f"{i}: {name(new[i])}") for i in new if i not in old]
    out += [Change(journey, f"{kind} removed", f"{i}: {name(old[i])}")
            for i in old if i not in new]
    out += [Change(journey, f"{kind} renamed", f"{i}: {name(old[i])} -> {name(new[i])}")
            for i in new if i in old and name(old[i]) != name(new[i])]
    return out


def _common(jid: str | None, old: dict, new: dict) -> list[Change]:
    """The fields of each thing (by id) in both revisions, in the new order."""
    return [change for i in new if i in old for change in _fields(jid, i, old[i], new[i])]


def _journey(old_ws: Workspace, new_ws: Workspace, old: Journey, new: Journey) -> list[Change]:
    jid = new.id
    old_stages, new_stages = {s.id: s for s in old.stages}, {s.id: s for s in new.stages}
    old_steps, new_steps = {s.id: s for s in old.steps}, {s.id: s for s in new.steps}
    changes = _fields(jid, None, old, new)
    changes += _named("stage", old_stages, new_stages, lambda s: s.name, jid)
    changes += _named("step", old_steps, new_steps, lambda s: s.name, jid)
    changes += _moved(jid, old, new)
    changes += _common(jid, old_stages, new_stages)
    changes += _reached(jid, old, new)
    old_scale, new_scale = old_ws.scale_of(old), new_ws.scale_of(new)
    for sid, after in new_steps.items():
        before = old_steps.get(sid)
        if before is None:
            changes += _items(jid, sid, (), after.pain_points + after.touchpoints)
            continue
        changes += _taking_part(jid, sid, before.personas, after.personas)
        changes += _emotions(jid, sid, before.scores(old.personas, old_scale),
                             after.scores(new.personas, new_scale))
        changes += _fields(jid, sid, before, after)
    return changes


def _moved(jid: str, old: Journey, new: Journey) -> list[Change]:
    """Steps now in another stage than before."""
    was = {step.id: stage.id for stage in old.stages for step in stage.steps}
    return [Change(jid, "step moved", f"{step.id}: {was[step.id]} -> {stage.id}")
            for stage in new.stages for step in stage.steps
            if step.id in was and was[step.id] != stage.id]


def _fields(jid: str | None, where: str | None, old: Spec, new: Spec) -> list[Change]:
    """Each field of a thing that is not matched by, nor compared by a rule of its own,
    as written; lists of things (pain points, KPIs...) item by item."""
    changes = []
    for field, before, after in _pairs(old, new):
        if before == after:
            continue
        if isinstance(before, BaseModel) and isinstance(after, BaseModel):
            changes += _fields(jid, where, before, after)
        elif _are_things(before) or _are_things(after):
            changes += _items(jid, where, before, after)
        else:
            shown = SHOWN.get((type(new), field), _shown)
            changes.append(Change(jid, f"{THINGS[type(new)]} {field.replace('_', ' ')}",
                                  _at(where, _before_after(shown(before), shown(after)))))
    return changes


def _pairs(old: Spec, new: Spec):
    """(field, value before, value after) of the fields :func:`_fields` compares: the
    model's, then each ``x-`` key."""
    kind = type(new)
    skip = {"extensions", *MATCHED_BY.get(kind, ("id",)), *OWN_RULES.get(kind, ())}
    for field in kind.model_fields:
        if field not in skip:
            yield field, getattr(old, field), getattr(new, field)
    for key in dict.fromkeys([*new.extensions, *old.extensions]):
        yield key, old.extensions.get(key), new.extensions.get(key)


def _are_things(value) -> bool:
    return isinstance(value, tuple) and any(isinstance(v, BaseModel) for v in value)


def _items(jid: str | None, where: str | None, old, new) -> list[Change]:
    """Things in a list (pain points, opportunities, touchpoints, KPIs, sources), matched
    by their id or what stands for one: added, removed, and what changed in each."""
    before, after = {_key(i): i for i in old or ()}, {_key(i): i for i in new or ()}
    changes = [Change(jid, f"{THINGS[type(i)]} added", _at(where, _summary(i)))
               for k, i in after.items() if k not in before]
    changes += [Change(jid, f"{THINGS[type(i)]} removed", _at(where, _summary(i)))
                for k, i in before.items() if k not in after]
    for k, item in after.items():
        if k in before:
            inside = f"{where} / {_label(item)}" if where else _label(item)
            changes += _fields(jid, inside, before[k], item)
    return changes


def _key(item: Spec) -> tuple:
    key = tuple(getattr(item, f) for f in MATCHED_BY.get(type(item), ("id",)))
    return key if key != (None,) else (None, item.text)


def _label(item: Spec) -> str:
    """How a change names a thing in a list: its id, else its text, shortened."""
    key = _key(item)
    return f'"{_short(item.text)}"' if key[0] is None else ": ".join(key)


def _summary(item: Spec) -> str:
    """A thing added or removed, in a few words."""
    if isinstance(item, PainPoint):
        return f"[{item.severity}] {item.text}"
    if isinstance(item, Opportunity):
        return f'"{item.text}" ({item.status})'
    if isinstance(item, Source):
        return f"{item.id}: {item.title}"
    return _label(item)


def _at(where: str | None, text: str) -> str:
    return f"{where}: {text}" if where else text


def _shown(value) -> str:
    """A value as one line: "none" for nothing, lists joined with "; "."""
    if value is None or value == ():
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (tuple, list)):
        return "; ".join(map(_shown, value))
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return " ".join(str(value).split())


def _before_after(before: str, after: str) -> str:
    """``before -> after``; long texts cut to a window around where they start to differ."""
    if before == after:  # only line breaks or spacing differ
        return f"{_short(before)} (spacing changed)"
    if columns(before) <= WIDTH and columns(after) <= WIDTH:
        return f"{before} -> {after}"
    same = len(os.path.commonprefix([before, after]))
    start = before.rfind(" ", 0, max(0, same - WIDTH // 3)) + 1
    return f"{_short(before, start)} -> {_short(after, start)}"


def _short(text: str, start: int = 0) -> str:
    """``text`` from ``start`` in at most :data:`WIDTH` columns; "…" marks what is cut."""
    piece = ("…" if start else "") + " ".join(text[start:].split())
    if columns(piece) <= WIDTH:
        return piece
    cut = clip(piece, WIDTH - 1)
    if " " in cut[WIDTH // 2:]:  # at a word, where one ends late enough
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def _taking_part(jid: str, step_id: str, before, after) -> list[Change]:
    """Who takes part in a step (``personas``; not given: every persona of the journey)."""
    if before == after:
        return []
    return [Change(jid, "taking part", f"{step_id}: {_taking(before)} -> {_taking(after)}")]


def _taking(personas) -> str:
    return "everyone" if personas is None else ", ".join(personas)


def _emotions(jid: str, step_id: str, before: dict[str, int],
              after: dict[str, int]) -> list[Change]:
    """Each persona whose score changed (labels compared by the score they stand for)."""
    changes = []
    for persona in sorted(before.keys() | after.keys()):
        a, b = before.get(persona), after.get(persona)
        if a != b:
            direction = ("set" if a is None else "removed" if b is None else
                         "up" if b > a else "down")
            changes.append(Change(jid, "emotion", f"{step_id}: {persona} {_score(a)} -> "
                                  f"{_score(b)} ({direction})"))
    return changes


def _score(value: int | None) -> str:
    return "none" if value is None else signed(value)


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
        if any(c.kind == "journey added" for c in items):
            out += ["", *_outline(new.journeys[journey])]
        if journey in new.journeys:
            chart = "\n".join(for_terminal(line) for line in
                              to_mermaid(new, new.journeys[journey]).rstrip().split("\n"))
            fence = markdown_fence(chart)
            out += ["", f"{fence}mermaid", chart, fence]
        out.append("")
    return "\n".join(out)


#: The pain points an added journey's outline lists, most severe first.
OUTLINE_PAINS = 10


def _outline(journey: Journey) -> list[str]:
    """What a journey added in the change holds, in a few lines of Markdown: its size and
    its worst pain points, so a reviewer need not open the file."""
    pains = sorted(((p, step.id) for step in journey.steps for p in step.pain_points),
                   key=lambda pain: -SEVERITY_RANK[pain[0].severity])
    size = (f"{_count(len(journey.stages), 'stage')}, {_count(len(journey.steps), 'step')}, "
            f"{_count(len(pains), 'pain point')}")
    lines = [size + (":" if pains else ".")]
    lines += [f"- [{p.severity}] {for_markdown(_at(sid, _short(p.text)))}"
              for p, sid in pains[:OUTLINE_PAINS]]
    if len(pains) > OUTLINE_PAINS:
        lines.append(f"- and {len(pains) - OUTLINE_PAINS} more")
    return lines


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"
