"""Spreadsheets as people save them: the text of a CSV file in whichever encoding and
with whichever delimiter it was saved, every sheet of a workbook, every table of a
Markdown page (a journey map kept in the docs), and where in a grid of cells the journey
table is (a header row, or a label column when stages are columns).

What the cells mean is :mod:`mapgen.sheet`'s; turning them into a journey with the
workspace's personas is :mod:`mapgen.importer`'s.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapgen import sheet, wording
from mapgen.model import ID_PATTERN, X_KEY_PREFIX


class SheetError(ValueError):
    """A file that cannot be read as a spreadsheet; the message says where and why."""


@dataclass
class Grid:
    """The cells of one sheet as text, and its name (for messages). A table read from a
    text file also knows where each cell is in it: (line, column), both from 1."""

    name: str
    cells: list[list[str]]
    places: list[list[tuple[int, int]]] | None = None

    @property
    def label(self) -> str:
        """The grid as messages name it."""
        return f"the table on line {self.name}" if self.places else f'the sheet "{self.name}"'

    def where(self, row: int, column: str) -> str:
        """Where a cell (by row and column as :func:`place` gives them) is, as a message
        names it: ``sheet "Map", row 3, column B`` or, in a text file, ``12:5``."""
        if self.places is None:
            return f"{sheet_label(self)}row {row}" + (f", column {column}" if column else "")
        return "{}:{}".format(*self.line_and_column(row, column))

    def line_and_column(self, row: int, column: str) -> tuple[int, int]:
        """Where a cell of a text file's table is: its line, and the column its text
        starts on (the row's first cell's for a column it does not have)."""
        assert self.places is not None, "a sheet's cells have no lines"
        cells = self.places[min(max(row, 1), len(self.places)) - 1]
        index = column_index(column) if column else 0
        return cells[min(index, len(cells) - 1)] if cells else (1, 1)


#: Spreadsheet files that are not read, by what their first bytes or zip entries say.
NOT_READ = {"xls": ".xls (Excel 97-2003)", "ods": ".ods (OpenDocument spreadsheet)"}


def file_kind(path: Path) -> str | None:
    """"xlsx", "xls" or "ods" by what the file holds, whatever its name ends in (a
    workbook saved with no extension); None for text."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2, Excel 97-2003's container
        return "xls"
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 100 and \
                b"opendocument.spreadsheet" in archive.read("mimetype"):  # not a bomb's
            return "ods"
    return "xlsx" if "xl/workbook.xml" in names else None


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook, or the one table of a CSV file."""
    if path.suffix.lower() in (".xlsx", ".xlsm") or file_kind(path) == "xlsx":
        return _workbook(path)
    return [Grid("", _csv_cells(decode_text(path.read_bytes(), path)))]


def decode_text(raw: bytes, path: Path) -> str:
    """The text of a CSV file in whichever encoding it was saved in."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, errors="strict")
    sample = raw[:4000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        return raw.decode("utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    save = ("save the sheet as CSV UTF-8" if path.suffix.lower() in (".csv", ".tsv", ".txt")
            else "save the file as UTF-8")
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SheetError(f"{path}:{line}: byte 0x{raw[exc.start]:02x} is neither UTF-8 nor "
                         f"Windows-1252 text; {save}") from None
    if sum(byte >= 0x80 for byte in sample) > len(sample) * WESTERN_AT_MOST:
        raise SheetError(f"{path}: not UTF-8 text, and too little of it reads as Western "
                         "European (Windows-1252) text: it looks like another script's "
                         f"encoding (GBK, Big5, Shift-JIS, Windows-1251); {save}")
    return text


#: The share of bytes past ASCII in Windows-1252 text at most: French, German or Spanish
#: text has a few in a hundred; Chinese saved as GBK, read as Windows-1252, over half (its
#: title once came out as "ÔÚÏß¹ºÎï").
WESTERN_AT_MOST = 0.2


def _csv_cells(text: str) -> list[list[str]]:
    """Rows of cells, with the delimiter that splits the rows most evenly."""
    sample = text[:20000]
    best, best_score = ",", (-1, 0)
    for delimiter in (",", ";", "\t", "|"):
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter)][:20]
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delimiter, score
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=best)]


