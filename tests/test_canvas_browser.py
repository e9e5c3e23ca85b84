"""The journey map canvas in a real browser: aligned, readable, scrollable, phone, print."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser import chromium, require_chromium, static_server
from conftest import copy_example
from journeys import generated_workspace
from mapgen.cli import cli
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.stem for p in (REPO / "specs/journeys").glob("*.yml"))
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
#: A3 landscape in PDF points.
A3_POINTS = (1191, 842)

pytestmark = pytest.mark.browser
require_chromium()


def _build(root: Path) -> Path:
    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert result.exit_code == 0, result.output
    return root / "site"


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    return _build(copy_example(tmp_path_factory.mktemp("example")))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Journeys of 5, 10, 12 and 60 steps, every lane filled."""
    root = tmp_path_factory.mktemp("generated")
    for rel, text in generated_workspace(5, 10, 12, 60).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    return _build(root)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def served(example, generated, tmp_path_factory):
    """Both sites from one server: ``example/`` and ``generated/``."""
    root = tmp_path_factory.mktemp("served")
    (root / "example").symlink_to(example)
    (root / "generated").symlink_to(generated)
    with static_server(root) as base:
        yield {"example": f"{base}example/", "generated": f"{base}generated/"}


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(url: str, viewport=DESKTOP, scheme: str = "light"):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        return page
    yield open_
    for context in contexts:
        context.close()


# --- every cell of a step lines up with its step header ------------------------------

SPANS = """() => [...document.querySelectorAll('.canvas th[data-step]')].map(th => {
  const id = th.dataset.step;
  const span = e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; };
  const inLane = (lane, what) => [...document.querySelectorAll(
      `.canvas .lane-${lane} td[data-step="${id}"] ${what}`)].map(span);
  return {id, header: span(th), action: inLane('actions', 'p'),
          emotion: inLane('emotion', '.point'), pain: inLane('pain_points', '.pain')};
})"""


@pytest.mark.parametrize("journey", EXAMPLES)
def test_every_steps_action_emotion_and_pain_point_line_up_with_its_header(
        open_page, served, journey):
    steps = open_page(f"{served['example']}journeys/{journey}.html").evaluate(SPANS)
    ws = read_workspace(REPO).workspace
    expected = ws.journeys[journey]
    assert [s["id"] for s in steps] == list(expected.step_ids)
    for step, model in zip(steps, expected.steps, strict=True):
        left, right = step["header"]
        assert len(step["action"]) == (1 if model.actions else 0), step["id"]
        assert len(step["emotion"]) == len(
            model.scores(expected.personas, ws.scale_of(expected))), step["id"]
        assert len(step["pain"]) == len(model.pain_points), step["id"]
        for part in ("action", "emotion", "pain"):
            for part_left, part_right in step[part]:
                assert part_left < right and part_right > left, (step["id"], part)
        if len(expected.personas) == 1 and step["emotion"]:
            (point_left, point_right), = step["emotion"]
            assert abs((point_left + point_right) / 2 - (left + right) / 2) < 1, step["id"]


# --- readable at any length ----------------------------------------------------------

SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  let checked = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.textContent.trim() || element.closest('.visually-hidden, title, desc')) continue;
    if (!element.closest('.canvas, svg.mapgen-diagram')) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    if (!range.getClientRects().length) continue;  // not rendered at this width
    let size = parseFloat(getComputedStyle(element).fontSize);
    if (element instanceof SVGElement) {
      const m = element.getScreenCTM();
      size *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    }
    checked += 1;
    if (size < 10) small.push([Math.round(size * 10) / 10, node.textContent.trim().slice(0, 40)]);
  }
  return {checked, small};
}"""


@pytest.mark.parametrize("steps", [5, 60])
def test_no_map_or_diagram_text_is_smaller_than_10_px(open_page, served, steps):
    page = open_page(f"{served['generated']}journeys/steps-{steps}.html")
    found = page.evaluate(SMALL_TEXT)
    assert found["checked"] > 25 * steps  # every lane of every step, and the diagrams
    assert found["small"] == []


def test_the_home_pages_overview_diagram_is_readable_too(open_page, served):
    found = open_page(f"{served['example']}index.html").evaluate(SMALL_TEXT)
    assert found["checked"] > 20 and found["small"] == []


OVERVIEW_FIT = """() => {
  const box = e => e.getBoundingClientRect();
  const out = [];
  let chips = 0;
  for (const row of document.querySelectorAll('svg.mapgen-diagram g.journey')) {
    const [title, status] = row.querySelectorAll(':scope > text');
    if (box(title).right > box(status).left) out.push(['title', title.textContent]);
    for (const chip of row.querySelectorAll('g.stage')) {
      const outline = box(chip.querySelector('rect')), text = box(chip.querySelector('text'));
      chips += 1;
      if (text.left < outline.left || text.right > outline.right) out.push(['chip', chip.textContent]);
    }
  }
  return {chips, out};
}"""


def test_the_overviews_titles_and_stage_names_stay_in_their_cells(open_page, served):
    found = open_page(f"{served['example']}index.html").evaluate(OVERVIEW_FIT)
    assert found["chips"] >= 12 and found["out"] == []


def test_the_flow_diagram_is_shown_at_its_drawn_size_in_a_scrolling_frame(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-60.html")
    frame = page.locator(".diagram .diagram-scroll").first
    width = frame.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert width[0] > width[1] and width[2] == "auto"
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]


#: Faces with Helvetica's letter widths, which Graphviz lays the diagrams out with.
HELVETICA_WIDTHS = {"Arimo", "Arial", "Helvetica", "Liberation Sans"}


@pytest.mark.parametrize("selector", ["svg.mapgen-diagram g.node text",  # the flow
                                      "svg.mapgen-diagram[font-family] text"])  # a chart
def test_diagram_text_is_set_in_a_face_with_the_widths_it_was_laid_out_with(
        open_page, served, selector):
    """On a machine with none of Helvetica's twins (this one has DejaVu only) the site's
    own Arimo is used; DejaVu's wider letters ran out of the boxes."""
    page = open_page(f"{served['example']}journeys/first-purchase.html")
    page.evaluate("document.fonts.ready")
    page.evaluate("""selector => document.querySelectorAll(selector).forEach(text => {
        if (/^[ -~]+$/.test(text.textContent)) text.dataset.latin = ""; })""", selector)
    selector += "[data-latin]"  # a symbol (⚠, a face) is left to a face that has it
    client = page.context.new_cdp_session(page)
    client.send("DOM.enable")
    client.send("CSS.enable")
    root = client.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    found = client.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
    assert found["nodeIds"], selector
    for node in found["nodeIds"][:5]:
        faces = client.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        assert faces and {face["familyName"] for face in faces} <= HELVETICA_WIDTHS, faces


def _overflow(page) -> dict:
    return page.locator(".canvas-scroll").evaluate(
        "e => ({room: e.scrollWidth - e.clientWidth, page: document.documentElement.scrollWidth,"
        " frame: e.parentElement.className})")


