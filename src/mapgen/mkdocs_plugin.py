"""The MkDocs plugin: journey maps inside a documentation site that already exists.

With ``pip install mapgen[mkdocs]``, a site's ``mkdocs.yml`` says::

    plugins:
      - search
      - mapgen:
          workspace: journeys        # the folder of mapgen.yml (default: beside mkdocs.yml)
          nav_title: Journey maps    # the navigation section the pages go in
          nav_position: 1            # where it goes among the top-level entries (default: last)

and the site gets the journey, persona and register pages (an overview, touchpoints,
pain points, opportunities) as pages of its own, drawn by its theme, under ``path``
(default ``journey-maps/``). In any page of the site a block such as::

    ```mapgen
    journey: first-purchase
    view: emotion
    ```

shows that view of the journey. Every finding of the specs, and of the blocks, is logged
through MkDocs' logger with its file, line and column (errors as errors, warnings as
warnings), so ``mkdocs build --strict`` fails on them.

MkDocs is imported here only; mapgen itself never imports this module (MkDocs finds it
through the ``mkdocs.plugins`` entry point). It uses :mod:`mapgen.api` and nothing else
of mapgen.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from markupsafe import escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from mapgen import api

log = logging.getLogger("mkdocs.plugins.mapgen")
STYLESHEET = "mapgen.css"
DIAGRAM_FONT = "arimo.woff"  # the stylesheet's @font-face names it


class MapgenConfig(Config):
    #: The workspace (the folder of mapgen.yml, or any folder in it), relative to mkdocs.yml.
    workspace = c.Type(str, default=".")
    #: The title of the navigation section the pages go in.
    nav_title = c.Type(str, default="Journey maps")
    #: Where the section goes among the top-level entries: 0 first, -1 last (the default).
    nav_position = c.Type(int, default=-1)
    #: The folder of the site the pages are written to.
    path = c.Type(str, default="journey-maps")


class MapgenPlugin(BasePlugin[MapgenConfig]):
    """Adds a mapgen workspace's pages to a MkDocs site and draws ``mapgen`` blocks."""

    def __init__(self) -> None:
        self.result: api.Result | None = None
        self.workspace: api.Workspace | None = None
        #: Where the findings' files are, from the folder of mkdocs.yml ("journeys/").
        self.prefix = ""
        self.pages: list[tuple[api.MarkdownPage, File]] = []
        #: The views of each page's blocks, by the key standing in for each in its
        #: Markdown, until its HTML is made (see :func:`mapgen.api.embed_views`).
        self.held: dict[str, dict[str, str]] = {}

    # --- reading the workspace -------------------------------------------------------

    def on_config(self, config: Any) -> Any:
        """Read the workspace and report its findings; its pages are added only when it
        can be built."""
        base = Path(config.config_file_path or ".").parent
        try:
            self.result = api.load_workspace(base / self.config.workspace, cache=True)
        except api.MapgenError as exc:
            log.error("mapgen: %s", exc)
            return config
        ws = self.result.workspace
        root = Path(ws.root) if ws else (base / self.config.workspace).resolve()
        relative = os.path.relpath(root, base.resolve()).replace(os.sep, "/")
        self.prefix = "" if relative == "." else relative + "/"
        strict = bool(ws and ws.config.strict)
        for finding in self.result.findings:
            self._log(finding, strict)
        if ws is not None and not self.result.fails(strict):
            self.workspace = ws
            config.extra_css.append(f"{self.config.path}/{STYLESHEET}")
        else:
            log.error("mapgen: the journey maps are left out of the site until the specs "
                      "above are fixed")
        return config

    def _log(self, finding: api.Finding, strict: bool, prefix: str | None = None) -> None:
        text = api.finding_text(finding, strict)
        text = (self.prefix if prefix is None else prefix) + text
        (log.error if finding.fails(strict) else log.warning)("mapgen: %s", text)

    # --- the pages -------------------------------------------------------------------

    def on_files(self, files: Files, config: Any) -> Files:
        """Add the pages (with their Markdown, linked as the site serves them), the
        stylesheet and the diagrams' font."""
        if self.workspace is None:
            return files
        folder = self.config.path.strip("/")
        made = [(page, write, File.generated(config, f"{folder}/{page.path}", content="",
                                             inclusion=InclusionLevel.NOT_IN_NAV))
                for page, write in api.markdown_pages(self.workspace)]
        by_path = {page.path: file for page, _, file in made}
        for _, write, file in made:
            file.content_string = write(_linker(file, by_path))
            files.append(file)
        self.pages = [(page, file) for page, _, file in made]
        files.append(File.generated(config, f"{folder}/{STYLESHEET}",
                                    abs_src_path=str(api.STYLESHEET)))
        files.append(File.generated(config, f"{folder}/{DIAGRAM_FONT}",
                                    content=api.diagram_font(self.workspace.root)))
        return files

    def on_nav(self, nav: Navigation, config: Any, files: Files) -> Navigation:
        """Put the pages in one section of the navigation, where ``nav_position`` says.

        The pages are "not in nav" for MkDocs (``InclusionLevel.NOT_IN_NAV``), so it
        neither places them nor warns that the site's ``nav:`` leaves them out; one that
        is in the navigation all the same was put there by the site's ``nav:``, and stays
        where the site put it, with the site's title."""
        if not self.pages:
            return nav
        placed = {page.file.src_uri for page in _pages_in(nav.items)}
        children = self._section_children(placed)
        items = list(nav.items)
        if children:
            position = self.config.nav_position
            items.insert(position if position >= 0 else len(items) + position + 1,
                         Section(self.config.nav_title, children))
        return _navigation(items)

    def _section_children(self, placed: set[str]) -> list:
        """The section's pages and subsections, without those the site placed itself."""
        top: list = []
        sections: dict[str, Section] = {}
        for entry, file in self.pages:
            page = file.page
            assert page is not None  # MkDocs makes a page of every Markdown file
            if file.src_uri in placed:
                continue
            page.title = _nav_text(entry.title)
            if entry.section is None:
                top.append(page)
            else:
                if entry.section not in sections:
                    sections[entry.section] = Section(_nav_text(entry.section), [])
                    top.append(sections[entry.section])
                sections[entry.section].children.append(page)
        return top

    # --- mapgen blocks in any page ---------------------------------------------------

    def on_page_markdown(self, markdown: str, page: Page, config: Any,
                         files: Files) -> str:
        """Draw the page's ``mapgen`` blocks, and report those that cannot be drawn."""
        self._keep_title(page)
        if "mapgen" not in markdown or not _has_block(markdown):
            return markdown
        shown = _shown(page.file, config)
        if self.workspace is None:
            log.error("mapgen: %s: the journey maps could not be read (see above), so its "
                      "mapgen blocks are not drawn", shown)
            return markdown
        for finding in api.check_page(self.workspace, shown, markdown):
            self._log(finding, False, prefix="")
        held = self.held.setdefault(page.file.src_uri, {})
        return api.embed_views(self.workspace, markdown, held=held)

    def on_page_content(self, html: str, page: Page, config: Any, files: Files) -> str:
        """Put the page's views where its blocks were, once Markdown is done: a figure put
        in before would end an admonition, a content tab or a list item it is in."""
        held = self.held.pop(page.file.src_uri, None)
        return api.put_views(html, held) if held else html

    def _keep_title(self, page: Page) -> None:
        """Give one of our pages its title as the page's ``title`` too: Material writes
        that one in the browser's tab as it is, where it would strip (and so unescape) the
        page's own title."""
        if any(file is page.file for _, file in self.pages) and page.title:
            page.meta["title"] = page.title

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        """``mkdocs serve`` rebuilds when a spec or mapgen.yml changes too."""
        ws = self.workspace or (self.result.workspace if self.result else None)
        if ws is not None:
            root = Path(ws.root)
            for path in (root / ws.config.specs_dir, root / "mapgen.yml", root / "mapgen.yaml"):
                if path.exists():
                    server.watch(str(path))
        return server


