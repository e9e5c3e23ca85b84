"""`mapgen export --format svg|png|pdf`: the journey map as a one-page landscape poster.

Each format is read back as a user's tool would: the SVG parsed as XML, the PDF by pypdf
(pages, page size, text), the PNG's header. Text fitting its boxes is checked with
FreeType (Pillow), not with the font tables the layout measured with.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import ImageFont
from pypdf import PdfReader

from conftest import copy_example
from mapgen.cli import cli
from mapgen.poster import fonts
from mapgen.poster.drawing import Rect, Text
from mapgen.poster.layout import poster
from mapgen.workspace import read_workspace

REPO = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = sorted(p.stem for p in (REPO / "specs/journeys").glob("*.yml"))

JAPANESE = """\
title: 初めての購入とキャッシュバックの受け取り
personas: [yui]
objective: 初めて Acme で支払う買い物客が、どこで離脱し、どの改善で購入率が上がるかを知る。
stages:
  - id: ninchi
    name: 認知と比較検討のフェーズ
    phase: before
    reached: 1000
    steps:
      - id: kokoku
        name: インスタグラムでキャッシュバック広告を見る
        actions: ストーリーを見ながら六秒の広告を二回見て、ランディングページを開く。
        thoughts: ["スニーカーを買うついでに十パーセント戻ってくるならいいね。", "Acme って銀行なの？"]
        touchpoints: [{channel: social, name: インスタグラムのストーリー広告}]
        emotion: 1
        pain_points:
          - {text: 広告はキャッシュバックだけを伝え、Acme が手持ちのカードで使える支払いアプリだとは言わない。, severity: high}
      - id: hikaku
        name: 安全かどうかを調べる
        actions: 「Acme 安全」と検索し、アプリストアの星一つのレビューから読む。
        emotion: -1
  - id: konyu
    name: 購入
    phase: during
    reached: 400
    steps:
      - id: toroku
        name: チェックアウトの中でアカウントを作る
        actions: メールアドレスと電話番号を入れて、SMS のコードを待つ。
        emotion: -2
        opportunities:
          - {text: SMS が二十秒で届かなければ音声通話でコードを送る。, priority: high, status: planned}
"""


#: Text that is hard to fit: words longer than a column, emoji, Greek and Cyrillic (which
#: the embedded face adds to its cut), big figures in a one-step stage, jumps and an exit.
AWKWARD = """\
title: Supercalifragilisticexpialidocious-onboarding-with-a-very-long-hyphenated-name
personas: [ana, ben]
stages:
  - id: s
    name: A stage whose name is rather long for a single step
    phase: during
    reached: 123456789
    goal: A goal long enough to wrap inside the stage header box several times over, surely.
    steps:
      - id: a
        name: https://example.org/a/very/long/address/without/any/spaces/in/it/at/all
        thoughts: ["🙂 Emoji 🎉 and Ümlauts, Ελληνικά and Кириллица in one thought"]
        emotion: {ana: -2, ben: 2}
        next: [b]
  - id: t
    name: T
    reached: 1
    steps:
      - id: b
        name: B
        emotion: 0
        next: []
        pain_points: [{text: WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW, severity: critical}]
