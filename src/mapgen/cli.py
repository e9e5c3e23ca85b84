"""The command line: a thin Click layer over the pipeline.

Commands parse options, call the pipeline, print what it found and choose the exit
code: 0 when all is well, 1 when findings fail the run, 2 for a usage error. Nothing
below this module prints.
"""

from __future__ import annotations

import sys

# Ctrl-C while mapgen starts (importing what it needs takes a few tenths of a second, before
# main() can catch anything) ends it as at any other moment, without a traceback.
try:
    import contextlib
    import functools
    import gc
    import json
    import logging
    import os
    import signal
    import time
    import traceback
    from pathlib import Path

    import click
    import jinja2

    #: pydantic looks through every installed package's entry points for plugins when the
    #: first model is made (10 ms of every command); the command line uses none. Set before
    #: the models are made; a value the user set is kept, and mapgen used as a library
    #: (mapgen.api) leaves it alone.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

    from mapgen import __version__, diagrams, poster, report, scaffold, schema
    from mapgen.cache import CACHE_DIR, Cache
    from mapgen.diagrams import layouts
    from mapgen.diagrams.engine import EngineError, get_engine
    from mapgen.escape import for_terminal
    from mapgen.findings import did_you_mean, one_of
    from mapgen.export import FORMATS as EXPORT_FORMATS
    from mapgen.load import is_yaml_name
    from mapgen.model import site_url_problem
    from mapgen.site import current
    from mapgen.site.theme import ThemeError, placed
    from mapgen.site.output import OutputError
    from mapgen.validate import valid_id
    from mapgen.workspace import (
        CONFIG_NAMES,
        WorkspaceError,
        find_root,
        input_holding,
        read_workspace,
    )
except KeyboardInterrupt:
    sys.stderr.write("Interrupted.\n")
    raise SystemExit(130) from None

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class Context:
    """What every command needs: how chatty to be and whether to colour."""

    def __init__(self, verbosity: int):
        self.verbosity = verbosity

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            click.echo(for_terminal(message), err=True)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            click.echo(for_terminal(message), err=True)


def _colour() -> bool | None:
    """``NO_COLOR`` (any value, https://no-color.org) turns colour off everywhere."""
    return False if os.environ.get("NO_COLOR") else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mapgen")
@click.option("-v", "--verbose", count=True, help="Say more; repeat for more.")
@click.option("-q", "--quiet", count=True, help="Say less: only findings and errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: int) -> None:
    """mapgen: customer journey maps as code.

    Write personas and journeys as YAML, validate them in pull requests, and publish
    them as diagrams and a static documentation site.
    """
    ctx.color = _colour()
    ctx.obj = Context(verbose - quiet)
    _show_steps(verbose - quiet >= 2)


class _Echo(logging.Handler):
    """mapgen's log on standard error, through click (so tests and pipes see it)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"debug: {for_terminal(record.getMessage())}", err=True)


def _show_steps(shown: bool) -> None:
    """-vv: say each step of a build as it happens (reading, drawing, staging, publishing)."""
    logger = logging.getLogger("mapgen")
    logger.handlers = [_Echo()] if shown else []
    logger.setLevel(logging.DEBUG if shown else logging.WARNING)


def _workspace_root(path: Path) -> Path:
    try:
        return find_root(path)
    except WorkspaceError as exc:
        raise click.UsageError(for_terminal(exc)) from None


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict/--no-strict", default=False,
              help="Treat warnings as errors (as `strict: true` in mapgen.yml does).")
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="text",
              show_default=True, help="text for people, json for tools, github for Actions "
              "annotations, sarif for code scanning (github and sarif name files from the "
              "repository root).")
@click.pass_obj
def validate(app: Context, paths: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check a workspace's specs and report every problem at once.

    PATHS are workspaces, specs folders or single files (default: the current folder).
    For single files the whole workspace is checked and findings in those files shown.
    """
    exit_code = EXIT_OK
    roots: dict[Path, list[Path]] = {}
    for path in paths or (Path("."),):
        roots.setdefault(_workspace_root(path), []).append(path.resolve())
    sarif: list = []  # one SARIF log holds every workspace's results
    for root, wanted in roots.items():
        result = read_workspace(root)
        run_strict = strict or bool(result.workspace and result.workspace.config.strict)
        findings = [f for f in result.findings if _selected(root / f.location.file, wanted)]
        if fmt in report.REPOSITORY_FORMATS:
            findings = report.in_repository(findings, root)
        if fmt == "sarif":
            sarif += [report.as_run(f, run_strict) for f in findings]
        else:
            click.echo(report.render(findings, fmt, run_strict), nl=False)
        if any(f.fails(run_strict) for f in findings) or result.workspace is None:
            exit_code = EXIT_FINDINGS
        if fmt == "text":
            ws = result.workspace
            counts = (f"{report.plural(len(ws.journeys), 'journey')}, "
                      f"{report.plural(len(ws.personas), 'persona')}" if ws else "no workspace")
            app.info(f"{_shown(root)}: {counts}; {report.summary(findings, run_strict)}")
    if fmt == "sarif":
        click.echo(report.render(sarif, fmt, strict=False), nl=False)
    sys.exit(exit_code)


def _selected(file: Path, wanted: list[Path]) -> bool:
    """Show a finding when a folder was asked for, or its own file was."""
    return any(w.is_dir() for w in wanted) or file.resolve() in wanted


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)


