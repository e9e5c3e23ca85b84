"""The workspace keeps its journeys packed: the same specs, a bounded number unpacked."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import copy_example
from mapgen import compact
from mapgen.workspace import read_workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus import write_corpus  # noqa: E402


def test_a_workspace_read_gives_every_journey_as_validated(tmp_path):
    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    assert isinstance(ws.journeys, compact.Specs)
    for ident in ws.journeys:
        again = ws.journeys[ident]
        assert again.id == ident
        assert again == compact.unpack(compact.pack(again))
    assert list(ws.journeys) == sorted(ws.journeys)  # file-name order, as read
    assert "no-such-journey" not in ws.journeys
    assert ws.journeys.get("no-such-journey") is None


def test_past_its_room_a_workspace_holds_a_bounded_number_unpacked(tmp_path, monkeypatch):
    monkeypatch.setattr(compact, "UNPACKED", 8)
    root = write_corpus(40, tmp_path / "corpus")
    ws = read_workspace(root).workspace
    first = {ident: ws.journeys[ident] for ident in ws.journeys}  # every one, once
    assert len(first) == 40
    assert len(ws.journeys._recent) == 8, "every journey read was kept unpacked"
    for ident, journey in first.items():  # unpacked again: equal, a new object
        assert ws.journeys[ident] == journey
    last = list(first)[-1]
    assert ws.journeys[last] is ws.journeys[last]  # the recent ones are kept as they are


def test_specs_made_by_hand_are_a_mapping_like_a_dict(tmp_path):
    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    plain = dict(ws.journeys.items())
    specs = compact.Specs.of(plain)
    assert dict(specs) == plain and len(specs) == len(plain) and specs == plain