#: A table's delimiter row (GitHub Flavored Markdown): ``| --- | :---: |``.
_DELIMITER = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(?P<text>.*?)[\s#]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
#: Emphasis around a whole line of a cell (a bold stage name), and a link (its text kept).
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(?P<text>\S(?:.*\S)?)\1$")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")


def _plain(text: str) -> str:
    """A cell's Markdown as the text it shows: links as their text, and each line's
    emphasis off (``**Discover**`` is the stage "Discover")."""
    lines = []
    for line in _LINK.sub(lambda m: m["text"], text).split("\n"):
        line = line.strip()
        while (match := _EMPHASIS.match(line)) and match[1] not in match["text"]:
            line = match["text"]
        lines.append(line)
    return "\n".join(lines).strip()


def markdown_grids(text: str) -> list[Grid]:
    """Every pipe table of a Markdown page, each a grid named by the line its header is
    on, with the page's lines above it since the last heading (the heading's text first:
    the journey's title, a ``Persona: ...`` line) as one cell each; a Persona line of the
    page above that heading goes with every table under it."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    code = _in_code_blocks(lines)
    grids, index, heading, persona = [], 0, 0, None
    while index < len(lines):
        if index in code:  # a code block shows a table's text, not a table
            index += 1
            continue
        if _HEADING.match(lines[index]):
            heading = index
        if _PERSONA_LINE.match(lines[index]):
            persona = index
        if index + 1 < len(lines) and "|" in lines[index] and \
                _DELIMITER.match(lines[index + 1]):
            end = index + 2
            while end < len(lines) and lines[end].strip() and "|" in lines[end]:
                end += 1
            above = [n for n in range(heading, index) if n not in code]
            if persona is not None and persona < heading:  # the page's, over its tables
                above.insert(1, persona)
            grids.append(_table(lines, above, index, end))
            index = end
            continue
        index += 1
    return grids


#: A line naming a page's persona: "Persona: Noor", "**Personas:** Sam, Priya".
_PERSONA_LINE = re.compile(r"^\W*(?:persona|personas)\W*:", re.I)


def _in_code_blocks(lines: list[str]) -> set[int]:
    """The indexes of the lines of fenced code blocks, their fences included."""
    inside, fence = set(), ""
    for index, line in enumerate(lines):
        opens = _FENCE.match(line)
        if fence:
            inside.add(index)
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
        elif opens:
            inside.add(index)
            fence = opens["fence"]
    return inside


def _table(lines: list[str], above: list[int], header: int, end: int) -> Grid:
    """The grid of the table from line ``header`` (but its delimiter row) to ``end``, the
    lines ``above`` it (since the last heading) first; each cell knows its line and
    column."""
    cells: list[list[str]] = []
    places: list[list[tuple[int, int]]] = []
    for number in above:
        match = _HEADING.match(lines[number])
        text = _plain((match["text"] if match else lines[number]).replace("**", ""))
        if text:
            cells.append([text])
            places.append([(number + 1, len(lines[number]) - len(lines[number].lstrip()) + 1)])
    for number in (header, *range(header + 2, end)):
        row = _cells(lines[number])
        cells.append([text for text, _ in row])
        places.append([(number + 1, column) for _, column in row])
    return Grid(str(header + 1), cells, places)


def _cells(line: str) -> list[tuple[str, int]]:
    """The cells of a table's row, each with the column (from 1) its text starts on."""
    bounds = [-1, *(m.start() for m in _PIPE.finditer(line)), len(line)]
    found = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        raw = line[start + 1:stop]
        found.append((_plain(_BREAK.sub("\n", raw).replace("\\|", "|")),
                      start + 2 + len(raw) - len(raw.lstrip())))
    if found and not found[0][0] and not line[:bounds[1]].strip():
        found.pop(0)  # before the leading pipe
    if len(found) > 1 and not found[-1][0] and bounds[-2] != -1 and \
            not line[bounds[-2] + 1:].strip():
        found.pop()  # after the trailing pipe
    return found


