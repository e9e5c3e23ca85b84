"""The MkDocs plugin, through the real `mkdocs build` on MkDocs projects written here.

Each project is what a team would have: a mkdocs.yml with `plugins: [mapgen]`, a few
docs pages of its own (one showing a view through a ```mapgen block), and the example
workspace beside them. MkDocs finds the plugin by its `mkdocs.plugins` entry point, as
declared in pyproject.toml (a distribution's metadata with that entry point is put on
the path, since the shared virtualenv's mapgen is another checkout's).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from browser import browser_fixture, require_chromium, serious_violations, static_server
from conftest import REPO, copy_example

pytest.importorskip("mkdocs")

EMBED = """\
# Welcome

How shoppers feel on their first purchase:

```mapgen
journey: first-purchase
view: emotion   # canvas | emotion | funnel | flow | blueprint
```

Read on in [About](about.md).
"""
ABOUT = "# About\n\nWho we are.\n"


@pytest.fixture(scope="module")
def entry_point(tmp_path_factory) -> Path:
    """A folder holding distribution metadata with pyproject.toml's entry points."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    plugins = project["entry-points"]["mkdocs.plugins"]
    info = tmp_path_factory.mktemp("entry") / "mapgen_entry_points-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mapgen-entry-points\n"
                                   "Version: 0\n", "utf-8")
    (info / "entry_points.txt").write_text(
        "[mkdocs.plugins]\n" + "".join(f"{k} = {v}\n" for k, v in plugins.items()), "utf-8")
    return info.parent


def project(root: Path, theme: str, plugin: str = "- mapgen", workspace: str = ".") -> Path:
    """A MkDocs project at ``root`` with the example workspace in ``workspace``."""
    copy_example(root / workspace)
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs/index.md").write_text(EMBED, "utf-8")
    (root / "docs/about.md").write_text(ABOUT, "utf-8")
    font = "\n  font: false" if theme == "material" else ""  # no Google Fonts offline
    (root / "mkdocs.yml").write_text(
        f"site_name: Acme docs\ntheme:\n  name: {theme}{font}\n"
        f"plugins:\n  - search\n  {plugin}\n", "utf-8")
    return root


def mkdocs_build(root: Path, entry_point: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(entry_point)])}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=root,
                          env=env, capture_output=True, text=True, check=False)


def main_content(html: str) -> str:
    """The page's article: what the theme shows as the page's content."""
    match = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', html,
                      re.S) or re.search(r'<div [^>]*role="main"[^>]*>(.*?)<footer', html, re.S)
    assert match, "no content area in the page"
    return match[1]


@pytest.mark.parametrize("theme", ["mkdocs", "material"])
def test_the_plugin_adds_the_pages_in_the_sites_own_theme(tmp_path, entry_point, theme):
    root = project(tmp_path / "docs-site", theme)
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    site = root / "site"
    for page in ("journey-maps/index.html", "journey-maps/touchpoints/index.html",
                 "journey-maps/pain-points/index.html", "journey-maps/opportunities/index.html",
                 "journey-maps/personas/leo/index.html"):
        assert (site / page).is_file(), page
    html = (site / "journey-maps/journeys/first-purchase/index.html").read_text("utf-8")
    assert "md-typeset" in html or 'role="main"' in html  # the theme's layout
    assert "mapgen.css" in html and "assets/mapgen.css" not in html  # not mapgen's theme
    body = main_content(html)
    assert "First purchase with Pay with Acme</h1>" in body
    assert 'id="stage-awareness"' in body and "Sees a welcome-cashback ad on Instagram" in body
    assert body.count("<svg") == 3  # flow, emotion curve, funnel
    assert 'href="../../personas/leo/"' in body  # links as the site serves its pages
    pains = main_content((site / "journey-maps/pain-points/index.html").read_text("utf-8"))
    assert "critical" in pains and 'href="../journeys/first-purchase/#step-' in pains


@pytest.mark.parametrize("theme", ["mkdocs", "material"])
def test_a_mapgen_block_in_a_docs_page_shows_the_view(tmp_path, entry_point, theme):
    root = project(tmp_path / "docs-site", theme)
    assert mkdocs_build(root, entry_point, "--strict").returncode == 0
    body = main_content((root / "site/index.html").read_text("utf-8"))
    assert body.count("<svg") == 1 and "```" not in body and "journey: first" not in body
    assert "<figcaption>Emotion curve of First purchase with Pay with Acme</figcaption>" in body
    assert body.index("How shoppers feel") < body.index("<svg") < body.index("Read on in")


def test_the_section_goes_where_nav_title_and_nav_position_say(tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "mkdocs",
                   plugin="- mapgen:\n      nav_title: Customer journeys\n      nav_position: 1")
    assert mkdocs_build(root, entry_point, "--strict").returncode == 0
    html = (root / "site/about/index.html").read_text("utf-8")
    top = re.findall(r'<li class="nav-item[^"]*">\s*<a [^>]*class="[^"]*nav-link[^"]*"[^>]*>'
                     r"\s*([^<]+?)\s*<", html)
    assert top[:3] == ["Welcome", "Customer journeys", "About"]


