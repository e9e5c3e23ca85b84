"""Serve: a live preview writers can leave running all day.

:class:`Preview` keeps the last good site in memory and rebuilds it when a watched file
changes, through the same plan of outputs and the same records as ``mapgen build``
(see :mod:`mapgen.site.build`): only the files whose key changed are made again, and
the cache (:mod:`mapgen.cache`) keeps what each file read in memory between saves. When the
specs are invalid, or a rebuild crashes, the last good site stays up and every page
shows an overlay with the findings until the next good rebuild.

:class:`PreviewServer` serves it over HTTP: under the path of ``site_url`` (as GitHub
Pages will), GET and HEAD only, nothing outside the site, and a Server-Sent Events
stream (``/__mapgen__/events``) that tells open pages to reload. The reload script and
the overlay are added to served pages only; ``mapgen build`` output never has them.

:func:`watch` follows the workspace as it changes, even when folders come and go, and
:func:`running` is the one place that puts the three together, for ``mapgen serve``
and the tests alike.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import mimetypes
import os
import posixpath
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mapgen import compact
from mapgen.cache import CACHE_DIR, Cache
from mapgen.diagrams.engine import Engine, get_engine
from mapgen.findings import Finding
from mapgen.model import Config
from mapgen.site.build import Deferred, render_site
from mapgen.site.output import Made, Staged, write_file
from mapgen.site.theme import ThemeError, load_theme
from mapgen.workspace import FILES_SEEN, input_paths, read_workspace

#: What a preview keeps in memory between saves (see mapgen.cache): what reading every
#: spec again needs (each file's parse, findings and metadata), the compiled templates,
#: and the specs last unpacked. Diagrams and layouts are read from the cache's file when
#: a change needs them: 10,000 journeys' would be gigabytes.
KEPT = ("spec", "checks", FILES_SEEN, "templates", "unpacked-personas", "unpacked-journeys")
EVENTS_PATH = "/__mapgen__/events"
SCRIPT_PATH = "/__mapgen__/livereload.js"
DEBOUNCE_MS = 50
#: How often the watcher looks whether a watched path came or went, without changes.
TICK_MS = 250
#: How long starting waits for the watcher to be in place (it takes one tick at most).
READY_S = 10.0
KEEPALIVE_S = 15.0
#: What a client that went away (a reload, a closed tab) makes a write or read raise.
CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass
class State:
    """What the server shows: the last good site, and what is wrong now, if anything."""

    #: Path -> the file as kept (see :class:`Kept`), or a Deferred that makes it when
    #: first asked for.
    files: dict[str, Staged | Deferred] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    crash: str | None = None
    generation: int = 0

    def file(self, rel: str) -> bytes | None:
        """The bytes of ``rel``, made now if they were deferred; None when there is none
        (or when a newer site has just let it go)."""
        data = self.files.get(rel)
        data = data() if isinstance(data, Deferred) else data
        if isinstance(data, Staged):
            try:
                return data.path.read_bytes()
            except FileNotFoundError:
                return None
        return data


class Kept:
    """Where a preview keeps the files of its sites: a private temporary folder, a file
    per file made, each under a name of its own (never written over), so the last good
    site stays whole while the next one is made, and memory holds no site (10,000
    journeys' pages and posters are gigabytes). Files no site uses are deleted after
    each good rebuild; the folder goes when the preview does."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="mapgen-serve-")
        self.folder = Path(self._folder.name)
        self._count = itertools.count()

    def put(self, rel: str, data: bytes | Iterable[bytes]) -> Staged:
        """Keep a file made for ``rel`` (its bytes, or its pieces as made)."""
        path = self.folder / f"{os.getpid()}-{next(self._count)}-{posixpath.basename(rel)}"
        write_file(path, data)
        return Staged(path)

    def keep_only(self, files: Iterable[Made]) -> None:
        """Delete every file but those of ``files`` (a deferred one only once made)."""
        used = set()
        for made in files:
            data = made.data.made.data if isinstance(made.data, Deferred) and \
                made.data.made else made.data
            if isinstance(data, Staged):
                used.add(data.path.name)
        for entry in os.scandir(self.folder):
            if entry.name not in used:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


class Preview:
    """The site of one workspace, rebuilt in memory on every change."""

    def __init__(self, root: Path, engine: str | None = None, site_url: str | None = None,
                 livereload: bool = True):
        compact.one_heap()  # before this preview's threads start
        self.root = root.resolve()
        self.engine_name = engine
        self.site_url_override = site_url
        self.livereload = livereload
        self.state = State()
        self.changed = threading.Condition()
        self._cache = Cache(self.root / CACHE_DIR, memory=KEPT)
        self._kept = Kept()
        #: Every file of the last good site as made, with its record.
        self._made: dict[str, Made] = {}
        self._lock = threading.Lock()
        self._watched: tuple[int, list[Path]] = (-1, [])
        self._engine: Engine | None = None
        self.config = None

    # --- building ---------------------------------------------------------------------

    def rebuild(self, changed: set[Path] | None = None) -> State:
        """Rebuild after ``changed`` paths (None: everything); never raises. What the
        change did not touch is taken from the last site: its key says so."""
        with self._lock:
            try:
                files, findings = self._build()
            except Exception as exc:  # noqa: BLE001 - a crash is shown, the server stays
                self._publish(None, (), _crash_text(exc))
            else:
                self._publish(files, findings, None)
            return self.state

    def _build(self):
        result = read_workspace(self.root, self._cache)
        ws = result.workspace
        if ws is None or result.fails(False):
            return None, result.findings
        self.config = ws.config
        name = self.engine_name or ws.config.engine
        if self._engine is None or self._engine.name != name:
            self._engine = get_engine(name)  # once: asking its version runs it
        site = render_site(ws, self._engine, self._cache, self.site_url_override,
                           past=self._past(), staging=self._kept, defer=True)
        self._cache.save()
        # the site before stays on disk too, for the requests still reading it
        self._kept.keep_only([*site.files.values(), *self._made.values()])
        self._made = site.files
        files = {rel: made.data for rel, made in site.files.items()}
        return files, tuple(f for f in result.findings if f.fails(ws.config.strict))

    def _past(self) -> dict[str, Made]:
        """The last site's files that were made (a deferred one only once asked for)."""
        past = {}
        for rel, made in self._made.items():
            if isinstance(made.data, Deferred):
                made = made.data.made
            if made is not None:
                past[rel] = made
        return past

    def _publish(self, files, findings, crash) -> None:
        with self.changed:
            if files is not None:
                self.state.files = files
            self.state.findings = findings
            self.state.crash = crash
            self.state.generation += 1
            self.changed.notify_all()

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: that of site_url, else ``/``."""
        url = self.site_url_override or (self.config.site_url if self.config else None)
        path = urlsplit(url).path if url else "/"
        return path if path.endswith("/") else path + "/"

    def watched(self) -> list[Path]:
        """Every path whose change changes the site, whether it exists now or not.

        mapgen.yml, the specs and pages folders, the workspace's themes/ folder, the theme (a folder
        of its name too, as themes can be given by path), custom_dir, and what the theme
        extends. Missing ones are listed so that the watcher notices them come back.
        Only a rebuild can change the list (the config, or the theme it names, changed),
        so it is worked out once per rebuild, not at every look.
        """
        generation = self.state.generation
        if self._watched[0] != generation:
            self._watched = (generation, self._watched_now())
        return self._watched[1]

    def _watched_now(self) -> list[Path]:
        config = self.config or Config()
        paths = [*input_paths(self.root, config), self.root / config.theme.name]
        with contextlib.suppress(ThemeError, OSError):  # the overlay says what is wrong
            paths += load_theme(self.root, config.theme.name, config.theme.custom_dir,
                                config.theme.options).watched()
        return list(dict.fromkeys(p.resolve() for p in paths))

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Block until the generation passes ``since`` or ``timeout``; returns it."""
        with self.changed:
            self.changed.wait_for(lambda: self.state.generation > since, timeout)
            return self.state.generation


