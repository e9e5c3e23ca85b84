"""`mapgen serve` over real HTTP: pages, reload events, the findings overlay, safety."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_example
from mapgen.serve import EVENTS_PATH, running, site_relative

REPO = Path(__file__).resolve().parents[1]
BASE = "/journeys/"  # the path of site_url in the example mapgen.yml


@pytest.fixture()
def served(tmp_path):
    copy_example(tmp_path)
    with running(tmp_path) as server:
        time.sleep(0.3)  # let the watcher start before a test edits a file
        yield tmp_path, server.server_address[1], server.preview


def get(port: int, path: str, method: str = "GET") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def next_event(port: int, since: int, timeout: float = 10) -> str:
    """Open the event stream and return the first event that arrives."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", f"{EVENTS_PATH}?since={since}")
    response = connection.getresponse()
    lines = []
    while True:
        line = response.fp.readline().decode()
        if line.startswith(":"):
            continue
        lines.append(line)
        if line == "\n" and len(lines) > 1:
            break
    connection.close()
    return "".join(lines)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_pages_are_served_under_the_site_url_path(served):
    _, port, _ = served
    status, body = get(port, BASE)
    assert status == 200 and "First purchase with Pay with Acme" in body
    assert get(port, BASE + "journeys/first-purchase.html")[0] == 200
    assert get(port, BASE + "assets/mapgen.css")[0] == 200
    status, body = get(port, BASE + "no-such-page.html")
    assert status == 404 and "Page not found" in body


def test_served_pages_get_the_reload_script_and_built_ones_do_not(served, tmp_path):
    _, port, preview = served
    _, body = get(port, BASE)
    assert "/__mapgen__/livereload.js" in body
    assert b"livereload" not in preview.state.file("index.html")
    assert get(port, "/__mapgen__/livereload.js")[0] == 200


def test_a_saved_change_sends_a_reload_and_serves_the_new_content(served):
    root, port, preview = served
    since = preview.state.generation
    edit(root / "specs/journeys/first-purchase.yml", "name: Checks whether Acme is safe",
         "name: Checks whether Acme is trustworthy")
    event = next_event(port, since)
    assert event.startswith("event: reload")
    _, body = get(port, BASE + "journeys/first-purchase.html")
    assert "Checks whether Acme is trustworthy" in body
    assert "mapgen-overlay" not in body


def test_a_broken_spec_shows_an_overlay_over_the_last_good_site(served):
    root, port, preview = served
    journey = root / "specs/journeys/first-purchase.yml"
    good = journey.read_text("utf-8")
    since = preview.state.generation
    edit(journey, "status: current", "status: currnt")
    assert next_event(port, since).startswith("event: reload")
    status, body = get(port, BASE + "journeys/first-purchase.html")
    assert status == 200, "the last good page is still served"
    assert "First purchase with Pay with Acme" in body
    assert 'id="mapgen-overlay"' in body
    line = good.splitlines().index("status: current") + 1
    assert f"specs/journeys/first-purchase.yml:{line}:9" in body and "MG203" in body
    since = preview.state.generation
    journey.write_text(good, "utf-8")
    assert next_event(port, since).startswith("event: reload")
    assert "mapgen-overlay" not in get(port, BASE + "journeys/first-purchase.html")[1]


def test_a_crash_in_a_rebuild_is_shown_and_the_server_keeps_running(served, monkeypatch):
    _, port, preview = served
    import mapgen.serve as serve_module

    def explode(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(serve_module, "render_site", explode)
    state = preview.rebuild()
    assert state.crash and "the disk is on fire" in state.crash
    status, body = get(port, BASE)
    assert status == 200 and "the disk is on fire" in body
    monkeypatch.undo()
    preview.rebuild()
    assert "mapgen-overlay" not in get(port, BASE)[1]


@pytest.mark.parametrize("path, allowed", [
    (BASE + "../mapgen.yml", (403, 404)),
    (BASE + "%2e%2e/%2e%2e/etc/passwd", (403, 404)),
    (BASE + "%2E%2E%2Fmapgen.yml", (403, 404)),
    ("/etc/passwd", (403, 404)),
    ("//etc/passwd", (403, 404)),
    (BASE + "..%5c..%5cmapgen.yml", (403, 404)),
    (BASE + "specs/journeys/first-purchase.yml", (404,)),
])
def test_nothing_outside_the_site_is_served(served, path, allowed):
    _, port, _ = served
    status, body = get(port, path)
    assert status in allowed
    assert "root:" not in body and "title:" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_only_get_and_head(served, method):
    _, port, _ = served
    assert get(port, BASE, method)[0] == 405
    assert get(port, BASE, "HEAD")[0] == 200


def test_site_relative_paths():
    assert site_relative("/repo/a/b.html", "/repo/") == "a/b.html"
    assert site_relative("/repo/", "/repo/") == ""
    assert site_relative("/repo", "/repo/") == ""
    assert site_relative("/other/a.html", "/repo/") is None
    assert site_relative("/repo/a/../../x", "/repo/") is None
    assert site_relative("/repo/%2e%2e/x", "/repo/") is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_port_in_use_is_a_one_line_error_naming_dash_a(tmp_path):
    copy_example(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mapgen", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "-a" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_stops_cleanly(tmp_path):
    copy_example(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mapgen", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(port, BASE)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        process.send_signal(subprocess.signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Stopped." in err
    leftovers = [p for p in tmp_path.iterdir() if p.name not in
                 ("mapgen.yml", "specs", ".mapgen-cache")]
    assert leftovers == []
