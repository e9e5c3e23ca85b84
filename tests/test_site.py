"""`mapgen build`: the pages, their content from the model, and how the site is written."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import copy_example
from mapgen.cli import cli
from mapgen.site import pages as site_pages
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]


def build(root: Path, *args: str):
    return CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml"), *args])


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def text_of(page: Path) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text("utf-8"), flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("example"))
    result = build(root)
    assert result.exit_code == 0, result.output
    return root, read_workspace(root).workspace


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") == "canonical"):
                self.links.append(attrs[name])


def parse_links(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text("utf-8"))
    return parser


# --- content from the model -----------------------------------------------------------

def test_the_summary_line_counts_journeys_personas_pages_and_diagrams(tmp_path):
    root = copy_example(tmp_path)
    result = build(root)
    assert result.exit_code == 0, result.output
    first = re.search(r"Built 4 journeys, 6 personas: 16 of 16 pages rendered, (\d+) diagrams "
                      r"drawn \((\d+) laid out, 0 cached, (\d+) charts\), 35 files written",
                      result.stderr)
    assert first, result.stderr
    total, laid_out, charts = map(int, first.groups())
    assert laid_out == 4, "a flow per journey (the overview is a chart, drawn by mapgen)"
    assert total == laid_out + charts
    (root / "site/index.html").unlink()
    again = build(root)
    assert not [p for p in root.iterdir() if p.name.startswith(".site.")], "no staging left"
    assert ("1 of 16 pages rendered, 0 diagrams drawn (0 laid out, 0 cached, 0 charts), "
            "1 file written") in again.stderr, "the home page, its overview kept finished"


def test_every_step_touchpoint_and_pain_point_is_on_its_journey_page(example_site):
    root, ws = example_site
    for journey in ws.journeys.values():
        text = text_of(root / f"site/journeys/{journey.id}.html")
        assert journey.title in text
        for stage in journey.stages:
            assert stage.name in text
            for step in stage.steps:
                assert step.name in text, step.id
                for tp in step.touchpoints:
                    assert tp.name in text
                for pain in step.pain_points:
                    assert pain.text in text
                for opportunity in step.opportunities:
                    assert opportunity.text in text


def test_journey_pages_carry_their_diagrams(example_site):
    """The flow and the funnel; the emotion curve is drawn in the map's emotion lane."""
    root, ws = example_site
    for journey in ws.journeys.values():
        page = (root / f"site/journeys/{journey.id}.html").read_text("utf-8")
        assert f'id="flow-{journey.id}-title"' in page
        assert '<tr class="lane lane-emotion">' in page
        first = journey.personas[0]
        scored = [s for s in journey.steps
                  if first in s.scores(journey.personas, ws.scale_of(journey))]
        assert page.count('<path class="line line-0"') == len(scored), (
            "a piece of the first persona's line at each step they have a score")
        has_funnel = any(stage.reached is not None for stage in journey.stages)
        assert (f'id="funnel-{journey.id}-title"' in page) == has_funnel


def test_every_step_has_an_anchor_search_can_link_to(example_site):
    root, ws = example_site
    for journey in ws.journeys.values():
        ids = parse_links(root / f"site/journeys/{journey.id}.html").ids
        for step in journey.steps:
            assert ids.count(f"step-{step.id}") == 1
        assert len(ids) == len(set(ids)), "no id twice on a page"


def test_no_page_uses_an_id_twice(example_site):
    root, _ = example_site
    for page in sorted((root / "site").rglob("*.html")):
        ids = parse_links(page).ids
        assert len(ids) == len(set(ids)), (page.name, sorted({i for i in ids if ids.count(i) > 1}))


def test_the_edit_link_points_at_the_journey_file(example_site):
    root, ws = example_site
    page = (root / "site/journeys/first-purchase.html").read_text("utf-8")
    expected = f"{ws.config.repo_url.rstrip('/')}/edit/main/specs/journeys/first-purchase.yml"
    assert f'href="{expected}"' in page


