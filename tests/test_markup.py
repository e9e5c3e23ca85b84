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
