"""Model: the typed, immutable objects every later stage of the pipeline consumes.

One pydantic model per thing a journey-mapping team writes down (persona, journey,
stage, step, touchpoint, pain point, opportunity, ...). The same classes check the
shape of each document (see :mod:`mapgen.validate`) and produce the published JSON
Schema (see :mod:`mapgen.schema`), so the two can never disagree.

Shapes only live here. Rules that need the whole workspace (references, reachability,
unused items) are in :mod:`mapgen.validate`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictInt,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema
from pydantic_core import PydanticCustomError

from mapgen import language

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
X_KEY_PREFIX = "x-"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Ref = str
Text = str
Markdown = Annotated[str, Field(json_schema_extra={"format": "markdown"})]
Status = Literal["current", "future", "draft"]
Phase = Literal["before", "during", "after"]
Severity = Literal["low", "medium", "high", "critical"]
Priority = Literal["low", "medium", "high"]
OpportunityStatus = Literal["idea", "planned", "in-progress", "done"]
Engine = Literal["embedded", "system"]
#: Which way text runs: left to right, right to left, or as its first strong character.
Direction = Literal["ltr", "rtl", "auto"]
#: The rows of a journey map canvas, in their default order (see :mod:`mapgen.canvas`).
LaneName = Literal[
    "actions", "thoughts", "motivations", "touchpoints", "emotion", "pain_points",
    "opportunities", "kpis", "frontstage", "backstage", "support",
]
#: A lane of the team's own: the steps' ``x-`` field of that name ("x-system-response").
OWN_LANE = r"^x-[a-z0-9][a-z0-9-]*$"


def _lane(value: str) -> str:
    if value in _LANE_NAMES or re.match(OWN_LANE, value):
        return value
    raise PydanticCustomError("literal_error", "Input should be a lane", {"expected": ""})


_LANE_NAMES = frozenset(LaneName.__args__)
#: The lanes of a journey map canvas a team chooses, in the order they want them; lanes
#: left out are not shown, and lanes with nothing in them are never shown.
Lanes = Annotated[
    tuple[Annotated[str, AfterValidator(_lane), WithJsonSchema({"anyOf": [
        {"enum": list(LaneName.__args__)}, {"type": "string", "pattern": OWN_LANE}]})], ...],
    Field(min_length=1)]

#: Schema metadata of a list that must not be empty (a journey's stages, a stage's steps).
#: The model still reads an empty one, so the validator can say what to write (MG312,
#: MG313); editors mark it at once through the JSON Schema, where it is also required.
NON_EMPTY = {"minItems": 1}

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
#: The severities a pain point must be addressed at (MG402) and the home page counts.
SEVERE = frozenset({"high", "critical"})
PRIORITY_RANK = {"low": 1, "medium": 2, "high": 3}


def _one_or_many(value: Any) -> Any:
    """Let a list of one be written as the item alone: ``support: CRM``."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [value]
    return value


def _list_schema(item: dict) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [item, {"type": "array", "items": item}]})


TextList = Annotated[
    tuple[str, ...], BeforeValidator(_one_or_many), _list_schema({"type": "string"})
]
RefList = Annotated[
    tuple[Ref, ...], BeforeValidator(_one_or_many), _list_schema({"type": "string"})
]


