"""Web app fixtures: the app served for real on 127.0.0.1, and one headless Chromium per session.

The browser is Debian's `chromium` (never a Playwright download). Without it the browser tests
skip, unless KAKEHASHI_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from service import create_app
from training.train import load_inputs, train

FIXTURES = Path(__file__).parent.parent / "fixtures"
ADMIN_TOKEN = "web-admin-token"
CHROMIUM = os.environ.get("KAKEHASHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
LOCAL_HOSTS = {"127.0.0.1"}


@pytest.fixture(scope="session")
def web_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models directory with one version trained on the fixture lists (do not modify)."""
    models_dir = tmp_path_factory.mktemp("web-models")
    train(load_inputs(FIXTURES / "companies.csv", FIXTURES / "partnerships.csv"), models_dir)
    return models_dir


def web_app(models_dir: Path, data_dir: Path) -> Flask:
    """The app as the browser tests serve it: admin token set, feedback in data_dir."""
    return create_app(
        {
            "MODEL_DIR": str(models_dir),
            "DATA_DIR": str(data_dir),
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "RELOAD_CHECK_SECONDS": 0,
        }
    )


@pytest.fixture(scope="session")
def live_models(tmp_path_factory: pytest.TempPathFactory, web_models: Path) -> Path:
    """The models directory the live server serves (the admin tests add versions to it)."""
    models_dir = tmp_path_factory.mktemp("web-served") / "models"
    shutil.copytree(web_models, models_dir)
    return models_dir


@pytest.fixture(scope="session")
def live_url(live_models: Path) -> Iterator[str]:
    """The app served by a threaded werkzeug server on a free loopback port; stopped at the end."""
    app = web_app(live_models, live_models.parent / "data")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def check_browser(path: str, environ: dict[str, str]) -> None:
    """Skip when there is no Chromium at path; fail instead when the environment requires it."""
    if Path(path).is_file():
        return
    reason = f"no Chromium at {path} (apt-get install chromium)"
    if environ.get("KAKEHASHI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and KAKEHASHI_REQUIRE_BROWSER=1")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, one per session (skips, or fails under KAKEHASHI_REQUIRE_BROWSER=1)."""
    check_browser(CHROMIUM, dict(os.environ))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Outside:
    """Requests the browser tried to make to a host other than 127.0.0.1 (aborted)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def route(self, route) -> None:
        """Let loopback requests through; abort and record any other."""
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.urls.append(url)
            route.abort()


@pytest.fixture
def page(browser, live_url: str):
    """A fresh browser context (no cookies) whose page fails the test on outside requests or
    console errors (a CSP violation or a script error shows up there)."""
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    outside = Outside()
    context.route("**/*", outside.route)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.expected_console_errors = []  # a test that provokes an error names it here
    yield opened
    context.close()
    assert outside.urls == [], "pages reached outside 127.0.0.1"
    unexpected = [e for e in errors if not any(x in e for x in opened.expected_console_errors)]
    assert unexpected == [], "console errors"