@cli.command("schema")
@click.argument("kind", type=click.Choice(list(schema.KINDS)))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
def schema_command(kind: str, output: Path | None) -> None:
    """Print the JSON Schema of a journey, persona or config file.

    Point your editor's YAML language server at it with a first line such as
    `# yaml-language-server: $schema=schema/journey.schema.json`.
    """
    _refuse_input(output, f"schema/{kind}.schema.json")
    text = schema.dumps(kind)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_output(output, text.encode("utf-8"))


def _refuse_input(output: Path | None, instead: str, root: Path | None = None) -> None:
    """-o FILE is never one of a workspace's own inputs (mapgen.yml, a spec, a page, a
    theme file): say so, suggesting ``instead``. (An earlier output of the same name is
    replaced, as any tool does.)"""
    held = input_holding(output, root) if output is not None else None
    if held is not None:
        what = ("one of the workspace's own files" if held == output.resolve() else
                f"inside {_shown(held)}, which the workspace is read from")
        raise click.UsageError(for_terminal(
            f"-o {output}: this is {what}, and mapgen never writes over its own inputs; "
            f"write to another file, e.g. -o {instead}"))


def _write_output(output: Path, data: bytes) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)


STAGE_CHOICE = click.Choice(list(scaffold.STAGE_MODELS))


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--stages", type=STAGE_CHOICE, default="five", show_default=True,
              help="The stage model of the example journey.")
@click.option("--title", default="Customer journeys", show_default=True,
              help="The site title.")
@click.option("--force/--no-force", default=False, help="Replace files that exist.")
@click.option("--github/--no-github", default=False,
              help="Also write a GitHub Actions workflow: checks on pull requests, "
                   "GitHub Pages on the default branch.")
@click.pass_obj
def init(app: Context, directory: Path, stages: str, title: str, force: bool,
         github: bool) -> None:
    """Start a workspace in DIRECTORY: mapgen.yml, a persona, a journey, schemas."""
    if any((directory / name).exists() for name in CONFIG_NAMES) and not force:
        raise click.UsageError(f"{directory / 'mapgen.yml'} exists: this is a workspace "
                               "already (use --force to start over)")
    files = scaffold.init_files(title, stages)
    if github:
        files.update(scaffold.github_files(directory))
    gitignore = directory / ".gitignore"
    if gitignore.exists():
        files.pop(".gitignore")
        _append_missing_lines(gitignore, scaffold.GITIGNORE)
    if (directory / scaffold.YAMLLINT).exists() and not force:
        files.pop(scaffold.YAMLLINT)  # the team's own lint settings stay
    written = _write(directory, files, force)
    written += _write_editor_settings(app, directory)
    for path in written:
        app.debug(f"wrote {path}")
    app.info(f"Created a workspace in {directory} ({len(written)} files). "
             f"Next: `mapgen validate {directory}`.")


def _write_editor_settings(app: Context, directory: Path) -> list[Path]:
    """Map the spec files to their schemas in VS Code's settings, keeping what is there."""
    path, text = scaffold.editor_settings(directory)
    if text is None:
        app.info(f"{path} is not plain JSON, so it was left as it is; to have VS Code check "
                 f'the specs, add "yaml.schemas": {json.dumps(scaffold.editor_globs(directory))}')
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return [path]


