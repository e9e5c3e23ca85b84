"""Content: the journey, persona and register pages as Markdown, for another site's theme.

mapgen's own site draws its pages with its own theme (:mod:`mapgen.site`). A
documentation site that already exists (MkDocs, through :mod:`mapgen.mkdocs_plugin`)
draws them in *its* theme instead: each page here is Markdown whose headings are
Markdown (so the site's table of contents lists them) and whose content is plain HTML
blocks (tables, lists, figures) that the site's stylesheet styles. Everything written by
users is escaped, or rendered and sanitised by :func:`mapgen.site.markup.render_markdown`,
so a spec cannot put raw HTML into the site, whatever the site's Markdown allows.

What each page shows comes from the same functions as mapgen's own pages
(:mod:`mapgen.site.pages`). Links between the pages go through ``link(path)``, given by
the caller, which knows where the site puts each page (``journeys/x.md`` may be served
as ``journeys/x/`` or ``journeys/x.html``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from mapgen import diagrams
from mapgen.diagrams.graphs import signed
from mapgen.messages import load_messages
from mapgen.model import Workspace
from mapgen.site import pages as site_pages
from mapgen.site.markup import render_markdown, safe_url

#: ``link(path)``: the address, from the page being written, of another page's Markdown
#: path (``personas/maya.md``, ``journeys/x.md#step-y``).
Link = Callable[[str], str]
#: The stylesheet the pages' few classes need (figures that scroll, badges); a site
#: adds it to its own.
STYLESHEET = Path(__file__).parent / "mapgen.css"


@dataclass(frozen=True)
class MarkdownPage:
    """One page: where it goes (``journeys/first-purchase.md``), its title, its section
    (``Journeys``, ``Personas``, in the site's language, or None for the top level) and
    its template."""

    path: str
    title: str
    section: str | None
    template: str
    #: The variables its template sees besides the shared ones, by name.
    values: tuple[tuple[str, str], ...] = ()


def plan(ws: Workspace) -> list[MarkdownPage]:
    """Every page, in navigation order: the overview, the registers, the journeys and the
    personas; mapgen's words in the site's language (``lang`` of mapgen.yml)."""
    say = load_messages(ws.config.lang).text
    out = [MarkdownPage(path, say(key), None, path) for path, key in (
        ("index.md", "content.overview"), ("touchpoints.md", "page.touchpoints"),
        ("pain-points.md", "page.pain_points"), ("opportunities.md", "page.opportunities"))]
    out += [MarkdownPage(f"journeys/{j.id}.md", j.title, say("page.journeys"), "journey.md",
                         (("journey", j.id),)) for j in ws.summaries.values()]
    out += [MarkdownPage(f"personas/{p.id}.md", p.name, say("home.personas"), "persona.md",
                         (("persona", p.id),)) for p in ws.personas.values()]
    return out


def diagrams_shown(ws: Workspace) -> list[diagrams.Request]:
    """The diagrams the pages show: the site's views of each journey and the overview."""
    return list(diagrams.requests_for(ws, diagrams.SITE_VIEWS))


def markdown(ws: Workspace, page: MarkdownPage, svgs: Mapping[str, bytes], link: Link) -> str:
    """The Markdown of ``page``; ``svgs`` holds the diagrams of :func:`diagrams_shown` by
    name (``flow-first-purchase``)."""
    values = dict(page.values)
    context = {
        "ws": ws, "page": page, "link": link, "markdown": render_markdown, "md": md_text,
        "safe_url": safe_url, "signed": signed, "figure": _figure(ws, svgs),
        "journey_link": lambda j, anchor="": link(f"journeys/{j}.md{anchor}"),
        "persona_link": lambda p: link(f"personas/{p}.md"),
        "label": lambda journey, score: ws.scale_of(journey).label(score),
        "channel_name": lambda cid: ws.channels[cid].name if cid in ws.channels else cid,
        "t": load_messages(ws.config.lang).markup,  # mapgen's words, in the site's language
    }
    if "journey" in values:
        journey = ws.journeys[values["journey"]]
        context |= {"journey": journey, "view": site_pages.JourneyView.of(ws, journey)}
    if "persona" in values:
        persona = ws.personas[values["persona"]]
        context |= {"persona": persona, "appearances": site_pages.appearances(ws, persona)}
    context |= {"cards": site_pages.journey_cards, "matrix": site_pages.touchpoint_matrix,
                "register": site_pages.pain_register, "backlog": site_pages.backlog}
    return _environment().get_template(page.template).render(context)


def figure_html(svg: bytes | str, title: str, name: str) -> Markup:
    """A diagram as an HTML block a Markdown page can hold: a captioned figure, with no
    blank line inside (a blank line would end the block). A chart fits the page's width;
    a graph, and the overview, keep their own (their labels stay readable) and scroll when
    wider than the page."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = re.sub(r"\n\s*\n", "\n", text.strip())
    view = diagrams.VIEWS.get(name.split("-", 1)[0])
    width = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ', text)
    size = (f' style="width: {float(width[1]):.0f}px"'
            if width and view is not None and view.keeps_size else "")
    return Markup(
        f'<figure class="mapgen-figure">\n'
        f'<div class="mapgen-scroll" tabindex="0" role="group" aria-label="{escape(title)}">'
        f'\n<div class="mapgen-canvas"{size}>\n{text}\n</div>\n</div>\n'
        f"<figcaption>{escape(title)}</figcaption>\n</figure>")


def _figure(ws: Workspace, svgs: Mapping[str, bytes]) -> Callable[[str], Markup]:
    requests = {r.name: r for r in diagrams_shown(ws)}

    def figure(name: str) -> Markup:
        if name not in svgs:
            return Markup("")
        return figure_html(svgs[name], diagrams.describe(ws, requests[name])[0], name)

    return figure


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def md_text(text: object) -> Markup:
    """Plain text made safe in a line of Markdown (a heading): HTML escaped, and every
    character Markdown reads as markup escaped with a backslash."""
    return Markup(_MARKDOWN_PUNCTUATION.sub(r"\\\1", str(escape(str(text)))))


@functools.cache
def _environment() -> jinja2.Environment:
    """The templates' environment: code, made once (it holds nothing of a workspace)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)