def test_persona_pages_list_the_journeys_they_appear_in(example_site):
    root, ws = example_site
    for persona in ws.personas.values():
        text = text_of(root / f"site/personas/{persona.id}.html")
        assert persona.name in text
        for goal in persona.goals:
            assert goal in text
        for journey in ws.journeys.values():
            assert (journey.title in text) == (persona.id in journey.personas), journey.id


def test_the_registers_hold_every_touchpoint_pain_point_and_opportunity(example_site):
    root, ws = example_site
    touchpoints = text_of(root / "site/touchpoints.html")
    pains = text_of(root / "site/pain-points.html")
    backlog = text_of(root / "site/opportunities.html")
    for journey in ws.journeys.values():
        for step in journey.steps:
            for tp in step.touchpoints:
                assert tp.name in touchpoints
            for pain in step.pain_points:
                assert pain.text in pains
            for opportunity in step.opportunities:
                assert opportunity.text in backlog


def test_pain_points_are_sorted_most_severe_first(example_site):
    root, _ = example_site
    text = text_of(root / "site/pain-points.html")
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    seen = [order[w] for w in re.findall(r"\b(critical|high|medium|low)\b", text)
            if w in order]
    first = {}
    for rank in seen:
        first.setdefault(rank, len(first))
    assert list(first) == sorted(first), "severities appear in order"


def test_the_home_page_has_a_card_per_journey(example_site):
    root, ws = example_site
    text = text_of(root / "site/index.html")
    for journey in ws.journeys.values():
        assert journey.title in text
    for persona in ws.personas.values():
        assert persona.name in text


def test_the_home_page_shows_the_overview_in_place_while_it_stays_small(example_site):
    root, ws = example_site
    home = (root / "site/index.html").read_text("utf-8")
    assert len(ws.journeys) <= site_pages.OVERVIEW_ON_HOME
    assert home.count('id="overview-journey-') == len(ws.journeys)
    assert not (root / "site" / site_pages.OVERVIEW_PAGE).exists()


def test_beyond_so_many_journeys_the_overview_is_a_page_the_home_page_links_to(
        tmp_path, monkeypatch):
    monkeypatch.setattr(site_pages, "OVERVIEW_ON_HOME", 3)
    root = copy_example(tmp_path)
    result = build(root)
    assert result.exit_code == 0, result.output
    site = root / "site"
    home = (site / "index.html").read_text("utf-8")
    assert "overview-journey-" not in home, "the overview is not on the home page"
    assert f'href="{site_pages.OVERVIEW_PAGE}"' in home
    assert "The overview of all 4 journeys, on a page of its own" in text_of(site / "index.html")
    page = (site / site_pages.OVERVIEW_PAGE).read_text("utf-8")
    assert page.count('id="overview-journey-') == 4 and 'class="mapgen-diagram"' in page
    assert "<h1>Who goes through what</h1>" in page
    assert f"{ws_url(root)}{site_pages.OVERVIEW_PAGE}" in (site / "sitemap.xml").read_text()


def ws_url(root: Path) -> str:
    return read_workspace(root).workspace.config.site_url


def test_data_files_for_other_tools(example_site):
    root, ws = example_site
    site = root / "site"
    compiled = json.loads((site / "journeys.json").read_text("utf-8"))
    assert set(compiled["journeys"]) == set(ws.journeys)
    for kind in ("journey", "persona", "config"):
        assert json.loads((site / f"schema/{kind}.schema.json").read_text())["title"]
    assert (site / ".nojekyll").is_file()
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert f"<loc>{ws.config.site_url}journeys/first-purchase.html</loc>" in sitemap
    assert "404.html" not in sitemap
    meta = (site / "assets/search/meta.js").read_text("utf-8")
    assert "window.MAPGEN_SEARCH_PARTS" in meta and '"buckets":' in meta


# --- links ----------------------------------------------------------------------------

def test_every_internal_link_is_relative_and_resolves(example_site):
    root, _ = example_site
    site = root / "site"
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for link in parse_links(page).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                assert "cdn" not in parts.netloc
                continue
            assert not link.startswith("/"), f"{page}: {link} is not relative"
            if parts.path:
                assert (page.parent / parts.path).resolve().is_file(), f"{page}: {link}"