def _workbook(path: Path) -> list[Grid]:
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise SheetError(f"{path}: this is not an Excel workbook (an .xlsx file is a zip "
                           "archive); save it from your spreadsheet as Excel (.xlsx) or CSV")
    _unpacks_small(path)
    try:  # from its bytes: openpyxl refuses a workbook's name without .xlsx
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True,
                                      data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise SheetError(f"{path}: the workbook cannot be read ({type(exc).__name__}: "
                           f"{exc}); open it in your spreadsheet and save it again as .xlsx, "
                           "or export the sheet as CSV") from None
    try:
        return [Grid(sheet_.title, [[_cell_text(v) for v in row]
                                    for row in sheet_.iter_rows(values_only=True)])
                for sheet_ in book.worksheets]
    except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a valid zip
        raise SheetError(f"{path}: a sheet of the workbook cannot be read "
                           f"({type(exc).__name__}); save it again as .xlsx or CSV") from None
    finally:
        book.close()


#: What a workbook's parts may unpack to at most, together. A journey's spec may be 2 MiB
#: (MG105); its sheet's XML, with a tag around every cell, some ten times that. A zip
#: bomb (100 kB whose one cell is 100 MB of text) is refused before it is unpacked.
MAX_UNPACKED = 50 * 1024 * 1024


def _unpacks_small(path: Path) -> None:
    """Refuse a workbook whose parts say they unpack past :data:`MAX_UNPACKED`. A part
    that says less than it holds is read no further than it says (Python's zipfile stops
    there, and its checksum then fails: "cannot be read")."""
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total <= MAX_UNPACKED:
        return
    largest = max(parts, key=lambda part: part.file_size)
    raise SheetError(f"{path}: the workbook unpacks to {total / 1048576:.0f} MiB "
                     f"({largest.filename} alone {largest.file_size / 1048576:.0f} MiB), "
                     f"past the {MAX_UNPACKED // 1048576} MiB a journey's sheet can hold "
                     "(its spec may be 2 MiB at most); it was not unpacked. Copy the "
                     "journey's table into a new workbook (without pictures or long pasted "
                     "text) and import that, or export the sheet as CSV")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- finding the journey table -----------------------------------------------------------

