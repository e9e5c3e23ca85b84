"""Search loads only what a query needs: on 1000 journeys, a query finds its step with
under 300 KB loaded in all (the page, its assets and the pieces of the index), from
file:// as well as over HTTP; and Japanese text is found by any part of a word."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browser import browser_fixture, require_chromium, static_server
from conftest import build_site

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from corpus import write_corpus  # noqa: E402  (bench/corpus.py: the benchmark's journeys)

pytestmark = pytest.mark.browser

require_chromium()

#: What a first query may load at 1000 journeys, everything counted.
BUDGET = 300 * 1024


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory) -> Path:
    """The site of 1000 generated journeys, built once for this module."""
    return build_site(write_corpus(1000, tmp_path_factory.mktemp("corpus")))


browser = browser_fixture()


@pytest.fixture(scope="module")
def served(corpus_site):
    with static_server(corpus_site, "/journeys/") as base:
        yield base


def first_query(browser, search_page: str, query: str) -> tuple[list[str], list[str], int]:
    """Open the search page and type ``query``: the result links, the URLs the page
    loaded from opening to showing them, and their bytes (the response bodies over
    HTTP; from file://, which has no responses to measure, the files read)."""
    page = browser.new_page()
    requests: list = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(search_page)
    page.get_by_role("searchbox").fill(query)
    page.locator("#search-results a").first.wait_for()
    results = page.locator("#search-results a").all_inner_texts()
    size = 0
    for request in requests:
        if request.url.startswith("file://"):
            size += Path(unquote(urlsplit(request.url).path)).stat().st_size
        else:
            response = request.response()
            problems += [] if response and response.status == 200 else [request.url]
            size += len(response.body()) if response else 0
    page.close()
    assert problems == []
    return results, [r.url for r in requests], size


@pytest.mark.parametrize("query, step", [
    ("awareness journey 512", "Step 1 of awareness in journey 512"),
    ("step", "Step 1 of awareness in journey 0"),  # the commonest word: the largest piece
])
def test_a_first_query_from_file_loads_under_300_kb(browser, corpus_site, query, step):
    results, urls, size = first_query(browser, (corpus_site / "search.html").as_uri(), query)
    assert step in results
    assert all(url.startswith("file://") for url in urls)
    assert any("/assets/search/t" in url for url in urls), "a term file was loaded"
    assert size < BUDGET


@pytest.mark.parametrize("query, step", [
    ("awareness journey 512", "Step 1 of awareness in journey 512"),
    ("step", "Step 1 of awareness in journey 0"),
])
def test_a_first_query_over_http_loads_under_300_kb(browser, served, query, step):
    results, urls, size = first_query(browser, served + "search.html", query)
    assert step in results
    assert any("/assets/search/t" in url for url in urls), "a term file was loaded"
    assert size < BUDGET


def test_the_whole_index_would_not_fit_the_budget(corpus_site):
    """The control: what the budget is measured against is many times larger."""
    index = sum(p.stat().st_size for p in (corpus_site / "assets/search").iterdir())
    assert index > 10 * BUDGET


def test_a_result_links_to_its_step_on_the_journey_page(browser, served):
    page = browser.new_page()
    page.goto(served + "search.html?q=consideration+journey+77")
    link = page.get_by_role("link", name="Step 3 of consideration in journey 77", exact=True)
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("/journeys/journeys/j0077.html#step-consideration-2")
    assert page.locator("#step-consideration-2").count() == 1
    page.close()


@pytest.fixture(scope="module")
def scripts_site(tmp_path_factory) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("scripts") / "workspace"
    shutil.copytree(REPO / "tests/workspaces/scripts", root)
    return build_site(root)


@pytest.mark.parametrize("query, found", [
    ("本人確認", "必要な本人確認書類が申込画面の最後まで分からない"),  # inside a sentence
    ("口座", "ネット銀行の口座開設"),
])
def test_japanese_is_found_by_any_part_of_a_word(browser, scripts_site, query, found):
    results, _, _ = first_query(browser, (scripts_site / "search.html").as_uri(), query)
    assert found in results


def test_a_query_nothing_matches_says_so(browser, scripts_site):
    page = browser.new_page()
    page.goto((scripts_site / "search.html").as_uri() + "?q=zzzqqq")
    page.locator("#search-status").filter(has_text="Nothing matches").wait_for()
    assert page.locator("#search-results li").count() == 0
    page.close()
