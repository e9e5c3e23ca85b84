"""Live-preview benchmark: `python bench/serve.py [--corpus 200] [--runs 5]`.

Starts the preview server and its file watcher in this process, edits one step's name in
one journey, and times from the save to the reload event arriving on the event stream
(watcher debounce + incremental rebuild + notification), for the example workspace and
for a generated corpus. Prints the median and the worst run.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus

from mapgen.serve import EVENTS_PATH, running

#: The edit: a step's name, the change a writer makes most.
STEP = "        name: "


def wait_for_reload(port: int, since: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", f"{EVENTS_PATH}?since={since}")
    response = connection.getresponse()
    while not response.fp.readline().startswith(b"event: reload"):
        pass
    connection.close()


def measure(root: Path, journey: Path, runs: int) -> list[float]:
    timings = []
    with running(root) as server:
        time.sleep(0.5)
        port, preview = server.server_address[1], server.preview
        for run in range(runs):
            since = preview.state.generation
            listener = threading.Thread(target=wait_for_reload, args=(port, since))
            listener.start()
            time.sleep(0.2)
            text = journey.read_text("utf-8")
            start = time.perf_counter()
            journey.write_text(text.replace(STEP, f"{STEP}{run} ", 1), "utf-8")
            listener.join()
            timings.append(time.perf_counter() - start)
            time.sleep(0.2)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"
        example.mkdir()
        shutil.copy(HERE.parent / "mapgen.yml", example / "mapgen.yml")
        shutil.copytree(HERE.parent / "specs", example / "specs")
        rows.append(("example specs (4 journeys)", measure(
            example, example / "specs/journeys/first-purchase.yml", args.runs)))
        corpus = write_corpus(args.corpus, Path(tmp) / "corpus")
        rows.append((f"corpus of {args.corpus} journeys", measure(
            corpus, corpus / "specs/journeys/j0005.yml", args.runs)))
    print("| workspace | save -> reload event, median | worst |")
    print("|---|---|---|")
    for name, timings in rows:
        print(f"| {name} | {1000 * statistics.median(timings):.0f} ms | "
              f"{1000 * max(timings):.0f} ms |")


if __name__ == "__main__":
    main()