def test_the_404_page_uses_absolute_urls_from_site_url(example_site):
    root, ws = example_site
    page = (root / "site/404.html").read_text("utf-8")
    assert f'href="{ws.config.site_url}index.html"' in page or \
        f'href="{ws.config.site_url}"' in page


def test_site_url_on_the_command_line_wins(tmp_path):
    root = copy_example(tmp_path)
    assert build(root, "--site-url", "https://example.org/maps").exit_code == 0
    assert "<loc>https://example.org/maps/index.html</loc>" in (
        root / "site/sitemap.xml").read_text()


def test_no_network_resource_is_referenced(example_site):
    """Nothing from a CDN; only 404.html, served at any depth, points at site_url."""
    root, _ = example_site
    for page in (root / "site").rglob("*.html"):
        if page.name == "404.html":
            continue
        text = page.read_text("utf-8")
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", text):
            assert "http://" not in tag and "https://" not in tag or 'rel="canonical"' in tag


# --- writing --------------------------------------------------------------------------

def test_two_builds_are_byte_identical(tmp_path):
    first = copy_example(tmp_path)
    assert build(first).exit_code == 0
    snapshot = tree(first / "site")
    shutil.rmtree(first / "site")
    shutil.rmtree(first / ".mapgen-cache")
    assert build(first).exit_code == 0
    assert tree(first / "site") == snapshot


def test_a_failed_build_leaves_the_old_site_byte_identical(tmp_path):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    before = tree(root / "site")
    journey = root / "specs/journeys/first-purchase.yml"
    journey.write_text(journey.read_text() + "\nbogus-key: 1\n")
    result = build(root)
    assert result.exit_code == 1
    assert "first-purchase.yml" in result.output and "MG201" in result.output
    assert tree(root / "site") == before


def test_a_removed_journey_disappears_and_dotfiles_stay(tmp_path):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    (root / "site/CNAME").write_text("maps.example.com\n")
    (root / "site/.git").mkdir()
    (root / "specs/journeys/failed-payout-support.yml").unlink()
    persona = root / "specs/personas/maya.yml"
    persona.unlink()  # only that journey used maya
    assert build(root).exit_code == 0, "the workspace stays valid"
    assert not (root / "site/journeys/failed-payout-support.html").exists()
    assert (root / "site/CNAME").is_file() and (root / "site/.git").is_dir()


def test_an_output_folder_holding_the_specs_is_refused(tmp_path):
    root = copy_example(tmp_path)
    result = build(root, "-d", str(root))
    assert result.exit_code == 1 and "specs" in result.output
    assert (root / "specs/journeys/first-purchase.yml").is_file()


@pytest.mark.parametrize("site_dir", ["notes.txt", "mapgen.yml", "link-to-notes"])
def test_a_site_dir_naming_a_file_is_refused_and_the_file_kept(tmp_path, site_dir):
    root = copy_example(tmp_path)
    (root / "notes.txt").write_text("my notes\n")
    (root / "link-to-notes").symlink_to("notes.txt")
    config = root / "mapgen.yml"
    before = config.read_text()
    config.write_text(re.sub(r"(?m)^site_dir:.*$", "", before) + f"site_dir: {site_dir}\n")
    kept = {name: (root / name).read_bytes() for name in ("notes.txt", "mapgen.yml")}
    result = build(root)
    assert result.exit_code == 1 and "is a file" in result.output, result.output
    assert "Traceback" not in result.output
    assert {name: (root / name).read_bytes() for name in kept} == kept
    assert (root / "link-to-notes").is_symlink()


# --- a second, minimal workspace and a theme override ---------------------------------

MINIMAL = {
    "specs/personas/sam.yml": "name: Sam\n",
    "specs/journeys/signup.yml": (
        "title: Sign up\npersona: sam\nstages:\n  - id: start\n    name: Start\n"
        "    steps:\n      - {id: opens-app, name: Opens the app, emotion: 1}\n"),
}


