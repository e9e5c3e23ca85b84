"""Incremental equals clean, by differential testing.

A hypothesis state machine edits a small workspace at random (journeys and personas
added, removed, renamed and changed; Markdown pages added, changed and removed, some
showing a view of a journey; mapgen.yml changed, its language too; templates in
custom_dir added, changed and removed, one of them reading the whole workspace; a spec
broken and fixed)
and after every step checks that three sites are byte-identical:

* the incremental `mapgen build` into the same folder as every step before,
* the in-memory site of a live preview that has seen every step,
* a `--clean` build of the same workspace into a new folder with an empty cache.

The number of examples is bounded (MAPGEN_DIFFERENTIAL_EXAMPLES, default 6) to keep CI
short; raise it locally to search harder.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mapgen.cache import Cache
from mapgen.serve import Preview
from mapgen.site import build as site_build
from mapgen.site.output import MANIFEST
from mapgen.workspace import read_workspace

EXAMPLES = int(os.environ.get("MAPGEN_DIFFERENTIAL_EXAMPLES", "6"))

PERSONA = "name: {name}\nrole: {role}\n"
JOURNEY = """\
title: {title}
personas: [{personas}]
stages:
  - id: discover
    name: {stage}
    phase: before
    steps:
      - id: hears
        name: Hears about it from {friend}
        emotion: {score}
        touchpoints: [{{channel: web, name: Landing page}}]
      - id: compares
        name: Compares offers
        emotion: 1
        pain_points: [{{text: Prices are hard to compare, severity: high}}]
  - id: buy
    name: Buy
    steps:
      - id: pays
        name: Pays at the till
        emotion: {score}
"""
CONFIG = """\
title: {title}
lang: {lang}
site_dir: site
theme:
  name: default
  custom_dir: overrides
channels:
  - {{id: web, name: Website}}