def test_a_journey_of_10_steps_fits_1400_px_without_scrolling(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-10.html")
    overflow = _overflow(page)
    assert overflow["room"] <= 0 and overflow["page"] <= DESKTOP["width"]
    assert "more-after" not in overflow["frame"]
    assert not page.locator(".scroll-hint").is_visible()
    assert page.locator(".stage-nav").count() == 0  # every stage is in view


def test_a_longer_journey_scrolls_inside_the_map_and_says_so(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-12.html")
    overflow = _overflow(page)
    assert overflow["room"] > 0 and overflow["page"] <= DESKTOP["width"]
    assert "more-after" in overflow["frame"]
    assert page.locator(".scroll-hint").is_visible()
    page.locator(".canvas-scroll").evaluate("e => e.scrollTo(e.scrollWidth, 0)")
    page.wait_for_function(
        "document.querySelector('.canvas-frame').classList.contains('more-before')")
    assert "more-after" not in _overflow(page)["frame"]


def test_lane_names_and_headers_stay_in_view_while_the_map_scrolls(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-60.html")
    scroller = page.locator(".canvas-scroll")
    label, header = page.locator(".lane-actions th"), page.locator("th[data-step='step-30']")
    frame_box = scroller.bounding_box()
    scroller.evaluate("e => e.scrollTo(3000, 400)")
    page.wait_for_function("document.querySelector('.canvas-scroll').scrollTop > 0")
    assert abs(label.bounding_box()["x"] - frame_box["x"]) <= 2
    stage_row = page.locator(".stage-row th").first.bounding_box()
    assert abs(stage_row["y"] - frame_box["y"]) <= 2
    assert header.bounding_box()["y"] < frame_box["y"] + 200


def test_a_stage_link_above_a_long_map_scrolls_the_map_to_that_stage(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-60.html")
    page.get_by_role("navigation", name="Stages of the map").get_by_role(
        "link", name="Stage 9 of the journey").click()
    header = page.locator("#stage-stage-8")
    label = page.locator(".lane-actions th").bounding_box()
    page.wait_for_function("document.querySelector('.canvas-scroll').scrollLeft > 0")
    assert abs(header.bounding_box()["x"] - (label["x"] + label["width"])) <= 3
    assert page.locator(".stage-nav").count() == 1


def test_keyboard_users_can_reach_and_scroll_the_map(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-12.html")
    region = page.get_by_role("region", name="lanes by steps")
    assert region.count() == 1
    for _ in range(60):
        page.keyboard.press("Tab")
        if region.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the map")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.canvas-scroll').scrollLeft > 0")


def test_a_right_to_left_page_mirrors_the_map(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-12.html")
    page.evaluate("document.querySelector('main').dir = 'rtl'")
    first, second = (page.locator(f"th[data-step='step-{i}']").bounding_box() for i in (0, 1))
    label = page.locator(".lane-actions th").bounding_box()
    assert first["x"] > second["x"]
    assert label["x"] > first["x"]
    point = page.locator(".lane-emotion td[data-step='step-0'] .point").first.bounding_box()
    assert first["x"] < point["x"] < first["x"] + first["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]


def test_faces_on_the_curve_pass_under_the_pinned_lane_names(open_page, served):
    page = open_page(f"{served['generated']}journeys/steps-60.html")
    page.locator(".canvas-scroll").evaluate("e => e.scrollTo(700, 0)")
    page.wait_for_function("document.querySelector('.canvas-scroll').scrollLeft > 0")
    under = page.evaluate("""() => {
        document.querySelector('.lane-emotion th').scrollIntoView({block: 'center'});
        const names = document.querySelector('.lane-emotion th').getBoundingClientRect();
        return [...document.querySelectorAll('.lane-emotion .point')].map(point => {
            const box = point.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            if (x <= names.left || x >= names.right) return null;
            return document.elementFromPoint(x, y).closest('th') !== null;
        }).filter(hit => hit !== null); }""")
    assert under and all(under)  # each face behind the lane names is hidden by them


# --- phone ---------------------------------------------------------------------------

@pytest.mark.parametrize("site, journey", [("example", j) for j in EXAMPLES]
                         + [("generated", "steps-60")])
def test_on_a_phone_the_map_is_a_card_per_step_and_never_scrolls_sideways(
        open_page, served, site, journey):
    page = open_page(f"{served[site]}journeys/{journey}.html", viewport=PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.locator("table.canvas").is_visible()
    headers = page.locator("th[data-step]").count()
    cards = page.locator(".step-card")
    assert cards.count() == headers > 0
    for index in (0, headers - 1):
        card = cards.nth(index)
        card.scroll_into_view_if_needed()
        assert card.is_visible()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    with_emotion = page.locator(".step-card .card-emotion .feeling")
    assert with_emotion.count() >= headers


def test_on_a_phone_a_pasted_link_or_a_long_word_wraps_in_its_card(open_page, tmp_path):
    files = generated_workspace(5)
    files["specs/journeys/steps-5.yml"] = files["specs/journeys/steps-5.yml"].replace(
        "Reads the page, compares two options and picks one.",
        "https://example.com/research/interviews/2026/round-two/participant-seven/notes"
        "-and-transcript Pneumonoultramicroscopicsilicovolcanoconiosis", 1)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, "utf-8")
    with static_server(_build(tmp_path)) as base:
        page = open_page(f"{base}journeys/steps-5.html", viewport=PHONE)
        assert page.locator(".step-card").get_by_text("Pneumonoultramicro").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_mapgens_own_phrases_keep_their_order_on_a_right_to_left_journeys_page(
        open_page, tmp_path):
    files = generated_workspace(5)
    files["specs/journeys/steps-5.yml"] = "lang: ar\n" + files["specs/journeys/steps-5.yml"]
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, "utf-8")
    with static_server(_build(tmp_path)) as base:
        page = open_page(f"{base}journeys/steps-5.html")
        hint = page.locator(".map-hint")
        assert hint.evaluate("e => e.closest('[dir]').dir") == "rtl"
        assert hint.inner_text().startswith("5 steps in 2 stages")
        # where the first figure and the word after it are drawn: "5" left of "steps"
        five, steps = hint.evaluate("""e => [0, 2].map(at => {
            const range = document.createRange();
            range.setStart(e.firstChild, at);
            range.setEnd(e.firstChild, at + 1);
            return range.getBoundingClientRect().left; })""")
        assert five < steps


def test_a_search_link_to_a_step_lands_on_its_card_on_a_phone(open_page, served):
    page = open_page(f"{served['example']}journeys/first-purchase.html#step-pays-in-store",
                     viewport=PHONE)
    card = page.locator("#card-pays-in-store")
    page.wait_for_function("document.getElementById('card-pays-in-store')"
                           ".getBoundingClientRect().top < innerHeight")
    assert card.bounding_box()["y"] < PHONE["height"]


# --- accessibility -------------------------------------------------------------------

AXE = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("journey, viewport", [
    ("first-purchase", DESKTOP), ("first-purchase", PHONE),
    ("b2b-invoice-payments", PHONE),  # two personas; its desktop page is in test_browser
], ids=["one-persona-desktop", "one-persona-phone", "two-personas-phone"])
def test_axe_finds_no_serious_violation_on_the_map(open_page, served, journey, scheme,
                                                    viewport):
    page = open_page(f"{served['example']}journeys/{journey}.html", viewport, scheme)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, "
                           "{resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_the_map_is_a_table_with_row_and_column_headers(open_page, served):
    page = open_page(f"{served['example']}journeys/first-purchase.html")
    table = page.get_by_role("table")
    assert table.count() == 1
    assert page.get_by_role("rowheader", name="Pain points").count() == 1
    assert page.get_by_role("columnheader", name="Purchase", exact=False).filter(
        has_text="7,100 reached").count() == 1
    assert page.get_by_role("columnheader").filter(
        has_text="Adds his debit card and passes 3-D Secure").count() == 1


# --- print ---------------------------------------------------------------------------

@pytest.mark.parametrize("journey", EXAMPLES)
def test_printing_a_journey_gives_the_map_on_one_a3_landscape_page(open_page, served,
                                                                   journey):
    from pypdf import PdfReader

    page = open_page(f"{served['example']}journeys/{journey}.html")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A3_POINTS
    text = " ".join(pdf.pages[0].extract_text().split())
    ws = read_workspace(REPO).workspace
    expected = ws.journeys[journey]
    assert expected.title in text
    for stage in expected.stages:
        assert stage.name.split()[0] in text
    assert "Pain points" in text and "Flow" not in text


#: A1 landscape, less the page's 8 mm margins, in CSS pixels (96 to the inch).
A1_PRINTED = {"width": round((841 - 16) / 25.4 * 96), "height": round((594 - 16) / 25.4 * 96)}


def test_a_long_journey_prints_on_a_larger_sheet_with_its_words_whole(open_page, served):
    from pypdf import PdfReader

    url = f"{served['generated']}journeys/steps-60.html"
    pdf = PdfReader(io.BytesIO(open_page(url).pdf(prefer_css_page_size=True)))
    box = pdf.pages[0].mediabox
    assert len(pdf.pages) == 1
    assert (round(float(box.width)), round(float(box.height))) == (2384, 1684)  # A1
    page = open_page(url, viewport=A1_PRINTED)
    page.emulate_media(media="print")
    page.wait_for_function("document.querySelector('table.canvas').style.zoom !== ''")
    broken = page.evaluate("""() => {
        const table = document.querySelector('table.canvas');
        return [table.classList.contains('words-break'),
                [...table.querySelectorAll('th, td')].filter(cell =>
                    cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.innerText)]; }""")
    assert broken == [False, []]
    assert page.evaluate("getComputedStyle(document.querySelector('.canvas td')).overflowWrap"
                         ) == "normal"


def test_a_page_read_in_dark_mode_prints_on_white(open_page, served):
    page = open_page(f"{served['example']}journeys/first-purchase.html", scheme="dark")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.emulate_media(media="print")
    colours = page.evaluate("""() => [document.documentElement, document.body,
        document.querySelector('.canvas td')].map(e => getComputedStyle(e).backgroundColor)""")
    assert colours == ["rgb(255, 255, 255)"] * 3
