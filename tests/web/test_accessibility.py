"""Accessibility (axe-core in the browser) and self-containment (nothing from outside 127.0.0.1).

axe-core is vendored in tests/web/vendor/axe.min.js (npm package axe-core, MPL-2.0, licence header
kept, licence beside it): nothing is downloaded at test time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
STATIC = Path(__file__).resolve().parents[2] / "service" / "web" / "static"
MAIN_PAGES = {
    "find": "/",
    "find-results": "/?q=sample&country=JP",
    "company": "/companies/jp-auto",
    "company-filtered": "/companies/jp-auto?sector=cyber&exclude_known=true&diversity=0.3",
    "reverse": "/companies/il-lidar",
    "match": "/match",
    "planner": "/planner",
    "admin": "/admin",
    "briefing": "/briefing?ids=jp-auto,jp-bank&top_k=3",
    "error": "/companies/no-such-firm",
}
# A reference that makes a browser fetch or navigate: an attribute, a CSS url(), an import or fetch.
OUTSIDE = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?|url\(\s*["']?|"""
    r"""\bimport\s*(?:[^"']*from\s*)?\(?\s*["']|\bfetch\(\s*["'`])\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def outside_references(text: str) -> list[str]:
    """The places in HTML, CSS or JS text that point at another host."""
    return [text[m.start() : m.end() + 40] for m in OUTSIDE.finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        '<link href="https://cdn.example/x.css">',
        "<script src=//cdn.example/x.js></script>",
        "body { background: url('http://example.org/a.png') }",
        'import { x } from "https://esm.example/x.js";',
        'fetch("https://api.example/")',
        '<form action="https://elsewhere.example/">',
    ],
)
def test_outside_references_finds_each_kind(text):
    assert outside_references(text)


def test_outside_references_ignores_local_paths_and_namespaces():
    text = '<link href="/assets/app.css"><svg xmlns="http://www.w3.org/2000/svg"></svg>'
    assert outside_references(text) == []


@pytest.mark.parametrize("asset", sorted(p.name for p in STATIC.rglob("*") if p.is_file()))
def test_static_assets_reference_nothing_outside(asset):
    text = next(STATIC.rglob(asset)).read_text(encoding="utf-8", errors="replace")
    assert outside_references(text) == []


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as rendered."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def axe_context(browser, live_url: str):
    """A context that lets the vendored axe script in despite the page's CSP."""
    context = browser.new_context(base_url=live_url, bypass_csp=True)
    yield context
    context.close()


# Every main page in English; the busiest ones in Japanese too (axe checks structure, which the
# language does not change, and each run costs about two seconds).
AXE_RUNS = [(name, "en") for name in sorted(MAIN_PAGES)] + [
    ("company", "ja"),
    ("find-results", "ja"),
    ("match", "ja"),
]


@pytest.mark.parametrize(("name", "lang"), AXE_RUNS)
def test_main_pages_have_no_serious_axe_violations(axe_context, name, lang):
    page = axe_context.new_page()
    try:
        page.goto(f"/language/{lang}?next={MAIN_PAGES[name]}")
        assert page.locator("html").get_attribute("lang") == lang
        assert axe_violations(page) == []
    finally:
        page.close()


@pytest.mark.parametrize("name", sorted(MAIN_PAGES))
def test_main_pages_reference_nothing_outside(page, name):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.expected_console_errors = ["404"] if name == "error" else []
    page.goto(MAIN_PAGES[name])
    page.wait_for_load_state("networkidle")
    assert outside_references(page.content()) == []
    assert requested and all(
        url.startswith(page.url.split("/")[0] + "//127.0.0.1:") for url in requested
    )


def test_company_page_reads_on_a_tablet(browser, live_url: str):
    context = browser.new_context(base_url=live_url, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    try:
        page.goto("/companies/jp-auto")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 768  # no sideways scrolling
    finally:
        context.close()


def test_axe_violations_reports_an_unlabelled_field(axe_context):
    page = axe_context.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><main><input type="text"></main></html>')
        assert "label" in {v["id"] for v in axe_violations(page)}
    finally:
        page.close()