"""


def long_journey(steps: int = 60, per_stage: int = 10) -> str:
    """A journey of ``steps`` steps with something in every lane, for two personas."""
    lines = ["title: A long onboarding journey with many steps", "personas: [ana, ben]",
             "stages:"]
    for index in range(steps):
        if index % per_stage == 0:
            stage = index // per_stage
            lines += [f"  - id: stage-{stage}", f"    name: Stage {stage + 1} of the long road",
                      f"    reached: {10000 - stage * 1000}", "    steps:"]
        lines += [
            f"      - id: step-{index}",
            f"        name: Step {index + 1} where the customer does something rather wordy",
            "        actions: Fills in a form, reads the small print and waits for an email.",
            f"        thoughts: [\"Is this step {index + 1} ever going to end?\"]",
            f"        emotion: {{ana: {index % 5 - 2}, ben: {(index + 2) % 5 - 2}}}",
            "        touchpoints: [{channel: web, name: Onboarding wizard page}]",
            "        pain_points: [{text: The form forgets what was typed after a timeout., "
            f"severity: {('low', 'medium', 'high', 'critical')[index % 4]}}}]",
            "        backstage: The onboarding service stores a draft of the form.",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory) -> dict[str, Path]:
    """Journey id -> the workspace it is in: the examples, a 60-step and a Japanese one."""
    extra = tmp_path_factory.mktemp("posters")
    files = {
        "mapgen.yml": "title: Posters\n",
        "specs/personas/ana.yml": "name: Ana\n",
        "specs/personas/ben.yml": "name: Ben\n",
        "specs/personas/yui.yml": "name: 佐藤 結衣\n",
        "specs/journeys/long.yml": long_journey(),
        "specs/journeys/japanese.yml": JAPANESE,
        "specs/journeys/awkward.yml": AWKWARD,
    }
    for name, text in files.items():
        (extra / name).parent.mkdir(parents=True, exist_ok=True)
        (extra / name).write_text(text, "utf-8")
    return {**{journey: REPO for journey in EXAMPLES}, "long": extra, "japanese": extra,
            "awkward": extra}


ALL = [*EXAMPLES, "long", "japanese", "awkward"]


def export(root: Path, journey: str, fmt: str, output: Path) -> Path:
    result = CliRunner().invoke(cli, ["export", journey, "--format", fmt, "-o", str(output),
                                      "-d", str(root)])
    assert result.exit_code == 0, result.output
    return output


def squeezed(text: str) -> str:
    """Text without white space: lines wrap at spaces, and CJK lines between characters."""
    return re.sub(r"\s+", "", text)


def step_names(root: Path, journey: str) -> list[str]:
    return [step.name for step in read_workspace(root).workspace.journeys[journey].steps]


@pytest.mark.parametrize("journey", ALL)
def test_the_svg_poster_parses_and_shows_every_step(journey, workspaces, tmp_path):
    root = workspaces[journey]
    svg = ET.parse(export(root, journey, "svg", tmp_path / "map.svg")).getroot()
    width, height = float(svg.get("width")), float(svg.get("height"))
    assert width > height
    words = squeezed("".join(t.text or "" for t in svg.iter(f"{SVG}text")))
    for name in step_names(root, journey):
        assert squeezed(name) in words
    title = read_workspace(root).workspace.journeys[journey].title
    assert svg.find(f"{SVG}title").text == title


@pytest.mark.parametrize("journey", ALL)
def test_the_pdf_poster_is_one_landscape_page_with_searchable_text(journey, workspaces,
                                                                    tmp_path):
    root = workspaces[journey]
    reader = PdfReader(export(root, journey, "pdf", tmp_path / "map.pdf"))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height
    text = squeezed(page.extract_text().replace("\x00", ""))
    assert squeezed(read_workspace(root).workspace.journeys[journey].title) in text
    for name in step_names(root, journey):
        assert squeezed(name) in text
    assert reader.metadata.title == read_workspace(root).workspace.journeys[journey].title


@pytest.mark.parametrize("journey", ["first-purchase", "long", "japanese"])
def test_the_png_poster_is_a_landscape_picture_of_a_sensible_size(journey, workspaces,
                                                                  tmp_path):
    data = export(workspaces[journey], journey, "png", tmp_path / "map.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > height >= 800
    assert width >= 2000 and width * height <= 36_000_000  # at most ~150 MB to draw


# --- text fits ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def freetype():
    """Measures text as FreeType sets it in our faces (regular and bold)."""
    sans, cjk = fonts.faces()
    cache: dict = {}

    def font(face, size: float, bold: bool):
        key = (face.name, size, bold)
        if key not in cache:
            cache[key] = ImageFont.truetype(str(face.path), size)
            if bold and face is sans:
                cache[key].set_variation_by_axes([fonts.BOLD])
        return cache[key]

    def width(text: Text) -> float:
        """The wider of: each character in the face that has it (as the PDF and a
        browser set it), and all of it in Noto when Arimo lacks a character (as resvg)."""
        by_face = sum(font(fonts.face_for(ch), text.size, text.bold).getlength(ch)
                      for ch in text.text)
        if all(sans.has(ch) for ch in text.text):
            return by_face
        return max(by_face, font(cjk, text.size, False).getlength(text.text))

    return width


def box_of(text: Text, rects: list[Rect]) -> Rect:
    """The smallest box drawn behind the start of ``text``."""
    top = text.y - text.size * 0.7
    around = [r for r in rects if r.x <= text.x <= r.x + r.w and r.y <= top <= r.y + r.h]
    return min(around, key=lambda r: r.w * r.h)


@pytest.mark.parametrize("journey", ["first-purchase", "b2b-invoice-payments", "long",
                                     "japanese", "awkward"])
def test_every_line_of_text_stays_inside_its_box(journey, workspaces, freetype):
    ws = read_workspace(workspaces[journey]).workspace
    drawing = poster(ws, ws.journeys[journey])
    rects = [s for s in drawing.shapes if isinstance(s, Rect)]
    checked = 0
    for text in (s for s in drawing.shapes if isinstance(s, Text)):
        width = freetype(text)
        if text.anchor == "start":
            box = box_of(text, rects)
            assert text.x + width <= box.x + box.w + 0.5, (text.text, box)
            checked += 1
        assert 0 <= text.x - {"start": 0, "middle": width / 2, "end": width}[text.anchor]
        assert text.x + {"start": width, "middle": width / 2, "end": 0}[text.anchor] \
            <= drawing.width
    assert checked > 25  # the title, headers, lane names and every card line


def test_user_text_is_escaped_and_the_same_journey_gives_the_same_bytes(make_workspace,
                                                                       tmp_path):
    root = make_workspace({
        "mapgen.yml": "title: T\n",
        "specs/personas/ana.yml": "name: Ana <admin>\n",
        "specs/journeys/odd.yml": (
            "title: 'Fish & chips <script>alert(1)</script>'\npersonas: [ana]\nstages:\n"
            "  - id: s\n    name: '\"Quoted\" & <b>bold</b>'\n    steps:\n"
            "      - {id: a, name: 'A < B & C > D', emotion: 0, thoughts: ['url(#x) ]]>']}\n"),
    })
    first = export(root, "odd", "svg", tmp_path / "one.svg").read_bytes()
    svg = ET.fromstring(first)
    assert svg.find(f"{SVG}script") is None and not list(svg.iter(f"{SVG}b"))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "A < B & C > D" in texts and any("url(#x) ]]>" in t for t in texts)
    assert export(root, "odd", "svg", tmp_path / "two.svg").read_bytes() == first
    pdf = export(root, "odd", "pdf", tmp_path / "one.pdf").read_bytes()
    assert export(root, "odd", "pdf", tmp_path / "two.pdf").read_bytes() == pdf


def test_binary_posters_need_a_file_and_an_unknown_journey_is_named():
    runner = CliRunner()
    for fmt in ("png", "pdf"):
        result = runner.invoke(cli, ["export", "first-purchase", "--format", fmt,
                                     "-d", str(REPO)])
        assert result.exit_code == 2
        assert f"-o first-purchase.{fmt}" in result.output
    unknown = runner.invoke(cli, ["export", "first-purchse", "--format", "pdf", "-o", "x.pdf",
                                  "-d", str(REPO)])
    assert unknown.exit_code == 2 and 'did you mean "first-purchase"' in unknown.output
    svg = runner.invoke(cli, ["export", "first-purchase", "--format", "svg", "-d", str(REPO)])
    assert svg.exit_code == 0 and svg.stdout.startswith("<?xml")


def test_the_site_holds_each_journeys_poster_and_links_it(tmp_path):
    root = copy_example(tmp_path)
    built = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert built.exit_code == 0, built.output
    site = root / "site"
    home = (site / "index.html").read_text("utf-8")
    for journey in EXAMPLES:
        poster_file = site / f"posters/{journey}.svg"
        exported = export(root, journey, "svg", tmp_path / f"{journey}.svg")
        assert poster_file.read_bytes() == exported.read_bytes()
        assert f'<img src="posters/{journey}.svg" alt="The journey map of ' in home
        page = (site / f"journeys/{journey}.html").read_text("utf-8")
        assert f'href="../posters/{journey}.svg" download' in page


def test_a_pain_points_card_is_filled_by_its_severity_as_the_site_fills_it(workspaces):
    css = (REPO / "themes/default/static/mapgen.css").read_text("utf-8")
    site = {severity.upper(): re.search(rf"--pain-{severity}-bg: (#[0-9a-f]{{6}})", css)[1]
            for severity in ("critical", "high", "medium", "low")}
    ws = read_workspace(workspaces["first-purchase"]).workspace
    drawing = poster(ws, ws.journeys["first-purchase"])
    rects = [s for s in drawing.shapes if isinstance(s, Rect)]
    fills = {(text.text, box_of(text, rects).fill) for text in drawing.shapes
             if isinstance(text, Text) and text.text in site}
    assert len({kicker for kicker, _ in fills}) >= 3
    assert fills == {(kicker, site[kicker]) for kicker, _ in fills}


def test_the_poster_shows_each_stages_owner_and_duration_and_who_takes_part(tmp_path):
    svg = ET.parse(export(REPO, "b2b-invoice-payments", "svg", tmp_path / "map.svg")).getroot()
    words = squeezed("".join(t.text or "" for t in svg.iter(f"{SVG}text")))
    for shown in ("Owner: @deal-desk", "Takes 6 weeks", "Takes 3–6 months",
                  "Taking part: Daniel Okafor, Grace Whitfield", "Taking part: Priya Raman"):
        assert squeezed(shown) in words, shown


def test_a_font_cut_is_made_once_and_then_read_from_the_cache(tmp_path, monkeypatch):
    from mapgen.cache import Cache

    extra = frozenset("λ")  # Greek: Arimo has it, the cut every poster has does not
    assert not extra & fonts.EMBEDDED
    made = fonts.woff(extra, Cache(tmp_path / "cache"))
    assert made == fonts._woff(extra)

    def no_cutting(extra):
        raise AssertionError("the font was cut again")

    monkeypatch.setattr(fonts, "_woff", no_cutting)  # as in a new process
    monkeypatch.setattr(fonts, "_cuts_here", {})
    read: list[str] = []
    cache = Cache(tmp_path / "cache")
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda *args: read.append(args[0]) or real_get(*args))
    assert fonts.woff(extra, cache) == made
    assert fonts.woff(extra, cache) == made
    assert read == [fonts.CUT_KIND], "read from the cache once a process"


def test_a_build_keeps_the_posters_font_cut_for_the_next_process(tmp_path):
    from mapgen.cache import Cache

    root = copy_example(tmp_path)
    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml")])
    assert result.exit_code == 0, result.output
    store = Cache(root / ".mapgen-cache").store
    assert list(store.rows(fonts.CUT_KIND)) != [], "the build kept no font cut"


def test_the_fonts_advance_widths_are_read_from_the_cache_as_the_font_gives_them(
        tmp_path, monkeypatch):
    from mapgen.cache import Cache
    from mapgen.poster import render

    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    journey = next(iter(ws.journeys.values()))
    monkeypatch.setattr(fonts, "_widths_here", {})  # measured from the font itself
    from_font = render(ws, journey, "svg")
    sans = fonts.faces()[0]
    cache = Cache(tmp_path / "cache")
    fonts.use_widths(cache)  # worked out once, and kept
    assert fonts._widths_here[sans.path] == sans.widths()

    monkeypatch.setattr(fonts, "_widths_here", {})  # as in a new process
    monkeypatch.setattr(fonts.Face, "widths", lambda self: pytest.fail("measured again"))
    fonts.use_widths(Cache(tmp_path / "cache"))
    assert render(ws, journey, "svg", Cache(tmp_path / "cache")) == from_font
    assert fonts.text_width("Wé", 10) == fonts.text_width("W", 10) + fonts.text_width("é", 10)


def test_widths_of_another_shape_in_the_cache_are_worked_out_again(tmp_path, monkeypatch):
    from mapgen.cache import JSON, Cache

    cache = Cache(tmp_path / "cache")
    key = fonts._font_key()
    cache.put(fonts.WIDTHS_KIND, key, key, {"65": ["wide", None]}, JSON)
    cache.save()
    monkeypatch.setattr(fonts, "_widths_here", {})
    fonts.use_widths(Cache(tmp_path / "cache"))
    sans = fonts.faces()[0]
    assert fonts._widths_here[sans.path] == sans.widths()


@pytest.mark.parametrize("text", ["Checkout – €12.50 «déjà»", "Zahlung prüfen → fertig",
                                  "Оплата", "支払い確認", "Pay ✓ now", "e\u0301 with a mark",
                                  "tab\there"])
def test_text_is_measured_as_mixed_exactly_when_arimo_lacks_a_character(text):
    """Text of the characters every embedded cut has is known to be Arimo's at once; any
    other text is looked up character by character, as the renderers set it."""
    sans = fonts.faces()[0]
    assert all(sans.has(char) for char in fonts.EMBEDDED)
    lacking = any(not (sans.has(c) or unicodedata.combining(c)) for c in text)
    fonts._mixed.cache_clear()
    assert fonts._mixed(text) is lacking