def write_minimal(root: Path) -> Path:
    for rel, text in MINIMAL.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_a_minimal_workspace_without_mapgen_yml_builds(tmp_path, monkeypatch):
    write_minimal(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    assert "Opens the app" in text_of(tmp_path / "site/journeys/signup.html")
    assert not (tmp_path / "site/sitemap.xml").exists(), "no site_url, no sitemap"
    assert "Edit this map" not in (tmp_path / "site/journeys/signup.html").read_text()


def test_custom_dir_overrides_a_template_and_extends_the_one_it_replaces(tmp_path):
    write_minimal(tmp_path)
    custom = tmp_path / "themes/acme"
    (custom / "templates").mkdir(parents=True)
    (custom / "static").mkdir()
    (custom / "templates/base.html").write_text(
        '{% extends "!theme/base.html" %}'
        '{% block footer %}<p class="acme">Acme internal</p>{{ super() }}{% endblock %}')
    (custom / "static/mapgen.css").write_text("body { color: rebeccapurple }\n")
    (tmp_path / "mapgen.yml").write_text(
        "title: Acme\ntheme:\n  name: default\n  custom_dir: themes/acme\n")
    assert build(tmp_path).exit_code == 0
    page = (tmp_path / "site/index.html").read_text("utf-8")
    assert '<p class="acme">Acme internal</p>' in page
    assert "<main" in page, "the rest of the default theme is still there"
    assert (tmp_path / "site/assets/mapgen.css").read_text() == \
        "body { color: rebeccapurple }\n"


def test_an_unknown_theme_is_a_clear_error(tmp_path):
    write_minimal(tmp_path)
    (tmp_path / "mapgen.yml").write_text("theme: nonexistent\n")
    result = build(tmp_path)
    assert result.exit_code == 1
    assert 'no theme "nonexistent"' in result.output and "default" in result.output
    assert "Traceback" not in result.output


def test_a_broken_template_names_its_file_and_line_and_keeps_the_old_site(tmp_path):
    write_minimal(tmp_path)
    (tmp_path / "mapgen.yml").write_text("theme: {name: default, custom_dir: custom}\n")
    templates = tmp_path / "custom/templates"
    templates.mkdir(parents=True)
    assert build(tmp_path).exit_code == 0
    before = tree(tmp_path / "site")
    (templates / "home.html").write_text(
        '{% extends "!theme/base.html" %}\n{% block content %}\n{{ nope.x }}\n{% endblock %}\n')
    result = build(tmp_path)
    assert result.exit_code == 1
    assert "home.html:3" in result.output and "'nope' is undefined" in result.output
    assert "Traceback" not in result.output
    assert tree(tmp_path / "site") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")], "no staging left"


def test_a_workspace_theme_extends_the_default_and_sets_options(tmp_path):
    write_minimal(tmp_path)
    theme = tmp_path / "themes/brand"
    (theme / "templates").mkdir(parents=True)
    (theme / "theme.yml").write_text("extends: default\noptions: {accent: '#0a7d4f'}\n")
    (theme / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Lost?</h1>{% endblock %}')
    (tmp_path / "mapgen.yml").write_text("theme: brand\n")
    assert build(tmp_path).exit_code == 0
    site = tmp_path / "site"
    assert "<h1>Lost?</h1>" in (site / "404.html").read_text()
    assert "--accent: #0a7d4f;" in (site / "index.html").read_text()
    assert (site / "assets/mapgen.css").is_file(), "static files come from what it extends"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "journeys"]), max_size=3),
       st.sampled_from(["a.html", "index.html", "x.css"]),
       st.lists(st.sampled_from(["a", "b", "journeys"]), min_size=1, max_size=3))
def test_links_between_pages_are_relative_as_posixpath_makes_them(folders, file, folder):
    import posixpath

    from mapgen.site.build import _relative

    target_path, folder_path = "/".join([*folders, file]), "/".join(folder)
    assert _relative(target_path, folder_path) == posixpath.relpath(target_path, folder_path)


