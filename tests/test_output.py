"""The output folder: mapgen touches only what it wrote, and publishes a site whole.

Real folders, real builds through the CLI. See mapgen.site.output.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_example
from mapgen.cli import cli
from mapgen.site import output
from mapgen.site.output import MANIFEST, STAGING_MARK


def build(root: Path, *args: str):
    return CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml"), *args])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, and every empty folder (as None)."""
    out: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file():
            out[rel] = path.read_bytes()
        elif path.is_dir() and not any(path.iterdir()):
            out[rel] = None
    return out


def set_site_dir(root: Path, site_dir: str) -> None:
    config = root / "mapgen.yml"
    text = re.sub(r"(?m)^site_dir: .*$", f"site_dir: {site_dir}", config.read_text("utf-8"))
    assert f"site_dir: {site_dir}" in text
    config.write_text(text, "utf-8")


def drop_journey(root: Path) -> None:
    (root / "specs/journeys/failed-payout-support.yml").unlink()
    (root / "specs/personas/maya.yml").unlink()  # only that journey used her


# --- nothing foreign is removed or overwritten -------------------------------------------

def test_a_first_build_into_docs_with_a_hand_written_guide_is_refused(tmp_path):
    root = copy_example(tmp_path)
    set_site_dir(root, "docs")
    (root / "docs").mkdir()
    (root / "docs/GUIDE.md").write_text("# How we map journeys\n", "utf-8")

    result = build(root)

    assert result.exit_code == 1
    assert str((root / "docs").resolve()) in result.output and "GUIDE.md" in result.output
    assert "--keep-existing" in result.output, "says what to do"
    assert "Traceback" not in result.output
    assert tree(root / "docs") == {"GUIDE.md": b"# How we map journeys\n"}


def test_kept_files_survive_every_later_build_clean_and_removal(tmp_path):
    root = copy_example(tmp_path)
    set_site_dir(root, "docs")
    (root / "docs/img").mkdir(parents=True)
    (root / "docs/GUIDE.md").write_text("# Guide\n", "utf-8")
    (root / "docs/img/team.jpg").write_bytes(b"\xff\xd8 a photo")
    (root / "docs/team.jpg").symlink_to("img/team.jpg")

    assert build(root, "--keep-existing").exit_code == 0
    assert (root / "docs/index.html").is_file()
    assert build(root, "--clean").exit_code == 0, "the manifest now says what is mapgen's"
    drop_journey(root)
    assert build(root).exit_code == 0

    assert not (root / "docs/journeys/failed-payout-support.html").exists()
    assert (root / "docs/GUIDE.md").read_text("utf-8") == "# Guide\n"
    assert (root / "docs/img/team.jpg").read_bytes() == b"\xff\xd8 a photo"
    assert os.readlink(root / "docs/team.jpg") == "img/team.jpg", "a link stays a link"
    listed = json.loads((root / "docs" / MANIFEST).read_text("utf-8"))["files"]
    assert "GUIDE.md" not in listed and "index.html" in listed


def test_a_dash_d_folder_with_files_and_subfolders_is_left_exactly_as_it_was(tmp_path):
    root = copy_example(tmp_path / "ws")
    target = tmp_path / "shared"
    (target / "photos/2026").mkdir(parents=True)
    (target / "photos/2026/board.png").write_bytes(b"\x89PNG board")
    (target / "notes.txt").write_text("do not lose\n", "utf-8")
    (target / "empty").mkdir()
    before = tree(target)

    result = build(root, "-d", str(target))

    assert result.exit_code == 1 and str(target) in result.output
    assert tree(target) == before
    assert build(root, "-d", str(target), "--clean").exit_code == 1, "--clean is no way round"
    assert tree(target) == before


def test_the_theme_folder_is_never_an_output_folder(tmp_path):
    root = copy_example(tmp_path)
    (root / "overrides/templates").mkdir(parents=True)
    (root / "overrides/templates/home.html").write_text('{% extends "!theme/home.html" %}',
                                                        "utf-8")
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace(
        "  name: default\n", "  name: default\n  custom_dir: overrides\n"), "utf-8")
    set_site_dir(root, "overrides")
    before = tree(root / "overrides")

    result = build(root)

    assert result.exit_code == 1 and "overrides" in result.output
    assert "mapgen reads" in result.output and "Traceback" not in result.output
    assert tree(root / "overrides") == before
    assert build(root, "--keep-existing").exit_code == 1, "not even when asked to keep files"
    assert tree(root / "overrides") == before


def test_a_file_someone_put_in_the_site_is_kept_and_never_overwritten(tmp_path):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    (root / "site/CNAME").write_text("maps.example.com\n", "utf-8")
    (root / "site/journeys/onboarding.html").write_text("<p>a draft of ours</p>", "utf-8")
    assert build(root, "--clean").exit_code == 0
    assert (root / "site/CNAME").read_text("utf-8") == "maps.example.com\n"

    journey = root / "specs/journeys/onboarding.yml"
    shutil.copy(root / "specs/journeys/first-purchase.yml", journey)
    result = build(root)

    assert result.exit_code == 1
    assert "journeys/onboarding.html" in result.output and "not written by mapgen" in result.output
    assert (root / "site/journeys/onboarding.html").read_text("utf-8") == "<p>a draft of ours</p>"


def test_a_site_an_earlier_mapgen_built_is_taken_over_and_nothing_else_removed(tmp_path):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    (root / "site" / MANIFEST).unlink()  # as mapgen 0.x left it
    (root / "site/photo.jpg").write_bytes(b"photo")
    assert build(root).exit_code == 0
    assert (root / "site/photo.jpg").read_bytes() == b"photo"
    assert (root / "site" / MANIFEST).is_file()


