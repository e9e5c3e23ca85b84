"""Findings: what the loader and the validator report, and the rules behind them.

Every finding names a rule by a stable code (``MG201``), so teams can search for it,
and a location (``file:line:col`` plus the path inside the document) so an editor or
CI annotation can jump to it. The codes are part of the contract: never renumber one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mapgen.cache import JSON, Codec


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.name: rule for rule in rules}


E, W = Severity.ERROR, Severity.WARNING

#: Every rule the loader and validator know, by name. Codes: 1xx reading files,
#: 2xx the shape of a document, 3xx ids and references, 4xx warnings.
RULES: dict[str, Rule] = _rules(
    Rule("MG101", "yaml-syntax", E, "The file is not valid YAML."),
    Rule("MG102", "not-utf8", E, "The file is not UTF-8 text."),
    Rule("MG103", "duplicate-key", E, "A mapping key is written twice."),
    Rule("MG104", "alias-bomb", E, "Anchors and aliases expand beyond the limit."),
    Rule("MG105", "file-too-large", E, "The file is larger than the 2 MiB limit."),
    Rule("MG106", "byte-order-mark", W, "The file starts with a UTF-8 byte order mark."),
    Rule("MG107", "unreadable-file", E, "The file cannot be read."),
    Rule("MG108", "not-a-mapping", E, "The document is not a mapping of keys to values."),
    Rule("MG109", "number-too-long", E, "A number of more than 1,000 digits."),
    Rule("MG110", "nested-folder", E, "A folder inside personas/ or journeys/, not read."),
    Rule("MG201", "unknown-key", E, "A key the format does not know."),
    Rule("MG202", "wrong-type", E, "A value of the wrong type."),
    Rule("MG203", "invalid-choice", E, "A value outside its set of choices."),
    Rule("MG204", "missing-key", E, "A required key is missing."),
    Rule("MG205", "invalid-value", E, "A value the format does not accept."),
    Rule("MG301", "invalid-id", E, "An id that is not lower-case letters, digits and dashes."),
    Rule("MG302", "duplicate-id", E, "An id that is not unique where it must be."),
    Rule("MG303", "id-file-mismatch", E, "A persona or journey id that differs from its file."),
    Rule("MG304", "unknown-persona", E, "A persona id that does not resolve."),
    Rule("MG305", "unknown-channel", E, "A channel id that does not resolve."),
    Rule("MG306", "unknown-step", E, "A `next` step id that does not resolve."),
    Rule("MG307", "unknown-source", E, "An `evidence` or `source` id that does not resolve."),
    Rule("MG308", "unknown-pain-point", E, "An `addresses` pain point id that does not resolve."),
    Rule("MG309", "emotion-persona", E,
         "An emotion for a persona not in the journey, or not taking part in the step."),
    Rule("MG310", "emotion-out-of-scale", E, "An emotion outside the journey's scale."),
    Rule("MG311", "invalid-scale", E,
         "An emotion scale whose min is not below its max, or with more than 101 scores."),
    Rule("MG312", "no-stages", E, "A journey with no stages."),
    Rule("MG313", "no-steps", E, "A stage with no steps."),
    Rule("MG314", "step-persona", E, "A step's persona that is not one of the journey's."),
    Rule("MG315", "unknown-emotion-label", E, "An emotion label the journey's scale lacks."),
    Rule("MG320", "invalid-embed", E,
         "A `mapgen` block in a Markdown page naming no journey or view there is."),
    Rule("MG401", "emotion-gap", W, "A step without an emotion for one of the personas."),
    Rule("MG402", "unaddressed-pain", W, "A high or critical pain point no opportunity addresses."),
    Rule("MG403", "unused-channel", W, "A declared channel that nothing uses."),
    Rule("MG404", "unused-persona", W, "A persona that no journey uses."),
    Rule("MG405", "unused-source", W, "A source that nothing cites."),
    Rule("MG406", "unreachable-step", W, "A step no path reaches from the first step."),
    Rule("MG407", "reached-grows", W, "`reached` grows from one stage to the next."),
    Rule("MG408", "journey-too-long", W, "A journey with more than 20 steps."),
    Rule("MG409", "emotion-no-persona", W,
         "Emotions in a journey that names no persona: no curve is drawn."),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES.values()}


@dataclass(frozen=True, order=True)
class Location:
    """Where a finding points: a file, a 1-based line and column, a document path."""

    file: str
    line: int = 0
    column: int = 0
    path: str = ""

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    rule: Rule
    location: Location
    message: str
    severity: Severity

    @property
    def code(self) -> str:
        return self.rule.code

    def fails(self, strict: bool) -> bool:
        """True when this finding should fail the run."""
        return self.severity is Severity.ERROR or strict

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule.code, self.message)

    def to_data(self) -> list:
        """The finding as JSON data, for the cache (see :meth:`from_data`)."""
        loc = self.location
        return [self.rule.name, loc.file, loc.line, loc.column, loc.path, self.message,
                self.severity.value]

    @classmethod
    def from_data(cls, data: list) -> Finding:
        """The finding :meth:`to_data` gave; ValueError or KeyError when it is not one."""
        name, file, line, column, path, message, severity = data
        if not all(isinstance(v, str) for v in (file, path, message)) or not all(
                isinstance(v, int) for v in (line, column)):
            raise ValueError("not a finding")
        return cls(RULES[name], Location(file, line, column, path), message, Severity(severity))


def finding(rule_name: str, location: Location, message: str) -> Finding:
    rule = RULES[rule_name]
    return Finding(rule, location, message, rule.severity)


def did_you_mean(word: str, choices) -> str:
    """' (did you mean "x"?)' when one of ``choices`` is close to ``word``, else ''."""
    import difflib

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def one_of(choices) -> str:
    """A readable list of choices: '"a", "b" or "c"'."""
    quoted = [f'"{c}"' for c in choices]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]



#: How a list of findings is kept in the cache (see :mod:`mapgen.cache`).
FINDINGS = Codec(lambda findings: JSON.encode([f.to_data() for f in findings]),
                 lambda data: [Finding.from_data(item) for item in JSON.decode(data)])
