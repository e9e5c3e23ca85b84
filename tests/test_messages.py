"""The site's interface in the site's language: catalogues, fallbacks, overrides, and
templates that hold no interface text of their own."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from conftest import build_site, copy_example
from mapgen.messages import FOLDER, available, load_messages, plural_form

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "themes/default/templates"
ENGLISH = json.loads((FOLDER / "en.json").read_text("utf-8"))
SHIPPED = ["de", "en", "es", "fr", "ja"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def forms(value) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def test_mapgen_ships_english_german_french_spanish_and_japanese():
    assert set(SHIPPED) <= set(available())


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_catalogue_has_every_key_of_the_english_one_and_no_other(lang):
    catalogue = json.loads((FOLDER / f"{lang}.json").read_text("utf-8"))
    assert sorted(set(ENGLISH) - set(catalogue)) == [], "missing"
    assert sorted(set(catalogue) - set(ENGLISH)) == [], "not in en.json (a typo?)"


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_text_fills_in_what_the_english_one_does(lang):
    catalogue = json.loads((FOLDER / f"{lang}.json").read_text("utf-8"))
    for key, english in ENGLISH.items():
        text = catalogue[key]
        assert isinstance(text, dict) == isinstance(english, dict), key
        if isinstance(text, dict):
            assert "other" in text, key
        wanted = set().union(*map(placeholders, forms(english)))
        for form in forms(text):
            assert placeholders(form) == wanted, (key, form)
            assert form and (form.strip() == form or key == "format.group"), key


@pytest.mark.parametrize("lang, n, form", [
    ("en", 1, "one"), ("en", 0, "other"), ("de", 2, "other"), ("fr", 0, "one"),
    ("fr", 1, "one"), ("fr", 2, "other"), ("es", 1, "one"), ("ja", 1, "other"),
    ("pt-BR", 0, "one"),
])
def test_plural_forms_follow_the_language(lang, n, form):
    assert plural_form(lang, n) == form


@pytest.mark.parametrize("lang, expected", [
    ("de", "Suche"), ("de-CH", "Suche"), ("DE-at", "Suche"), ("fr-CA", "Recherche"),
    ("es-419", "Búsqueda"), ("ja-JP", "検索"), ("pt-BR", "Search"), ("x-klingon", "Search"),
])
def test_a_language_falls_back_by_its_primary_subtag_then_to_english(lang, expected):
    assert load_messages(lang).text("page.search") == expected


def test_counts_and_numbers_are_written_as_the_language_writes_them():
    assert load_messages("en").text("count.steps", n=1) == "1 step"
    assert load_messages("en").text("count.steps", n=12480) == "12,480 steps"
    assert load_messages("de").text("count.steps", n=12480) == "12.480 Schritte"
    assert load_messages("fr").text("count.steps", n=0) == "0 étape"
    assert load_messages("ja").text("count.steps", n=3) == "3 ステップ"


def test_values_put_into_a_message_are_escaped_unless_they_are_markup():
    messages = load_messages("en")
    html = messages.markup("home.poster", title='<img src=x onerror="alert(1)">')
    assert "<img" not in html and "&lt;img" in html


# --- the templates hold no interface text: it all comes from the catalogue -----------

JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
ATTRIBUTE = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')
#: A word: two letters or more (not SVG path data such as "M0,4").
WORD = re.compile(r"[^\W\d_]{2,}")
#: Blocks whose text is a CSS class or code, not words for readers.
NOT_PROSE = re.compile(r"<(script|style)\b.*?</\1>|\{%-?\s*set CHANNEL_DRAWINGS.*?%\}"
                       r"|\{% block main_class %\}.*?\{% endblock %\}", re.S)


def interface_text(template: str) -> list[str]:
    """Text a reader would see that a template writes itself (not from an expression)."""
    plain = JINJA.sub(" ", NOT_PROSE.sub("", template))
    found = [value for value in ATTRIBUTE.findall(plain) if WORD.search(value)]
    text = re.sub(r"<[^>]*>", "\n", plain)
    found += [piece.strip() for piece in re.split(r"\s{2,}|\n", text) if WORD.search(piece)]
    return found


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_writes_interface_text_of_its_own(template):
    assert interface_text((TEMPLATES / template).read_text("utf-8")) == []


def test_the_template_check_finds_text_written_into_a_template():
    assert interface_text('<p>{{ t("a") }} Open pain points</p>') == ["Open pain points"]
    assert interface_text('<nav aria-label="Main">') == ["Main"]
    assert interface_text('<nav aria-label="{{ t("site.nav") }}">{{ x }} · </nav>') == []


# --- a site in German and in Japanese -------------------------------------------------

def built_in(tmp_path: Path, lang: str) -> Path:
    root = copy_example(tmp_path / lang)
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8") + f"lang: {lang}\n", encoding="utf-8")
    return build_site(root)


def nav_labels(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', page, re.S).group(1)
    return re.findall(r"<a [^>]*>([^<]*)</a>", nav)


def lane_titles(page: str) -> list[str]:
    return re.findall(r'<span class="lane-title">([^<]*)</span>', page)


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    return built_in(tmp_path_factory.mktemp("site"), "de")


@pytest.fixture(scope="module")
def japanese(tmp_path_factory) -> Path:
    return built_in(tmp_path_factory.mktemp("site"), "ja")


def test_a_german_site_has_german_navigation_and_lanes(german):
    home = (german / "index.html").read_text("utf-8")
    assert '<html lang="de" dir="ltr"' in home
    assert nav_labels(home) == ["Journeys", "Touchpoints", "Schmerzpunkte", "Chancen", "Suche"]
    journey = (german / "journeys/failed-payout-support.html").read_text("utf-8")
    lanes = lane_titles(journey)
    assert {"Handlungen", "Touchpoints", "Emotion", "Schmerzpunkte", "Frontstage",
            "Backstage"} <= set(lanes), lanes
    assert '<span class="blueprint-line">Sichtbarkeitslinie</span>' in journey
    assert "Schritte in" in journey and "Offene Schmerzpunkte" in journey
    assert "<title>Suche · " in (german / "search.html").read_text("utf-8")
    b2b = (german / "journeys/b2b-invoice-payments.html").read_text("utf-8")
    assert '<span class="duration">Dauer: 6 Wochen</span>' in b2b  # P6W: mapgen's words
    assert '<span class="duration">Dauer: 3–6 months</span>' in b2b  # the team's words
    assert '<span class="stage-owner">Verantwortlich: @demand-gen</span>' in b2b
    for english in ("Skip to content", "Pain points", "Journey map", "Open pain points",
                    "Opportunities", ">Actions<", "line of visibility", "Made with"):
        assert english not in home + journey, english


def test_a_japanese_site_has_japanese_navigation_and_lanes(japanese):
    home = (japanese / "index.html").read_text("utf-8")
    assert '<html lang="ja" dir="ltr"' in home
    assert nav_labels(home) == ["ジャーニー", "タッチポイント", "ペインポイント", "改善機会", "検索"]
    journey = (japanese / "journeys/failed-payout-support.html").read_text("utf-8")
    assert {"行動", "タッチポイント", "感情", "ペインポイント", "フロントステージ",
            "バックステージ"} <= set(lane_titles(journey))
    assert "未解決のペインポイント" in journey
    figures = re.findall(r"<dt>([^<]*)</dt>", home)
    assert "ステップ" in figures and "steps" not in figures


def test_the_script_speaks_the_site_language(japanese):
    page = (japanese / "search.html").read_text("utf-8")
    text = json.loads(re.search(r'<script type="application/json" id="mapgen-text">(.*?)'
                                r"</script>", page, re.S).group(1))
    assert text["lang"] == "ja"
    assert text["script.kind.step"] == "ステップ"
    assert text["script.results"] == {"other": "{count} 件"}


def test_a_theme_folder_may_override_messages(tmp_path):
    root = copy_example(tmp_path / "custom")
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace(
        "theme:\n  name: default\n", "theme:\n  name: default\n  custom_dir: overrides\n")
        + "lang: de\n", encoding="utf-8")
    (root / "overrides/messages").mkdir(parents=True)
    (root / "overrides/messages/de.json").write_text(
        json.dumps({"page.opportunities": "Ideen", "lane.actions": "Tun"}), encoding="utf-8")
    site = build_site(root)
    home = (site / "index.html").read_text("utf-8")
    assert nav_labels(home)[3] == "Ideen"
    assert nav_labels(home)[4] == "Suche"  # the rest still from mapgen's German
    assert "Tun" in lane_titles((site / "journeys/first-purchase.html").read_text("utf-8"))


def test_a_broken_catalogue_in_a_theme_is_reported_by_file(tmp_path):
    from click.testing import CliRunner

    from mapgen.cli import cli

    root = copy_example(tmp_path / "broken")
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace(
        "theme:\n  name: default\n", "theme:\n  name: default\n  custom_dir: overrides\n"),
        encoding="utf-8")
    (root / "overrides/messages").mkdir(parents=True)
    (root / "overrides/messages/en.json").write_text('{"page.search": ', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "-f", str(config)])
    assert result.exit_code != 0
    assert "overrides/messages/en.json" in result.output
    assert "Traceback" not in result.output
