"""Validate: turn loaded documents into models, and report everything that is wrong.

Every rule of the format lives here except those of reading a file (MG101-MG107, MG109,
:mod:`mapgen.load`); :mod:`mapgen.workspace` finds and reads the files and asks this module
what is wrong with them. Two passes, both reporting every finding rather than stopping at
the first:

* :func:`check_document` checks one document's shape against its model and maps each
  pydantic error to a finding at the key or value that caused it, with a message that
  says what to write instead; :func:`check_spec_file` adds what the file's name says
  about a persona or journey (its id), and :func:`check_specs_folder` whether the
  configured specs folder is there at all;
* :func:`check_workspace` checks what needs the whole workspace: ids, references,
  scales, reachability, and the warnings of SPEC.md; :func:`duplicate_spec` is its
  one rule found while the files are gathered (two files, one id).
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from mapgen import diagrams, schema
from mapgen.embed import Embed, embeds_in, per_journey, view_names
from mapgen.findings import Finding, Location, did_you_mean, finding, one_of
from mapgen.load import DocPath, Document
from mapgen.model import (
    DOCUMENT_MODELS,
    ID_PATTERN,
    MAX_SCALE_SCORES,
    SEVERE,
    UNION_TAGS,
    Config,
    EmotionScale,
    Journey,
    Spec,
    Workspace,
    label_key,
)
from mapgen.cache import digest

MAX_STEPS = 20
_MAX_REPAIRS = 3

_TYPE_NAMES = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "tuple_type": "a list", "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values", "model_attributes_type": "a mapping",
    "int_from_float": "a whole number", "float_type": "a number",
}

#: How each bound of a number is said, by pydantic's error type.
_BOUNDS = {"greater_than_equal": "of {} or more", "greater_than": "above {}",
           "less_than_equal": "of {} or less", "less_than": "below {}"}

# --- one document --------------------------------------------------------------------

def check_document(doc: Document, model: type[BaseModel], **fixed: Any):
    """Validate ``doc`` against ``model``. Returns ``(instance or None, findings)``.

    ``fixed`` supplies fields that do not come from the file, such as the id a persona
    takes from its file name; a value written in the file wins, and is checked later.
    """
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        kind = model.__name__.lower()
        return None, [finding("not-a-mapping", doc.locate(()),
                              f"a {kind} file holds a mapping of keys to values, "
                              f"e.g. `title: ...`; found {_describe(data)}")]
    try:
        return model.model_validate({**fixed, **data}), []
    except ValidationError as exc:
        findings = [_error_finding(doc, model, err) for err in exc.errors()]
        return _repaired(model, copy.deepcopy({**fixed, **data}), exc), findings


def _repaired(model: type[BaseModel], data: dict, exc: ValidationError):
    """The model with every faulty value dropped, or None when that cannot make one.

    A repaired model is never built into a site (its findings fail the run), but it
    lets the workspace rules run too, so one pass reports every mistake in a file.
    """
    for _ in range(_MAX_REPAIRS):
        for err in exc.errors():
            path = tuple(p for p in err["loc"] if p not in UNION_TAGS)
            if err["type"] == "missing" or not path or not _drop(data, path):
                return None
        try:
            return model.model_validate(data)
        except ValidationError as again:
            exc = again
    return None


def _drop(root: Any, path: DocPath) -> bool:
    """Remove the value at ``path``; an entry of a list takes the whole list with it."""
    *parents, last = path
    data = root
    for part in parents:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(data, dict) and last in data:
        del data[last]
        return True
    if isinstance(data, list) and parents:
        return _drop(root, tuple(parents))
    return False


def _error_finding(doc: Document, model: type[BaseModel], err: dict) -> Finding:
    path = tuple(p for p in err["loc"] if p not in UNION_TAGS)
    kind, value = err["type"], err.get("input")
    where = schema.describe(model, path[:-1]) if path else "the document"
    key = path[-1] if path else ""
    if kind == "extra_forbidden" and key in getattr(model, "SHORTHANDS", {}) and len(path) == 1:
        full = model.SHORTHANDS[key]
        return finding("unknown-key", doc.locate(path, key=True), (
            f"give `{key}` or `{full}`, not both: `{key}: a` is short for `{full}: [a]`; "
            f"keep `{full}` and list every one there"))
    if kind == "extra_forbidden":
        known = schema.keys_at(model, path[:-1])
        return finding("unknown-key", doc.locate(path, key=True), (
            f'{where} has no key "{key}"{did_you_mean(key, known)}; known keys: '
            f'{", ".join(known)}. Keys of your own start with "x-"'))
    if kind == "missing":
        return finding("missing-key", doc.locate(path[:-1]),
                       f'{where} needs "{key}"; add `{key}: ...`')
    if kind == "literal_error":
        choices = schema.choices_at(model, path)
        own = (', or a lane of your own: "x-" and the name of the steps\' field that holds '
               'it, e.g. "x-system-response"') if _entry_word(path) == "lane" else ""
        return finding("invalid-choice", doc.locate(path), (
            f'"{value}" is not a {_entry_word(path)}{did_you_mean(value, choices)}; '
            f"write one of {one_of(choices)}{own}"))
    if kind == "string_pattern_mismatch":
        return finding("invalid-id", doc.locate(path), _bad_id_message(value))
    if kind == "too_short":
        return finding("invalid-value", doc.locate(path), (
            f"{key} needs at least one entry; list one, or leave out `{key}` for its default"))
    if kind in _BOUNDS:
        return finding("invalid-value", doc.locate(path), _out_of_bounds(model, path, err))
    if kind == "emotion_type":
        return finding("wrong-type", doc.locate(path), f"{err['msg']}; found {_describe(value)}")
    if kind in _TYPE_NAMES and path[-1:] == ("[key]",):  # a mapping key, e.g. of labels
        return finding("wrong-type", doc.locate(path[:-1], key=True), (
            f'the key "{value}" should be {_TYPE_NAMES[kind]}, a score: e.g. `2: excited`'))
    if kind in _TYPE_NAMES:
        return finding("wrong-type", doc.locate(path), (
            f"{key or 'the value'} should be {_TYPE_NAMES[kind]}; found {_describe(value)}"))
    return finding("invalid-value", doc.locate(path), f"{key}: {err['msg']}")


def _out_of_bounds(model: type[BaseModel], path: DocPath, err: dict) -> str:
    """A number past a bound (``reached: -5``): what the field holds, and what to write."""
    [(bound, limit)] = [(k, v) for k, v in err["ctx"].items() if k in ("ge", "gt", "le", "lt")]
    value = err.get("input")
    noun = "a whole number" if isinstance(value, int) else "a number"
    said = schema.meaning(model, path)
    about = f" ({said[:1].lower()}{said[1:].rstrip('.')})" if said else ""
    return f"{path[-1]}{about} is {value}; write {noun} {_BOUNDS[err['type']].format(limit)}"


def _entry_word(path: DocPath) -> str:
    """What the value at ``path`` is called: its key, or for a list entry the list's key
    in the singular (``lanes[1]`` is "a lane")."""
    if isinstance(path[-1], int) and len(path) > 1:
        return str(path[-2]).removesuffix("s")
    return str(path[-1])


def _bad_id_message(value: Any) -> str:
    suggestion = slugify(str(value))
    hint = f', e.g. "{suggestion}"' if suggestion else ""
    return (f'"{value}" is not a valid id: use lower-case letters, digits and dashes, '
            f"starting with a letter or digit{hint}")


def slugify(text: str) -> str:
    """A valid id made from ``text``: "Sees an Ad!" -> "sees-an-ad", "Álvarez" -> "alvarez",
    "Straße" -> "strasse" (Latin letters that no accent makes: spelled out)."""
    spelled = text.translate(LATIN_LETTERS)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


#: Latin letters that are not a letter and an accent, as they are spelled in ASCII.
LATIN_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe",
                               "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
                               "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
                               "Þ": "Th", "ı": "i", "ŋ": "ng", "ħ": "h", "Ħ": "H"})


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the text "{shown}"'
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


# --- one spec file: its id is its name ---------------------------------------------

def check_spec_file(kind: str, path: Path, doc: Document) -> tuple[Spec | None, list[Finding]]:
    """The persona or journey in ``doc`` (``kind`` is its folder) and every finding of it.

    Its id is its file name, so the name must be a valid id (MG301, at the top of the
    file, since the mistake is in the name) and an ``id:`` written in the file must agree
    with it (MG303). A bad name still lets the shape be checked, under a stand-in id.
    """
    model = DOCUMENT_MODELS[kind]
    stem = path.stem
    findings = []
    if not valid_id(stem):
        findings.append(finding("invalid-id", Location(doc.file, 1, 1), (
            f"the file name gives the {model.__name__.lower()} id \"{stem}\", "
            + _bad_id_message(stem).split(": ", 1)[1] + "; rename the file")))
    item, shape = check_document(doc, model, id=slugify(stem) or "x")
    findings += shape
    if item is not None and item.id != stem and valid_id(stem):
        findings.append(finding("id-file-mismatch", doc.locate(("id",)), (
            f'the id "{item.id}" differs from the file name "{path.name}"; '
            f'remove `id:` or rename the file to "{item.id}{path.suffix}"')))
    return item, findings


def duplicate_spec(kind: str, item_id: str, doc: Document, first_file: str) -> Finding:
    """MG302 for ``doc``, a second file of ``kind`` defining ``item_id`` after ``first_file``
    (``personas/ana.yml`` and ``personas/ana.yaml``, say); the first one is kept."""
    noun = DOCUMENT_MODELS[kind].__name__.lower()
    return finding("duplicate-id", Location(doc.file, 1, 1), (
        f'another file, {first_file}, already defines the {noun} "{item_id}"; keep one of them'))


def nested_folder(kind: str, folder: str, count: int) -> Finding:
    """MG110 for ``folder``, inside the ``kind`` folder and holding ``count`` spec files.

    The layout is flat (a spec's id is its file name, unique per kind), so files in a
    folder below are not read; saying so beats a journey that silently never appears.
    """
    noun = DOCUMENT_MODELS[kind].__name__.lower()
    files = "1 spec file" if count == 1 else f"{count} spec files"
    return finding("nested-folder", Location(folder), (
        f"this folder holds {files} that mapgen does not read: it reads the files directly "
        f"in {kind}/ (one {noun} per file, its id the file name). Move them up into "
        f"{kind}/, or move the folder out of the specs folder"))


def check_specs_folder(specs: Path, specs_dir: str, config_doc: Document | None,
                       config_file: str) -> Finding | None:
    """MG205 when ``specs`` (the config's ``specs_dir``) is not a folder that can be read.

    It points at ``specs_dir`` in the config, or at ``config_file`` when there is no
    config file yet (the default ``specs`` is missing: writing ``specs_dir`` is one fix).
    """
    try:
        if specs.is_dir():
            return None
        problem = (f'specs_dir: there is no folder "{specs_dir}" in the workspace; create '
                   "it with personas/ and journeys/ inside, or fix the name")
    except OSError as exc:
        problem = f"specs_dir: cannot open {specs_dir!r}: {exc.strerror}"
    where = config_doc.locate(("specs_dir",)) if config_doc else Location(config_file)
    return finding("invalid-value", where, problem)


def valid_id(text: str) -> bool:
    """True when ``text`` may be an id: lower-case letters, digits and dashes."""
    return re.fullmatch(ID_PATTERN, text) is not None


# --- Markdown pages: their names and the views they embed ------------------------------

def check_page_file(path: Path, shown: str) -> Finding | None:
    """MG301 when a Markdown page's file name is not an id (it names the page's address)."""
    if valid_id(path.stem):
        return None
    return finding("invalid-id", Location(shown, 1, 1), (
        f'the file name gives the page id "{path.stem}", '
        + _bad_id_message(path.stem).split(": ", 1)[1] + "; rename the file"))


def check_embeds(ws: Workspace, file: str, text: str, first_line: int = 1) -> list[Finding]:
    """MG320 for each ``mapgen`` block of ``text`` (from ``file``, starting on its line
    ``first_line``) that cannot be drawn: a line it does not know, no view or an unknown
    one, no journey or an unknown one, or a view the journey has nothing for."""
    findings = []

    def add(line: int, column: int, message: str) -> None:
        findings.append(finding("invalid-embed", Location(file, line + first_line - 1, column),
                                message))

    for embed in embeds_in(text):
        for line, column, problem in embed_problems(ws, embed):
            add(line, column, problem)
    return findings


def embed_problems(ws: Workspace, embed: Embed) -> list[tuple[int, int, str]]:
    """(line, column, what is wrong) for each problem of one block; none when it can be
    drawn."""
    problem, key = _embed_problem(ws, embed)
    return [*embed.problems, *([(*embed.place(key), problem)] if problem else [])]


def _embed_problem(ws: Workspace, embed: Embed) -> tuple[str | None, str]:
    """What is wrong with ``embed``, and the key it is wrong at; (None, "") when nothing."""
    views = view_names()
    if embed.view not in views:
        wrote = f'no view "{embed.view}"{did_you_mean(embed.view, views)}' if embed.view \
            else "no `view:`"
        return f"{wrote}; write `view:` and one of {one_of(views)}", "view"
    if not per_journey(embed.view):
        return None, ""
    if embed.journey is None:
        return (f"the {embed.view} view is of one journey: add `journey:` and its id "
                f"({', '.join(sorted(ws.journeys)) or 'there are no journeys yet'})"), "view"
    if embed.journey not in ws.journeys:
        return _unknown("journey", embed.journey, ws.journeys), "journey"
    view = diagrams.VIEWS.get(embed.view)
    if view is not None and not view.applies_to(ws.summaries[embed.journey]):
        return f'journey "{embed.journey}" has {view.missing}', "view"
    return None, ""


# --- the whole workspace -------------------------------------------------------------

#: ``reuse(file, key, check)``: the findings ``check()`` gave for the journey in ``file``
#: with the same ``key`` before, else ``check()``'s own.
Reuse = Callable[[str, str, Callable[[], list[Finding]]], list[Finding]]


def check_workspace(ws: Workspace, docs: dict[str, Document],
                    config_doc: Document | None, reuse: Reuse | None = None) -> list[Finding]:
    """Findings that need more than one document, or the model as a whole.

    The rules of one journey depend on its file, the config and the persona ids only
    (a :class:`JourneyContext`); with ``reuse`` (and the digests of a workspace read from
    files) their findings are kept for the next run under a key of those, so an unchanged
    journey is not checked again.
    """
    findings: list[Finding] = []
    if config_doc is not None:
        findings += _check_scale(ws.config.emotion_scale, config_doc, ("emotion_scale",))
        findings += _check_theme(ws, config_doc)
    context = JourneyContext.of(ws)
    keys = journey_keys(ws, context)
    for journey_id in ws.journeys:  # each looked up only when its rules are checked
        file = ws.files[f"journeys/{journey_id}"]
        check = partial(_check_journey, context, ws, journey_id, lambda file=file: docs[file])
        if reuse is None or file not in keys:
            findings += check()
        else:
            findings += reuse(file, keys[file], check)
    findings += _unused_personas(ws, docs)
    findings += _persona_channels(ws, docs)
    if config_doc is not None and "channels" in (config_doc.data or {}):
        findings += _duplicate_ids("channel", [(("channels", i, "id"), c.id) for i, c in
                                               enumerate(ws.config.channels)], config_doc)
        findings += _unused_channels(ws, config_doc)
    for page in ws.pages.values():
        findings += check_embeds(ws, ws.files[f"pages/{page.id}"], page.body, page.body_line)
    return findings


def journey_keys(ws: Workspace, context: JourneyContext | None = None) -> dict[str, str]:
    """The key of each journey's findings (see :meth:`JourneyContext.key`), by its file:
    those of a workspace read from files (whose digests are known)."""
    context = context or JourneyContext.of(ws)
    config = ws.digests.get("config", "")
    keys = {}
    for journey_id in ws.journeys:
        source = ws.digests.get(f"journeys/{journey_id}")
        if source:
            keys[ws.files[f"journeys/{journey_id}"]] = context.key(source, config)
    return keys


def _duplicate_ids(kind: str, entries: list[tuple[DocPath, str]],
                   doc: Document) -> Iterator[Finding]:
    """MG302 for each (path, id) of ``entries`` whose id an earlier entry has."""
    seen: dict[str, DocPath] = {}
    for path, ident in entries:
        if ident in seen:
            first = doc.locate(seen[ident])
            yield finding("duplicate-id", doc.locate(path), (
                f'the {kind} id "{ident}" is already used on line {first.line}; '
                f"give each {kind} its own id"))
        seen.setdefault(ident, path)


def _check_theme(ws: Workspace, doc: Document) -> list[Finding]:
    """MG205 at ``theme.name`` for a theme that cannot be found or read, or at
    ``theme.custom_dir`` for a folder that is not there: what a build would stop at."""
    from mapgen.site.theme import ThemeError, load_theme

    theme = ws.config.theme
    tries = [("name", None)] + ([("custom_dir", theme.custom_dir)] if theme.custom_dir else [])
    for key, custom_dir in tries:
        try:
            load_theme(Path(ws.root), theme.name, custom_dir, theme.options)
        except ThemeError as exc:
            return [finding("invalid-value", doc.locate(("theme", key)), str(exc))]
    return []


def _check_scale(scale: EmotionScale, doc: Document, path: DocPath) -> list[Finding]:
    findings = []
    if scale.min >= scale.max:
        findings.append(finding("invalid-scale", doc.locate(path + ("min",)), (
            f"the scale's min ({scale.min}) must be below its max ({scale.max}); "
            "e.g. `{min: -2, max: 2}`")))
    elif scale.max - scale.min >= MAX_SCALE_SCORES:
        findings.append(finding("invalid-scale", doc.locate(path + ("max",)), (
            f"the scale {scale.min}..{scale.max} has {scale.max - scale.min + 1} scores, "
            f"more than the {MAX_SCALE_SCORES} a map can show; narrow it, e.g. "
            "`{min: 0, max: 100}` or `{min: -2, max: 2}`")))
    named: dict[str, int] = {}
    for score, label in (scale.labels or {}).items():
        if not scale.min <= score <= scale.max:
            findings.append(finding("invalid-value", doc.locate(path + ("labels", str(score))), (
                f"the label for {score} lies outside the scale {scale.min}..{scale.max}; "
                "remove it or widen the scale")))
        elif label_key(label) in named:
            findings.append(finding("invalid-value", doc.locate(path + ("labels", str(score))), (
                f'"{label}" already names the score {named[label_key(label)]}; give each '
                f"score its own label, so that `emotion: {label}` says which score it means")))
        named.setdefault(label_key(label), score)
    return findings


def _unused_personas(ws: Workspace, docs: dict[str, Document]) -> Iterator[Finding]:
    used = {p for journey in ws.summaries.values() for p in journey.personas}
    for persona in ws.personas.values():
        if persona.id not in used:
            doc = docs[ws.files[f"personas/{persona.id}"]]
            yield finding("unused-persona", doc.locate(()), (
                f'no journey lists the persona "{persona.id}"; add it to a journey\'s '
                "`personas` or delete the file"))


def _persona_channels(ws: Workspace, docs: dict[str, Document]) -> Iterator[Finding]:
    for persona in ws.personas.values():
        for index, channel in enumerate(persona.channels):
            if channel not in ws.channels:
                doc = docs[ws.files[f"personas/{persona.id}"]]
                yield finding("unknown-channel", doc.locate(("channels", index)),
                              _unknown("channel", channel, ws.channels)
                              + "; or declare it under `channels` in mapgen.yml")


def _unused_channels(ws: Workspace, config_doc: Document) -> Iterator[Finding]:
    used = {channel for journey in ws.summaries.values() for channel in journey.channels}
    used |= {c for persona in ws.personas.values() for c in persona.channels}
    for index, channel in enumerate(ws.config.channels):
        if channel.id not in used:
            yield finding("unused-channel", config_doc.locate(("channels", index)), (
                f'no touchpoint or persona uses the channel "{channel.id}"; '
                "use it or remove it from `channels`"))


@dataclass(frozen=True, eq=False)
class JourneyContext:
    """What a journey's own rules know besides the journey: the config and the ids of the
    workspace's personas (a dict, for their order). Their findings depend on these alone,
    so a reading worker can check a journey it has just validated, before the workspace
    is whole, and they are kept under a :meth:`key` of them."""

    config: Config
    personas: dict[str, None]
    #: The digest of a config's digest and the persona ids, by the config's digest.
    _shared: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, ws: Workspace) -> JourneyContext:
        return cls(ws.config, dict.fromkeys(ws.personas))

    def key(self, source: str, config: str) -> str:
        """The key of a journey's findings: its file's digest (``source``) beside a digest
        of the config's (``config``) and the persona ids, the same for every journey:
        worked out once, not hashed again for each of a thousand journeys a rebuild."""
        shared = self._shared.get(config)
        if shared is None:
            shared = self._shared[config] = digest(config, ",".join(sorted(self.personas)))
        return f"{source} {shared}"


def check_journey(context: JourneyContext, journey: Journey,
                  document: Callable[[], Document]) -> list[Finding]:
    """The findings of one journey's own rules; ``document()`` gives its document, asked
    for only to place a finding."""
    return _JourneyChecker(context, journey, document).run()


def _check_journey(context: JourneyContext, ws: Workspace, journey_id: str,
                   document: Callable[[], Document]) -> list[Finding]:
    return check_journey(context, ws.journeys[journey_id], document)


class _JourneyChecker:
    """The per-journey rules: ids, references, emotions and the flow of steps."""

    def __init__(self, context: JourneyContext, journey: Journey,
                 document: Callable[[], Document]):
        """``document()`` gives the journey's document: asked for only to place a finding."""
        self.known, self.journey, self._document = context, journey, document
        self.scale = context.config.scale_of(journey)
        self.findings: list[Finding] = []
        self.step_ids = {step.id for step in journey.steps}
        self.source_ids = {source.id for source in journey.sources}
        self.pain_ids = {p.id for s in journey.steps for p in s.pain_points if p.id}
        self.cited: set[str] = set()

    @cached_property
    def doc(self) -> Document:
        return self._document()

    def add(self, rule: str, path: DocPath, message: str, *, key: bool = False) -> None:
        self.findings.append(finding(rule, self.doc.locate(path, key=key), message))

    def run(self) -> list[Finding]:
        journey = self.journey
        if journey.emotion_scale is not None:
            self.findings += _check_scale(journey.emotion_scale, self.doc, ("emotion_scale",))
        self._check_personas()
        self._check_unique_ids()
        if not journey.stages:
            self.add("no-stages", ("stages",) if "stages" in (self.doc.data or {}) else (),
                     "the journey has no stages; add `stages:` with at least one stage")
        for i, stage in enumerate(journey.stages):
            self._check_stage(i, stage)
        self._check_sources_used()
        self._check_someone_feels()
        self._check_pain_addressed()
        self._check_reachable()
        self._check_reached()
        if len(self.step_ids) > MAX_STEPS:
            self.add("journey-too-long", ("stages",), key=True, message=(
                f"the journey has {len(journey.steps)} steps; over {MAX_STEPS} is hard to read: "
                "split it into several journeys"))
        return self.findings

    def _check_someone_feels(self) -> None:
        """Emotions in a journey that names no persona are drawn nowhere: a curve is
        drawn for each of the journey's personas (once, at the first emotion)."""
        if self.journey.personas:
            return
        for i, stage in enumerate(self.journey.stages):
            for j, step in enumerate(stage.steps):
                if step.emotion is not None:
                    self.add("emotion-no-persona", ("stages", i, "steps", j, "emotion"), (
                        f'the step "{step.id}" has an emotion, but the journey names no '
                        "persona, so no curve is drawn; name who feels it: add "
                        "`persona: <id>` to the journey"), key=True)
                    return

    def _check_personas(self) -> None:
        for i, persona in enumerate(self.journey.personas):
            if persona not in self.known.personas:
                path = ("personas", i) if "personas" in (self.doc.data or {}) else ("persona",)
                self.add("unknown-persona", path, _unknown("persona", persona, self.known.personas))

    def _check_unique_ids(self) -> None:
        j = self.journey
        groups = {
            "source": [(("sources", i, "id"), s.id) for i, s in enumerate(j.sources)],
            "stage": [(("stages", i, "id"), s.id) for i, s in enumerate(j.stages)],
            "step": [(p + ("id",), s.id) for p, s in self._steps()],
            "pain point": [(p + ("pain_points", k, "id"), pp.id)
                           for p, s in self._steps() for k, pp in enumerate(s.pain_points)
                           if pp.id],
            "opportunity": [(p + ("opportunities", k, "id"), o.id)
                            for p, s in self._steps() for k, o in enumerate(s.opportunities)
                            if o.id],
        }
        for kind, entries in groups.items():
            self.findings += _duplicate_ids(kind, entries, self.doc)

    def _steps(self) -> Iterator[tuple[DocPath, Any]]:
        for i, stage in enumerate(self.journey.stages):
            for k, step in enumerate(stage.steps):
                yield ("stages", i, "steps", k), step

    def _check_stage(self, i: int, stage) -> None:
        if not stage.steps:
            path = ("stages", i, "steps") if "steps" in self.doc.data["stages"][i] else (
                "stages", i)
            self.add("no-steps", path,
                     f'the stage "{stage.id}" has no steps; add `steps:` with at least one step')
        for k, kpi in enumerate(stage.kpis):
            if kpi.source is not None:
                self._cite(("stages", i, "kpis", k, "source"), kpi.source)
        for k, step in enumerate(stage.steps):
            self._check_step(("stages", i, "steps", k), step)

    def _check_step(self, path: DocPath, step) -> None:
        channels = self.known.config.channels_by_id
        for k, tp in enumerate(step.touchpoints):
            if tp.channel not in channels:
                self.add("unknown-channel", path + ("touchpoints", k, "channel"),
                         _unknown("channel", tp.channel, channels)
                         + "; or declare it under `channels` in mapgen.yml")
        for k, ref in enumerate(step.next or ()):
            if ref == step.id:
                self.add("invalid-value", path + ("next", k), (
                    f'the step "{ref}" leads to itself: `next` names the steps that come after '
                    f'it; remove "{ref}" here (to show a retry, add a step for it)'))
            elif ref not in self.step_ids:
                self.add("unknown-step", path + ("next",) + (k,),
                         _unknown("step", ref, self.step_ids))
        for k, ref in enumerate(step.evidence):
            self._cite(path + ("evidence",) + (k,), ref)
        for k, pain in enumerate(step.pain_points):
            for m, ref in enumerate(pain.evidence):
                self._cite(path + ("pain_points", k, "evidence") + (m,), ref)
        for k, opp in enumerate(step.opportunities):
            for m, ref in enumerate(opp.addresses):
                if ref not in self.pain_ids:
                    self.add("unknown-pain-point",
                             path + ("opportunities", k, "addresses") + (m,),
                             _unknown("pain point", ref, self.pain_ids)
                             + "; give the pain point an `id` to reference it")
        self._check_step_personas(path, step)
        self._check_emotion(path, step)

    def _cite(self, path: DocPath, ref: str) -> None:
        self.cited.add(ref)
        if ref not in self.source_ids:
            self.add("unknown-source", path, _unknown("source", ref, self.source_ids)
                     + "; declare it under the journey's `sources`")

    def _check_step_personas(self, path: DocPath, step) -> None:
        """A step's ``personas`` narrow the journey's: each must be one of them."""
        personas = self.journey.personas
        for k, persona in enumerate(step.personas or ()):
            if persona in personas:
                continue
            message = (_unknown("persona of this journey", persona, personas)
                       if persona not in self.known.personas else
                       f'"{persona}" is not one of the journey\'s personas '
                       f"({', '.join(personas) or 'none'})")
            self.add("step-persona", path + ("personas", k), message + (
                "; a step's `personas` name who takes part among the journey's `personas`: "
                f'add "{persona}" there or remove it here'))

    def _check_emotion(self, path: DocPath, step) -> None:
        """Each emotion is for a persona taking part and on the scale; every persona taking
        part has one (a gap in the curve is a warning)."""
        emotion = step.emotion
        taking_part = step.taking_part(self.journey.personas)
        if isinstance(emotion, dict):
            for persona, written in emotion.items():
                where = path + ("emotion", persona)
                if persona not in taking_part:
                    self.add("emotion-persona", where, self._not_taking_part(step, persona),
                             key=True)
                self._check_score(where, written)
            covered = set(emotion)
        elif emotion is not None:
            self._check_score(path + ("emotion",), emotion)
            covered = set(taking_part)
        else:
            covered = set()
        missing = [p for p in taking_part if p in self.known.personas and p not in covered]
        if missing:
            self.add("emotion-gap", path + ("emotion",) if emotion is not None else path, (
                f'the step "{step.id}" has no emotion for {one_of(missing)}: a gap in the '
                f"curve; add `emotion: {{{missing[0]}: 0}}`"
                + ("" if step.personas is not None else
                   ", or list who takes part in the step's `personas`")))

    def _not_taking_part(self, step, persona: str) -> str:
        personas = self.journey.personas
        if persona not in personas:
            return _unknown("persona of this journey", persona, personas)
        return (f'"{persona}" does not take part in the step "{step.id}" (its `personas`: '
                f"{', '.join(step.personas)}); add \"{persona}\" to the step's `personas` "
                "or remove this emotion")

    def _check_score(self, where: DocPath, written: int | str) -> None:
        """A number within the scale, or a label the scale has."""
        scale = self.scale
        if isinstance(written, str):
            if scale.score_of(written) is None:
                self.add("unknown-emotion-label", where, _unknown_label(scale, written))
        elif scale.min < scale.max and not scale.min <= written <= scale.max:
            self.add("emotion-out-of-scale", where, (
                f"{written} is outside the scale {scale.min}..{scale.max}; write a score "
                f"from {scale.min} ({scale.label(scale.min)}) to {scale.max} "
                f"({scale.label(scale.max)})"))

    def _check_sources_used(self) -> None:
        for i, source in enumerate(self.journey.sources):
            if source.id not in self.cited:
                self.add("unused-source", ("sources", i), (
                    f'nothing cites the source "{source.id}"; cite it with `evidence: '
                    f"[{source.id}]` on a step or pain point, or remove it"))

    def _check_pain_addressed(self) -> None:
        addressed = {ref for s in self.journey.steps for o in s.opportunities
                     for ref in o.addresses}
        for path, step in self._steps():
            for k, pain in enumerate(step.pain_points):
                if pain.severity in SEVERE and pain.id not in addressed:
                    ref = pain.id or "an-id"
                    self.add("unaddressed-pain", path + ("pain_points", k), (
                        f"this {pain.severity} pain point has no opportunity that addresses it; "
                        f"add an opportunity with `addresses: [{ref}]`"
                        + ("" if pain.id else " and give the pain point `id: an-id`")))

    def _check_reachable(self) -> None:
        steps = self.journey.steps
        if not steps:
            return
        seen, todo = {steps[0].id}, [steps[0]]
        by_id = {step.id: step for step in steps}
        while todo:
            for ref in self.journey.next_steps(todo.pop()):
                if ref in by_id and ref not in seen:
                    seen.add(ref)
                    todo.append(by_id[ref])
        for path, step in self._steps():
            if step.id not in seen:
                self.add("unreachable-step", path, (
                    f'no path leads to the step "{step.id}" from the first step; '
                    "list it in an earlier step's `next`"))

    def _check_reached(self) -> None:
        previous = None
        for i, stage in enumerate(self.journey.stages):
            if stage.reached is None:
                continue
            if previous is not None and stage.reached > previous[1].reached:
                self.add("reached-grows", ("stages", i, "reached"), (
                    f'{stage.reached} customers reached "{stage.id}" but only '
                    f'{previous[1].reached} reached "{previous[1].id}" before it; '
                    "a funnel only narrows: check the figures or the stage order"))
            previous = (i, stage)


def _unknown_label(scale: EmotionScale, label: str) -> str:
    """What to write instead of an emotion label the scale does not have."""
    numbers = f"a number from {scale.min} to {scale.max}"
    if re.fullmatch(r"\s*[-+]?\d+\s*", label):
        return f'"{label}" is text, not a number; write {label.strip()} without quotes'
    named = scale.named
    if not named:
        return (f'"{label}" is not a label of the scale: it has none; write {numbers}, '
                "or name its scores under the scale's `labels`")
    listed = ", ".join(f"{text} ({score:+d})" if score else f"{text} (0)"
                       for score, text in sorted(named.items()))
    return (f'"{label}" is not a label of the scale{did_you_mean(label, named.values())}; '
            f"write one of {listed}, or {numbers}")


def _unknown(kind: str, ref: str, known) -> str:
    hint = did_you_mean(ref, known)
    listed = f"; known: {', '.join(sorted(known))}" if known and not hint else ""
    return f'no {kind} "{ref}"{hint}{listed}'