def _append_missing_lines(path: Path, text: str) -> None:
    have = set(path.read_text(encoding="utf-8").splitlines())
    extra = [line for line in text.splitlines() if line and line not in have]
    if extra:
        with path.open("a", encoding="utf-8") as out:
            out.write("\n" + "\n".join(extra) + "\n")


def _write(root: Path, files: dict[str, str], force: bool) -> list[Path]:
    try:
        return scaffold.write_files(root, files, overwrite=force)
    except FileExistsError as exc:
        raise click.UsageError(f"will not overwrite {exc} (use --force)") from None


def _valid_id(ctx, param, value: str) -> str:
    if not valid_id(value):
        raise click.BadParameter(
            f'"{value}" is not an id: use lower-case letters, digits and dashes')
    return value


@cli.group()
def new() -> None:
    """Add a persona or a journey to the workspace from a template."""


@new.command("persona")
@click.argument("persona_id", metavar="ID", callback=_valid_id)
@click.option("-d", "--dir", "directory", default=".", type=click.Path(path_type=Path),
              help="The workspace (default: the current folder).")
@click.pass_obj
def new_persona(app: Context, persona_id: str, directory: Path) -> None:
    """Add specs/personas/ID.yml."""
    root = _workspace_root(directory)
    specs = _specs_dir(root)
    path = _write(root, {f"{specs}/personas/{persona_id}.yml":
                         scaffold.persona_text(persona_id)}, False)[0]
    app.info(f"Created {_shown(path)}: add it to a journey's `personas`.")


@new.command("journey")
@click.argument("journey_id", metavar="ID", callback=_valid_id)
@click.option("-d", "--dir", "directory", default=".", type=click.Path(path_type=Path),
              help="The workspace (default: the current folder).")
@click.option("--stages", type=STAGE_CHOICE, default="five", show_default=True)
@click.option("--persona", help="The persona the journey is about (default: the first).")
@click.pass_obj
def new_journey(app: Context, journey_id: str, directory: Path, stages: str,
                persona: str | None) -> None:
    """Add specs/journeys/ID.yml."""
    root = _workspace_root(directory)
    specs = _specs_dir(root)
    found = sorted(p.stem for p in (root / specs / "personas").glob("*")
                   if is_yaml_name(p.name) and not p.name.startswith("."))
    if persona is None:
        persona = found[0] if found else None
    elif persona not in found:
        raise click.BadParameter(
            f'there is no persona "{persona}" in {specs}/personas{did_you_mean(persona, found)}; '
            + (f"give one of {one_of(found)}, or " if found else "")
            + f"add it first with `mapgen new persona {persona}`", param_hint="--persona")
    text = scaffold.journey_text(journey_id, persona, stages)
    path = _write(root, {f"{specs}/journeys/{journey_id}.yml": text}, False)[0]
    app.info(f"Created {_shown(path)}.")


def _specs_dir(root: Path) -> str:
    result = read_workspace(root)
    return result.workspace.config.specs_dir if result.workspace else "specs"


