"""Every script, in a real browser: an Arabic journey reads from the right, and the
touchpoints page fits a desktop window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser import browser_fixture, require_chromium, static_server
from conftest import build_site, copy_example

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "tests" / "workspaces" / "scripts"

pytestmark = pytest.mark.browser
require_chromium()
browser = browser_fixture()


@pytest.fixture(scope="module")
def scripts_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scripts") / "ws"
    shutil.copytree(SCRIPTS, root)
    return build_site(root)


def _left(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not drawn"
    return box["x"]


def test_the_arabic_journey_page_reads_from_the_right(browser, scripts_site):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    with static_server(scripts_site) as base:
        page.goto(base + "journeys/sim-purchase-ar.html", wait_until="networkidle")
        assert page.locator("main").evaluate("m => getComputedStyle(m).direction") == "rtl"
        # The step columns of the map: the first step's to the right of the last's.
        assert _left(page, "#step-browse") > _left(page, "#step-activated")
        # The flow diagram too, as drawn.
        assert _left(page, "[id$='-step-browse']") > _left(page, "[id$='-step-activated']")
    page.close()


def test_the_japanese_journey_page_reads_from_the_left(browser, scripts_site):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    with static_server(scripts_site) as base:
        page.goto(base + "journeys/bank-account-ja.html", wait_until="networkidle")
        assert page.locator("main").evaluate("m => getComputedStyle(m).direction") == "ltr"
        assert _left(page, "#step-compare") < _left(page, "#step-first-deposit")
    page.close()


def test_arabic_text_in_the_flow_diagram_stays_in_its_boxes(browser, scripts_site):
    """Right-anchored text grows to the left, into the room reserved for it.

    Lines with Latin letters are left out: the diagrams name Helvetica's metric-compatible
    faces for Latin text, and a machine with none of them (CI installs DejaVu only) draws
    Latin wider than any layout engine's Helvetica metrics."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    with static_server(scripts_site) as base:
        page.goto(base + "journeys/sim-purchase-ar.html", wait_until="networkidle")
        outside = page.evaluate("""() => {
            const out = [];
            let checked = 0;
            for (const node of document.querySelectorAll("svg.mapgen-diagram g.node.step")) {
                const box = node.querySelector("polygon").getBBox();
                for (const text of node.querySelectorAll("text")) {
                    if (/[A-Za-z]/.test(text.textContent)) continue;
                    const t = text.getBBox();
                    checked += 1;
                    if (t.x < box.x - 1 || t.x + t.width > box.x + box.width + 1)
                        out.push(text.textContent);
                }
            }
            return [out, checked];
        }""")
    page.close()
    problems, checked = outside
    assert checked >= 12 and problems == []


def test_the_touchpoints_page_fits_a_desktop_window(browser, tmp_path):
    site = build_site(copy_example(tmp_path))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    with static_server(site) as base:
        page.goto(base + "touchpoints.html", wait_until="networkidle")
        widths = page.evaluate("""() => {
            const scroll = document.querySelector(".table-scroll");
            return {page: document.documentElement.scrollWidth, window: innerWidth,
                    table: scroll.scrollWidth, room: scroll.clientWidth,
                    columns: document.querySelectorAll(".touchpoint-matrix thead th").length};
        }""")
    page.close()
    assert widths["columns"] == 4
    assert widths["page"] <= widths["window"] and widths["table"] <= widths["room"], widths
