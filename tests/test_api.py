"""The Python API (mapgen.api): what scripts and the MkDocs plugin call, on real files."""

from __future__ import annotations

import pytest

from conftest import copy_example
from mapgen import api, embed


@pytest.fixture
def workspace(tmp_path):
    return copy_example(tmp_path / "ws")


def test_load_workspace_finds_the_workspace_from_inside_it(workspace):
    result = api.load_workspace(workspace / "specs/journeys")
    assert result.workspace is not None and not result.fails()
    assert "first-purchase" in result.workspace.journeys


def test_load_workspace_outside_any_workspace_says_how_to_start_one(tmp_path):
    with pytest.raises(api.MapgenError, match="not a mapgen workspace.*mapgen init"):
        api.load_workspace(tmp_path)


def test_validate_gives_located_findings_and_whether_they_fail(workspace):
    spec = workspace / "specs/journeys/first-purchase.yml"
    spec.write_text(spec.read_text("utf-8").replace("personas: [leo]", "personas: [leon]"),
                    "utf-8")
    validation = api.validate(workspace)
    assert not validation.ok
    [finding] = [f for f in validation.findings if f.code == "MG304"]
    assert (finding.location.file, finding.location.column) == (
        "specs/journeys/first-purchase.yml", 12)
    assert "specs/journeys/first-purchase.yml:3:12: error MG304" in api.finding_text(finding)
    assert '"code": "MG304"' in validation.text("json")


def test_build_writes_the_site_and_reports_what_it_made(workspace, tmp_path):
    report = api.build(workspace, tmp_path / "public")
    assert report.journeys == 4 and report.pages == report.rendered
    assert (tmp_path / "public/journeys/first-purchase.html").is_file()
    again = api.build(workspace, tmp_path / "public")
    assert again.rendered == 0


def test_build_refuses_specs_with_errors_and_names_them(workspace, tmp_path):
    (workspace / "specs/journeys/broken.yml").write_text("title: [\n", "utf-8")
    with pytest.raises(api.SpecError) as raised:
        api.build(workspace, tmp_path / "public")
    assert any(f.code == "MG101" for f in raised.value.findings)
    assert "specs/journeys/broken.yml:" in str(raised.value)
    assert not (tmp_path / "public").exists()


def test_render_view_draws_each_view_as_page_ready_svg(workspace):
    result = api.load_workspace(workspace)
    for view in ("flow", "blueprint", "emotion", "funnel"):
        svg = api.render_view(result, "first-purchase", view, cache=False)
        assert svg.lstrip().startswith(b"<svg") and b"First purchase" in svg, view
    assert b"digraph" in api.render_view(result, "first-purchase", "flow", "dot")
    assert api.render_view(result, None, "overview", cache=False).lstrip().startswith(b"<svg")


@pytest.mark.parametrize(("journey", "view", "message"), [
    ("first-purchace", "flow", 'no journey "first-purchace" (did you mean "first-purchase"?)'),
    ("first-purchase", "emotions", 'no view "emotions" (did you mean "emotion"?)'),
    (None, "flow", "which journey?"),
])
def test_render_view_names_what_to_ask_for_instead(workspace, journey, view, message):
    ws = api.load_workspace(workspace).workspace
    with pytest.raises(api.ViewError) as raised:
        api.render_view(ws, journey, view)
    assert message in str(raised.value)


def test_embed_views_draws_blocks_and_check_page_reports_bad_ones(workspace):
    ws = api.load_workspace(workspace).workspace
    text = ("# Notes\n\n```mapgen\njourney: first-purchase\nview: funnel\n```\n\n"
            "```mapgen\njourney: nobody\nview: flow\n```\n")
    out = api.embed_views(ws, text, cache=False)
    assert out.count("<svg") == 1 and "<figcaption>Funnel of First purchase" in out
    assert "This view cannot be shown" in out and "```" not in out
    [finding] = api.check_page(ws, "docs/notes.md", text)
    assert (finding.code, finding.location.line, finding.location.column) == ("MG320", 9, 10)


def test_an_indented_block_is_drawn_in_a_container_and_left_as_code_elsewhere(workspace):
    ws = api.load_workspace(workspace).workspace
    block = "    ```mapgen\n    journey: first-purchase\n    view: funnel\n    ```\n"
    code = f"An example of a block, as code:\n\n{block}"  # Markdown's indented code block
    assert api.embed_views(ws, code, cache=False) == code
    assert api.check_page(ws, "docs/notes.md", code.replace("first-purchase", "nobody")) == []
    for container in ("!!! note", "- An item", "=== \"Tab\""):
        out = api.embed_views(ws, f"{container}\n\n{block}", cache=False)
        assert out.count("<svg") == 1 and "```" not in out, container


def test_the_journey_canvas_is_a_view_to_render_and_embed(workspace):
    ws = api.load_workspace(workspace).workspace
    assert "canvas" in api.views()
    svg = api.render_view(ws, "first-purchase", "canvas")
    assert svg.lstrip().startswith(b"<svg") and svg.split(b">", 1)[0].count(b"role=") == 1
    assert b"Journey map of First purchase with Pay with Acme</title>" in svg
    text = "```mapgen\njourney: first-purchase\nview: canvas\n```\n"
    assert api.check_page(ws, "a.md", text) == []
    assert "<figcaption>Journey map of First purchase with Pay with Acme</figcaption>" in (
        api.embed_views(ws, text))


def test_a_view_drawn_another_way_is_one_entry(workspace, monkeypatch):
    """How a view drawn another way joins: one entry in embed.OTHER_VIEWS, nothing else."""
    monkeypatch.setitem(embed.OTHER_VIEWS, "cards", embed.OtherView(
        "Cards", lambda ws, journey: f"<div>{journey.title}</div>"))
    ws = api.load_workspace(workspace).workspace
    assert "cards" in api.views()
    assert api.render_view(ws, "first-purchase", "cards") == (
        b"<div>First purchase with Pay with Acme</div>")
    assert api.check_page(ws, "a.md", "```mapgen\njourney: first-purchase\nview: cards\n```\n") == []


def test_markdown_pages_link_through_the_given_function(workspace):
    pages = dict((page.path, write) for page, write in
                 api.markdown_pages(api.load_workspace(workspace), cache=False))
    assert {"index.md", "touchpoints.md", "pain-points.md", "opportunities.md",
            "journeys/first-purchase.md", "personas/leo.md"} <= set(pages)
    text = pages["personas/leo.md"](lambda path: "/docs/" + path.replace(".md", "/"))
    assert text.startswith("# Leo Marchetti\n")
    assert 'href="/docs/journeys/first-purchase/"' in text


def test_user_text_cannot_become_markup_in_a_markdown_page(workspace):
    spec = workspace / "specs/personas/leo.yml"
    spec.write_text(spec.read_text("utf-8").replace(
        "name: Leo Marchetti", 'name: "Leo *<script>x</script>* [a](javascript:1)"'), "utf-8")
    pages = dict((p.path, w) for p, w in api.markdown_pages(api.load_workspace(workspace),
                                                           cache=False))
    text = pages["personas/leo.md"](lambda path: path)
    assert "<script>" not in text
    assert text.splitlines()[0] == (
        r"# Leo \*&lt;script&gt;x&lt;/script&gt;\* \[a\]\(javascript:1\)")
