"""Markdown in specs: rendered, then sanitised; only safe URLs survive."""

from __future__ import annotations

import pytest

from mapgen.site.markup import render_markdown, safe_url


def test_markdown_is_rendered_and_raw_html_is_not_passed_through():
    html = render_markdown('**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>'
                           ' [x](javascript:alert(1)) [ok](https://example.com)')
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "javascript:" not in html
    assert 'href="https://example.com"' in html


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/a", "https://example.com/a"),
    ("mailto:team@example.com", "mailto:team@example.com"),
    ("../journeys/a.html", "../journeys/a.html"),
    ("javascript:alert(1)", "#"),
    ("JavaScript:alert(1)", "#"),
    ("data:text/html,hi", "#"),
    ("//evil.example/x", "#"),
    (None, "#"),
])
def test_only_http_https_mailto_and_relative_urls_survive(url, expected):
    assert safe_url(url) == expected


# --- the Markdown writers preview on GitHub renders the same here -------------------

def test_a_list_right_after_a_paragraph_is_a_list():
    html = render_markdown("What we heard:\n- too slow\n- too dear\n")
    assert "<p>What we heard:</p>" in html
    assert "<ul>\n<li>too slow</li>\n<li>too dear</li>\n</ul>" in html


def test_tildes_strike_text_through():
    html = render_markdown("Refunds take ~~ten~~ three days")
    assert "<s>ten</s>" in html or "<del>ten</del>" in html
    assert "~" not in html


@pytest.mark.parametrize("url, href", [
    ("https://example.com/research?id=7", "https://example.com/research?id=7"),
    ("www.example.org/survey", "http://www.example.org/survey"),
])
def test_bare_urls_become_links(url, href):
    html = render_markdown(f"See {url} for the study.")
    assert f'<a href="{href}" rel="noopener noreferrer">{url}</a>' in html
    assert html.endswith(" for the study.</p>\n")


def test_a_bare_javascript_url_is_not_made_a_link():
    html = render_markdown("javascript:alert(1) and data:text/html,x")
    assert "<a" not in html


def test_tables_keep_their_alignment_and_nothing_else_of_style():
    html = render_markdown("| Stage | Reached |\n|:--|--:|\n| Visit | 1,000 |\n")
    assert '<th style="text-align:left">Stage</th>' in html
    assert '<td style="text-align:right">1,000</td>' in html
    hostile = render_markdown('<table><tr><td style="background:url(x);position:fixed">'
                              "x</td></tr></table>")
    assert "background" not in hostile and "position" not in hostile


def test_task_lists_are_disabled_checkboxes_named_by_their_text():
    html = render_markdown("- [ ] call the bank\n- [x] send the survey\n")
    assert html.count('type="checkbox"') == 2
    assert html.count('disabled="disabled"') == 2
    assert html.count('checked="checked"') == 1
    assert "<label><input" in html and "call the bank</label>" in html


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<p onclick="alert(1)">x</p>',
    '<input type="text" name="password">',
    "<svg><script>alert(1)</script></svg>",
    "- [ ] <img src=x onerror=alert(1)>",
])
def test_hostile_html_is_still_stripped(hostile):
    html = render_markdown(f"Text\n- item\n\n{hostile}")
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style",
                "<img", "<svg", 'type="text"', "display:none"):
        assert bad not in html, (hostile, html)