def _nav_text(text: str) -> str:
    """A title as the navigation shows it: MkDocs' titles are HTML (as the text of a
    page's first heading is), which themes write as they are, so a spec's ``<`` and ``&``
    are escaped here."""
    return str(escape(text))


def _has_block(markdown: str) -> bool:
    return any(line.lstrip(" `~").startswith("mapgen") and line.lstrip()[:3] in ("```", "~~~")
               for line in markdown.splitlines())


def _shown(file: File, config: Any) -> str:
    """A page's file as its findings name it: from the folder of mkdocs.yml."""
    base = Path(config.config_file_path or ".").parent
    if file.abs_src_path:
        return os.path.relpath(file.abs_src_path, base).replace(os.sep, "/")
    return file.src_uri


def _linker(file: File, by_path: dict[str, File]):
    """``link(path)`` for the page in ``file``: the address of another page's path (with
    its ``#anchor``), as the site serves it, relative to this page."""
    def link(target: str) -> str:
        path, hash_, anchor = target.partition("#")
        other = by_path.get(path)
        if other is None:
            return target
        url = get_relative_url(other.url, file.url)
        return url + hash_ + anchor

    return link


def _pages_in(items: list) -> list[Page]:
    """Every page of ``items``, in their sections too."""
    out: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            out.append(item)
        elif isinstance(item, Section):
            out += _pages_in(item.children)
    return out


def _navigation(items: list) -> Navigation:
    """A navigation of ``items``, with each page's previous and next page and each item's
    parent set again."""
    pages: list[Page] = []

    def walk(children: list, parent: Section | None) -> None:
        for item in children:
            item.parent = parent
            if isinstance(item, Page):
                pages.append(item)
            elif isinstance(item, Section):
                walk(item.children, item)

    walk(items, None)
    for before, page, after in zip([None, *pages], pages, [*pages[1:], None], strict=False):
        page.previous_page, page.next_page = before, after
    return Navigation(items, pages)

