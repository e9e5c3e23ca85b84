"""The site's interface in the site's language: catalogues, fallbacks, overrides, and
templates that hold no interface text of their own; and diagrams and posters in the
language of the journey they draw."""

from __future__ import annotations

import json
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import Markup

from conftest import build_site, copy_example
from mapgen.messages import FOLDER, available, load_messages, plural_form

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "themes/default/templates"
CONTENT = REPO / "src/mapgen/content/templates"
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


def test_a_message_asked_for_again_is_the_same_and_text_never_passes_for_markup():
    messages = load_messages("en")
    assert messages.markup("lane.actions") == messages.markup("lane.actions") == "Actions"
    for _ in range(2):  # the second time from what the first made
        text = messages.markup("canvas.stage_owner", owner="<b>x</b>")
        markup = messages.markup("canvas.stage_owner", owner=Markup("<b>x</b>"))
        assert (text, markup) == ("Owner: &lt;b&gt;x&lt;/b&gt;", "Owner: <b>x</b>")


def test_labels_are_remembered_however_many_one_off_texts_came_before(monkeypatch):
    """A site of 3000 journeys made five times the messages of one of 1000 per journey:
    its titles and counts filled the memo, and the labels asked for after were made anew
    each time. Once full, the memo starts again."""
    from mapgen import messages as module

    monkeypatch.setattr(module, "_MEMO_SIZE", 8)
    messages = load_messages("en")
    for count in range(20):  # one-off texts: a count seldom recurs
        messages.markup("home.poster", title=f"Journey {count}")
    first = messages.markup("lane.actions")
    assert messages.markup("lane.actions") is first, "made once, then remembered"
    assert len(messages._made) <= 8


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


@pytest.mark.parametrize("template", sorted(p.name for p in CONTENT.glob("*.md")))
def test_no_page_for_another_sites_theme_writes_interface_text_of_its_own(template):
    """The pages of the MkDocs plugin (mapgen.content) say mapgen's words from the
    catalogues too: the Markdown headings as much as the HTML."""
    assert interface_text((CONTENT / template).read_text("utf-8")) == []


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
    assert nav_labels(home) == ["ジャーニー", "タッチポイント", "ペインポイント", "改善機会",
                                "検索"]
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


# --- diagrams speak the language of what they draw ------------------------------------

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"


def drawn_text(svg: str) -> str:
    """What a reader sees of a diagram, one piece a line: each text, its title and its
    description (tooltips included)."""
    root = ET.fromstring(svg)
    return "\n".join("".join(el.itertext()).strip() for el in root.iter()
                     if el.tag in (f"{SVG}text", f"{SVG}title", f"{SVG}desc"))


def diagram_on(page: Path, name: str) -> str:
    """The text of the diagram ``name`` (``flow-<journey>``) as a built page shows it."""
    found = re.search(rf'<svg\b[^>]*aria-labelledby="{name}-title.*?</svg>',
                      page.read_text("utf-8"), re.S)
    assert found, f"no diagram {name} on {page.name}"
    return drawn_text(found.group(0))


def rendered(root: Path, journey: str, view: str) -> str:
    """The text of a view drawn by `mapgen render`, as a user runs it."""
    from click.testing import CliRunner

    from mapgen.cli import cli

    result = CliRunner().invoke(cli, ["render", journey, "--view", view, "-d", str(root)])
    assert result.exit_code == 0, result.output
    return drawn_text(result.stdout)


def speaks(text: str, *pairs: tuple[str, str]) -> None:
    """Each (English, translation) pair: the translation is in ``text``, the English not."""
    for english, translated in pairs:
        assert translated in text, translated
        assert not re.search(rf"(?m)(^|\W){re.escape(english)}($|\W)", text), english


def test_a_german_site_draws_its_diagrams_in_german(german):
    payout = german / "journeys/failed-payout-support.html"
    speaks(diagram_on(payout, "flow-failed-payout-support"),
           ("Flow of", "Ablauf: A failed payout reported to support"),
           ("Stages and steps:", "Phasen und Schritte: Notices the missing payout:"),
           ("revisit", "zurück"), ("exit", "Ausstieg"),
           ("⚠ critical", "⚠ kritisch"), ("⚠ high", "⚠ hoch"), ("⚠ medium", "⚠ mittel"))
    speaks(diagram_on(payout, "funnel-failed-payout-support"),
           ("Funnel of", "Trichter: A failed payout"), ("1,840", "1.840"),
           ("Biggest drop-off", "· Größter Schwund"), ("10%)", f"10{NBSP}%)"),
           ("Customers reaching each stage", "Kundinnen und Kunden je Phase"))
    speaks(diagram_on(german / "index.html", "overview"),
           ("Overview of personas and journeys", "Überblick über Personas und Journeys"),
           ("6 personas and 4 journeys", "6 Personas und 4 Journeys"),
           ("Stages", "Phasen"), ("current", "aktuell"))
    root = german.parent
    speaks(rendered(root, "failed-payout-support", "emotion"),
           ("Emotion curve of", "Emotionskurve: A failed payout"),
           ("Maya Chen at", "Maya Chen bei Opens a ticket"),
           ("lowest", "am tiefsten"), ("highest", "am höchsten"))
    speaks(rendered(root, "failed-payout-support", "blueprint"),
           ("Service blueprint of", "Service Blueprint: A failed payout"),
           ("Step", "Schritt"), ("Customer actions", "Kundenhandlungen"),
           ("Support processes", "Prozesse"))