def header_key(text: str) -> str:
    """A header as compared: case, spaces and punctuation ignored ("Pain Point(s)" ->
    "painpoints")."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


#: Headers people write, by the column of the layout they mean.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "stage_name": ("stage", "stages", "stagename", "journeystage", "journeystages",
                   "section", "sections"),
    "stage_name#phase": ("phase", "phases", "journeyphase", "journeyphases"),
    "stage#id": ("stageid",),
    "step_name": ("step", "steps", "stepname", "task", "tasks", "moment", "moments",
                  "journeystep", "journeysteps", "activity", "activities", "stepsactions",
                  "stepaction"),
    "step#id": ("stepid",),
    "actions": ("action", "actions", "useraction", "useractions", "customeraction",
                "customeractions", "doing", "does", "whattheydo", "customerdoing",
                "customeractivities", "useractivities", "behaviour", "behavior",
                "behaviours", "behaviors"),
    "motivations": ("motivation", "motivations", "why", "needs", "customerneeds",
                    "usergoals", "customergoals", "goals", "expectations", "usergoal",
                    "customergoal", "goalsandneeds", "needsandgoals", "jobstobedone",
                    "jobtobedone", "jtbd"),
    "thoughts": ("thought", "thoughts", "thinking", "thinks", "customerthoughts",
                 "userthoughts", "whattheythink", "questions", "quote", "quotes",
                 "thoughtquote", "thoughtsquotes", "thoughtsandquotes", "quotesandthoughts",
                 "thoughtsandfeelings", "thinkingandfeeling", "thinkingfeeling",
                 "customerquotes", "verbatims", "verbatim", "thoughtsfeelings",
                 "thoughtsemotions", "thinkingfeelings", "keyquestions",
                 "customerquestions", "userquestions"),
    "touchpoints": ("touchpoint", "touchpoints", "touchpoint", "customertouchpoints",
                    "interactions", "interaction", "touchpointschannels",
                    "touchpointsandchannels"),
    "channel": ("channel", "channels", "medium", "media"),
    "emotion": ("emotion", "emotions", "feeling", "feelings", "feels", "mood",
                "sentiment", "customeremotion", "customeremotions", "useremotion",
                "emotionalstate", "score", "satisfaction", "experience", "emotionscore",
                "emotionalscore", "emotionalcurve", "feelingscore", "emotionsfeelings",
                "feelingsemotions", "emotionallevel", "emotionlevel"),
    "pain_points": ("painpoint", "painpoints", "pain", "pains", "frustration",
                    "frustrations", "problems", "issues", "barriers", "challenges",
                    "friction", "frictions", "blockers", "painpointsfrustrations"),
    "opportunities": ("opportunity", "opportunities", "idea", "ideas", "improvement",
                      "improvements", "improvementidea", "improvementideas", "solution",
                      "solutions", "howmightwe", "recommendation", "recommendations",
                      "opportunitiesideas", "opportunitiesandideas", "ideasandopportunities",
                      "opportunitiesforimprovement", "improvementopportunities",
                      "improvementopportunity"),
    "frontstage": ("frontstage", "frontstageactions", "frontstageactivities",
                   "employeeactions", "frontofhouse"),
    "backstage": ("backstage", "backstageactions", "backstageactivities",
                  "behindthescenes", "backofhouse", "internalprocesses"),
    "support": ("support", "supportprocesses", "supportingprocesses", "supportsystems",
                "systems", "tools"),
    "evidence": ("evidence", "research", "sources"),
    "next": ("next", "nextstep", "nextsteps"),
    "stage_goal": ("goal", "stagegoal", "stagegoals"),
    "stage_kpis": ("kpi", "kpis", "metric", "metrics"),
    "stage_reached": ("reached", "customersreached", "volume"),
}
#: The same columns as teams write them in the languages mapgen's site speaks (German,
#: French, Spanish, Japanese), compared as :func:`header_key` makes them.
TRANSLATED: dict[str, tuple[str, ...]] = {
    "stage_name": ("etappe", "etappen", "stufe", "étape", "étapes", "etapa", "etapas",
                   "ステージ", "段階"),
    "stage_name#phase": ("fase", "fases", "フェーズ"),
    "step_name": ("schritt", "schritte", "paso", "pasos", "ステップ"),
    "actions": ("aktion", "aktionen", "handlung", "handlungen", "kundenaktion",
                "kundenaktionen", "tätigkeit", "tätigkeiten", "accion", "acción",
                "acciones", "行動", "アクション", "顧客の行動"),
    "motivations": ("ziele", "bedürfnisse", "motivationen", "objectifs", "besoins",
                    "objetivos", "necesidades", "動機", "目的"),
    "thoughts": ("gedanken", "pensées", "pensee", "pensamientos", "思考", "考え"),
    "touchpoints": ("kontaktpunkt", "kontaktpunkte", "berührungspunkt",
                    "berührungspunkte", "pointdecontact", "pointsdecontact",
                    "puntodecontacto", "puntosdecontacto", "タッチポイント", "接点",
                    "顧客接点"),
    "channel": ("kanal", "kanäle", "canal", "canaux", "canales", "チャネル", "チャネル"),
    "emotion": ("gefühl", "gefühle", "stimmung", "emotionen", "émotion", "émotions",
                "ressenti", "emoción", "emociones", "sentimientos", "感情"),
    "pain_points": ("schmerzpunkt", "schmerzpunkte", "probleme", "hindernisse",
                    "pointsdedouleur", "pointdedouleur", "irritants", "pointsdefriction",
                    "cequicoince", "cequibloque", "cequigêne", "freins", "blocages",
                    "puntosdedolor", "puntodedolor", "fricciones", "problemas",
                    "ペインポイント", "課題", "不満"),
    "opportunities": ("chancen", "möglichkeiten", "ideen", "verbesserungen",
                      "opportunités", "pistesdamélioration", "améliorations", "piste",
                      "pistes",
                      "oportunidades", "mejoras", "機会", "改善機会", "改善案"),
}
_BY_KEY = {header_key(key): column for synonyms in (SYNONYMS, TRANSLATED)
           for column, keys in synonyms.items() for key in keys}
_BY_KEY |= {header_key(name): name for name in sheet.COLUMNS}
#: Labels above the table that say something about the whole journey.
JOURNEY_LABELS = {"title": "title", "journey": "title", "journeytitle": "title",
                  "journeymap": "title", "customerjourneymap": "title",
                  "userjourneymap": "title", "customerjourney": "title",
                  "journeyname": "title", "name": "title", "persona": "personas",
                  "personas": "personas", "customer": "personas", "actor": "personas",
                  "description": "description", "scenario": "description",
                  "owner": "owner", "objective": "objective"}
EMOTION_HEADER = re.compile(
    r"^\s*(emotion|emotions|feeling|feelings|mood|sentiment|score|gefühl|gefühle|"
    r"stimmung|émotion|émotions|ressenti|emoción|emociones|感情)\s*(?::|\(|（|-|–|for\b|"
    r"von\b|de\b)\s*(?P<who>[^)）]+?)\s*[)）]?\s*$", re.I)
#: What an emotion header ends in when it gives the scale, not a persona: "Feelings
#: (1-5)", "Score (0 to 10)", "Emotion (-2..2)", "Score 1–7".
SCALE_HINT = re.compile(r"(?P<min>[-+−]?\d+)\s*(?:-|–|—|\.\.|to)\s*(?P<max>[-+−]?\d+)"
                        r"\s*[)）]?\s*$", re.I)
STEP_DEFINING = ("step_name", "actions")
EXPECTED = ("Stage", "Step (or Action)", "Thoughts", "Touchpoint", "Channel", "Emotion",
            "Pain point", "Opportunity")


#: "What she does", "What the customer thinks", "What users feel": the lane's verb.
_WHAT_WHO = re.compile(r"^what(?:he|she|they|we|i|you|the(?:customer|user|client|guest|"
                       r"patient|buyer)s?|(?:customer|user|client)s?)(?P<verb>\w+)$")
#: The same in French: "Ce qu'elle fait", "Ce que le client pense".
_CE_QUE = re.compile(r"^ce(?:qu|que)(?:il|elle|ils|elles|on|le(?:client|persona|visiteur)|"
                     r"la(?:cliente|personne)|lutilisat(?:eur|rice)|lusager|lusagère)"
                     r"(?P<verb>\w+)$")
#: Those verbs, as the header they mean.
_VERBS = {"do": "doing", "does": "doing", "did": "doing", "think": "thinking",
          "thinks": "thinking", "thought": "thinking", "say": "quotes", "says": "quotes",
          "said": "quotes", "feel": "feeling", "feels": "feeling", "felt": "feeling",
          "need": "needs", "needs": "needs", "want": "needs", "wants": "needs",
          "fait": "doing", "font": "doing", "pense": "thinking", "pensent": "thinking",
          "dit": "quotes", "disent": "quotes", "ressent": "feeling", "ressentent": "feeling",
          "veut": "needs", "veulent": "needs", "attend": "needs", "attendent": "needs"}
#: An article before a header's name: "Le point de contact", "Les étapes", "Die Phase".
_ARTICLE = re.compile(r"^(?:(?:the|les|le|la|los|las|el|der|die|das)\s+|l['’]\s*)", re.I)


def _without_who(key: str) -> str:
    """A header about someone (``whatshedoes``, ``cequellefait``) as the lane it names
    (``doing``)."""
    match = _WHAT_WHO.match(key) or _CE_QUE.match(key)
    return _VERBS.get(match["verb"], "") if match else ""


def column_of(header: str) -> str | None:
    """The layout column a header means, or None when it is not one of them."""
    text = header.strip()
    if text.startswith(X_KEY_PREFIX) or sheet.x_column(text):
        return text
    if text.startswith(sheet.EMOTION_PREFIX):
        return text
    if scale_hint(text):
        return "emotion"  # the scale the column is written on, not a persona
    emotion = EMOTION_HEADER.match(text)
    if emotion:
        return sheet.EMOTION_PREFIX + emotion["who"]
    key = header_key(text)
    bare = header_key(_ARTICLE.sub("", wording.ASIDE.sub("", text).strip(" *_")))
    return next((_BY_KEY[k] for k in (key, _without_who(key), bare, _without_who(bare))
                 if k in _BY_KEY), None)  # "The pain points **[Source]**": pain points



def scale_hint(header: str) -> tuple[int, int] | None:
    """(min, max) of the scale an emotion header ends in, by any name the emotion column
    has: "Feelings (1-5)", "Satisfaction (1-10)", "Score 1–7", "Emotion (-2..2)"."""
    hint = SCALE_HINT.search(header)
    before = header[:hint.start()].rstrip(" (（:") if hint else ""
    if hint is None or not before or column_of(before) != "emotion":
        return None
    low, high = (int(hint[k].replace("−", "-")) for k in ("min", "max"))
    return (low, high) if low < high else None


@dataclass
class Layout:
    """Where the table is in a grid: which way it runs and what each line means."""

    transposed: bool
    label_index: int  # the header row, or the label column when transposed
    columns: dict[int, str]  # index along the labels -> layout column
    unknown: dict[int, str]  # index -> header as written, kept as x- fields
    first: int  # where the table starts along the labels (rows above it: the title)
    headers: dict[int, str]  # index -> the label as written
    #: A table of stages and their lanes, with no step column: each stage is one step.
    stages_are_steps: bool = False

    @property
    def as_written(self) -> bool:
        """The layout mapgen writes (ids beside names): values are read exactly as written,
        nothing is added (no widened scale, no personas from emotion columns)."""
        return {"step", "step_name"} <= set(self.columns.values())

    @property
    def score(self) -> int:
        return sum(not c.startswith(X_KEY_PREFIX) for c in self.columns.values())


def find_layout(cells: list[list[str]]) -> Layout | None:
    """The header row (or label column) that names the most known columns, if any names
    a step (a step or actions column), or the stages and two lanes of theirs."""
    best = None
    for transposed in (False, True):
        lines = transpose(cells) if transposed else cells
        for index, line in enumerate(lines[:30]):
            layout = _labels(line, index, transposed)
            if layout and (best is None or layout.score > best.score):
                best = layout
    if best is not None and best.transposed:
        _unlabelled_stages(best, cells)
        _stage_goals(best, cells)
    if best is not None:
        _step_names_not_ids(best, cells)
    return best


def _step_names_not_ids(layout: Layout, cells: list[list[str]]) -> None:
    """A "Step" column beside "Tasks" ("Activity", "Step name") is read as the steps'
    ids, as ``export --format csv`` writes them; when its cells are no ids ("Sign up")
    they are the steps' names, and the other column is what is done there: actions."""
    named = {column: p for p, column in layout.columns.items()}
    if not {"step", "step_name"} <= set(named) or \
            header_key(layout.headers[named["step"]]) not in ("step", "steps") or \
            (layout.headers[named["step"]], layout.headers[named["step_name"]]) == \
            ("step", "step_name"):  # the layout mapgen writes
        return
    lines = transpose(cells) if layout.transposed else cells
    texts = [line[named["step"]].strip() for line in lines[layout.label_index + 1:]
             if named["step"] < len(line)]
    if all(re.fullmatch(ID_PATTERN, text) for text in texts if text):
        return
    layout.columns[named["step"]] = "step_name"
    if "actions" in named:  # kept as a column of the sheet's own
        layout.unknown[named["step_name"]] = layout.headers[named["step_name"]]
        del layout.columns[named["step_name"]]
    else:
        layout.columns[named["step_name"]] = "actions"


