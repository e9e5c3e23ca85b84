"""The package people depend on: the wheel `pip wheel` builds from this checkout.

It must carry the licence, the `py.typed` marker (mapgen.api is typed), the MkDocs
plugin's entry point, the project URLs and the classifiers of the Python versions CI
tests, and the files the code reads at run time (themes, templates).
"""

from __future__ import annotations

import email
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                           "--wheel-dir", str(out), str(REPO)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    [built] = out.glob("mapgen-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def dist_info(wheel: zipfile.ZipFile, name: str) -> str:
    [path] = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode("utf-8")


def test_the_wheel_carries_the_licence_and_the_typed_marker(wheel):
    names = wheel.namelist()
    assert "mapgen/py.typed" in names
    licences = [n for n in names if n.endswith("LICENSE") and ".dist-info/" in n]
    assert licences and "MIT License" in wheel.read(licences[0]).decode("utf-8")
    assert "The mapgen developers" in wheel.read(licences[0]).decode("utf-8")


def test_the_wheel_carries_what_the_code_reads_at_run_time(wheel):
    names = set(wheel.namelist())
    for needed in ("mapgen/api.py", "mapgen/mkdocs_plugin.py", "mapgen/content/mapgen.css",
                   "mapgen/content/templates/journey.md", "mapgen/themes/default/templates/page.html"):
        assert needed in names, needed


def test_the_metadata_names_the_project_its_pythons_and_its_extras(wheel):
    metadata = email.message_from_string(dist_info(wheel, "METADATA"))
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    classifiers = metadata.get_all("Classifier")
    versions = [c for c in classifiers if c.startswith("Programming Language :: Python :: 3.")]
    assert versions == ["Programming Language :: Python :: 3.11"]  # what CI runs
    assert "Typing :: Typed" in classifiers
    assert metadata["License-Expression"] == "MIT"
    assert "mkdocs" in metadata.get_all("Provides-Extra")
    requires = metadata.get_all("Requires-Dist")
    assert not [r for r in requires if r.startswith("mkdocs") and "extra ==" not in r]


def test_the_mkdocs_plugin_is_registered_by_entry_point(wheel):
    entry_points = dist_info(wheel, "entry_points.txt")
    assert "[mkdocs.plugins]\nmapgen = mapgen.mkdocs_plugin:MapgenPlugin" in entry_points
