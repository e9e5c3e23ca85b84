"""Link previews: every page of the built site says what it is, in a meta description
and Open Graph tags, so a link pasted into a chat tool shows a title and text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import build_site, copy_example
from mapgen.site.markup import summary
from mapgen.workspace import read_workspace

SITE_URL = "https://acme-payments.github.io/journeys/"


class Meta(HTMLParser):
    """The <meta> tags of a page: (name or property, content) pairs, in order."""

    def __init__(self, page: Path):
        super().__init__()
        self.tags: list[tuple[str, str]] = []
        self.feed(page.read_text("utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            self.tags.append((attrs.get("name") or attrs["property"], attrs["content"]))

    def get(self, name: str) -> list[str]:
        return [content for key, content in self.tags if key == name]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("previews"))
    return build_site(root), read_workspace(root).workspace


def public_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_every_page_has_one_description_and_its_open_graph_tags(example):
    site, _ = example
    pages = public_pages(site)
    assert len(pages) == 15
    for page in pages:
        meta = Meta(page)
        rel = page.relative_to(site).as_posix()
        for name in ("description", "og:title", "og:description", "og:type", "og:url",
                     "og:site_name"):
            assert len(meta.get(name)) == 1, (rel, name)
        assert meta.get("description") == meta.get("og:description")
        assert 20 < len(meta.get("description")[0]) <= 200, rel
        assert meta.get("og:url") == [SITE_URL + rel]
        assert meta.get("og:type") == ["website" if rel == "index.html" else "article"]
        assert meta.get("og:image") == [], "no image unless the theme option names one"


def test_a_journey_page_is_described_by_its_objective_as_plain_text(example):
    site, ws = example
    journey = ws.journeys["first-purchase"]
    meta = Meta(site / "journeys/first-purchase.html")
    assert meta.get("og:title") == [journey.title]
    described = meta.get("description")[0]
    assert described == summary(journey.objective)
    assert described.startswith("Find out where first-time shoppers drop out between")
    assert "**" not in described and "<" not in described


def test_a_persona_page_and_the_registers_have_their_own_descriptions(example):
    site, ws = example
    assert Meta(site / "personas/maya.html").get("og:title") == [ws.personas["maya"].name]
    descriptions = {Meta(site / page).get("description")[0]
                    for page in ("index.html", "touchpoints.html", "pain-points.html",
                                 "opportunities.html", "search.html")}
    assert len(descriptions) == 5


def test_descriptions_are_escaped_and_an_image_is_used_only_with_a_site_url(tmp_path):
    root = copy_example(tmp_path / "w")
    journey = root / "specs/journeys/first-purchase.yml"
    text = journey.read_text("utf-8")
    start, end = text.index("objective: |"), text.index("description: |")
    journey.write_text(text[:start] + 'objective: \'Say "hi" <script>alert(1)</script> & '
                       "**leave**'\n" + text[end:], encoding="utf-8")
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace(
        "options: {accent", "options: {og_image: assets/preview.png, accent"), encoding="utf-8")
    (root / "pages").mkdir()
    (root / "pages/why.md").write_text("# Why we map\n\nSo that **every team** sees the "
                                       "customer.\n\n```mapgen\nview: flow\njourney: "
                                       "first-purchase\n```\n", encoding="utf-8")
    site = build_site(root)
    assert Meta(site / "pages/why.html").get("description") == ["So that every team sees the "
                                                          "customer."]
    page = (site / "journeys/first-purchase.html").read_text("utf-8")
    assert '<meta name="description" content="Say &#34;hi&#34; &amp; leave">' in page
    assert Meta(site / "index.html").get("og:image") == [SITE_URL + "assets/preview.png"]
    assert Meta(site / "index.html").get("twitter:card") == ["summary_large_image"]
    config.write_text(config.read_text("utf-8").replace(f"site_url: {SITE_URL}\n", ""),
                      encoding="utf-8")
    site = build_site(root)
    meta = Meta(site / "index.html")
    assert meta.get("og:url") == [] and meta.get("og:image") == []
    assert meta.get("og:title") == ["Acme customer journeys"]


@pytest.mark.parametrize("text, expected", [
    ("**Bold** and [a link](https://x.example)\n\n- one\n- two", "Bold and a link one two"),
    ("word " * 60, ("word " * 39).strip() + "…"),
    (None, ""),
])
def test_summary_is_one_line_of_plain_text_cut_at_a_word(text, expected):
    assert summary(text) == expected


def test_a_summary_leaves_code_blocks_out():
    text = "Why we map.\n\n```mapgen\nview: flow\njourney: checkout\n```\n\nThe end."
    assert summary(text) == "Why we map. The end."
