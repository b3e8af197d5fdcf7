"""Screenshots of the web app's main pages in English and Japanese, for the README and docs/web.md.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--models-dir DIR]

Trains on the bundled data/companies.csv and data/partnerships.csv in a temporary folder (or
serves --models-dir), serves the app on 127.0.0.1 with werkzeug, and drives Debian's chromium
(/usr/bin/chromium, never a downloaded browser) through Playwright. Writes one PNG per page and
language (`<page>-<lang>.png`), at a 1100x800 viewport so that they stay small. Japanese text
needs a Japanese system font in the browser (Debian: `apt-get install fonts-ipafont-gothic`);
the pages themselves load no font.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from training.train import load_inputs, train  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1100, "height": 800}


def find_with_suggestions(page) -> None:
    """The search page with the suggestions open for a Japanese name."""
    page.goto("/")
    page.get_by_role("combobox").first.press_sequentially("トヨタ", delay=30)
    page.get_by_role("option").first.wait_for()


def company(page) -> None:
    """A Japanese firm's page, partners filtered to two sectors."""
    page.goto("/companies/toyota-motor?sector=automotive&sector=ai&exclude_known=true")


def reverse(page) -> None:
    """An Israeli firm's best Japanese partners."""
    page.goto("/companies/imagry")


def match(page) -> None:
    """The ad-hoc profile form with its results."""
    page.goto("/match")
    page.locator("#name").fill("Hokkaido Dairy Co-op")
    page.locator('input[name="sector"][value="agrifood"]').check()
    page.locator("#description").fill("Dairy cooperative producing milk and cheese.")
    page.locator("#interests").fill("precision livestock monitoring and water saving irrigation")
    page.locator("form.profile button[type=submit]").click()
    page.locator("#match-heading").scroll_into_view_if_needed()


def briefing(page) -> None:
    """The briefing pack of three firms."""
    page.goto("/briefing?ids=toyota-motor,sony,hitachi&top_k=3")


def planner(page) -> None:
    """A schedule of three firms over one day, scrolled to its grid."""
    page.goto("/planner")
    page.locator("#japanese_ids").fill("toyota-motor\nsony\nhitachi")
    page.locator("#day-0-slots").fill("4")
    page.locator("form.planner button[type=submit]").click()
    page.locator("[data-day-grid]").wait_for()
    page.locator("#schedule-grids").scroll_into_view_if_needed()
    page.mouse.wheel(0, 250)


def admin(page) -> None:
    """The admin page after the token: the versions table."""
    page.goto("/admin")
    page.locator("#admin-token").fill(ADMIN_TOKEN)
    page.locator("#token-form button[type=submit]").click()
    page.locator("#versions tbody tr").first.wait_for()
    page.locator("#upload-heading").scroll_into_view_if_needed()


PAGES: dict[str, Callable] = {
    "find": find_with_suggestions,
    "company": company,
    "reverse": reverse,
    "match": match,
    "briefing": briefing,
    "planner": planner,
    "admin": admin,
}
ADMIN_TOKEN = "screenshot-token"  # this script's own server only


@contextmanager
def served(models_dir: Path, data_dir: Path) -> Iterator[str]:
    """The app on a free loopback port, stopped afterwards."""
    settings = {"MODEL_DIR": str(models_dir), "DATA_DIR": str(data_dir), "ADMIN_TOKEN": ADMIN_TOKEN}
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def shoot(url: str, out: Path, only: list[str]) -> list[Path]:
    """Take every page's screenshot in both languages; return the files written."""
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for lang in ("en", "ja"):
            context = browser.new_context(base_url=url, viewport=VIEWPORT)
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(url) else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(f"/language/{lang}?next=/")
            for name, action in PAGES.items():
                if only and name not in only:
                    continue
                action(page)
                target = out / f"{name}-{lang}.png"
                page.screenshot(path=str(target))
                written.append(target)
            context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> None:
    """Train (unless --models-dir), serve, and write the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--models-dir", type=Path)
    parser.add_argument("--only", nargs="*", default=[], choices=sorted(PAGES))
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        models = args.models_dir
        if models is None:
            models = Path(tmp) / "models"
            inputs = load_inputs(ROOT / "data/companies.csv", ROOT / "data/partnerships.csv")
            train(inputs, models)
        with served(models, Path(tmp) / "data") as url:
            for path in shoot(url, args.out, args.only):
                print(
                    f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
                    f"  {path.stat().st_size // 1024} KiB"
                )


if __name__ == "__main__":
    main()