"""
WHOLE_WORKSPACE = ('{% extends "!theme/journey.html" %}{% block content %}'
                   "<p>{{ workspace.journeys|length }} journeys, "
                   "{{ workspace.personas|length }} personas: "
                   "{% for j in workspace.journeys.values() %}{{ j.title }};{% endfor %}</p>"
                   "{{ super() }}{% endblock %}")
HOME_NOTE = '{% extends "!theme/home.html" %}{% block content %}<p>{{ note }}</p>{{ super() }}{% endblock %}'

names = st.sampled_from(["ana", "ben", "cleo", "dev"])
journey_ids = st.sampled_from(["signup", "renewal", "refund"])
words = st.sampled_from(["Sign up", "Renewal", "Refund", "Ünïcode ✓", "A & B <c>"])


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class EditsThenBuilds(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="mapgen-differential-"))
        self.root = self.tmp / "ws"
        for folder in ("specs/personas", "specs/journeys", "overrides/templates",
                       "overrides/static"):
            (self.root / folder).mkdir(parents=True)
        self.write("mapgen.yml", CONFIG.format(title="Journeys", lang="en"))
        self.write("specs/personas/ana.yml", PERSONA.format(name="Ana", role="Buyer"))
        self.write_journey("signup", "Sign up", ["ana"], 2)
        self.preview = Preview(self.root)
        self.broken: Path | None = None
        self.builds = 0

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- files ------------------------------------------------------------------------

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")

    def write_journey(self, journey_id: str, title: str, personas: list[str], score: int,
                      stage: str = "Discover", friend: str = "a friend") -> None:
        self.write(f"specs/journeys/{journey_id}.yml", JOURNEY.format(
            title=title, personas=", ".join(personas), score=score, stage=stage,
            friend=friend))

    def personas(self) -> list[str]:
        return sorted(p.stem for p in (self.root / "specs/personas").glob("*.yml"))

    def journeys(self) -> list[Path]:
        return sorted((self.root / "specs/journeys").glob("*.yml"))

    # --- edits --------------------------------------------------------------------------

    @rule(journey_id=journey_ids, title=words, score=st.integers(-2, 2), data=st.data())
    def add_or_replace_journey(self, journey_id, title, score, data):
        chosen = data.draw(st.lists(st.sampled_from(self.personas()), min_size=1,
                                    max_size=2, unique=True))
        self.write_journey(journey_id, title, chosen, score)

    @precondition(lambda self: len(self.journeys()) > 1)
    @rule(data=st.data())
    def remove_journey(self, data):
        data.draw(st.sampled_from(self.journeys())).unlink()

    @rule(data=st.data(), new_id=journey_ids)
    def rename_journey(self, data, new_id):
        source = data.draw(st.sampled_from(self.journeys()))
        source.rename(source.with_name(f"{new_id}.yml"))

    @rule(data=st.data(), stage=words, friend=words, score=st.integers(-2, 2))
    def change_fields(self, data, stage, friend, score):
        path = data.draw(st.sampled_from(self.journeys()))
        text = path.read_text("utf-8")
        text = re.sub(r"(?m)^    name: .*$", f"    name: {stage}", text, count=1)
        text = re.sub(r"from .*$", f"from {friend}", text, count=1, flags=re.M)
        text = re.sub(r"(?m)^(        emotion: ).*$", rf"\g<1>{score}", text, count=1)
        path.write_text(text, "utf-8")

    @rule(persona=names, name=words, role=words)
    def add_or_change_persona(self, persona, name, role):
        self.write(f"specs/personas/{persona}.yml", PERSONA.format(name=name, role=role))

    @rule(data=st.data(), new=names)
    def rename_persona(self, data, new):
        """As a writer would: the file renamed, and every journey's reference with it."""
        old = data.draw(st.sampled_from(self.personas()))
        if new in self.personas():
            return
        (self.root / f"specs/personas/{old}.yml").rename(self.root / f"specs/personas/{new}.yml")
        for journey in self.journeys():
            text = journey.read_text("utf-8")
            journey.write_text(re.sub(rf"\b{old}\b", new, text), "utf-8")

    @precondition(lambda self: len(self.personas()) > 1)
    @rule(data=st.data())
    def remove_unused_persona(self, data):
        used = {p for j in self.journeys() for p in re.findall(
            r"personas: \[(.*)\]", j.read_text("utf-8"))[0].split(", ")}
        spare = [p for p in self.personas() if p not in used]
        if spare:
            (self.root / f"specs/personas/{data.draw(st.sampled_from(spare))}.yml").unlink()

    @rule(page=st.sampled_from(["notes", "method"]), title=words, text=words, data=st.data())
    def add_or_change_page(self, page, title, text, data):
        """A Markdown page of pages/, perhaps showing a view of a journey there is."""
        embed = ""
        if data.draw(st.booleans()):
            journey = data.draw(st.sampled_from(self.journeys())).stem
            view = data.draw(st.sampled_from(["emotion", "flow", "blueprint"]))
            embed = f"```mapgen\njourney: {journey}\nview: {view}\n```\n"
        self.write(f"pages/{page}.md", f"# {title}\n\n{text}\n\n{embed}")

    @rule(page=st.sampled_from(["notes", "method"]))
    def remove_page(self, page):
        (self.root / "pages" / f"{page}.md").unlink(missing_ok=True)

    @rule(title=words, lang=st.sampled_from(["en", "de", "ja"]))
    def change_config(self, title, lang):
        """The title, or the language: every diagram speaks it, so all are drawn again."""
        self.write("mapgen.yml", CONFIG.format(title=f'"{title}"', lang=lang))

    @rule(whole=st.booleans(), note=words)
    def add_or_change_templates(self, whole, note):
        if whole:
            self.write("overrides/templates/journey.html", WHOLE_WORKSPACE)
        else:
            self.write("overrides/templates/home.html",
                       HOME_NOTE.replace("{{ note }}", note.replace("<", "&lt;")))

    @rule(name=st.sampled_from(["journey.html", "home.html"]))
    def remove_template(self, name):
        (self.root / "overrides/templates" / name).unlink(missing_ok=True)

    @rule(colour=st.sampled_from(["red", "blue"]))
    def change_static_file(self, colour):
        self.write("overrides/static/extra.css", f"body {{ color: {colour}; }}\n")

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def break_a_spec(self, data):
        self.broken = data.draw(st.sampled_from(self.journeys()))
        self.saved = self.broken.read_text("utf-8")
        self.broken.write_text(self.saved + "\nbogus-key: 1\n", "utf-8")

    @precondition(lambda self: self.broken is not None)
    @rule()
    def fix_the_spec(self):
        if self.broken.exists():
            self.broken.write_text(self.saved, "utf-8")
        self.broken = None

    # --- the check ----------------------------------------------------------------------

    @invariant()
    def incremental_and_preview_equal_a_clean_build(self):
        state = self.preview.rebuild()
        result = read_workspace(self.root, Cache(self.root / ".mapgen-cache"))
        if result.fails():
            assert state.findings, "the preview shows what is wrong"
            return
        ws = result.workspace
        site_build.build(ws, site_build.BuildOptions(self.root / "site"))
        clean = self.tmp / f"clean-{self.builds}"
        self.builds += 1
        site_build.build(ws, site_build.BuildOptions(clean, cache_dir=self.tmp / "fresh",
                                                     clean=True))
        shutil.rmtree(self.tmp / "fresh")
        expected = tree(clean)
        assert tree(self.root / "site") == expected, "incremental build == clean build"
        served = {rel: state.file(rel) for rel in state.files}
        expected.pop(MANIFEST)
        assert served == expected, "live preview == clean build"
        shutil.rmtree(clean)


EditsThenBuilds.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=8, deadline=None,
    suppress_health_check=list(HealthCheck))
test_incremental_builds_and_the_preview_equal_clean_builds = EditsThenBuilds.TestCase