def _crash_text(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1:] or [None]
    where = f" ({frame[0].filename}:{frame[0].lineno})" if frame[0] else ""
    return f"{type(exc).__name__}: {exc}{where}"


# --- watching ------------------------------------------------------------------------

def watch(preview: Preview, extra: list[Path], stop: threading.Event,
          on_rebuild=None, ready: threading.Event | None = None) -> None:
    """Rebuild on every burst of changes until ``stop`` is set (runs in a thread).

    What is watched is worked out again whenever a watched path appears, vanishes or is
    replaced (specs/ deleted and put back, a theme folder renamed, mapgen.yml saved by
    renaming a new file over it): the operating system watches a folder, not its name,
    so a watcher set up before would go on watching the old one, or nothing. Changes made
    while the new watcher starts would be missed, so once it is in place the whole site
    is rebuilt. ``ready`` is set when the first watcher is in place.
    """
    def present() -> dict[Path, tuple[int, int]]:
        return _identities(preview.watched() + extra)

    catch_up = False
    while not stop.is_set():
        watched = present()
        try:
            with contextlib.closing(_bursts(_outermost(watched), stop)) as bursts:
                for changed in bursts:
                    if ready is not None:
                        ready.set()
                    if present() != watched:
                        catch_up = True
                        break
                    if changed or catch_up:
                        full = catch_up or _outside(extra, changed)
                        catch_up = False
                        state = preview.rebuild(None if full else changed)
                        if on_rebuild:
                            on_rebuild(state)
        except OSError:  # a path vanished while the watcher was set up: look again
            catch_up = True
            stop.wait(TICK_MS / 1000)


