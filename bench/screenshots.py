"""Screenshots of the example site for reviewers: `python bench/screenshots.py [OUT]`.

Builds the example workspace and photographs the home page, a journey and a persona in
light and dark mode, at desktop width, into OUT (default: screenshots/, git-ignored).
Needs Chromium (Debian's `chromium`) and the test extras (Playwright).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import chromium
from mapgen.cli import cli

PAGES = {
    "home": "index.html",
    "journey": "journeys/plus-cancellation.html",
    "persona": "personas/daniel.html",
}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        result = CliRunner().invoke(cli, ["build", "-f", str(REPO / "mapgen.yml"),
                                          "-d", str(site)])
        if result.exit_code:
            sys.exit(result.output)
        with chromium() as browser:
            for scheme in ("light", "dark"):
                context = browser.new_context(color_scheme=scheme,
                                              viewport={"width": 1280, "height": 900})
                page = context.new_page()
                for name, rel in PAGES.items():
                    page.goto((site / rel).as_uri())
                    target = out / f"{name}-{scheme}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                context.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "screenshots")
