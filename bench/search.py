"""What a first search query loads: `python bench/search.py [N] [QUERY ...]`.

Builds the benchmark corpus of N journeys (default 1000) in a temporary folder, then
opens its search page in Chromium from file:// and over HTTP, types each query, and
prints the files loaded from opening the page to showing the results and their bytes.
tests/test_search_browser.py asserts the budget (300 KB); this prints the figures.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "bench")]

from browser import chromium, static_server  # noqa: E402
from corpus import write_corpus  # noqa: E402
from test_search_browser import first_query  # noqa: E402

QUERIES = ("awareness journey 512", "step", "something hurts", "page 3", "retention 9")


def main(n: int, queries: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_corpus(n, Path(folder))
        subprocess.run([sys.executable, "-m", "mapgen", "build", "-f", str(root / "mapgen.yml")],
                       check=True, cwd=root)
        site = root / "site"
        index = sum(p.stat().st_size for p in (site / "assets/search").iterdir())
        print(f"{n} journeys: the whole index is {index / 1024:,.0f} KB in "
              f"{len(list((site / 'assets/search').iterdir()))} files")
        with chromium() as browser, static_server(site, "/journeys/") as base:
            for query in queries:
                for where, url in (("file", (site / "search.html").as_uri()),
                                   ("http", base + "search.html")):
                    results, urls, size = first_query(browser, url, query)
                    print(f"  {where:4} {query!r:26} {len(results):3} shown, {len(urls):2} "
                          f"files, {size / 1024:6.1f} KB")


if __name__ == "__main__":
    args = sys.argv[1:]
    size = int(args.pop(0)) if args and args[0].isdigit() else 1000
    main(size, tuple(args) or QUERIES)
