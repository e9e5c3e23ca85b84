"""The built site in a real browser: served at a root, under /repo/, and from file://."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from click.testing import CliRunner

from browser import chromium, require_chromium, serious_violations, static_server
from conftest import copy_example
from mapgen.cli import cli

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser

require_chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    copy_example(root)
    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert result.exit_code == 0, result.output
    return root / "site"


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def served(site):
    with static_server(site, "/repo/") as base:
        yield base


def pages_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if p.name != "404.html")


class Watched:
    """A page with everything that went wrong while it loaded."""

    def __init__(self, browser):
        self.page = browser.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"script: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(
            f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"{r.status}: {r.url}"))

    def open(self, url: str):
        self.page.goto(url, wait_until="networkidle")
        return self.page

    def close(self):
        self.page.close()


def test_every_page_loads_cleanly_under_a_sub_path(browser, site, served):
    watched = Watched(browser)
    for rel in pages_of(site):
        watched.open(served + rel)
    watched.close()
    assert watched.problems == []


def test_diagrams_are_visible(browser, served):
    watched = Watched(browser)
    page = watched.open(served + "journeys/first-purchase.html")
    diagrams = page.locator("svg.mapgen-diagram")
    assert diagrams.count() >= 2
    for index in range(diagrams.count()):
        diagram = diagrams.nth(index)
        diagram.scroll_into_view_if_needed()
        box = diagram.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 20
    watched.close()


def test_the_home_page_shows_each_journeys_map_as_a_thumbnail(browser, site, served):
    watched = Watched(browser)
    page = watched.open(served + "index.html")
    journeys = page.locator("section[aria-labelledby=journeys-title] .card")
    thumbs = journeys.locator("a.thumb img")
    titles = journeys.locator("h3").all_inner_texts()
    assert thumbs.count() == len(list((site / "posters").glob("*.svg"))) == len(titles) == 4
    for index, title in enumerate(titles):
        thumb = thumbs.nth(index)
        thumb.scroll_into_view_if_needed()
        width, height = thumb.evaluate(
            "img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")
        assert width > height > 0  # the poster loaded, and it is landscape
        assert title in thumb.get_attribute("alt")
        box = thumb.bounding_box()
        assert box["width"] > 200 and box["height"] > 100
    watched.close()
    assert watched.problems == []


def test_a_poster_in_chromium_sets_its_text_no_wider_than_it_was_measured(browser, served):
    """The poster embeds the face it was measured with: a browser without Arial, Helvetica
    or Liberation Sans (this machine has DejaVu Sans only) still fits every line."""
    from mapgen.poster.fonts import text_width

    page = browser.new_page()
    page.goto(served + "posters/b2b-invoice-payments.svg", wait_until="load")
    texts = page.evaluate("""() => document.fonts.ready.then(() =>
        [...document.querySelectorAll("text")].map(t => [t.textContent,
         t.getComputedTextLength(), +t.getAttribute("font-size"),
         t.getAttribute("font-weight") === "bold"]))""")
    page.close()
    assert len(texts) > 100
    for text, length, size, bold in texts:
        assert length <= text_width(text, size, bold) + 0.5, text


def test_search_finds_a_step_by_a_word_of_its_name(browser, served):
    watched = Watched(browser)
    page = watched.open(served + "search.html")
    page.get_by_role("searchbox").fill("cashback")
    results = page.locator("#search-results a")
    results.first.wait_for()
    texts = results.all_inner_texts()
    assert any("Sees the cashback land in the app" in t for t in texts), texts
    page.get_by_role("link", name="Sees the cashback land in the app").first.click()
    page.wait_for_load_state("networkidle")
    assert "/repo/journeys/" in page.url
    watched.close()
    assert watched.problems == []


def test_the_site_works_from_file(browser, site):
    watched = Watched(browser)
    page = watched.open((site / "index.html").as_uri())
    page.locator("main a[href*='journeys/']").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith("file://") and "/journeys/" in page.url
    assert page.locator("svg.mapgen-diagram").count() >= 2
    page = watched.open((site / "search.html").as_uri() + "?q=payout")
    page.locator("#search-results a").first.wait_for()
    assert any("payout" in t.lower() for t in page.locator("#search-results a")
               .all_inner_texts())
    watched.close()
    assert watched.problems == []


def test_a_crawl_of_all_links_finds_no_broken_one(browser, served):
    page = browser.new_page()
    seen, queue, broken = set(), deque([served + "index.html"]), []
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        if response is None or response.status >= 400:
            broken.append(url)
            continue
        if not url.endswith(".html"):
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urldefrag(urljoin(url, href)).url
            if target.startswith(served):
                queue.append(target)
    page.close()
    assert broken == []
    assert len(seen) >= 10




@pytest.mark.parametrize("rel", ["index.html", "journeys/b2b-invoice-payments.html",
                                 "personas/maya.html", "touchpoints.html", "pain-points.html",
                                 "opportunities.html", "search.html"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, served, rel, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(served + rel)
    serious = serious_violations(page)
    context.close()
    assert serious == []


@pytest.fixture(scope="module")
def overview_page(tmp_path_factory):
    """The example built as if it had too many journeys for the home page's overview."""
    from mapgen.site import pages

    root = copy_example(tmp_path_factory.mktemp("overview"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "OVERVIEW_ON_HOME", 2)
        result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert result.exit_code == 0, result.output
    with static_server(root / "site", "/") as base:
        yield base + pages.OVERVIEW_PAGE


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_overview_on_a_page_of_its_own_is_accessible(browser, overview_page, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(overview_page)
    assert page.locator("svg.mapgen-diagram g.journey").count() == 4
    serious = serious_violations(page)
    context.close()
    assert serious == []


def test_an_open_page_reloads_when_a_spec_is_saved(browser, tmp_path):
    from mapgen.serve import running

    copy_example(tmp_path)
    with running(tmp_path) as server:
        page = browser.new_page()
        base = f"http://127.0.0.1:{server.server_address[1]}{server.preview.base_path}"
        page.goto(base + "journeys/plus-cancellation.html")
        assert page.locator("#step-switches-to-lite").count() == 1
        page.wait_for_timeout(300)  # the event stream is open
        journey = tmp_path / "specs/journeys/plus-cancellation.yml"
        journey.write_text(journey.read_text("utf-8").replace(
            "name: Switches to Plus Lite", "name: Moves down to Plus Lite"), "utf-8")
        page.locator("#step-switches-to-lite", has_text="Moves down to Plus Lite").wait_for(
            timeout=15000)
        page.close()