def test_a_crafted_manifest_cannot_make_mapgen_remove_files_outside_the_folder(tmp_path):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    victim = root / "specs/personas/leo.yml"
    manifest = root / "site" / MANIFEST
    data = json.loads(manifest.read_text("utf-8"))
    data["files"]["../specs/personas/leo.yml"] = ["x", [], "y"]
    data["files"]["/etc/hostname"] = ["x", [], "y"]
    manifest.write_text(json.dumps(data), "utf-8")
    assert build(root).exit_code == 0
    assert victim.is_file()


# --- a whole site or the previous one ----------------------------------------------------

def test_the_next_build_removes_what_a_killed_build_left_beside_the_site(tmp_path):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    leftover = root / ".site.mapgen-killed1"
    (leftover / "journeys").mkdir(parents=True)
    (leftover / STAGING_MARK).touch()
    (leftover / "journeys/x.html").write_text("half", "utf-8")
    someone_elses = root / ".site.mapgen-notours"
    someone_elses.mkdir()
    (someone_elses / "keep.txt").write_text("mine", "utf-8")

    assert build(root).exit_code == 0

    assert not leftover.exists()
    assert (someone_elses / "keep.txt").read_text("utf-8") == "mine", "no mark, not ours"


def test_the_old_site_is_gone_when_the_build_returns(tmp_path, monkeypatch):
    """The old site, exchanged for the new one, is deleted before the build returns,
    however long deleting it takes: nothing is left beside the new site."""
    from mapgen.site import output

    delete = output._delete_marked

    def slow_delete(folder):
        time.sleep(0.5)
        delete(folder)

    monkeypatch.setattr(output, "_delete_marked", slow_delete)
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    (root / "specs/journeys/first-purchase.yml").write_text(
        (root / "specs/journeys/first-purchase.yml").read_text("utf-8") + "\n# edited\n",
        "utf-8")
    assert build(root).exit_code == 0
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


def test_a_no_op_rebuild_touches_nothing_in_the_folder(tmp_path):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    stats = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (root / "site").rglob("*")}
    folder = (root / "site").stat().st_ino
    assert build(root).exit_code == 0
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (root / "site").rglob("*")} == stats
    assert (root / "site").stat().st_ino == folder, "not even swapped"


def test_an_injected_full_disk_is_one_line_exit_1_and_the_old_site_intact(tmp_path, monkeypatch):
    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    before = tree(root / "site")
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("title:", "title: Renamed -", 1))
    put = output.Staging.put
    calls = []

    def full_after_three(self, rel, data):
        calls.append(rel)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.folder / rel))
        return put(self, rel, data)

    monkeypatch.setattr(output.Staging, "put", full_after_three)
    result = build(root)

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0] and calls[3] in lines[0]
    assert "Traceback" not in result.output
    assert tree(root / "site") == before
    assert not list(root.glob(".site.mapgen-*")), "the staging folder is gone"


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs, where the system lets us mount one (root on Linux)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_full_disk_is_one_line_exit_1_and_the_old_site_intact(small_disk, tmp_path):
    root = copy_example(tmp_path / "ws")
    site = small_disk / "site"
    assert build(root, "-d", str(site)).exit_code == 0
    before = tree(site)
    ballast = small_disk / "ballast"
    # Fill the disk, then leave room for a few files only. Unbuffered, so that closing the
    # file has nothing left to write: how full the disk gets depends on the site's size.
    with ballast.open("wb", buffering=0) as out:
        with pytest.raises(OSError):
            while True:
                out.write(b"x" * 65536)
    os.truncate(ballast, ballast.stat().st_size - 128 * 1024)
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("title:", "title: Renamed -", 1))

    result = build(root, "-d", str(site))

    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.output and str(small_disk) in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert tree(site) == before


def test_a_rebuild_hashes_only_the_site_files_touched_since_the_last_build(tmp_path,
                                                                          monkeypatch):
    from mapgen.cache import JSON, Cache
    from mapgen.site.build import SEEN

    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    site = (root / "site").resolve()
    seen = Cache(root / ".mapgen-cache").get(SEEN, str(site), SEEN, JSON)
    page = site / "journeys/first-purchase.html"
    st = page.stat()
    edited = page.read_bytes().replace(b"<main", b"<mean", 1)
    page.write_bytes(edited)
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    read: list[Path] = []
    real = output.file_digest
    monkeypatch.setattr(output, "file_digest", lambda path: read.append(path) or real(path))

    intact = output.OutputFolder.open(site, seen=seen).intact()

    assert [p for p in read if site in p.parents] == [page], "only the edited file is read"
    assert "journeys/first-purchase.html" not in intact, "its change time gave it away"
    assert len(intact) == len(seen) - 1 > 10


def test_after_a_rebuild_the_next_one_hashes_no_site_file(tmp_path, monkeypatch):
    """A rebuild links the files it keeps from the old site, then deletes the old site:
    each unlink changes the kept file's change time, so the folder is noted after the
    old site is gone, or the next build would read and hash every file again."""
    from mapgen.cache import JSON, Cache
    from mapgen.site.build import SEEN

    root = copy_example(tmp_path)
    assert build(root).exit_code == 0
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("title:", "title: Renamed -", 1))
    assert build(root).exit_code == 0
    site = (root / "site").resolve()
    seen = Cache(root / ".mapgen-cache").get(SEEN, str(site), SEEN, JSON)
    read: list[Path] = []
    real = output.file_digest
    monkeypatch.setattr(output, "file_digest", lambda path: read.append(path) or real(path))
    intact = output.OutputFolder.open(site, seen=seen).intact()
    assert [p for p in read if site in p.parents] == [], "files hashed again"
    assert len(intact) == len(seen) > 10
