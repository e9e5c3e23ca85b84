"""A rebuild with nothing to do: found out from file metadata, without reading a spec.

Each test builds a real workspace with the real CLI, then builds again after one kind of
change (or none) and asserts whether the workspace was read again, by counting calls to
the reader, and what the site holds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import mapgen.cli
from conftest import copy_example
from test_incremental import snapshot

SUMMARY = re.compile(r"Built \d+ journeys?, \d+ personas?: (\d+) of (\d+) pages? rendered")


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """The workspaces each build read (empty when it found its site current)."""
    seen: list[Path] = []
    real = mapgen.cli.read_workspace

    def counting(root, cache=None):
        seen.append(root)
        return real(root, cache)

    monkeypatch.setattr(mapgen.cli, "read_workspace", counting)
    return seen


def build(root: Path, *options: str) -> str:
    result = CliRunner().invoke(mapgen.cli.cli, ["build", "-f", str(root / "mapgen.yml"),
                                                 *options])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def built(tmp_path, reads) -> Path:
    root = copy_example(tmp_path / "workspace")
    build(root)
    assert len(reads) == 1
    reads.clear()
    return root


def test_a_rebuild_with_nothing_changed_reads_no_spec_and_touches_no_file(built, reads):
    before = snapshot(built / "site")
    said = build(built)
    assert reads == [], "the site was current: no spec read"
    rendered, pages = map(int, SUMMARY.search(said).groups())
    assert rendered == 0 and pages > 5
    assert "0 files written" in said
    assert snapshot(built / "site") == before


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(built, reads):
    journey = built / "specs/journeys/first-purchase.yml"
    text = journey.read_text("utf-8")
    st = journey.stat()
    edited = text.replace("Sees a welcome-cashback ad on Instagram",
                          "Sees a welcome-cashback ad on Instagrum")
    assert len(edited) == len(text) and edited != text
    journey.write_text(edited, "utf-8")
    os.utime(journey, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `touch -r` would restore it

    build(built)

    assert reads, "the change time differs, so the workspace is read"
    assert "Instagrum" in (built / "site/journeys/first-purchase.html").read_text("utf-8")


@pytest.mark.parametrize("change", ["touch a spec", "add a page", "change a template",
                                    "change the config"])
def test_any_input_touched_makes_the_build_read_the_workspace(built, reads, change):
    if change == "touch a spec":
        os.utime(built / "specs/personas/maya.yml")
    elif change == "add a page":
        (built / "pages").mkdir(exist_ok=True)
        (built / "pages/notes.md").write_text("# Notes\n\nRead me.\n", "utf-8")
    elif change == "change a template":
        (built / "overrides").mkdir()
        (built / "overrides/extra.html").write_text("<p>extra</p>\n", "utf-8")
        config = built / "mapgen.yml"
        config.write_text(config.read_text("utf-8").replace(
            "  name: default\n", "  name: default\n  custom_dir: overrides\n"), "utf-8")
        build(built)
        reads.clear()
        (built / "overrides/extra.html").write_text("<p>more</p>\n", "utf-8")
    else:
        config = built / "mapgen.yml"
        config.write_text(config.read_text("utf-8") + "\n# a comment\n", "utf-8")

    build(built)

    assert reads, f"{change}: the workspace is read again"
    if change == "add a page":
        assert (built / "site/notes.html").exists() or any(
            "Read me." in p.read_text("utf-8") for p in (built / "site").rglob("*.html"))


@pytest.mark.parametrize("change", ["edit a page", "delete a page", "add a file"])
def test_a_site_changed_by_hand_makes_the_build_look_again(built, reads, change):
    page = built / "site/index.html"
    original = page.read_bytes()
    if change == "edit a page":
        page.write_bytes(original.replace(b"</body>", b"<p>hand edit</p></body>"))
    elif change == "delete a page":
        page.unlink()
    else:
        (built / "site/CNAME").write_text("maps.example.org\n", "utf-8")

    build(built)

    assert reads, f"{change}: the folder is not as the last build left it"
    if change == "add a file":
        assert (built / "site/CNAME").read_text("utf-8") == "maps.example.org\n"
    else:
        assert page.read_bytes() == original, "the page is made again"


def test_other_options_or_another_folder_are_not_the_same_build(built, reads, tmp_path):
    build(built, "--site-url", "https://maps.example.org/")
    assert reads, "another site_url"
    reads.clear()
    build(built, "-d", str(tmp_path / "elsewhere"))
    assert reads, "another output folder"
    reads.clear()
    build(built, "--clean")
    assert reads, "--clean always builds"
    reads.clear()
    build(built, "--clean")
    build(built, "--strict")
    assert len(reads) == 2, "--strict is another build too"


def test_the_warnings_of_the_last_build_are_said_again(tmp_path, reads):
    root = copy_example(tmp_path / "workspace")
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("strict: true", "strict: false"))
    (root / "specs/personas/nobody.yml").write_text("name: Nobody\n", "utf-8")
    first = build(root)
    assert "warning" in first
    reads.clear()

    again = build(root)

    assert reads == []
    warnings = [line for line in first.splitlines() if "warning" in line]
    assert warnings and all(line in again for line in warnings)