def test_a_sites_own_nav_neither_warns_of_the_pages_nor_loses_its_place_for_one(
        tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "mkdocs")
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("nav:\n  - Welcome: index.md\n"
                     "  - First purchase map: journey-maps/journeys/first-purchase.md\n"
                     "  - About: about.md\n"
                     "validation:\n  nav:\n    omitted_files: warn\n")
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    assert "not included in the" not in done.stderr
    html = (root / "site/about/index.html").read_text("utf-8")
    top = re.findall(r'<li class="nav-item[^"]*">\s*<a [^>]*class="[^"]*nav-link[^"]*"[^>]*>'
                     r"\s*([^<]+?)\s*<", html)
    assert top[:4] == ["Welcome", "First purchase map", "About", "Journey maps"]
    assert "First purchase with Pay with Acme" not in html  # not in the section as well
    assert 'href="../journey-maps/journeys/plus-cancellation/"' in html  # the others


def test_a_broken_spec_fails_a_strict_build_with_its_located_finding(tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "material",
                   plugin="- mapgen:\n      workspace: maps", workspace="maps")
    spec = root / "maps/specs/journeys/first-purchase.yml"
    text = spec.read_text("utf-8").replace("personas: [leo]", "personas: [leon]", 1)
    assert text != spec.read_text("utf-8")
    spec.write_text(text, "utf-8")
    line = text.splitlines().index("personas: [leon]") + 1
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode != 0
    assert (f"maps/specs/journeys/first-purchase.yml:{line}:12: error MG304 "
            'no persona "leon" (did you mean "leo"?)') in done.stderr
    assert "Traceback" not in done.stderr


def test_a_block_naming_an_unknown_journey_fails_a_strict_build(tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "mkdocs")
    (root / "docs/about.md").write_text(ABOUT + "\n```mapgen\njourney: first-purchace\n"
                                        "view: flow\n```\n", "utf-8")
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode != 0
    assert ('docs/about.md:6:10: error MG320 no journey "first-purchace" (did you mean '
            '"first-purchase"?)') in done.stderr
    lenient = mkdocs_build(root, entry_point)  # without --strict the site is still built
    assert lenient.returncode == 0
    about = (root / "site/about/index.html").read_text("utf-8")
    assert "This view cannot be shown" in about


NESTED = """\
# Guide

!!! note "In an admonition"

    ```mapgen
    journey: plus-cancellation
    view: emotion
    ```

=== "Tab A"

    ~~~mapgen
    journey: b2b-invoice-payments
    view: flow
    ~~~

=== "Tab B"

    Nothing here.

- A list item:

    ```mapgen
    journey: failed-payout-support
    view: emotion
    ```

    Still in the item.

- Another item.
"""
EXTENSIONS = ("markdown_extensions:\n  - admonition\n  - pymdownx.superfences\n"
              "  - pymdownx.tabbed:\n      alternate_style: true\n")


def test_blocks_inside_an_admonition_a_tab_or_a_list_item_are_drawn_inside_it(
        tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "material")
    (root / "docs/guide.md").write_text(NESTED, "utf-8")
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write(EXTENSIONS)
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    body = main_content((root / "site/guide/index.html").read_text("utf-8"))
    assert body.count('<figure class="mapgen-figure">') == 3
    assert "journey: " not in body and "mapgen-view-" not in body
    admonition = body[body.index('<div class="admonition note">'):body.index("tabbed-set")]
    assert "<figcaption>Emotion curve of Acme Plus price change" in admonition
    tab = body[body.index('<div class="tabbed-block">'):body.index("Nothing here")]
    assert "<figcaption>Flow of Choosing Acme for invoice payments" in tab
    item = body[body.index("A list item:"):body.index("Another item")]
    assert "<figcaption>Emotion curve of A failed payout" in item
    assert item.index("<figure") < item.index("Still in the item.") < item.rindex("</li>")


def test_a_german_workspace_gives_german_pages_headings_tables_and_nav(tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "material")
    with (root / "mapgen.yml").open("a", encoding="utf-8") as config:
        config.write("lang: de\n")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("  font: false", "  font: false\n"
                                                        "  language: de", 1), "utf-8")
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    html = (root / "site/journey-maps/journeys/first-purchase/index.html").read_text("utf-8")
    body = main_content(html)
    headings = re.findall(r"<h2 [^>]*>([^<]+)", body)
    assert headings[:3] == ["Ablauf", "Emotionskurve", "Trichter"]
    assert "Phase für Phase" in headings
    assert re.findall(r'<th scope="col">([^<]+)', body)[:3] == ["Schritt", "Touchpoints",
                                                                "Gefühl"]
    assert "<p>Ziel: " in body and "Goal:" not in body
    nav = html[:html.index('<div class="md-content"')]
    for german in ("Überblick", "Schmerzpunkte", "Personas", "Journeys"):
        assert f">{german}<" in re.sub(r">\s+|\s+<", lambda m: m[0].strip(), nav), german
    for english in ("Overview", "Pain points", "Stage by stage", "Feeling"):
        assert english not in html, english


