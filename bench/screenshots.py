"""Screenshots of the example journeys for reviewers: `python bench/screenshots.py OUT`.

Builds the example workspace (and a generated 60-step journey) and writes into OUT (never
committed), for every journey:

- ``<journey>-desktop.png``: the page at 1400 x 900, light mode, whole page;
- ``<journey>-map.png``: only the map at 1400 px wide, tall enough to show every lane;
- ``<journey>-dark.png``: the page at 1400 x 900 in dark mode;
- ``<journey>-phone.png``: the page at 390 x 844 (the step cards), whole page;
- ``<journey>-print.pdf`` and ``<journey>-print.png``: the page printed (A3 landscape)
  and how print media lays it out, as one image.

plus the home page and a persona in light and dark. Needs Chromium (Debian's `chromium`)
and the test extras (Playwright).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import chromium  # noqa: E402
from journeys import generated_workspace  # noqa: E402

from mapgen.cli import cli  # noqa: E402

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
#: A3 landscape at 96 CSS px per inch.
A3 = {"width": 1587, "height": 1123}


def build(root: Path, site: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "-f", str(root / "mapgen.yml"),
                                      "-d", str(site)])
    if result.exit_code:
        sys.exit(result.output)


def write_generated(root: Path, steps: int) -> Path:
    for rel, text in generated_workspace(steps).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def shoot_journey(browser, page_url: str, out: Path, name: str) -> None:
    for suffix, viewport, scheme in (("desktop", DESKTOP, "light"), ("dark", DESKTOP, "dark"),
                                     ("phone", PHONE, "light")):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        page.goto(page_url, wait_until="networkidle")
        save(page.screenshot, out / f"{name}-{suffix}.png", full_page=True)
        if suffix == "desktop":
            page.set_viewport_size({"width": 1400, "height": 4000})
            save(page.locator(".canvas-scroll").screenshot, out / f"{name}-map.png")
        context.close()
    context = browser.new_context(viewport=A3, color_scheme="light")
    page = context.new_page()
    page.goto(page_url, wait_until="networkidle")
    save(page.pdf, out / f"{name}-print.pdf", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="print")
    save(page.screenshot, out / f"{name}-print.png", full_page=True)
    context.close()


def save(shoot, target: Path, **options) -> None:
    shoot(path=str(target), **options)
    print(target)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site, long_site = Path(tmp) / "site", Path(tmp) / "long-site"
        build(REPO, site)
        build(write_generated(Path(tmp) / "long", 60), long_site)
        with chromium() as browser:
            for journey in sorted((REPO / "specs/journeys").glob("*.yml")):
                shoot_journey(browser, (site / f"journeys/{journey.stem}.html").as_uri(),
                              out, journey.stem)
            shoot_journey(browser, (long_site / "journeys/steps-60.html").as_uri(), out,
                          "generated-60-steps")
            for scheme in ("light", "dark"):
                context = browser.new_context(color_scheme=scheme, viewport=DESKTOP)
                page = context.new_page()
                for name, rel in (("home", "index.html"), ("persona", "personas/daniel.html")):
                    page.goto((site / rel).as_uri())
                    save(page.screenshot, out / f"{name}-{scheme}.png", full_page=True)
                context.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python bench/screenshots.py OUT_FOLDER")
    main(Path(sys.argv[1]))
