"""`mapgen serve` over real HTTP: pages, reload events, the findings overlay, safety."""

from __future__ import annotations

import asyncio
import html
import http.client
import os
import shutil
import signal
import socket
import struct
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
    with running(tmp_path) as server:  # returns once the watcher is in place
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
    assert "Built" not in result.stderr, "a busy port is said before building"


@pytest.fixture()
def real_serve(tmp_path):
    """Start `mapgen serve ARGS` on the example in a subprocess, on a free port.

    A function of the extra ARGS that returns the process and the port once the home page
    answers at ``base``; every process is killed at the end, whatever happens.
    """
    copy_example(tmp_path)
    started = []

    def start(*args: str, base: str = BASE) -> tuple[subprocess.Popen, int]:
        port = free_port()
        started.append(subprocess.Popen(
            [sys.executable, "-m", "mapgen", "serve", "-a", f"127.0.0.1:{port}", *args],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_as_in_a_terminal))
        wait_for_page(port, base, "Acme customer journeys", deadline=60)
        return started[-1], port

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _as_in_a_terminal() -> None:
    """Ctrl-C reaches the server as it does in a terminal, even when the tests run in the
    background: a shell without job control starts background commands with SIGINT
    ignored, and a Python started so never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ctrl_c(process: subprocess.Popen) -> str:
    """Stop ``process`` as a user does; what it printed on standard error."""
    process.send_signal(signal.SIGINT)
    return process.communicate(timeout=30)[1]


def test_ctrl_c_stops_cleanly(real_serve, tmp_path):
    process, _ = real_serve()
    err = ctrl_c(process)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Stopped." in err
    leftovers = [p for p in tmp_path.iterdir() if p.name not in
                 ("mapgen.yml", "specs", ".mapgen-cache")]
    assert leftovers == []


# --- surviving its environment ---------------------------------------------------------

PAGE = BASE + "journeys/first-purchase.html"


def wait_for_page(port: int, path: str, *wanted: str, unwanted: tuple[str, ...] = (),
                  deadline: float = 30) -> str:
    """Ask for ``path`` until its text (entities decoded) holds every ``wanted`` text and
    no ``unwanted`` one.

    The preview rebuilds in the background, so a test polls for what the page must come
    to show; only the deadline fails it, never how long it took.
    """
    body = ""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            body = html.unescape(get(port, path)[1])
        except OSError:
            body = ""
        if all(w in body for w in wanted) and not any(u in body for u in unwanted):
            return body
        time.sleep(0.05)
    pytest.fail(f"{path} never showed {wanted} without {unwanted}; last:\n{body[-2000:]}")


def test_specs_removed_and_restored_recovers(served, tmp_path_factory):
    root, port, _ = served
    backup = tmp_path_factory.mktemp("backup") / "specs"
    shutil.copytree(root / "specs", backup)
    shutil.rmtree(root / "specs")
    wait_for_page(port, PAGE, 'id="mapgen-overlay"', 'there is no folder "specs"')
    edit(backup / "journeys/first-purchase.yml", "name: Checks whether Acme is safe",
         "name: Checks whether Acme is safe, again")
    shutil.copytree(backup, root / "specs")
    wait_for_page(port, PAGE, "Checks whether Acme is safe, again",
                  unwanted=('id="mapgen-overlay"',))


def test_specs_moved_away_and_back_recovers(served):
    root, port, _ = served
    (root / "specs").rename(root / "specs.away")
    wait_for_page(port, PAGE, 'id="mapgen-overlay"', 'there is no folder "specs"')
    edit(root / "specs.away/journeys/first-purchase.yml", "name: Checks whether Acme is safe",
         "name: Checks whether Acme is safe, back")
    (root / "specs.away").rename(root / "specs")
    wait_for_page(port, PAGE, "Checks whether Acme is safe, back",
                  unwanted=('id="mapgen-overlay"',))


def test_mapgen_yml_removed_and_restored_recovers(served):
    root, port, _ = served
    config = root / "mapgen.yml"
    text = config.read_text("utf-8")
    config.unlink()
    # Without mapgen.yml every key has its default: the site moves to / and loses its title.
    wait_for_page(port, "/journeys/first-purchase.html", "Customer journeys")
    config.write_text(text.replace("title: Acme customer journeys",
                                   "title: Acme journeys, restored"), "utf-8")
    wait_for_page(port, PAGE, "Acme journeys, restored", unwanted=('id="mapgen-overlay"',))


def test_mapgen_yml_saved_by_renaming_a_new_file_over_it_is_followed(served):
    """Many editors save by writing a new file and renaming it over the old one."""
    root, port, _ = served
    config = root / "mapgen.yml"
    text = config.read_text("utf-8")
    for title in ("Acme journeys, first save", "Acme journeys, second save"):
        fresh = root / ".mapgen.yml.swx"
        fresh.write_text(text.replace("title: Acme customer journeys", f"title: {title}"),
                         "utf-8")
        os.replace(fresh, config)
        wait_for_page(port, PAGE, title)


def _custom_dir(folder: Path, marker: str) -> str:
    """An override of base.html whose footer says ``marker``; what pages then show."""
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "templates/base.html").write_text(
        '{% extends "!theme/base.html" %}'
        f'{{% block footer %}}<p class="brand">{marker}</p>{{{{ super() }}}}{{% endblock %}}',
        "utf-8")
    return f'<p class="brand">{marker}</p>'


def _brand_theme(folder: Path, marker: str) -> str:
    """A theme extending the default with its own accent colour; what pages then show."""
    colour = {"before": "#0a7d4f", "after": "#7d0a4f"}[marker]
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "theme.yml").write_text(f"extends: default\noptions: {{accent: '{colour}'}}\n",
                                      "utf-8")
    return f"--accent: {colour};"


@pytest.mark.parametrize("theme_config, folder, write, broken", [
    ("{name: default, custom_dir: overrides}", "overrides", _custom_dir,
     "theme.custom_dir: the folder overrides does not exist"),
    ("brand", "themes/brand", _brand_theme, 'no theme "brand"'),
])
def test_a_theme_folder_renamed_away_and_back_recovers(tmp_path, theme_config, folder, write,
                                                       broken):
    copy_example(tmp_path)
    edit(tmp_path / "mapgen.yml", 'theme:\n  name: default\n  options: {accent: "#5b4cdb", '
         'dark_mode: auto}\n', f"theme: {theme_config}\n")
    theme = tmp_path / folder
    shown = write(theme, "before")
    with running(tmp_path) as server:
        port = server.server_address[1]
        wait_for_page(port, PAGE, shown)
        away = theme.with_name(theme.name + ".away")
        theme.rename(away)
        wait_for_page(port, PAGE, 'id="mapgen-overlay"', broken)
        shown = write(away, "after")
        away.rename(theme)
        wait_for_page(port, PAGE, shown, unwanted=('id="mapgen-overlay"',))


def test_two_hundred_simultaneous_requests_all_get_an_answer(served):
    _, port, _ = served

    async def one() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {PAGE} HTTP/1.1\r\nHost: localhost\r\n"
                     "Connection: close\r\n\r\n".encode())
        await writer.drain()
        answer = await reader.read()  # to the end: the server closes after answering
        writer.close()
        return answer.split(b"\r\n", 1)[0]

    async def all_at_once() -> list:
        return await asyncio.wait_for(
            asyncio.gather(*(one() for _ in range(200)), return_exceptions=True), 60)

    answers = asyncio.run(all_at_once())
    assert [a for a in answers if a != b"HTTP/1.1 200 OK"] == []


def test_clients_that_leave_mid_answer_leave_nothing_on_the_console(real_serve):
    process, port = real_serve()
    big = BASE + "journeys/b2b-invoice-payments.html"
    for number in range(60):
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(f"GET {big} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            if number % 2:
                client.recv(100)  # leave after the first bytes of the answer
            # Close with a reset, as a browser does when the user navigates away.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    assert get(port, big)[0] == 200, "the server still answers"
    err = ctrl_c(process)
    assert process.returncode == 0, err
    assert err.splitlines() == ["Built the site.",
                                f"Serving http://127.0.0.1:{port}{BASE} (Ctrl-C to stop)",
                                "Stopped."]


# --- one way to start a preview -----------------------------------------------------------

def test_the_command_reports_each_rebuild_and_stops_on_ctrl_c(real_serve, tmp_path):
    process, port = real_serve()
    edit(tmp_path / "specs/journeys/first-purchase.yml", "name: Checks whether Acme is safe",
         "name: Checks whether Acme is safe to use")
    wait_for_page(port, PAGE, "Checks whether Acme is safe to use")
    err = ctrl_c(process)
    assert process.returncode == 0, err
    assert err.splitlines() == ["Built the site.",
                                f"Serving http://127.0.0.1:{port}{BASE} (Ctrl-C to stop)",
                                "Rebuilt; reloading open pages.",
                                "Stopped."]


def test_the_command_serves_under_site_url_and_watches_dash_w(real_serve, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n", "utf-8")
    process, port = real_serve("--site-url", "/preview/", "-w", "notes.md", base="/preview/")
    assert get(port, BASE)[0] == 403, "the site moved to the path of --site-url"
    assert 'data-mapgen-generation="1"' in get(port, "/preview/")[1], "the first build"
    notes.write_text("# Notes, edited\n", "utf-8")
    wait_for_page(port, "/preview/", "data-mapgen-generation=",
                  unwanted=('data-mapgen-generation="1"',))
    assert ctrl_c(process).splitlines()[-2:] == ["Rebuilt; reloading open pages.", "Stopped."]


def test_a_request_that_fails_is_one_line_through_on_error(tmp_path, monkeypatch):
    import mapgen.serve as serve_module

    def explode(*args, **kwargs):
        raise RuntimeError("the page is on fire")

    copy_example(tmp_path)
    messages: list[str] = []
    with running(tmp_path, on_error=messages.append) as server:
        monkeypatch.setattr(serve_module._Handler, "_decorate", explode)
        with pytest.raises(http.client.RemoteDisconnected):
            get(server.server_address[1], BASE)
    assert len(messages) == 1 and "RuntimeError: the page is on fire" in messages[0]
    assert "\n" not in messages[0]