EVIL = "Evil <img src=x onerror=alert(1)> & </title>"
SHOWN = "Evil &lt;img src=x onerror=alert(1)&gt; &amp; &lt;/title&gt;"


@pytest.mark.parametrize("theme", ["mkdocs", "material"])
def test_a_journey_title_is_text_in_the_nav_the_tab_and_the_heading(tmp_path, entry_point,
                                                                     theme):
    root = project(tmp_path / "docs-site", theme)
    spec = root / "specs/journeys/first-purchase.yml"
    spec.write_text(spec.read_text("utf-8").replace(
        "title: First purchase with Pay with Acme", f"title: {EVIL!r}", 1), "utf-8")
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    home = (root / "site/index.html").read_text("utf-8")
    page = (root / "site/journey-maps/journeys/first-purchase/index.html").read_text("utf-8")
    for html in (home, page):
        assert "<img src=x" not in html and "</title> -" not in html
        assert "&amp;lt;" not in html.replace('aria-label="', "")  # no title shown escaped twice
    assert re.search(r">\s*" + re.escape(SHOWN) + r"\s*<", home)  # the nav entry
    assert re.search(r"<title>" + re.escape(SHOWN) + " - Acme docs</title>", page)
    assert re.search(r"<h1[^>]*>" + re.escape(SHOWN), main_content(page))


def test_mapgen_never_imports_mkdocs():
    code = ("import sys, mapgen.api, mapgen.cli, mapgen.serve, mapgen.site.build; "
            "sys.exit('mkdocs' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- in a browser -----------------------------------------------------------------------

browser = browser_fixture()


@pytest.fixture(scope="module")
def material_site(tmp_path_factory, entry_point) -> Path:
    require_chromium()
    root = project(tmp_path_factory.mktemp("material") / "docs-site", "material")
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    return root / "site"


@pytest.mark.browser
@pytest.mark.parametrize("rel", ["", "journey-maps/journeys/first-purchase/",
                                 "journey-maps/pain-points/"])
def test_material_pages_show_their_diagrams_with_no_errors_and_no_serious_violations(
        browser, material_site, rel):
    with static_server(material_site) as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + rel)
        for figure in page.query_selector_all("figure.mapgen-figure svg"):
            box = figure.bounding_box()
            assert figure.is_visible() and box and box["width"] > 300 and box["height"] > 100
        if rel == "":
            assert len(page.query_selector_all("figure.mapgen-figure svg")) == 1
        # what mapgen made: the whole article of its own pages, the figure in a team's page
        # (Material's own search dialog and footer are the theme's to fix, not ours)
        scope = "figure.mapgen-figure" if rel == "" else "article.md-content__inner"
        serious = serious_violations(page, scope)
        page.close()
    assert serious == []
    assert errors == []


SLATE = "\n  palette:\n    scheme: slate\nplugins:"


def test_every_figure_sits_on_a_light_panel_in_the_stylesheet(tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "material")
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    css = (root / "site/journey-maps/mapgen.css").read_text("utf-8")
    rule = re.search(r"^\.mapgen-scroll \{([^}]*)\}", css, re.M)
    assert rule and "background: #ffffff" in rule[1]  # whatever the page's scheme
    body = main_content((root / "site/index.html").read_text("utf-8"))
    assert re.search(r'<figure class="mapgen-figure">\s*<div class="mapgen-scroll"[^>]*>'
                     r'\s*<div class="mapgen-canvas"[^>]*>\s*<svg', body)


def test_the_diagrams_font_sits_beside_the_stylesheet_that_names_it(tmp_path, entry_point):
    root = project(tmp_path / "docs-site", "mkdocs")
    done = mkdocs_build(root, entry_point, "--strict")
    assert done.returncode == 0, done.stderr
    css = (root / "site/journey-maps/mapgen.css").read_text("utf-8")
    assert re.search(r"@font-face \{ font-family: Arimo;[^}]*url\(arimo\.woff\)", css)
    font = (root / "site/journey-maps/arimo.woff").read_bytes()
    assert font[:4] == b"wOFF" and len(font) > 10_000


@pytest.mark.browser
def test_in_materials_dark_scheme_the_diagrams_text_is_on_a_light_panel(
        tmp_path, entry_point, browser):
    require_chromium()
    root = project(tmp_path / "docs-site", "material")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("\nplugins:", SLATE, 1), "utf-8")
    (root / "docs/flow.md").write_text(
        "# Flow\n\n```mapgen\njourney: first-purchase\nview: blueprint\n```\n", "utf-8")
    assert mkdocs_build(root, entry_point, "--strict").returncode == 0
    with static_server(root / "site") as base:
        page = browser.new_page()
        page.goto(base + "flow/")
        scheme = page.get_attribute("body", "data-md-color-scheme")
        panels = page.eval_on_selector_all(
            "figure.mapgen-figure svg",
            "svgs => svgs.map(s => getComputedStyle(s.closest('.mapgen-scroll'))"
            ".backgroundColor)")
        page.close()
    assert scheme == "slate"
    assert panels == ["rgb(255, 255, 255)"]