def filled(grid: Grid, layout: Layout) -> int:
    """How many lines of ``grid``'s table hold something: which of two sheets that both
    name the lanes holds the journey."""
    lines = transpose(grid.cells) if layout.transposed else grid.cells
    return sum(any(text.strip() for text in line[layout.first:])
               for line in lines[layout.label_index + 1:])


def _unlabelled_stages(layout: Layout, cells: list[list[str]]) -> None:
    """In a template with lanes as rows, the stage names are often the row just above
    the first lane, with nothing in its label cell (Miro's and most templates' layout):
    that row is the stages when no row is labelled so."""
    if {"stage", "stage_name"} & set(layout.columns.values()):
        return
    for row in range(layout.first - 1, -1, -1):  # lanes of its own may come between
        line = cells[row] if row < len(cells) else []
        label = line[layout.label_index].strip() if layout.label_index < len(line) else ""
        filled = any(c.strip() for c in line[layout.label_index + 1:])
        if not label and filled:
            layout.unknown.update({p: layout.headers[p] for p in range(row + 1, layout.first)
                                   if layout.headers.get(p, "").strip()})
            layout.columns[row] = "stage_name"
            layout.headers[row] = "Stage"
            layout.first = row
            return
        if not label or not filled:  # a blank line or a title: the table starts below
            return