# --- who takes part, and a stage's owner and duration -----------------------------------

def plain(markup: str) -> str:
    """Markup as the text a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def cells_by_id(page: Path, tag: str) -> dict[str, str]:
    """The text of each ``<tag ... id="stage-x">`` or ``id="step-x"`` cell of the journey map,
    by that id."""
    return {m[1]: plain(m[2]) for m in re.finditer(
        rf'<{tag}\b[^>]* id="((?:stage|step)-[a-z0-9-]+)"[^>]*>(.*?)</{tag}>',
        page.read_text("utf-8"), re.DOTALL)}


def test_each_stage_shows_its_owner_and_how_long_it_takes(example_site):
    root, ws = example_site
    journey = ws.journeys["b2b-invoice-payments"]
    headers = cells_by_id(root / "site/journeys/b2b-invoice-payments.html", "th")
    assert "Owner: @deal-desk" in headers["stage-purchase-decision"]
    assert "Takes 6 weeks" in headers["stage-purchase-decision"], "P6W as people say it"
    assert "Takes 3–6 months" in headers["stage-out-of-market"]
    assert "Takes" not in headers["stage-loyalty"], "no duration, no line"
    assert all(f"Owner: {stage.owner}" in headers[f"stage-{stage.id}"]
               for stage in journey.stages)


def test_each_step_shows_who_takes_part_and_only_their_emotions(example_site):
    root, ws = example_site
    journey = ws.journeys["b2b-invoice-payments"]
    page = root / "site/journeys/b2b-invoice-payments.html"
    steps = cells_by_id(page, "th")
    assert "Taking part: Daniel Okafor, Grace Whitfield" in steps["step-business-case"]
    assert "Taking part: Priya Raman" in steps["step-sandbox-trial"]
    lane = re.search(r'<tr class="lane lane-emotion[^"]*">(.*?)</tr>', page.read_text("utf-8"),
                     re.DOTALL)[1]
    cells = re.findall(r'<td[^>]*data-step="([a-z0-9-]+)"[^>]*>(.*?)</td>', lane, re.DOTALL)
    feelings = {step: plain(" ".join(re.findall(r'<p class="feeling">(.*?)</p>', cell,
                                                re.DOTALL))) for step, cell in cells}
    for step in journey.steps:
        named = {ws.personas[p].name for p in journey.personas
                 if f"{ws.personas[p].name}:" in feelings[step.id]}
        assert named == {ws.personas[p].name for p in step.taking_part(journey.personas)}, step.id
    assert "Grace Whitfield: happy (+1)" in feelings["signs"], "a label is shown as its score"


def test_the_registers_name_the_owner_of_each_pain_points_stage(example_site):
    root, _ = example_site
    pains = text_of(root / "site/pain-points.html")
    assert "Stage owner: @solutions-engineering" in pains


def test_an_opportunity_without_an_owner_names_its_stages_owner(tmp_path):
    (tmp_path / "specs/personas").mkdir(parents=True)
    (tmp_path / "specs/journeys").mkdir()
    (tmp_path / "mapgen.yml").write_text("title: Owners\n")
    (tmp_path / "specs/personas/ana.yml").write_text("name: Ana\n")
    (tmp_path / "specs/journeys/signup.yml").write_text(
        "title: Sign up\npersonas: [ana]\nstages:\n"
        "  - {id: start, name: Start, owner: Growth team, steps: [{id: visit, name: Visits,"
        " emotion: 0, opportunities: [{text: Shorter form}, {text: Faster page, owner: Web}]}]}"
        "\n")
    assert build(tmp_path).exit_code == 0
    rows = re.findall(r"<tr>(.*?)</tr>", (tmp_path / "site/opportunities.html").read_text(),
                      re.DOTALL)
    owners = {text: " ".join(re.sub(r"<[^>]+>", " ", row).split())
              for row in rows for text in ("Shorter form", "Faster page") if text in row}
    assert "Stage owner: Growth team" in owners["Shorter form"]
    assert "Stage owner" not in owners["Faster page"] and " Web " in owners["Faster page"]
