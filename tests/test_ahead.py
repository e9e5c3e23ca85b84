"""Templates compiled ahead by a forked process (mapgen.site.ahead): the build takes their
code, never compiles what came, still compiles what changed or failed there, and the
process never outlives the build."""

from __future__ import annotations

import os
import subprocess
import sys

import jinja2
import pytest

from conftest import copy_example, with_custom_dir
from mapgen.site.ahead import CompiledAhead, Templates

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="compiled ahead by fork")


def no_compiling(monkeypatch) -> list[str]:
    """Make compiling in this process fail the test; the names it was asked for."""
    asked: list[str] = []

    def refuse(self, source, name=None, filename=None, *args, **kwargs):
        asked.append(name)
        raise AssertionError(f"{name} was compiled by the build")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)
    return asked


def test_every_page_template_comes_compiled_from_the_forked_process(tmp_path, monkeypatch):
    root = copy_example(tmp_path)
    templates = Templates.compile_ahead(root)
    assert isinstance(templates.environment.bytecode_cache, CompiledAhead)
    asked = no_compiling(monkeypatch)
    try:
        for name in templates.theme.page_templates():
            assert templates.environment.get_template(name).render is not None
    finally:
        templates.close()
    assert asked == []


def test_a_template_edited_after_the_fork_is_compiled_from_its_new_source(tmp_path):
    root = copy_example(tmp_path)
    custom = with_custom_dir(root)
    page = custom / "templates" / "404.html"
    page.write_text("{% extends '!theme/404.html' %}{% block content %}before{% endblock %}",
                    "utf-8")
    templates = Templates.compile_ahead(root)
    try:
        page.write_text("{% block content %}after: {{ 1 + 1 }}{% endblock %}", "utf-8")
        assert templates.environment.get_template("404.html").render() == "after: 2"
    finally:
        templates.close()


def test_a_template_that_does_not_compile_is_reported_by_the_build(tmp_path):
    root = copy_example(tmp_path)
    custom = with_custom_dir(root)
    (custom / "templates" / "404.html").write_text("{% block content %}\n{% if %}", "utf-8")
    done = subprocess.run([sys.executable, "-m", "mapgen", "build"], cwd=root,
                          capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stderr
    assert "404.html" in done.stderr and ":2" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_the_forked_process_is_ended_and_reaped_when_the_build_ends(tmp_path):
    root = copy_example(tmp_path)
    templates = Templates.compile_ahead(root)
    ahead = templates.environment.bytecode_cache
    templates.environment.get_template("base.html")  # reading has begun
    templates.close()
    with pytest.raises(ChildProcessError):  # no child left, not even a zombie
        os.waitpid(ahead._pid, os.WNOHANG)
    templates.close()  # twice is harmless


def test_no_process_is_forked_while_other_threads_run(tmp_path):
    import threading

    root = copy_example(tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        templates = Templates.compile_ahead(root)
        assert templates.environment.bytecode_cache is None  # compiled here, as before
        assert templates.environment.get_template("base.html") is not None
    finally:
        stop.set()
        other.join()


def test_a_build_with_templates_compiled_ahead_writes_the_same_site(tmp_path):
    from mapgen.site.build import BuildOptions, build
    from mapgen.workspace import read_workspace

    root = copy_example(tmp_path)
    ws = read_workspace(root).workspace
    sites = []
    for name, templates in (("ahead", Templates.compile_ahead(root)), ("here", None)):
        try:
            build(ws, BuildOptions(site_dir=tmp_path / name), templates=templates)
        finally:
            if templates:
                templates.close()
        sites.append({p.relative_to(tmp_path / name): p.read_bytes()
                      for p in sorted((tmp_path / name).rglob("*")) if p.is_file()})
    assert sites[0] == sites[1]


def test_a_theme_that_cannot_be_found_leaves_the_build_to_say_so(tmp_path):
    root = copy_example(tmp_path)
    config = root / "mapgen.yml"
    config.write_text(config.read_text("utf-8").replace("  name: default\n",
                                                        "  name: nowhere\n"), "utf-8")
    assert Templates.compile_ahead(root) is None
    done = subprocess.run([sys.executable, "-m", "mapgen", "build"], cwd=root,
                          capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and 'no theme "nowhere"' in done.stderr, done.stderr


def test_templates_are_compiled_in_the_order_the_last_build_asked_for_them(tmp_path,
                                                                          monkeypatch):
    from mapgen.cache import Cache

    root = copy_example(tmp_path)
    orders: list[list[str]] = []
    start = CompiledAhead.start.__func__
    monkeypatch.setattr(CompiledAhead, "start", classmethod(
        lambda cls, env, names: orders.append(list(names)) or start(cls, env, names)))
    templates = Templates.compile_ahead(root, Cache(root / "cache"))
    templates.environment.get_template("persona.html")
    templates.environment.get_template("touchpoints.html")
    templates.close()
    assert orders[0] == sorted(orders[0]), "alphabetical the first time"
    asked = templates.environment.bytecode_cache.asked
    assert asked[:1] == ["persona.html"] and "touchpoints.html" in asked

    again = Templates.compile_ahead(root, Cache(root / "cache"))
    again.close()
    assert orders[1][:len(asked)] == asked
    assert sorted(orders[1]) == sorted(orders[0]), "every template, the others after"


def test_a_theme_template_a_custom_one_extends_comes_compiled_too(tmp_path, monkeypatch):
    root = copy_example(tmp_path)
    custom = with_custom_dir(root)
    (custom / "templates" / "404.html").write_text(
        "{% extends '!theme/404.html' %}{% block content %}Lost{% endblock %}", "utf-8")
    templates = Templates.compile_ahead(root)
    asked = no_compiling(monkeypatch)
    try:
        for name in ("404.html", "!theme/404.html", "!theme/base.html"):
            templates.environment.get_template(name)  # as the custom page's extends asks
    finally:
        templates.close()
    assert asked == []
