"""Markdown pages beside the maps: `pages/*.md` (pages_dir) in mapgen's own site.

Each test writes a workspace with Markdown pages, builds it with `mapgen build` and reads
the site: the pages are in every page's navigation, their text is sanitised like any
other Markdown, a ```mapgen block shows the view it names, and a rebuild after editing
one page makes that page again and nothing else.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_site, copy_example
from mapgen.workspace import read_workspace

NOTES = """\
# Research notes

We spoke to **twelve shoppers**; see [how](method.md) and [elsewhere](https://example.com/a.md).

<script>alert("no")</script>

```mapgen
journey: first-purchase
view: emotion
```

Where support staff step in:

~~~~ mapgen
journey: first-purchase
view: blueprint   # the service blueprint
~~~~

The whole journey map:

```mapgen
journey: first-purchase
view: canvas
```

## Next round

In June.
"""
METHOD = "# How we interviewed\n\nIn shops, with consent.\n"


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = copy_example(tmp_path / "ws")
    (root / "pages").mkdir()
    (root / "pages/research-notes.md").write_text(NOTES, "utf-8")
    (root / "pages/method.md").write_text(METHOD, "utf-8")
    return root


def main_text(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_pages_are_in_every_pages_navigation_before_search(workspace):
    site = build_site(workspace)
    for page in ("index.html", "journeys/first-purchase.html", "pages/method.html"):
        nav = (site / page).read_text("utf-8").split('<nav aria-label="Main">')[1]
        labels = re.findall(r"<a [^>]*>([^<]+)</a>", nav.split("</nav>")[0])
        assert labels[-3:] == ["How we interviewed", "Research notes", "Search"], page
    assert 'href="../pages/method.html"' in (site / "journeys/first-purchase.html").read_text()


def test_a_page_shows_its_text_sanitised_and_the_views_its_blocks_name(workspace):
    site = build_site(workspace)
    html = main_text((site / "pages/research-notes.html").read_text("utf-8"))
    assert "<h1>Research notes</h1>" in html
    assert "<strong>twelve shoppers</strong>" in html and "<h2>Next round</h2>" in html
    assert "<script" not in html and "alert" not in html
    assert 'href="method.html"' in html  # a link to another page's Markdown file
    assert 'href="https://example.com/a.md"' in html  # but not a link elsewhere
    assert "```" not in html and "journey: first-purchase" not in html
    assert html.count("<figure") == 3
    assert 'aria-label="Emotion curve of First purchase' in html
    assert 'aria-label="Service blueprint of First purchase' in html
    assert 'aria-label="Journey map of First purchase' in html
    # the blocks stay where they were written, between the text around them
    assert html.index("twelve shoppers") < html.index("Emotion curve") < html.index(
        "Where support staff") < html.index("Service blueprint") < html.index("Next round")


def test_pages_are_in_the_sitemap_and_the_search_index(workspace):
    site = build_site(workspace)
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "pages/research-notes.html" in sitemap and "pages/method.html" in sitemap
    blocks = "".join(p.read_text("utf-8") for p in (site / "assets/search").glob("e*.js"))
    assert ',"How we interviewed","pages/method.html"]' in blocks


def test_pages_dir_in_mapgen_yml_names_the_folder(workspace):
    (workspace / "pages").rename(workspace / "notes")
    with (workspace / "mapgen.yml").open("a", encoding="utf-8") as config:
        config.write("pages_dir: notes\n")
    assert (build_site(workspace) / "pages/method.html").is_file()


def test_a_block_naming_an_unknown_journey_is_a_located_error(workspace):
    text = NOTES.replace("journey: first-purchase\nview: emotion",
                         "journey: first-purchace\nview: emotion")
    (workspace / "pages/research-notes.md").write_text(text, "utf-8")
    done = subprocess.run([sys.executable, "-m", "mapgen", "build"], cwd=workspace,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    line = text.splitlines().index("journey: first-purchace") + 1
    assert (f'pages/research-notes.md:{line}:10: error MG320 no journey "first-purchace" '
            '(did you mean "first-purchase"?)') in done.stderr
    assert "Traceback" not in done.stderr


def test_editing_a_page_makes_that_page_again_and_no_other(workspace):
    from test_incremental import build_in_new_process, snapshot

    build_in_new_process(workspace)
    before = snapshot(workspace / "site")
    page = workspace / "pages/research-notes.md"
    page.write_text(page.read_text("utf-8").replace("In June.", "In July."), "utf-8")
    counts = build_in_new_process(workspace)
    after = snapshot(workspace / "site")
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    index = {rel for rel in changed if rel.startswith("assets/search/")}
    assert changed - index == {"pages/research-notes.html"}
    assert index and all(rel.startswith("assets/search/t") for rel in index), \
        "only the term files of the words changed"
    assert counts["rendered"] == 1 and counts["drawn"] == 0
    assert "In July." in (workspace / "site/pages/research-notes.html").read_text("utf-8")


def test_renaming_a_page_changes_every_navigation(workspace):
    from test_incremental import build_in_new_process

    build_in_new_process(workspace)
    (workspace / "pages/method.md").write_text("# Our method\n\nIn shops.\n", "utf-8")
    counts = build_in_new_process(workspace)
    assert counts["rendered"] == counts["pages"]
    assert ">Our method</a>" in (workspace / "site/journeys/first-purchase.html").read_text()


def test_pages_are_part_of_the_workspace_model(workspace):
    ws = read_workspace(workspace).workspace
    assert list(ws.pages) == ["method", "research-notes"]
    assert ws.pages["research-notes"].title == "Research notes"
    assert ws.files["pages/method"] == "pages/method.md"
    assert ws.digests["pages/method"]


# --- in a browser -----------------------------------------------------------------------

from browser import (  # noqa: E402
    browser_fixture, require_chromium, serious_violations, static_server)

browser = browser_fixture()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_page_has_no_serious_accessibility_violations(browser, workspace, scheme):
    require_chromium()
    site = build_site(workspace)
    with static_server(site) as base:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(base + "pages/research-notes.html")
        assert page.locator("figure.diagram > div > svg").count() == 3
        assert page.locator("figure.diagram svg").first.bounding_box()["width"] > 300
        serious = serious_violations(page)
        context.close()
    assert serious == []