class _ViewChoice(click.Choice):
    """``--view``: the names of :data:`mapgen.diagrams.VIEWS`, read when the command runs,
    so a view added to the table is a choice without touching the CLI."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(diagrams.VIEWS)

    @choices.setter
    def choices(self, _given) -> None:
        """Click sets the choices once, at start; the table is read instead."""


ENGINE_OPTION = click.option(
    "--engine", type=click.Choice(["embedded", "system"]), default=None,
    help="Layout engine: embedded (default, bundled) or system (your Graphviz `dot`).")


def _valid_site_url(ctx, param, value: str | None) -> str | None:
    problem = site_url_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


SITE_URL_OPTION = click.option(
    "--site-url", callback=_valid_site_url,
    help="The URL the site is published at, or its path (overrides site_url).")


def _valid_workspace(app: Context, path: Path, strict: bool = False,
                     show_warnings: bool = False, cached: bool = False, said: bool = False):
    """The workspace at ``path``, or exit 1 after printing why it cannot be used.

    ``cached`` keeps what each spec file gave in the workspace's cache folder (for builds);
    ``said`` returns, with the workspace, the findings as they were printed.
    """
    root = _workspace_root(path)
    result = read_workspace(root, Cache(root / CACHE_DIR) if cached else None)
    run_strict = strict or bool(result.workspace and result.workspace.config.strict)
    failed = result.fails(run_strict)
    shown = report.render(result.findings, "text", run_strict)
    if failed or (show_warnings and result.findings):
        click.echo(shown, err=True, nl=False)
    if failed:
        app.info(f"Fix these first: {report.summary(result.findings, run_strict)}.")
        sys.exit(EXIT_FINDINGS)
    return (result.workspace, shown if show_warnings else "") if said else result.workspace


@cli.command()
@click.argument("journey", required=False)
@click.option("--view", type=_ViewChoice(), default="flow", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "dot"]), default="svg",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
@click.option("-d", "--dir", "directory", default=".", type=click.Path(path_type=Path),
              help="The workspace (default: the current folder).")
@ENGINE_OPTION
@click.pass_obj
def render(app: Context, journey: str | None, view: str, fmt: str, output: Path | None,
           directory: Path, engine: str | None) -> None:
    """Draw one view of JOURNEY (an id) as SVG, PNG or DOT.

    The overview view is of the whole workspace and takes no JOURNEY.
    """
    if journey is not None and not diagrams.VIEWS[view].per_journey:
        raise click.UsageError(f"the {view} view is of the whole workspace and takes no "
                               f"journey: leave out {journey}, e.g. "
                               f"`mapgen render --view {view}`")
    ws = _valid_workspace(app, directory)
    _refuse_input(output, f"{journey or 'overview'}-{view}.{fmt}", Path(ws.root))
    request = _request(ws, journey, view)
    if fmt == "dot":
        if not diagrams.is_graph(request):
            raise click.UsageError(f"the {view} view is SVG drawn by mapgen, not a graph: "
                                   "use --format svg")
        data = diagrams.dot_source(ws, request).encode("utf-8")
    else:
        layout = get_engine(engine or ws.config.engine)
        cache = Cache(Path(ws.root) / CACHE_DIR)
        try:
            data = diagrams.render(ws, [request], layout, cache, fmt)[0].content
        except EngineError as exc:
            raise click.ClickException(for_terminal(exc)) from None
        cache.save()
        app.debug(f"cache: {layouts.reused(cache)} hit(s), {layouts.laid_out(cache)} laid out")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        _write_output(output, data)
        app.info(f"Wrote {output}")


@cli.command()
@click.option("-f", "--config-file", "config_file", type=click.Path(exists=True,
              dir_okay=False, path_type=Path), help="The workspace's mapgen.yml.")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the site (default: site_dir in mapgen.yml).")
@click.option("--strict/--no-strict", default=False, help="Treat warnings as errors.")
@SITE_URL_OPTION
@ENGINE_OPTION
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Layout processes to run at once (default: one per core).")
@click.option("--clean", is_flag=True, default=False,
              help="Render every page and diagram again, not only what changed (laid-out "
                   "graphs still come from .mapgen-cache; delete it to start from nothing). "
                   "Files mapgen did not write are still kept.")
@click.option("--keep-existing", is_flag=True, default=False,
              help="Build into a folder that already holds files mapgen did not write, "
                   "leaving them as they are (needed once: the folder's manifest then "
                   "says which files are mapgen's).")
@click.pass_obj
def build(app: Context, config_file: Path | None, site_dir: Path | None, strict: bool,
          site_url: str | None, engine: str | None, jobs: int | None, clean: bool,
          keep_existing: bool) -> None:
    """Build the static site: pages, diagrams, search, journeys.json, sitemap.

    Only what changed since the last build is made again (see the README)."""
    from mapgen.site.ahead import Templates
    from mapgen.site.build import BuildOptions
    from mapgen.site.build import build as build_site

    started = time.perf_counter()
    root = _workspace_root(config_file.parent if config_file else Path("."))
    said = {"site_url": site_url, "engine": engine, "strict": strict,
            "keep_existing": keep_existing}
    stamped = None if clean else current.stamp(root, site_dir, said)
    last = current.recall(Cache(root / CACHE_DIR), *stamped) if stamped else None
    if last is not None:
        logging.getLogger("mapgen").debug("the site in %s is current", stamped[0])
        click.echo(last.findings, err=True, nl=False)
        app.info(current.summary(last, time.perf_counter() - started))
        return
    templates = Templates.compile_ahead(root, Cache(root / CACHE_DIR))  # meanwhile, reading
    logging.getLogger("mapgen").debug("reading the workspace at %s", root)
    compiling = contextlib.closing(templates) if templates else contextlib.nullcontext()
    with _fewer_collections(), compiling:
        ws, findings = _valid_workspace(app, root, strict, show_warnings=True, cached=True,
                                        said=True)
        target = site_dir or Path(ws.root) / ws.config.site_dir
        options = BuildOptions(site_dir=target, site_url=site_url, engine=engine, jobs=jobs,
                               clean=clean, keep_existing=keep_existing)
        try:
            with _progress(app) as progress:
                result = build_site(ws, options, progress, templates)
        except (EngineError, OutputError, ThemeError) as exc:
            raise click.ClickException(for_terminal(exc)) from None
        except jinja2.TemplateError as exc:
            raise click.ClickException(for_terminal(_template_problem(exc))) from None
    if stamped is not None:
        current.remember(Cache(root / CACHE_DIR), *stamped, findings, result)
    app.info(result.summary())


@contextlib.contextmanager
def _fewer_collections():
    """A build makes millions of short-lived objects: with Python's default, a collection
    of the young generation every 700 of them, and of everything now and then, took
    about a seventh of a cold build's CPU at 1000 journeys; every 20,000 it takes half
    as long (and a few MB more at the peak)."""
    threshold = gc.get_threshold()
    gc.set_threshold(20_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


@contextlib.contextmanager
def _progress(app: Context):
    """A progress bar on a terminal (for long builds); nothing when piped or quiet."""
    stream = sys.stderr
    if app.verbosity < 0 or not stream.isatty():
        yield None
        return
    with click.progressbar(length=0, label="Building", file=stream) as bar:
        def advance(done: int, total: int, what: str) -> None:
            bar.length = total
            bar.update(done - bar.pos, what)
        yield advance


def _template_problem(exc: jinja2.TemplateError) -> str:
    placed(exc)
    where = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    place = f"{where}:{line}: " if where and line else ""
    return (f"{place}the theme's template failed: {exc.message or exc}. Fix the template "
            "(or remove your override from custom_dir)")


@cli.command()
@click.option("-f", "--config-file", "config_file", type=click.Path(exists=True,
              dir_okay=False, path_type=Path), help="The workspace's mapgen.yml.")
@click.option("-a", "--dev-addr", "address", default="127.0.0.1:8000", show_default=True,
              help="Address to serve on, HOST:PORT.")
@click.option("--open/--no-open", "open_browser", default=False,
              help="Open the site in a browser.")
@click.option("--livereload/--no-livereload", default=True,
              help="Reload open pages when the site is rebuilt.")
@click.option("-w", "--watch", "watch_paths", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Also rebuild when this file or folder changes (repeatable).")
@SITE_URL_OPTION
@ENGINE_OPTION
@click.pass_obj
def serve(app: Context, config_file: Path | None, address: str, open_browser: bool,
          livereload: bool, watch_paths: tuple[Path, ...], site_url: str | None,
          engine: str | None) -> None:
    """Preview the site, rebuilding it and reloading the browser on every save."""
    import threading
    import webbrowser

    from mapgen.serve import ListenError, running

    host, port = _address(address)
    root = _workspace_root(config_file.parent if config_file else Path("."))
    try:
        with running(root, (host, port), watch_paths, engine=engine, site_url=site_url,
                     livereload=livereload, on_rebuild=functools.partial(_report_rebuild, app),
                     on_error=app.info) as server:
            if host not in ("127.0.0.1", "localhost", "::1"):
                app.info(f"Warning: serving on {host}, so other machines on the network can "
                         "see the site. Use -a 127.0.0.1:PORT to keep it on this machine.")
            url = f"http://{host}:{server.server_address[1]}{server.preview.base_path}"
            app.info(f"Serving {url} (Ctrl-C to stop)")
            if open_browser:
                webbrowser.open(url)
            threading.Event().wait()  # until Ctrl-C
    except KeyboardInterrupt:  # the way to stop, at any moment: not an error
        pass
    except ListenError as exc:
        raise click.UsageError(f"{exc}; choose another address with -a, e.g. "
                               "-a 127.0.0.1:8001") from None
    app.info("Stopped.")


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise click.BadParameter(f'"{text}" is not HOST:PORT, e.g. 127.0.0.1:8000',
                                 param_hint="-a")
    return host.strip("[]"), int(port)


def _report_rebuild(app: Context, state) -> None:
    first = state.generation == 1
    if state.crash:
        app.info(f"Rebuild crashed: {state.crash}; still serving the last good site.")
    elif state.findings:
        click.echo(report.render(state.findings, "text", True), err=True, nl=False)
        app.info("Still serving the last good site; the pages show what to fix.")
    else:
        app.info("Built the site." if first else "Rebuilt; reloading open pages.")


@cli.command()
@click.argument("journey")
@click.option("--format", "fmt", type=click.Choice([*EXPORT_FORMATS, *poster.FORMATS]),
              default="mermaid", show_default=True,
              help="svg, png and pdf: the journey map as a one-page landscape poster.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output; png and pdf need one).")
@click.option("-d", "--dir", "directory", default=".", type=click.Path(path_type=Path),
              help="The workspace (default: the current folder).")
@click.pass_obj
def export(app: Context, journey: str, fmt: str, output: Path | None,
           directory: Path) -> None:
    """Write JOURNEY as Mermaid `journey` text, CSV (a row per step) or JSON (both with
    every field, for `mapgen import` to read back), or as its
    journey map on a poster: SVG, PNG or PDF."""
    from mapgen.export import export as export_journey

    if output is None and fmt in ("png", "pdf"):
        raise click.UsageError(f"a {fmt.upper()} poster is binary: give the file to write, "
                               f"e.g. -o {journey}.{fmt}")
    ws = _valid_workspace(app, directory)
    _refuse_input(output, f"{journey}.{EXPORT_SUFFIXES.get(fmt, fmt)}", Path(ws.root))
    found = _request(ws, journey, "flow").journey
    if fmt in poster.FORMATS:
        data = poster.render(ws, found, fmt, Cache(Path(ws.root) / CACHE_DIR))
    else:
        data = export_journey(ws, found, fmt).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        _write_output(output, data)
        app.info(f"Wrote {output}")


#: The file name an export is suggested under, by format, where it is not the format.
EXPORT_SUFFIXES = {"mermaid": "mmd"}


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The journey spec to write (default: specs/journeys/<id>.yml).")
@click.option("-d", "--dir", "directory", default=".", type=click.Path(path_type=Path),
              help="The workspace to import into (default: the current folder).")
@click.option("--title", help="The journey's title (default: the one in the file, else "
              "the file name).")
@click.option("--force/--no-force", default=False,
              help="Replace journey and persona files that exist.")
@click.pass_obj
def import_command(app: Context, source: Path, output: Path | None, directory: Path,
                   title: str | None, force: bool) -> None:
    """Make journey specs from a spreadsheet (CSV, XLSX), Mermaid `journey` diagrams (a
    .mmd file, or every ```mermaid block of a Markdown file) or exported JSON.

    Actors and emotion columns become personas: existing ones when the name or id
    matches, else new persona files. Nothing is written when anything cannot be read.
    """
    from mapgen import importer

    root, ws, specs = _import_target(directory)
    journey_id = output.stem if output else None
    if journey_id is not None and not valid_id(journey_id):
        raise click.UsageError(f'-o {output}: the file name is the journey id, and '
                               f'"{journey_id}" is not one; use lower-case letters, digits '
                               "and dashes, e.g. -o specs/journeys/onboarding.yml")
    try:
        imported = importer.import_source(source, ws, journey_id, title)
    except importer.ImportFailed as exc:
        raise click.ClickException(for_terminal(exc)) from None
    for note in imported.notes:
        app.info(note)
    for problem in imported.problems:
        click.echo(for_terminal(problem), err=True)
    if imported.problems:
        app.info("Nothing written: fix what is listed above and import again.")
        sys.exit(EXIT_FINDINGS)
    if output is not None and len(imported.journeys) > 1:
        raise click.UsageError(f"{source} holds {len(imported.journeys)} journeys; leave out "
                               "-o to write each to specs/journeys/<id>.yml")
    files = {(output or specs / "journeys" / f"{ident}.yml"): importer.yaml_text(j, "journey")
             for ident, j in imported.journeys.items()}
    files |= {specs / "personas" / f"{ident}.yml": importer.yaml_text(p, "persona")
              for ident, p in imported.personas.items()}
    existing = [str(path) for path in files if path.exists()]
    if existing and not force:
        raise click.UsageError(for_terminal(
            f"{', '.join(existing)} exist{'s' if len(existing) == 1 else ''} "
            "(use --force to replace)"))
    _write_all(files)
    for path in files:
        app.info(f"Wrote {_shown(path)}")
    app.info(f"Check with `mapgen validate {_shown(root)}`.")


def _write_all(files: dict[Path, str]) -> None:
    """Write every file, or none: each goes to a file of its own beside its place, and
    all are moved there once all are written (a full disk, or a reader gone from the
    pipe, never leaves a journey without its personas)."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            kept = path.with_name(f".{path.name}.mapgen-new")
            written.append((kept, path))
            kept.write_text(text, encoding="utf-8")
    except OSError as exc:
        for kept, _ in written:
            kept.unlink(missing_ok=True)
        raise click.ClickException(for_terminal(
            f"{exc.filename or path}: cannot write: {exc.strerror or exc}; nothing was "
            "written (free some space or fix the folder's permissions)")) from None
    for kept, path in written:
        os.replace(kept, path)


def _import_target(directory: Path):
    """(root, workspace or None, specs folder) to import into: the workspace at
    ``directory``, or a new one there."""
    try:
        root = find_root(directory)
    except WorkspaceError:
        if not directory.is_dir():
            raise click.UsageError(f"{directory}: no such folder") from None
        return directory.resolve(), None, directory / "specs"
    result = read_workspace(root)
    if result.workspace is None:
        click.echo(report.render(list(result.findings), "text", False), err=True, nl=False)
        raise click.UsageError(f"{_shown(root)}: the workspace cannot be read; fix the "
                               "findings above first")
    return root, result.workspace, root / result.workspace.config.specs_dir


@cli.command("diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True,
              help="text for a terminal, markdown for a pull-request comment, json for tools.")
@click.option("-d", "--dir", "directory", default=".", type=click.Path(path_type=Path),
              help="The workspace (default: the current folder).")
def diff_command(base: str | None, head: str | None, fmt: str, directory: Path) -> None:
    """What changed in journey terms between BASE and HEAD.

    BASE defaults to the merge base with the default branch, HEAD to the working tree.
    """
    from mapgen import diff

    root = _diff_root(directory)
    try:
        base = base or diff.default_base(root)
        head = head or diff.WORKING_TREE
        old, new = diff.workspace_at(root, base), diff.workspace_at(root, head, whole=True)
    except diff.DiffError as exc:
        raise click.UsageError(for_terminal(exc)) from None
    changes = diff.compare(old, new)
    click.echo(diff.render(changes, new, fmt, base[:12], head[:12]), nl=False)


def _diff_root(directory: Path) -> Path:
    """The workspace to compare revisions of; a folder that is not one (yet, or any more)
    is compared as it is, an empty workspace."""
    try:
        return find_root(directory)
    except WorkspaceError as exc:
        if directory.is_dir():
            return directory.resolve()
        raise click.UsageError(for_terminal(exc)) from None


class Terminated(BaseException):
    """SIGTERM (``kill``, ``docker stop``, a cancelled CI job) ends mapgen as Ctrl-C does,
    unwinding: the processes it started end with it and a build's output is left as the
    last build left it. (Not a KeyboardInterrupt, which Click reports as "Aborted!".)"""


def _terminated(signum, frame) -> None:
    """mapgen's own process's SIGTERM handler."""
    raise Terminated


def _end_on_sigterm() -> None:
    """SIGTERM raises :class:`Terminated` in mapgen's own process. A process it forks
    takes the signal's default at once: a pool ends its workers with SIGTERM, and a
    worker waiting on the pool's lock would never run a Python handler (the pool then
    waited for it for good)."""
    signal.signal(signal.SIGTERM, _terminated)
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))


def _request(ws, journey: str | None, view: str) -> diagrams.Request:
    try:
        return diagrams.request_for(ws, journey, view)
    except diagrams.ViewError as exc:
        raise click.UsageError(for_terminal(str(exc))) from None


def main() -> None:
    """Entry point: no Python traceback reaches the user, whatever happens."""
    _end_on_sigterm()
    try:
        cli.main(prog_name="mapgen", standalone_mode=True)
    except SystemExit:
        raise
    except Terminated:
        click.echo("Terminated.", err=True)
        sys.exit(128 + signal.SIGTERM)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a bug in mapgen, not bad input: say so, briefly
        if os.environ.get("MAPGEN_TRACEBACK"):
            traceback.print_exc()
        click.echo(f"mapgen: internal error: {type(exc).__name__}: {for_terminal(exc)}\n"
                   "Please report it; set MAPGEN_TRACEBACK=1 to see the details.", err=True)
        sys.exit(3)