def _stage_goals(layout: Layout, cells: list[list[str]]) -> None:
    """With the stages as columns, a "Goals" row (the customer's goals, a step's
    motivations in a row per step) is the stages' goals when its cells stand where the
    stages start, as a merged cell over a stage's steps is exported."""
    named = {column: p for p, column in layout.columns.items()}
    goals, stages = named.get("motivations"), named.get("stage_name")
    if goals is None or stages is None or "stage_goal" in named or \
            "goal" not in header_key(layout.headers[goals]):
        return
    lines = transpose(cells)[layout.label_index + 1:]
    if all(line[stages].strip() for line in lines if line[goals].strip()):
        layout.columns[goals] = "stage_goal"


def _labels(line: list[str], index: int, transposed: bool) -> Layout | None:
    columns, unknown = {}, {}
    for position, text in enumerate(line):
        column = column_of(text) if text.strip() else None
        if column and column not in columns.values():
            columns[position] = column
        elif text.strip():
            unknown[position] = text.strip()
    _names_not_ids(columns)
    stages_are_steps = not any(c in STEP_DEFINING for c in columns.values())
    if stages_are_steps and not ("stage_name" in columns.values() and len(columns) >= 3):
        return None  # neither steps nor a stage's lanes: not a journey's table
    first = min(columns) if transposed else 0
    layout = Layout(transposed, index, columns,
                    {p: t for p, t in unknown.items() if p >= first}, first,
                    {p: t.strip() for p, t in enumerate(line)}, stages_are_steps)
    return layout if layout.score >= 2 else None


