"""A real Chromium for tests and screenshots: Debian's, driven by Playwright.

Playwright's own browser download cannot run here, so we launch the system Chromium by
``executable_path``. Tests that need it skip with a reason when it is missing, except
when ``MAPGEN_REQUIRE_BROWSER=1`` (CI sets it after installing Chromium), where a missing
browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: Without these, Chromium tries to reach Google's services at start-up and on this
#: closed network its refused connections slow every test down.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
]


def find_chromium() -> str | None:
    configured = os.environ.get("MAPGEN_CHROMIUM")
    if configured:
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_required() -> bool:
    return os.environ.get("MAPGEN_REQUIRE_BROWSER") == "1"


def require_chromium() -> None:
    """Skip the calling test module when there is no Chromium, unless one is required."""
    import pytest

    if find_chromium() is None:
        if browser_required():
            raise RuntimeError("MAPGEN_REQUIRE_BROWSER=1 but no Chromium was found")
        pytest.skip("no Chromium found (install Debian's `chromium`, or set MAPGEN_CHROMIUM)",
                    allow_module_level=True)


@contextmanager
def chromium():
    """A launched browser, closed afterwards."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def log_message(self, *args):  # keep test output clean
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_prefix__")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory) / "404.html"
        if code == 404 and not_found.is_file():
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@contextmanager
def static_server(site: Path, prefix: str = "/"):
    """Serve ``site`` under ``prefix`` (e.g. ``/repo/``, as GitHub Pages does); yields the
    base URL."""
    handler = type("Handler", (_QuietHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def _browser():
    with chromium() as launched:
        yield launched


def browser_fixture():
    """A module-scoped ``browser`` fixture: ``browser = browser_fixture()`` in a test module."""
    import pytest

    return pytest.fixture(scope="module", name="browser")(_browser)


def serious_violations(page, scope: str | None = None) -> list[tuple]:
    """axe-core's serious and critical violations on ``page`` (within the elements that
    match ``scope``, or the whole document): (rule, impact, first targets) each."""
    axe = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"
    page.add_script_tag(path=str(axe))
    result = page.evaluate("async scope => await axe.run(scope ? {include: [[scope]]} : "
                           "document, {resultTypes: ['violations']})", scope)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