def _bursts(paths: list[Path], stop: threading.Event):
    """Each burst of changes under ``paths`` as a set of paths; an empty set every tick
    without changes, so that the caller can look around and notice ``stop``."""
    import watchfiles

    if not paths:
        while not stop.wait(TICK_MS / 1000):
            yield set()
        return
    for changes in watchfiles.watch(*paths, debounce=DEBOUNCE_MS, step=10,
                                    stop_event=stop, yield_on_timeout=True,
                                    rust_timeout=TICK_MS, raise_interrupt=False):
        yield {Path(path) for _, path in changes}


def _identities(paths: list[Path]) -> dict[Path, tuple[int, int]]:
    """The paths that exist, each with what it is (device and inode): if a path appears,
    vanishes or is replaced, this changes."""
    found = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path] = (stat.st_dev, stat.st_ino)
    return found


def _outermost(paths) -> list[Path]:
    """``paths`` without those inside another one (a watch covers what is below it)."""
    return [p for p in paths if not any(other in p.parents for other in paths)]


def _outside(extra: list[Path], changed: set[Path]) -> bool:
    return any(any(e in c.parents or e == c for e in extra) for c in changed)


# --- serving -------------------------------------------------------------------------

LIVERELOAD_JS = """(function () {
  var since = document.documentElement.getAttribute("data-mapgen-generation") || "0";
  function connect() {
    var source = new EventSource("%s?since=" + since);
    source.addEventListener("reload", function () { source.close(); location.reload(); });
    source.onerror = function () { source.close(); setTimeout(connect, 1000); };
  }
  connect();
})();
""".replace("%s", EVENTS_PATH)

OVERLAY_STYLE = (
    "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:99999;"
    "background:#fff;color:#1f2328;border:3px solid #cf222e;border-radius:8px;"
    "padding:1rem 1.25rem;font:14px/1.5 system-ui,sans-serif;box-shadow:0 8px 24px #0004")


def overlay_html(state: State) -> str:
    """The box listing what is wrong; empty when nothing is."""
    if not state.findings and not state.crash:
        return ""
    if state.crash:
        items = f"<li>The rebuild crashed: <code>{escape(state.crash)}</code></li>"
        title = "mapgen could not rebuild the site"
    else:
        items = "".join(
            f"<li><code>{escape(str(f.location))}</code> {escape(f.severity.value)} "
            f"{escape(f.code)}: {escape(f.message)}</li>" for f in state.findings)
        title = f"mapgen found {len(state.findings)} problem(s); showing the last good site"
    return (f'<div id="mapgen-overlay" role="alert" style="{OVERLAY_STYLE}">'
            f"<strong>{escape(title)}</strong><ul>{items}</ul></div>")


