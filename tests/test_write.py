"""Writing a site to disk: only what changed, stale files gone, dotfiles kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapgen.site.markup import render_markdown, safe_url
from mapgen.site.write import OutputError, check_output_dir, sync


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_first_sync_writes_every_file(tmp_path):
    report = sync(tmp_path / "site", {"index.html": b"home", "a/b.html": b"b"})
    assert report.written == ("a/b.html", "index.html")
    assert tree(tmp_path / "site") == {"a/b.html": b"b", "index.html": b"home"}


def test_an_unchanged_site_writes_nothing(tmp_path):
    files = {"index.html": b"home", "a/b.html": b"b"}
    sync(tmp_path, files)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    report = sync(tmp_path, files)
    assert report.written == () and report.removed == () and report.unchanged == 2
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


def test_files_the_specs_no_longer_produce_disappear(tmp_path):
    sync(tmp_path, {"index.html": b"home", "journeys/old.html": b"old"})
    report = sync(tmp_path, {"index.html": b"home"})
    assert report.removed == ("journeys/old.html",)
    assert not (tmp_path / "journeys").exists(), "empty folders go too"


def test_dotfiles_and_cname_are_kept(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (tmp_path / "CNAME").write_text("journeys.example.com\n")
    sync(tmp_path, {"index.html": b"home"})
    assert (tmp_path / ".git/HEAD").is_file() and (tmp_path / "CNAME").is_file()


def test_no_temporary_files_are_left_behind(tmp_path):
    sync(tmp_path, {"index.html": b"a" * 10000})
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


@pytest.mark.parametrize("site", [".", "specs"])
def test_an_output_folder_that_is_or_holds_the_specs_is_refused(tmp_path, site):
    (tmp_path / "specs").mkdir()
    with pytest.raises(OutputError, match="specs"):
        check_output_dir(tmp_path / site, tmp_path, tmp_path / "specs")


def test_an_output_folder_inside_the_specs_is_refused(tmp_path):
    with pytest.raises(OutputError, match="inside the specs"):
        check_output_dir(tmp_path / "specs/site", tmp_path, tmp_path / "specs")


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