def _names_not_ids(columns: dict[int, str]) -> None:
    """"Stage" and "Step" are the names, unless the sheet also has a name column (as
    ``export --format csv`` writes: "stage" is then the id) and no "Stage ID" column.
    "Phase" names the stages too, unless another column does: then it is their phase."""
    named = {c: p for p, c in columns.items()}
    if "stage_name#phase" in named:
        has_stages = {"stage", "stage_name"} & set(named)
        columns[named["stage_name#phase"]] = "stage_phase" if has_stages else "stage_name"
    for ident in ("stage", "step"):
        named = {c: p for p, c in columns.items()}
        explicit, plain = named.get(f"{ident}#id"), named.get(ident)
        if explicit is not None:
            columns[explicit] = ident
            if plain is not None:
                columns[plain] = f"{ident}_name"
        elif plain is not None and f"{ident}_name" not in named:
            columns[plain] = f"{ident}_name"


def transpose(cells: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in cells), default=0)
    return [[row[i] if i < len(row) else "" for row in cells] for i in range(width)]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def place(layout: Layout, index: int, position: int) -> tuple[int, str]:
    """(row number, column letter) as the spreadsheet shows a cell."""
    row, column = (position, index) if layout.transposed else (index, position)
    return row + 1, column_letter(column)


def above_table(lines: list[list[str]]) -> dict[str, str]:
    """Title and persona written above the table: a lone cell is the title; a label
    and a value ("Persona", "Maya") set that field."""
    found: dict[str, str] = {}
    for line in lines:
        filled = [c.strip() for c in line if c.strip()]
        if len(filled) == 1:
            label, _, value = filled[0].partition(":")
            field_ = JOURNEY_LABELS.get(header_key(label)) if value.strip() else None
            if field_:  # "Persona: Dana (homeowner)", under the title too
                found.setdefault(field_, _as_title(value.strip()) if field_ == "title"
                                 else value.strip())
            elif "title" not in found:
                found["title"] = filled[0]
        elif len(filled) >= 2 and JOURNEY_LABELS.get(header_key(filled[0])):
            found.setdefault(JOURNEY_LABELS[header_key(filled[0])], filled[1])
        elif len(filled) >= 2 and _labelled(filled[0]):  # "Persona: Jordan, 28" in a CSV
            label, _, value = filled[0].partition(":")  # unquoted: its commas split it
            found.setdefault(JOURNEY_LABELS[header_key(label)],
                             ", ".join([value.strip(), *filled[1:]]))
    return found