class _Handler(http.server.BaseHTTPRequestHandler):
    preview: Preview
    server_version = "mapgen"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # the CLI reports rebuilds, not every request
        pass

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _refuse_method(self) -> None:
        self._send(405, b"Only GET and HEAD.\n", "text/plain; charset=utf-8",
                   extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _respond(self, head: bool) -> None:
        raw_path = urlsplit(self.path).path
        if raw_path == EVENTS_PATH and not head:
            return self._events()
        if raw_path == SCRIPT_PATH:
            return self._send(200, LIVERELOAD_JS.encode(), "text/javascript", head=head)
        rel = site_relative(raw_path, self.preview.base_path)
        if rel is None:
            return self._send(403, b"Forbidden: outside the site.\n",
                              "text/plain; charset=utf-8", head=head)
        state = self.preview.state
        if rel.endswith("/") or rel == "":
            rel += "index.html"
        try:
            data = state.file(rel)
        except Exception as exc:  # noqa: BLE001 - a page that cannot be made says why
            return self._send(500, _crash_text(exc).encode("utf-8"),
                              "text/plain; charset=utf-8", head=head)
        if data is None and f"{rel}/index.html" in state.files:
            return self._send(301, b"", "text/plain", head=head,
                              extra={"Location": self.preview.base_path + rel + "/"})
        status = 200
        if data is None:
            status, rel = 404, "404.html"
            data = state.file(rel) or b"<h1>Not found</h1>"
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if kind == "text/html":
            data = self._decorate(data, state)
            kind = "text/html; charset=utf-8"
        self._send(status, data, kind, head=head)

    def _decorate(self, page: bytes, state: State) -> bytes:
        """Add the overlay and the reload script: served pages only, never the build."""
        extra = overlay_html(state)
        if self.preview.livereload:
            extra += f'<script src="{SCRIPT_PATH}"></script>'
        text = page.decode("utf-8").replace(
            "<html ", f'<html data-mapgen-generation="{state.generation}" ', 1)
        index = text.rfind("</body>")
        index = index if index >= 0 else len(text)
        return (text[:index] + extra + text[index:]).encode("utf-8")

    def _send(self, status: int, data: bytes, kind: str, head: bool = False,
              extra: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(data)
        except CLIENT_GONE:  # a reload or a closed tab: nobody is left to answer
            self.close_connection = True

    def _events(self) -> None:
        query = dict(p.split("=", 1) for p in urlsplit(self.path).query.split("&") if "=" in p)
        try:
            since = int(query.get("since", self.preview.state.generation))
        except ValueError:
            since = self.preview.state.generation
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            while not self.server.stopping.is_set():  # type: ignore[attr-defined]
                generation = self.preview.wait_for_change(since, KEEPALIVE_S)
                if generation > since:
                    payload = json.dumps({"generation": generation,
                                          "problems": len(self.preview.state.findings)})
                    self.wfile.write(f"event: reload\ndata: {payload}\n\n".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except CLIENT_GONE:
            return


def site_relative(raw_path: str, base: str) -> str | None:
    """The site file a URL path asks for, or None when it points outside the site.

    Refuses ``..`` (also percent-encoded), backslashes, NUL bytes and paths outside
    ``base``. The site is served from memory, so no symlink can lead out of it either.
    """
    path = unquote(raw_path)
    if "\\" in path or "\0" in path or not path.startswith("/"):
        return None
    if any(part in ("..", ".") for part in path.split("/")):
        return None
    if not (path + "/").startswith(base) and path != base.rstrip("/"):
        return None
    rel = path[len(base):] if path.startswith(base) else ""
    if rel.startswith("/"):
        return None
    normal = posixpath.normpath(rel) if rel else ""
    if normal.startswith(("..", "/")):
        return None
    return rel


class ListenError(Exception):
    """The server cannot listen on the address it was given; the message says why."""


@contextlib.contextmanager
def running(root: Path, address: tuple[str, int] = ("127.0.0.1", 0),
            extra: list[Path] | tuple[Path, ...] = (), on_rebuild=None,
            on_error: Callable[[str], None] | None = None, **options):
    """A preview of ``root``, built, then served and watched in background threads.

    The one place that starts a preview, for ``mapgen serve`` and the tests alike.
    ``extra`` are more paths to watch; ``on_rebuild(state)`` hears of every build, the
    first one included (``state.generation`` is 1), ``on_error(message)`` of requests
    that failed; ``options`` go to :class:`Preview`. The address is taken before the
    first build, so a busy port is said at once (:class:`ListenError`). Yields the
    server (``server.preview`` is the :class:`Preview`) once the watcher is in place;
    stops both on exit.
    """
    preview = Preview(root, **options)
    try:
        server = PreviewServer(address, preview, on_error)
    except OSError as exc:
        raise ListenError(f"cannot listen on {address[0]}:{address[1]}: "
                          f"{exc.strerror or exc}") from None
    with server, contextlib.ExitStack() as on_exit:  # undone last first
        state = preview.rebuild()
        if on_rebuild:
            on_rebuild(state)
        stop, ready = threading.Event(), threading.Event()
        watcher = threading.Thread(target=watch, daemon=True, args=(
            preview, [Path(p).resolve() for p in extra], stop, on_rebuild, ready))
        watcher.start()
        on_exit.callback(watcher.join, READY_S)
        on_exit.callback(stop.set)
        ready.wait(READY_S)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        on_exit.callback(server.shutdown)
        yield server


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: Connections the system holds until they are accepted (the default, 5, drops some
    #: when a page, its assets and a few reloading tabs all connect at once).
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], preview: Preview,
                 on_error: Callable[[str], None] | None = None):
        handler = type("Handler", (_Handler,), {"preview": preview})
        super().__init__(address, handler)
        self.preview = preview
        self.on_error = on_error
        self.stopping = threading.Event()

    def handle_error(self, request, client_address) -> None:
        """A client that left mid-answer is no error; anything else is a line, not a
        traceback, through ``on_error`` (the default prints the traceback, for tests)."""
        problem = sys.exc_info()[1]
        if isinstance(problem, CLIENT_GONE):
            return
        if self.on_error is None or problem is None:
            super().handle_error(request, client_address)
        else:
            self.on_error(f"Could not answer a request: {_crash_text(problem)}")

    def shutdown(self) -> None:
        self.stopping.set()
        with self.preview.changed:
            self.preview.changed.notify_all()
        super().shutdown()
