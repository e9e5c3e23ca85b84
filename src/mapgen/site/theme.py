"""Themes: where templates and static files come from, and how a team overrides them.

A theme is a folder::

    theme.yml        extends: <parent theme> (optional), options: {...} (defaults)
    templates/       Jinja templates, looked up by name
    static/          files copied into the site's assets/ folder
    messages/        interface text by language (de.json...), over mapgen's own
                     (see :mod:`mapgen.messages`)

``theme.name`` in mapgen.yml names a theme in the workspace's ``themes/`` folder, a
theme shipped with mapgen, or a path to a theme folder. ``theme.custom_dir`` has the same
layout and wins over the theme for any file of the same name; a template there can
extend the one it replaces by its ``!theme/`` name (``{% extends "!theme/base.html" %}``),
as in Pelican.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import yaml

from mapgen.cache import digest
from mapgen.messages import MessageError, Messages, load_messages
from mapgen.site.pieces import PieceExtension

THEME_FILE = "theme.yml"
THEME_PREFIX = "!theme"
MAX_EXTENDS = 8
#: The variable of a page's template that lists the contexts it made (:class:`PageContext`).
CONTEXTS = "_mapgen_contexts"


class ThemeError(Exception):
    """A theme that cannot be found or read; the message says what to do."""


class PageContext(jinja2.runtime.Context):
    """A template's context that joins its page's list of contexts (the variable
    ``CONTEXTS``, when the page has one), so the build can empty them all once the page
    is written (:func:`let_go`).

    Jinja keeps a page's variables in reference cycles: a context and the macros of a
    template imported ``with context`` refer to each other. Only the garbage collector
    frees what is in them (some 500 objects a journey page), and each of its collections
    costs more as the workspace grows: at 3000 journeys, 2 s of CPU in a cold build.
    Emptied, a page's variables go as soon as the page is written."""

    def __init__(self, environment: jinja2.Environment, parent: dict[str, Any],
                 name: str | None, blocks: dict[str, Any],
                 globals: Any = None):  # noqa: A002 (Jinja's name)
        super().__init__(environment, parent, name, blocks, globals)
        page = parent.get(CONTEXTS)
        if isinstance(page, list):
            page.append(self)


def let_go(contexts: list[jinja2.runtime.Context]) -> None:
    """Empty the contexts a page made (see :class:`PageContext`): its rows, views and
    macros go at once rather than at the garbage collector's next full pass."""
    for context in contexts:
        context.vars.clear()
        context.exported_vars.clear()
        context.parent.clear()
    contexts.clear()


def placed(exc: jinja2.TemplateError) -> jinja2.TemplateError:
    """``exc`` with the template and line it failed at as its ``filename`` and ``lineno``
    (a syntax error has them; a runtime error has them in its traceback only, where
    Jinja maps the template's lines, and a traceback does not cross to another process)."""
    if not getattr(exc, "lineno", None):
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith((".html", ".xml", ".js"))]
        if frames:
            exc.filename, exc.lineno = frames[-1].filename, frames[-1].lineno
    return exc


def shipped_themes_dir() -> Path:
    """The themes that ship with mapgen: in the wheel, or beside the source tree."""
    packaged = resources.files("mapgen") / "themes"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "themes"