def _labelled(cell: str) -> bool:
    """Whether a cell is a label of the journey and its value ("Persona: Jordan")."""
    label, colon, value = cell.partition(":")
    return bool(colon and value.strip() and JOURNEY_LABELS.get(header_key(label)))


def _as_title(text: str) -> str:
    """A title written after a label ("Journey map: booking a visit"), as a title starts:
    "Booking a visit" (a word with a capital inside, "iPhone", is left as it is)."""
    first = text.split(maxsplit=1)[0] if text else ""
    return text[0].upper() + text[1:] if first.islower() else text


def sheet_label(grid: Grid) -> str:
    return f'sheet "{grid.name}", ' if grid.name and grid.places is None else ""


def column_index(letter: str) -> int:
    """The inverse of :func:`column_letter`."""
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - 64
    return index - 1


def unrecognised(source: str, grids: list[Grid]) -> str:
    found = []
    for grid in grids:
        first = next((row for row in grid.cells if any(c.strip() for c in row)), [])
        labels = [c.strip() for c in first if c.strip()][:12]
        side = [r[0].strip() for r in grid.cells if r and r[0].strip()][:12]
        shown = ", ".join(f'"{c}"' for c in labels) or "nothing"
        found.append(f"{sheet_label(grid)}first row: {shown}; first column: "
                     + (", ".join(f'"{c}"' for c in side) or "nothing"))
    return (f"{source}: cannot find a journey table. Found {'; '.join(found)}. Expected a "
            f"header row (or, with stages as columns, a first column) naming a step or "
            f"action and at least one more of: {', '.join(EXPECTED)}. Nothing was written.")
