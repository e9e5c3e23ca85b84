"""The touchpoints page: a channel x phase matrix, as wide however many journeys there are."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import build_site, copy_example
from mapgen.site.pages import touchpoint_matrix
from mapgen.workspace import read_workspace


class _Matrix(HTMLParser):
    """The touchpoint table: its column headings, and per row (channel) the text and the
    step links of each cell."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.rows: dict[str, list[dict]] = {}
        self._in_table = self._in_head = False
        self._row: str | None = None
        self._cell: dict | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "touchpoint-matrix" in (attrs.get("class") or ""):
            self._in_table = True
        elif not self._in_table:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "th":
            self._heading = []
        elif tag == "td":
            self._cell = {"text": [], "links": []}
        elif tag == "a" and self._cell is not None:
            self._cell["links"].append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        elif tag == "thead":
            self._in_head = False
        elif tag == "th" and self._heading is not None:
            text = " ".join("".join(self._heading).split())
            if self._in_head:
                self.headings.append(text)
            else:
                self._row = text
                self.rows[text] = []
            self._heading = None
        elif tag == "td" and self._cell is not None:
            self._cell["text"] = " ".join("".join(self._cell["text"]).split())
            self.rows[self._row].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        elif self._cell is not None:
            self._cell["text"].append(data)


def _matrix_of(site: Path) -> _Matrix:
    parser = _Matrix()
    parser.feed((site / "touchpoints.html").read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    return copy_example(tmp_path_factory.mktemp("example"))


def test_columns_are_the_phases_not_the_stage_names(example):
    ws = read_workspace(example).workspace
    stage_names = {stage.name for j in ws.journeys.values() for stage in j.stages}
    matrix = _matrix_of(build_site(example))
    assert len(stage_names) > 10  # what one column per stage name made of this page
    assert matrix.headings == ["Channel", "Before", "During", "After"]
    assert all(len(cells) == 3 for cells in matrix.rows.values())


def test_every_touchpoint_is_in_its_channels_row_and_its_stages_phase(example):
    ws = read_workspace(example).workspace
    matrix = _matrix_of(build_site(example))
    column = {"before": 0, "during": 1, "after": 2}
    checked = 0
    for journey in ws.journeys.values():
        for stage in journey.stages:
            for step in stage.steps:
                for tp in step.touchpoints:
                    cell = matrix.rows[ws.channels[tp.channel].name][column[stage.phase]]
                    assert tp.name in cell["text"] and journey.title in cell["text"]
                    assert f"journeys/{journey.id}.html#step-{step.id}" in cell["links"]
                    checked += 1
    assert checked > 50


def test_each_touchpoint_says_how_customers_feel_at_its_step(example):
    ws = read_workspace(example).workspace
    matrix = touchpoint_matrix(ws)
    uses = [use for cell in matrix.cells.values() for _, group in cell for use in group]
    sad = next(u for u in uses if u.average is not None and u.average <= -1)
    scale = ws.scale_of(sad.journey)
    assert sad.figure == f"{sad.average:+.1f}"
    assert scale.label(round(sad.average)) in sad.feeling
    page = (build_site(example) / "touchpoints.html").read_text("utf-8")
    assert f'{sad.feeling} <bdi dir="ltr">({sad.figure})</bdi>' in page


def test_stages_without_a_phase_get_a_column_of_their_own(tmp_path):
    root = copy_example(tmp_path)
    journey = root / "specs/journeys/first-purchase.yml"
    text = journey.read_text("utf-8")
    first_phase = next(line for line in text.splitlines() if line.strip().startswith("phase:"))
    journey.write_text(text.replace(first_phase + "\n", "", 1), "utf-8")
    matrix = _matrix_of(build_site(root))
    assert matrix.headings == ["Channel", "Before", "During", "After", "No phase set"]
    assert any("First purchase" in cells[3]["text"] or "Pay with Acme" in cells[3]["text"]
               for cells in matrix.rows.values())