@dataclass(frozen=True)
class Theme:
    name: str
    #: Theme folders, most specific first (the theme, then what it extends).
    folders: tuple[Path, ...]
    custom_dir: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def layers(self) -> tuple[Path, ...]:
        """Every folder files are looked up in, the winning one first."""
        return ((self.custom_dir,) if self.custom_dir else ()) + self.folders

    def environment(self) -> jinja2.Environment:
        overriding = [str(p / "templates") for p in self.layers]
        theme_only = [str(p / "templates") for p in self.folders]
        loader = jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(overriding),
            jinja2.PrefixLoader({THEME_PREFIX: jinja2.FileSystemLoader(theme_only)}),
        ])
        env = jinja2.Environment(
            loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            extensions=[PieceExtension],
        )
        env.context_class = PageContext
        return env

    def page_templates(self) -> list[str]:
        """The names of the theme's HTML templates; those of the theme under a custom
        folder (``!theme/...``) last, when it has one."""
        overridden = (sorted(f"{THEME_PREFIX}/{name}" for name in _html_in(self.folders))
                      if self.custom_dir else [])
        return sorted(_html_in(self.layers)) + overridden

    def messages(self, lang: str) -> Messages:
        """The interface text in ``lang``: mapgen's catalogues, then each layer's."""
        try:
            return load_messages(lang, self.layers)
        except MessageError as exc:
            raise ThemeError(str(exc)) from None

    def static_files(self) -> dict[str, Path]:
        """Relative path -> file for every static file; the most specific layer wins."""
        files: dict[str, Path] = {}
        for layer in reversed(self.layers):
            static = layer / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        files[path.relative_to(static).as_posix()] = path
        return dict(sorted(files.items()))

    def fingerprint(self) -> str:
        """A digest of what pages are made with: the options and every file of every layer
        but the static ones (each asset has a key of its own: editing the stylesheet
        rewrites the stylesheet, not every page)."""
        parts: list[str | bytes] = [self.name, json.dumps(self.options, sort_keys=True,
                                                          default=str)]
        for layer in self.layers:
            for path in sorted(layer.rglob("*")):
                rel = path.relative_to(layer)
                if path.is_file() and rel.parts[0] != "static":
                    parts += [rel.as_posix(), path.read_bytes()]
        return digest(*parts)

    def watched(self) -> tuple[Path, ...]:
        """The folders a live preview must watch."""
        return self.layers


def _html_in(layers: tuple[Path, ...]) -> set[str]:
    """The names of the HTML templates in ``layers``."""
    return {path.relative_to(layer / "templates").as_posix()
            for layer in layers for path in (layer / "templates").rglob("*.html")}


def load_theme(root: Path, name: str, custom_dir: str | None,
               options: dict[str, Any]) -> Theme:
    """Find theme ``name`` for the workspace at ``root`` and everything it extends."""
    folders: list[Path] = []
    merged: list[dict[str, Any]] = []
    current: str | None = name
    while current is not None:
        if len(folders) >= MAX_EXTENDS:
            raise ThemeError(f'theme "{name}" extends more than {MAX_EXTENDS} levels deep; '
                             "check `extends:` in its theme.yml for a loop")
        folder = _find_theme(root, current)
        settings = _read_settings(folder)
        folders.append(folder)
        merged.append(settings.get("options") or {})
        current = settings.get("extends")
    custom = None
    if custom_dir:
        custom = (root / custom_dir).resolve()
        if not custom.is_dir():
            raise ThemeError(f"theme.custom_dir: the folder {custom_dir} does not exist; "
                             "create it or remove `custom_dir` from mapgen.yml")
    combined: dict[str, Any] = {}
    for layer in reversed(merged):
        combined.update(layer)
    combined.update(options)
    return Theme(name, tuple(folders), custom, combined)


def _find_theme(root: Path, name: str) -> Path:
    candidates = [root / "themes" / name, shipped_themes_dir() / name, root / name]
    for candidate in candidates:
        if (candidate / "templates").is_dir():
            return candidate.resolve()
    shipped = sorted(p.name for p in shipped_themes_dir().iterdir() if p.is_dir())
    raise ThemeError(f'no theme "{name}": give the name of a shipped theme '
                     f'({", ".join(shipped)}), of a folder in themes/, or a path to a '
                     "folder with a templates/ folder")


def _read_settings(folder: Path) -> dict[str, Any]:
    path = folder / THEME_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{path}: cannot read the theme settings: {exc}") from None
    if not isinstance(data, dict):
        raise ThemeError(f"{path}: write `extends:` and `options:` as keys of a mapping")
    return data