def test_a_german_site_prints_its_posters_in_german(german):
    poster = (german / "posters/b2b-invoice-payments.svg").read_text("utf-8")
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in poster and ' lang="de"' in poster
    speaks(drawn_text(poster),
           ("KEY", "LEGENDE"), ("Pain points by severity", "Schmerzpunkte nach Schwere"),
           ("Journey map", "Journey Map „Choosing Acme"),
           ("Made with mapgen", "Erstellt mit mapgen"),
           ("HIGH PRIORITY · PLANNED", "PRIORITÄT HOCH · GEPLANT"),
           ("2,400 reached", "2.400 erreicht"), ("1,790 lost", f"1.790 verloren (75{NBSP}%)"),
           ("BEFORE PURCHASE", "VOR DEM KAUF"),
           ("Taking part:", "Beteiligt: Priya Raman"), ("back to step", "zurück zu Schritt 5"))


def test_mapgen_render_draws_the_funnel_of_a_german_journey_in_german(tmp_path):
    root = copy_example(tmp_path)
    journey = root / "specs/journeys/first-purchase.yml"
    journey.write_text(journey.read_text("utf-8").replace("title: ", "lang: de\ntitle: ", 1),
                       encoding="utf-8")
    speaks(rendered(root, "first-purchase", "funnel"),
           ("Funnel of", "Trichter: First purchase"), ("48,000", "48.000"),
           ("Biggest drop-off", "Größter Schwund: −26.500"),
           ("Customers reaching each stage", "Kundinnen und Kunden je Phase"))


CANCELLATION = """\
title: {title}
{lang}personas: [ana]
stages:
  - id: start
    name: Start
    reached: 12000
    steps:
      - id: visit
        name: Visits the site
        emotion: 1
        pain_points: [{{text: Too slow, severity: high}}]
      - id: wait
        name: Waits
  - id: end
    name: End
    reached: 4000
    steps:
      - id: leave
        name: Leaves
        emotion: -1
        next: [visit, quits]
      - id: quits
        name: Quits
        emotion: -2
        next: []
"""


def test_a_french_journey_in_an_english_site_draws_its_diagrams_in_french(make_workspace):
    root = make_workspace({
        "mapgen.yml": "title: Journeys\n", "specs/personas/ana.yml": "name: Ana\n",
        "specs/journeys/resiliation.yml": CANCELLATION.format(title="Résiliation",
                                                               lang="lang: fr\n"),
        "specs/journeys/cancellation.yml": CANCELLATION.format(title="Cancellation", lang="")})
    site = build_site(root)
    french = site / "journeys/resiliation.html"
    speaks(diagram_on(french, "flow-resiliation"),
           ("Flow of", f"Enchaînement{NBSP}: Résiliation"),
           ("Stages and steps:", f"Phases et étapes{NBSP}: Start: Visits the site"),
           ("revisit", "retour"), ("exit", "sortie"), ("⚠ high", "⚠ élevée"),
           ("emotion: not recorded", f"émotion{NBSP}: non relevée"))
    speaks(diagram_on(french, "funnel-resiliation"),
           ("Funnel of", f"Entonnoir{NBSP}: Résiliation"), ("12,000", "12\u202f000"),
           ("Biggest drop-off", "Plus forte perte"), ("67%", f"67{NBSP}%"))
    speaks(rendered(root, "resiliation", "emotion"),
           ("Emotion curve of", "Courbe des émotions"), ("lowest", "au plus bas"))
    speaks(rendered(root, "resiliation", "blueprint"),
           ("Customer actions", "Actions du client"), ("Step", "Étape"))
    speaks(drawn_text((site / "posters/resiliation.svg").read_text("utf-8")),
           ("KEY", "LÉGENDE"), ("leaves the journey", "quitte le parcours"))
    english = site / "journeys/cancellation.html"
    speaks(diagram_on(english, "flow-cancellation"),
           ("Enchaînement", "Flow of Cancellation"), ("sortie", "exit"), ("retour", "revisit"))
    speaks(diagram_on(site / "index.html", "overview"),
           ("Vue d’ensemble", "Overview of personas and journeys"),
           ("1 personas", "1 persona and 2 journeys"))


def test_every_view_has_a_title_in_the_catalogues():
    from mapgen.diagrams import VIEWS
    from mapgen.embed import OTHER_VIEWS

    assert {f"view.{name}" for name in [*VIEWS, *OTHER_VIEWS]} <= set(ENGLISH)