def _score_kind(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return "score"
    if isinstance(value, str):
        return "label"
    return None


def _emotion_kind(value: Any) -> str | None:
    return "by-persona" if isinstance(value, dict) else _score_kind(value)


_EMOTION_FORMS = ("a whole number on the scale (emotion: 1), a label of the scale "
                  "(emotion: happy) or a mapping persona -> number or label "
                  "(emotion: {maya: 1, sam: sad})")
#: A label of the journey's emotion scale, as written ("happy", "Happy"): turned into its
#: score by :meth:`EmotionScale.score_of`; one that is not on the scale is a finding.
EmotionLabel = Annotated[str, WithJsonSchema({
    "type": "string", "pattern": r"\S",
    "description": "A label of the journey's emotion scale, e.g. happy (any case)."})]
#: One score: a number on the scale, or one of its labels.
Score = Annotated[
    Annotated[StrictInt, Tag("score")] | Annotated[EmotionLabel, Tag("label")],
    Discriminator(_score_kind, custom_error_type="emotion_type",
                  custom_error_message=f"an emotion is {_EMOTION_FORMS}"),
]
#: One score for every persona taking part in the step, or a mapping persona id -> score.
Emotion = Annotated[
    Annotated[StrictInt, Tag("score")] | Annotated[EmotionLabel, Tag("label")]
    | Annotated[dict[Ref, Score], Tag("by-persona")],
    Discriminator(_emotion_kind, custom_error_type="emotion_type",
                  custom_error_message=f"an emotion is {_EMOTION_FORMS}"),
]
#: Tags of tagged unions: they appear in error locations and are not document keys.
UNION_TAGS = frozenset({"score", "label", "by-persona"})


class Spec(BaseModel):
    """Base of every document model: immutable, unknown keys refused, ``x-`` keys kept."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        json_schema_extra={"patternProperties": {"^x-": {}}},
    )
    # The docstring under each field is its description in the JSON Schema, read when a
    # schema is made (see mapgen.schema).

    extensions: SkipJsonSchema[dict[str, Any]] = Field(
        default_factory=dict, validation_alias="__extensions__", exclude=True, repr=False
    )

    @model_validator(mode="before")
    @classmethod
    def _keep_x_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not _may_have_x_keys(data):
            return data  # the usual case, and the validator runs for every object read
        extensions = {k: v for k, v in data.items() if _is_x_key(k)}
        if not extensions and "__extensions__" not in data:
            return data  # the usual case, and the validator runs for every object read
        rest = {k: v for k, v in data.items() if not _is_x_key(k) and k != "__extensions__"}
        return {**rest, "__extensions__": extensions} if extensions else rest


def _may_have_x_keys(data: dict) -> bool:
    """False when no key of ``data`` is an ``x-`` key nor ``__extensions__``: one join in
    C for the text keys a document has, where a test of each key took a fifth of reading
    a cached workspace."""
    try:
        keys = "\0" + "\0".join(data)
    except TypeError:  # a key that is not text: look at each
        return True
    return "\0" + X_KEY_PREFIX in keys or "\0__extensions__" in keys


def _is_x_key(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(X_KEY_PREFIX)


def _language_tag(value: str) -> str:
    if not language.is_tag(value):
        raise PydanticCustomError("language_tag", language.tag_problem(value))
    return value


#: A BCP 47 language tag: "en", "ja", "ar", "pt-BR", "zh-Hant".
LanguageTag = Annotated[str, AfterValidator(_language_tag), WithJsonSchema({
    "type": "string", "pattern": language.TAG_PATTERN,
    "description": 'A BCP 47 language tag, e.g. "en", "ja", "ar" or "pt-BR".'})]


# --- the emotion scale and channels ---------------------------------------------------

DEFAULT_LABELS = {-2: "angry", -1: "sad", 0: "neutral", 1: "happy", 2: "excited"}
#: Emoticons for the labels teams use most; other labels are shown as text only.
EMOTICONS = {
    "furious": "😡", "angry": "😠", "frustrated": "😣", "sad": "🙁", "worried": "😟",
    "neutral": "😐", "ok": "🙂", "happy": "🙂", "pleased": "😊", "excited": "😄",
    "delighted": "🤩",
}


def _score_from_key(key: Any) -> Any:
    """Keys are read as text (``-2:`` is "-2", as in JSON): a whole number is a score."""
    return int(key) if isinstance(key, str) and re.fullmatch(r"[-+]?[0-9]{1,9}", key) else key


#: A score written as a mapping key: `labels: {-2: angry}`.
ScoreKey = Annotated[StrictInt, BeforeValidator(_score_from_key)]


def label_key(label: str) -> str:
    """How labels are compared: "Happy", " happy" and "HAPPY" are one label."""
    return " ".join(str(label).split()).casefold()


#: The most scores an emotion scale may have (0..100 is 101): each is a level of the
#: canvas and charts, so a wider scale only makes a build slow and its drawings unreadable.
MAX_SCALE_SCORES = 101


class EmotionScale(Spec):
    """The range of emotion scores and what each one is called."""

    min: StrictInt = -2
    """The lowest score: the worst a customer can feel."""
    max: StrictInt = 2
    """The highest score: the best a customer can feel."""
    labels: dict[ScoreKey, Text] | None = None
    """What each score is called, e.g. {-2: angry, 2: excited}; the labels teams use most also get
    an emoticon."""

    @property
    def named(self) -> dict[int, str]:
        """Score -> label: the ``labels`` written, else the default five of -2..2."""
        if self.labels is None and (self.min, self.max) == (-2, 2):
            return DEFAULT_LABELS
        return self.labels or {}

    def label(self, score: int) -> str:
        return self.named.get(score, f"{score:+d}" if score else "0")

    @cached_property
    def _by_label(self) -> dict[str, int]:
        by_label: dict[str, int] = {}
        for score, label in self.named.items():
            by_label.setdefault(label_key(label), score)
        return by_label

    def score_of(self, emotion: int | str) -> int | None:
        """The score an emotion stands for: a number is itself; a label (in any case) is
        the score it names on this scale, None when the scale has no such label."""
        if isinstance(emotion, int):
            return emotion
        return self._by_label.get(label_key(emotion))

    def emoticon(self, score: int) -> str:
        return EMOTICONS.get(self.label(score).lower(), "")

    @property
    def scores(self) -> range:
        return range(self.min, self.max + 1)

    def scored(self, emotions: Mapping[str, int | str]) -> dict[str, int]:
        """Each persona's emotion (a score or a label) as a score on this scale; a label
        the scale does not have gives none."""
        scores = {p: self.score_of(e) for p, e in emotions.items()}
        return {p: score for p, score in scores.items() if score is not None}


class Channel(Spec):
    """A way customers and the organisation meet: website, email, store..."""

    id: Id
    """How touchpoints and personas refer to the channel: lower-case letters, digits and dashes."""
    name: Text
    """The channel's name as readers see it, e.g. Website."""
    description: Markdown | None = None
    """What the channel is, in Markdown."""


DEFAULT_CHANNELS = (
    Channel(id="web", name="Website"),
    Channel(id="app", name="Mobile app"),
    Channel(id="email", name="Email"),
    Channel(id="sms", name="Text message"),
    Channel(id="social", name="Social media"),
    Channel(id="phone", name="Phone"),
    Channel(id="chat", name="Live chat"),
    Channel(id="store", name="Store"),
    Channel(id="sales", name="Sales representative"),
    Channel(id="post", name="Post"),
)


# --- mapgen.yml ----------------------------------------------------------------------

class Theme(Spec):
    """How the site looks: a shipped theme or a folder, with overrides and options."""

    name: Text = "default"
    """A theme that ships with mapgen (default), or the path of a theme folder."""
    custom_dir: Text | None = None
    """A folder whose templates and static files override the theme's."""
    options: dict[str, Any] = Field(default_factory=dict)
    """Settings the theme reads, e.g. {accent: "#5b4cdb", dark_mode: auto}."""


def _theme_shorthand(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


#: Where a site can be published: an http(s) URL with a host, or a path on the host that
#: serves it ("/journeys/"). Not "//host" (another host), no backslash (browsers read "/\\x"
#: as "//x"), no ?query or #fragment (page paths are appended), no spaces or quotes. The
#: same text is the pattern of the JSON Schema, so editors and the validator agree.
SITE_URL_PATTERN = (r'^(?:[hH][tT][tT][pP][sS]?://[^/?#\s\\"<>]+(?:/[^?#\s\\"<>]*)?'
                    r'|/(?:[^/?#\s\\"<>][^?#\s\\"<>]*)?)$')
SITE_URL_EXAMPLES = '"https://your-org.github.io/journeys/" or "/journeys/"'


def site_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a ``site_url``, saying what to write instead; None if it can.

    It is written into every page's links, the sitemap and the canonical URLs, so only a
    web address or a path is accepted: never ``javascript:``, ``data:`` or another host.
    """
    if re.fullmatch(SITE_URL_PATTERN, url):
        return None
    shown = url if len(url) <= 60 else url[:57] + "..."
    return f'"{shown}" is not a web address the site can be published at; {_site_url_advice(url)}'


def _site_url_advice(url: str) -> str:
    without_query = re.split(r"[?#]", url, maxsplit=1)[0]
    if without_query != url and re.fullmatch(SITE_URL_PATTERN, without_query):
        return f'leave out the ?query and #fragment: "{without_query}"'
    if re.fullmatch(r"[\w.-]+\.[a-zA-Z]{2,}(:\d+)?(/\S*)?", url) and \
            re.fullmatch(SITE_URL_PATTERN, f"https://{url}"):
        return f'add the scheme: "https://{url}"'
    return ('write an http:// or https:// URL with a host, or a path starting with "/", '
            f"e.g. {SITE_URL_EXAMPLES}")


def _checked_text(problem: Callable[[str], str | None], error: str, json_schema: dict):
    """Text that ``problem`` finds nothing wrong with (else its message is the error), and
    the JSON Schema editors check the same text by."""
    def check(text: str) -> str:
        found = problem(text)
        if found:
            raise PydanticCustomError(error, "{problem}", {"problem": found})
        return text

    return Annotated[str, AfterValidator(check), WithJsonSchema(json_schema)]


SiteUrl = _checked_text(site_url_problem, "site_url", {
    "type": "string", "pattern": SITE_URL_PATTERN,
    "description": "Where the site is published: an http(s) URL, or a path such as /journeys/."})


class Config(Spec):
    """The site configuration in ``mapgen.yml``; every key has a default."""

    title: Text = "Customer journeys"
    """The site's title, on every page and in the browser tab."""
    description: Markdown | None = None
    """What the site is about, in Markdown, on its home page."""
    site_url: SiteUrl | None = None
    """Where the site is published; used for canonical links, the sitemap and the 404 page."""
    repo_url: Text | None = None
    """The repository the specs live in, for "edit this map" links."""
    edit_uri: Text | None = None
    """The path from repo_url to a file's edit page, as in MkDocs, e.g. edit/main/."""
    lang: LanguageTag = "en"
    """The language of the site (BCP 47: en, ja, ar, pt-BR); a journey may say otherwise for
    itself."""
    dir: Direction | None = None
    """Which way the site's text runs; by default, the way its language is written."""
    specs_dir: Text = "specs"
    """The folder of personas/ and journeys/, relative to mapgen.yml."""
    pages_dir: Text = "pages"
    """The folder of Markdown pages published beside the maps, relative to mapgen.yml: each
    *.md file is a page, and a ```mapgen block in one shows a view of a journey."""
    site_dir: Text = "site"
    """Where `mapgen build` writes the site, relative to mapgen.yml."""
    theme: Annotated[Theme, BeforeValidator(_theme_shorthand)] = Field(default_factory=Theme)
    """The theme the site is drawn in: its name, or name, custom_dir and options."""
    emotion_scale: EmotionScale = Field(default_factory=EmotionScale)
    """The scale emotion scores are on, for every journey that does not set its own."""
    channels: tuple[Channel, ...] = DEFAULT_CHANNELS
    """The channels touchpoints and personas refer to by id; a common set ships by default."""
    strict: bool = False
    """true: warnings fail validate and build, as --strict does."""
    engine: Engine = "embedded"
    """How diagrams are laid out: embedded (bundled, the default) or system (your Graphviz dot)."""
    lanes: Lanes | None = None
    """The rows of each journey's canvas, in order; lanes left out are not shown."""

    @cached_property
    def channels_by_id(self) -> dict[str, Channel]:
        """The channels by id, in the order written (``Workspace.channels``)."""
        return {channel.id: channel for channel in self.channels}

    def scale_of(self, journey: Journey | JourneySummary) -> EmotionScale:
        """The scale the journey's scores are on: its own, else the site's."""
        return journey.emotion_scale or self.emotion_scale


# --- how long a stage takes ------------------------------------------------------------

#: The units a duration may be written in, singular (a trailing "s" is allowed).
DURATION_UNITS = ("minute", "hour", "day", "business day", "working day", "week", "month",
                  "quarter", "year")
_AMOUNT = r"\d+(?:\.\d+)?"
_WORDS = (rf"{_AMOUNT}(?:\s*(?:-|–|to)\s*{_AMOUNT})?"
          rf" +(?:{'|'.join(u.replace(' ', ' +') for u in DURATION_UNITS)})s?")
_ISO = r"P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?"
#: A stage's ``duration``: a number (or a range) and a unit, "2 weeks", "3-5 business
#: days", "1.5 hours"; or an ISO 8601 duration, "P2W", "PT30M", "P1DT12H". The same text
#: is the pattern of the JSON Schema, so editors and the validator agree.
DURATION_PATTERN = rf"^(?:{_WORDS}|{_ISO})$"
_ISO_UNITS = {"Y": "year", "W": "week", "D": "day", "H": "hour", "S": "second"}
_RANGE = re.compile(rf"({_AMOUNT})\s*(?:-|–|to)\s*({_AMOUNT})")


def duration_problem(text: str) -> str | None:
    """Why ``text`` cannot be a ``duration``, saying what to write instead; None if it can."""
    if re.fullmatch(DURATION_PATTERN, text):
        low_high = _RANGE.match(text)
        if low_high and float(low_high[1]) > float(low_high[2]):
            return (f'the range "{text}" runs backwards; write the shorter time first, '
                    f'e.g. "{low_high[2]}-{low_high[1]}{text[low_high.end():]}"')
        return None
    advice = ('write a number and a unit, e.g. "2 weeks", "3-5 business days" or '
              '"30 minutes", or an ISO 8601 duration such as "P2W" or "PT30M"')
    for fixed in (" ".join(text.split()).lower(), text.strip().upper(), _unabbreviated(text)):
        if fixed and fixed != text and re.fullmatch(DURATION_PATTERN, fixed):
            advice = f'write "{fixed}"'
            break
    return f'"{text}" is not a duration; {advice}'


_ABBREVIATIONS = {"min": "minute", "mins": "minute", "h": "hour", "hr": "hour", "hrs": "hour",
                  "d": "day", "w": "week", "wk": "week", "wks": "week", "mo": "month",
                  "mos": "month", "y": "year", "yr": "year", "yrs": "year"}


def _unabbreviated(text: str) -> str | None:
    """"2w" -> "2 weeks", "30 min" -> "30 minutes": the words a duration is written in."""
    match = re.fullmatch(rf"\s*({_AMOUNT})\s*([a-zA-Z]+)\.?\s*", text)
    unit = match and _ABBREVIATIONS.get(match[2].lower())
    if not unit:
        return None
    return f"{match[1]} {unit}{'' if match[1] == '1' else 's'}"


Duration = _checked_text(duration_problem, "duration", {
    "type": "string", "pattern": DURATION_PATTERN,
    "description": 'How long the stage takes: "2 weeks", "3-5 business days", or an '
                   'ISO 8601 duration such as "P2W".'})


def describe_duration(text: str,
                      amount: Callable[[int, str], str] | None = None) -> str:
    """A duration as people say it: "P1DT12H" -> "1 day 12 hours", "3-5 days" -> "3–5 days".

    ``amount(n, unit)`` says "12 hours" in another language (the site's, from its
    messages); text written as text is shown as written."""
    if not text.startswith("P"):
        return _RANGE.sub(r"\1–\2", " ".join(text.split()))
    date, _, time = text[1:].partition("T")
    parts = [(n, "minute" if unit == "M" and in_time else
              "month" if unit == "M" else _ISO_UNITS[unit])
             for in_time, half in ((False, date), (True, time))
             for n, unit in re.findall(r"(\d+)([A-Z])", half)]
    say = amount or (lambda n, unit: f"{n} {unit}{'' if n == 1 else 's'}")
    return " ".join(say(int(n), unit) for n, unit in parts)


# --- persona -------------------------------------------------------------------------

class Persona(Spec):
    """Someone the journeys are about. The id is the file name."""

    id: Id
    """The persona's id; optional, as it is the file name (specs/personas/<id>.yml)."""
    name: Text
    """The persona's name, e.g. Maya Chen."""
    role: Text | None = None
    """What this person does, in a few words."""
    avatar: Text | None = None
    """An emoji, or an image path relative to this file."""
    quote: Text | None = None
    """A sentence they said in an interview."""
    description: Markdown | None = None
    """Who they are, in Markdown."""
    goals: TextList = ()
    """What they want to achieve."""
    needs: TextList = ()
    """What they need from us to get there."""
    motivations: TextList = ()
    """Why they act."""
    frustrations: TextList = ()
    """What gets in their way."""
    channels: RefList = ()
    """The channels they prefer, by id from mapgen.yml's channels."""
    tags: TextList = ()
    """Words to group and filter personas by."""


# --- journey -------------------------------------------------------------------------

class Source(Spec):
    """Evidence that steps, pain points and KPIs cite."""

    id: Id
    """How steps, pain points and KPIs cite the source in their evidence or source."""
    title: Text
    """What the source is, e.g. Customer interviews (n=12)."""
    url: Text | None = None
    """Where to read the source."""


class Kpi(Spec):
    """A figure the team tracks for a stage, with its target and source."""

    name: Text
    """What is measured, e.g. Ad click-through."""
    value: Text | None = None
    """The measured value in the journey's period, e.g. "2.1%"."""
    target: Text | None = None
    """The value the team aims for."""
    source: Ref | None = None
    """The id of the source the value comes from."""


class Touchpoint(Spec):
    """Where, on which channel, the customer meets the organisation in a step."""

    channel: Ref
    """The channel's id, from mapgen.yml's channels."""
    name: Text
    """Where the customer meets us on that channel, e.g. Checkout page."""
    description: Text | None = None
    """More about the touchpoint."""


class PainPoint(Spec):
    """Something that goes wrong for the customer in a step."""

    id: Id | None = None
    """An id, needed only for opportunities to address the pain point."""
    text: Text
    """What goes wrong for the customer."""
    severity: Severity = "medium"
    """How much it hurts: low, medium, high or critical."""
    evidence: RefList = ()
    """The ids of the sources that show it."""


class Opportunity(Spec):
    """Something the team could do, often about a pain point."""

    id: Id | None = None
    """An id for the opportunity, to refer to it."""
    text: Text
    """What the team could do."""
    addresses: RefList = ()
    """The ids of the pain points it would relieve."""
    owner: Text | None = None
    """Who takes it forward, e.g. @marketing."""
    priority: Priority = "medium"
    """low, medium or high."""
    status: OpportunityStatus = "idea"
    """How far it got: idea, planned, in-progress or done."""


#: The personas taking part in a step: one id, or a list of at least one.
PersonaRefs = Annotated[
    tuple[Ref, ...], BeforeValidator(_one_or_many), Field(min_length=1),
    WithJsonSchema({"anyOf": [{"type": "string"},
                              {"type": "array", "items": {"type": "string"}, "minItems": 1}]}),
]


class Step(Spec):
    """One thing the customer does, with what they think and feel there."""

    id: Id
    """The step's id, unique in the journey; `next` refers to it."""
    name: Text
    """What the customer does, in a few words."""
    personas: PersonaRefs | None = None
    """Who takes part, by id among the journey's personas; by default all of them. Only they
    need, and may have, an emotion here (a buying committee meets in some steps only)."""
    actions: Text | None = None
    """What the customer does here, in detail."""
    motivations: Text | None = None
    """Why they do it."""
    thoughts: TextList = ()
    """What they think, in their own words."""
    touchpoints: tuple[Touchpoint, ...] = ()
    """Where they meet us in this step."""
    emotion: Emotion | None = None
    """How they feel: a score on the journey's scale or one of its labels (happy), or a mapping
    persona id -> score or label."""
    pain_points: tuple[PainPoint, ...] = ()
    """What goes wrong for them here."""
    opportunities: tuple[Opportunity, ...] = ()
    """What the team could do about it."""
    evidence: RefList = ()
    """The ids of the sources this step is based on."""
    frontstage: Text | None = None
    """What the customer sees us do (service-blueprint lane)."""
    backstage: Text | None = None
    """What we do out of the customer's sight (service-blueprint lane)."""
    support: TextList = ()
    """The systems and processes behind the step (service-blueprint lane)."""
    next: RefList | None = None
    """The ids of the steps customers go to next; by default, the following step. An earlier step
    is a revisit."""

    def taking_part(self, personas: tuple[str, ...]) -> tuple[str, ...]:
        """Which of the journey's ``personas`` take part: those the step names, else all."""
        if self.personas is None:
            return tuple(personas)
        return tuple(p for p in personas if p in self.personas)

    def scores(self, personas: tuple[str, ...], scale: EmotionScale) -> dict[str, int]:
        """Score per persona taking part, labels read on ``scale`` (the journey's): every
        reader of emotions (pages, charts, diff, export) asks here, never reads ``emotion``.
        A single score or label is every taking-part persona's; a label the scale does not
        have gives no score (the validator reports it)."""
        return scale.scored(self.emotions(personas))

    def emotions(self, personas: tuple[str, ...]) -> dict[str, int | str]:
        """The emotion written for each persona taking part: a score or a label, as
        written (:meth:`scores` reads them on a scale)."""
        if self.emotion is None:
            return {}
        taking_part = self.taking_part(personas)
        if isinstance(self.emotion, dict):
            return {p: e for p, e in self.emotion.items() if p in taking_part}
        return dict.fromkeys(taking_part, self.emotion)


class Stage(Spec):
    """A phase of the journey (awareness, purchase...), made of steps."""

    id: Id
    """The stage's id, unique in the journey."""
    name: Text
    """The stage's name, e.g. Awareness."""
    phase: Phase | None = None
    """When the stage happens: before, during or after the purchase."""
    goal: Text | None = None
    """What the customer wants from this stage."""
    owner: Text | None = None
    """The team or role answerable for the stage, e.g. @onboarding."""
    duration: Duration | None = None
    """How long customers usually spend in the stage: "2 weeks", "3-5 business days", or an
    ISO 8601 duration such as P2W."""
    description: Markdown | None = None
    """More about the stage, in Markdown."""
    reached: Annotated[StrictInt, Field(ge=0)] | None = None
    """How many customers reached this stage in the journey's period."""
    kpis: tuple[Kpi, ...] = ()
    """What the team measures in this stage."""
    steps: tuple[Step, ...] = Field((), json_schema_extra=NON_EMPTY)
    """What the customer does in this stage, in order; at least one step."""


class Journey(Spec):
    """A customer's path through stages and steps. The id is the file name."""

    id: Id
    """The journey's id; optional, as it is the file name (specs/journeys/<id>.yml)."""
    title: Text
    """The journey's title, e.g. First online purchase."""
    personas: RefList = ()
    """The ids of the personas who take this journey."""
    owner: Text | None = None
    """The team or person who keeps the map, e.g. @growth-team."""
    status: Status = "current"
    """current (as-is), future (to-be) or draft."""
    lang: LanguageTag | None = None
    """The journey's language, when not the site's (BCP 47)."""
    dir: Direction | None = None
    """Which way the journey's text runs, when not its language's."""
    objective: Markdown | None = None
    """What this map should help the team decide, in Markdown."""
    description: Markdown | None = None
    """What the journey covers, in Markdown."""
    period: Text | None = None
    """When the figures in the map were measured, e.g. 2026-Q3."""
    tags: TextList = ()
    """Words to group and filter journeys by."""
    emotion_scale: EmotionScale | None = None
    """The scale of this journey's emotion scores, when not mapgen.yml's."""
    lanes: Lanes | None = None
    """The rows of this journey's canvas, in order, when not mapgen.yml's."""
    sources: tuple[Source, ...] = ()
    """The evidence steps, pain points and KPIs cite."""
    stages: tuple[Stage, ...] = Field((), json_schema_extra=NON_EMPTY)
    """The stages of the journey, in order; at least one stage."""

    #: Shorthands a journey may use instead of a key, never beside it.
    SHORTHANDS: ClassVar[dict[str, str]] = {"persona": "personas"}

    @model_validator(mode="before")
    @classmethod
    def _persona_shorthand(cls, data: Any) -> Any:
        """``persona: maya`` is short for ``personas: [maya]``."""
        if isinstance(data, dict) and "persona" in data and "personas" not in data:
            rest = {k: v for k, v in data.items() if k != "persona"}
            return rest | {"personas": data["persona"]}
        return data

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """Every step, in document order across stages (worked out once: models are frozen)."""
        return tuple(step for stage in self.stages for step in stage.steps)

    @cached_property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(step.id for step in self.steps)

    def open_pain_points(self) -> list[PainPoint]:
        """Pain points that no finished (``done``) opportunity addresses."""
        done = {ref for s in self.steps for o in s.opportunities if o.status == "done"
                for ref in o.addresses}
        return [p for s in self.steps for p in s.pain_points if not (p.id and p.id in done)]

    def next_steps(self, step: Step) -> tuple[str, ...]:
        """Where customers go after ``step``: its ``next``, else the following step."""
        if step.next is not None:
            return step.next
        ids = self.step_ids
        position = ids.index(step.id)
        return (ids[position + 1],) if position + 1 < len(ids) else ()

    def stage_of(self, step_id: str) -> Stage | None:
        return next((st for st in self.stages if any(s.id == step_id for s in st.steps)), None)


@dataclass(frozen=True, slots=True)  # a workspace holds one per journey
class JourneySummary:
    """What a look across every journey needs of one: its title, status, personas, stages,
    channels and counts. A large workspace keeps each journey packed (see
    :mod:`mapgen.compact`) and this beside it, so the site's plan, its listings' counts,
    the overview and the cross-journey rules read no journey whole."""

    id: str
    title: str
    status: str
    personas: tuple[str, ...]
    #: Its stages as (id, name), in order.
    stages: tuple[tuple[str, str], ...]
    #: The channels its touchpoints use.
    channels: frozenset[str]
    #: True when a stage has ``reached`` figures to draw a funnel from.
    funnel: bool
    steps: int
    touchpoints: int
    pain_points: int
    #: Pain points of ``critical`` or ``high`` severity.
    critical_or_high: int
    opportunities: int
    #: Where its touchpoints are: a line "channel<TAB>phase" (no phase: empty) for each
    #: channel and phase it has touchpoints in, sorted; one string, so that 10,000
    #: summaries stay small (see :meth:`touchpoint_cells`).
    cells: str
    #: The severity of each pain point, in the journey's order.
    severities: tuple[str, ...]
    #: The (status, priority) of each opportunity, in the journey's order.
    opportunity_kinds: tuple[tuple[str, str], ...]
    lang: str | None
    dir: str | None
    #: Its own emotion scale, when it has one (else the site's). Left out of the hash:
    #: a scale's labels are a dict, and a summary stays a value that can be a key.
    emotion_scale: EmotionScale | None = field(hash=False)
    #: Pain points no finished opportunity addresses (:meth:`Journey.open_pain_points`).
    open_pains: int
    #: The emotions written at each step (:meth:`Step.emotions`), as JSON text: one
    #: string, read on a scale by :meth:`step_scores`.
    emotions: str

    @classmethod
    def of(cls, journey: Journey) -> JourneySummary:
        steps = journey.steps
        emotions = [step.emotions(journey.personas) for step in steps]
        return cls(
            journey.id, journey.title, journey.status, tuple(journey.personas),
            tuple((stage.id, stage.name) for stage in journey.stages),
            frozenset(tp.channel for step in steps for tp in step.touchpoints),
            any(stage.reached is not None for stage in journey.stages), len(steps),
            sum(len(step.touchpoints) for step in steps),
            sum(len(step.pain_points) for step in steps),
            sum(p.severity in SEVERE for step in steps for p in step.pain_points),
            sum(len(step.opportunities) for step in steps),
            "\n".join(sorted({f"{tp.channel}\t{stage.phase or ''}" for stage in journey.stages
                               for step in stage.steps for tp in step.touchpoints})),
            tuple(p.severity for step in steps for p in step.pain_points),
            tuple((o.status, o.priority) for step in steps for o in step.opportunities),
            journey.lang, journey.dir, journey.emotion_scale, len(journey.open_pain_points()),
            json.dumps(emotions, ensure_ascii=False, separators=(",", ":")))

    def step_scores(self, scale: EmotionScale) -> list[dict[str, int]]:
        """Each step's score per persona taking part, read on ``scale`` (the journey's),
        as :meth:`Step.scores` gives them."""
        return [scale.scored(emotions) for emotions in json.loads(self.emotions)]

    def to_data(self) -> list:
        """The summary as JSON data, kept in the cache beside its file (see
        :meth:`from_data`): a journey read back from there is not validated again until
        it is looked up whole."""
        values = [getattr(self, f.name) for f in fields(self)]
        return [sorted(v) if isinstance(v, frozenset) else
                v.model_dump(mode="json") if isinstance(v, EmotionScale) else v
                for v in values]

    @classmethod
    def from_data(cls, data: list) -> JourneySummary:
        """The summary :meth:`to_data` gave; ValueError or TypeError when it is not one."""
        (ident, title, status, personas, stages, channels, funnel, steps, touchpoints,
         pain_points, critical_or_high, opportunities, cells, severities, kinds, lang,
         direction, scale, open_pains, emotions) = data
        if not all(isinstance(v, str) for v in (ident, title, status, cells, emotions)):
            raise ValueError("not a journey summary")
        return cls(ident, title, status, tuple(personas), tuple(map(tuple, stages)),
                   frozenset(channels), bool(funnel), steps, touchpoints, pain_points,
                   critical_or_high, opportunities, cells, tuple(severities),
                   tuple(map(tuple, kinds)), lang, direction,
                   EmotionScale.model_validate(scale) if scale is not None else None,
                   open_pains, emotions)

    def touchpoint_cells(self) -> list[tuple[str, str | None]]:
        """(channel, phase or None) of each place it has touchpoints, sorted."""
        return [(channel, phase or None) for channel, _, phase in
                (line.partition("\t") for line in self.cells.split("\n") if line)]


# --- prose pages ---------------------------------------------------------------------

@dataclass(frozen=True)
class ProsePage:
    """A Markdown page written beside the maps (``pages/<id>.md``): its title is its first
    ``# heading`` (else its file name), the rest is its body."""

    id: str
    title: str
    #: The Markdown text after the title, and the line of the file it starts on (so a
    #: finding in it can name the line of the file).
    body: str
    body_line: int = 1


# --- the workspace -------------------------------------------------------------------

@dataclass(frozen=True)
class Workspace:
    """Everything one build works from: the config, personas and journeys by id."""

    root: str
    config: Config
    #: The personas by id, in file-name order.
    personas: dict[str, Persona] = field(default_factory=dict)
    journeys: dict[str, Journey] = field(default_factory=dict)
    #: Where each persona and journey was read from, relative to ``root``.
    files: dict[str, str] = field(default_factory=dict)
    #: A digest of the bytes each was read from ("journeys/<id>", "personas/<id>",
    #: "pages/<id>", "config"): what a build compares to know what changed since the last one.
    digests: dict[str, str] = field(default_factory=dict)
    #: The Markdown pages of ``pages_dir`` by id, in file-name order.
    pages: dict[str, ProsePage] = field(default_factory=dict)

    def scale_of(self, journey: Journey | JourneySummary) -> EmotionScale:
        return self.config.scale_of(journey)

    @property
    def lang(self) -> str:
        return self.config.lang

    @property
    def dir(self) -> str:
        """The site's direction as written in mapgen.yml, else its language's."""
        return self.config.dir or language.direction_of_tag(self.config.lang)

    def lang_of(self, journey: Journey | None = None) -> str:
        """The journey's language as written, else the site's (None: the site's)."""
        return (journey.lang if journey is not None else None) or self.config.lang

    def dir_of(self, journey: Journey) -> str:
        """The journey's direction as written, else its own language's, else the site's."""
        if journey.dir:
            return journey.dir
        return language.direction_of_tag(journey.lang) if journey.lang else self.dir

    def drawn_dir(self, journey: Journey | None = None) -> str:
        """"ltr" or "rtl": which way a diagram runs. ``auto`` goes by the first strongly
        directional character of the journey's (or the site's) title."""
        written = self.dir_of(journey) if journey is not None else self.dir
        if written != "auto":
            return written
        title = journey.title if journey is not None else self.config.title
        return language.direction_of_text(title)

    @property
    def channels(self) -> dict[str, Channel]:
        return self.config.channels_by_id

    @cached_property
    def summaries(self) -> Mapping[str, JourneySummary]:
        """Each journey's :class:`JourneySummary`, by id, in the journeys' order: kept
        beside them when they were read from files (never unpacking one), else made."""
        kept = getattr(self.journeys, "summaries", None)
        if kept is not None:
            return kept
        return {jid: JourneySummary.of(journey) for jid, journey in self.journeys.items()}

    def journeys_of(self, persona_id: str) -> list[str]:
        """The ids of the journeys ``persona_id`` takes, in order (from the summaries: no
        journey unpacked). A watched workspace notes this as one part read,
        ``journeys-of:<persona id>`` (see ``cache.Reads``), not as every journey read: a
        persona's page changes with the journeys that persona takes, not with any journey."""
        noted = getattr(self.journeys, "journeys_of", None)
        if noted is not None:
            return noted(persona_id)
        return [jid for jid, summary in self.summaries.items()
                if persona_id in summary.personas]


#: The document kinds users write, by the folder they live in under ``specs/``.
DOCUMENT_MODELS: dict[str, type[Spec]] = {"personas": Persona, "journeys": Journey}
