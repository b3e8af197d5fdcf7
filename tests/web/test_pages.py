"""The pages through Flask's test client: languages, the catalogue, fragments, errors, CSP rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.web import i18n
from service.web.render import highlight
from tests.web.conftest import web_app

WEB = Path(__file__).resolve().parents[2] / "service" / "web"
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
SCRIPTS = sorted((WEB / "static").glob("*.js"))


@pytest.fixture
def app(web_models: Path, tmp_path: Path) -> Flask:
    """The web app serving the fixture model."""
    return web_app(web_models, tmp_path / "data")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client without a language cookie."""
    return app.test_client()


def test_catalogue_has_every_message_in_both_languages():
    raw = json.loads((WEB / "messages.json").read_text(encoding="utf-8"))
    incomplete = [
        key
        for key, entry in raw.items()
        if set(entry) != set(i18n.LANGUAGES) or not all(entry.values())
    ]
    assert incomplete == []


def used_keys() -> set[str]:
    """Message keys the templates (t('...')) and scripts (t("...")) use literally."""
    pattern = re.compile(r"""\bt\(\s*['"]([a-z_]+\.[\w.]+)['"]\s*[,)]""")
    texts = [p.read_text(encoding="utf-8") for p in [*TEMPLATES, *SCRIPTS]]
    return {key for text in texts for key in pattern.findall(text)}


def test_catalogue_has_every_key_the_pages_use():
    assert used_keys(), "the scan found no keys"
    assert used_keys() - set(i18n.catalogue()) == set()


def test_catalogue_has_every_value_of_the_keys_built_by_the_pages(app):
    """Keys the templates build (`'strength.' ~ r.strength`) cover every value they can take."""
    from kakehashi.feedback import LABELS
    from kakehashi.planner.records import REASONS

    built = {
        "js.reason.": tuple(REASONS),
        "js.strength.": ("strong", "good", "weak"),
        "strength.": ("strong", "good", "weak"),
        "feedback.label.": LABELS,
        "country.": ("JP", "IL"),
        "js.country.": ("JP", "IL"),
    }
    missing = [
        p + v for p, values in built.items() for v in values if p + v not in i18n.catalogue()
    ]
    assert missing == []


@pytest.mark.parametrize("path", [*TEMPLATES, *SCRIPTS], ids=lambda p: p.name)
def test_pages_have_no_inline_script_handler_or_style(path):
    """CSP default-src 'self' blocks inline scripts, on* handlers and style attributes."""
    text = path.read_text(encoding="utf-8")
    inline_scripts = re.findall(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", text)
    assert inline_scripts == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
    assert re.findall(r"\sstyle\s*=|<style", text) == []
    assert "eval(" not in text and "new Function" not in text


@pytest.mark.parametrize(
    ("header", "cookie", "expected"),
    [(None, None, "en"), ("ja,en;q=0.5", None, "ja"), ("ja", "en", "en"), ("fr", None, "en")],
)
def test_language_from_cookie_then_accept_language(client, header, cookie, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    headers = {"Accept-Language": header} if header else {}
    html = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html


def test_language_switch_sets_the_cookie_and_returns(client):
    response = client.get("/language/ja?next=/companies/jp-auto?top_k=5")
    assert response.status_code == 303
    assert response.headers["Location"] == "/companies/jp-auto?top_k=5"
    assert "lang=ja" in response.headers["Set-Cookie"]
    assert "おすすめのイスラエル企業" in client.get("/companies/jp-auto").get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil", "", None]
)
def test_language_switch_never_redirects_to_another_site(client, target):
    query = {} if target is None else {"next": target}
    response = client.get("/language/en", query_string=query)
    assert response.headers["Location"] == "/"


def test_company_fragment_is_the_results_alone(client):
    response = client.get("/companies/jp-auto", headers={"X-Kakehashi-Fragment": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.count('class="partner"') == 10
    assert "X-Kakehashi-Fragment" in response.headers["Vary"]


@pytest.mark.parametrize(
    "query",
    [
        "top_k=5&sector=cyber",
        "top_k=5&sector=cyber&sector=fintech",
        "exclude_known=true",
        "exclude_group=true",
        "diversity=0.6&top_k=8",
        "city=tel+aviv",
    ],
)
@pytest.mark.parametrize("company_id", ["jp-bank", "jp-auto", "jp-elec", "il-3d"])
def test_company_page_ranks_like_the_api(client, company_id, query):
    api = client.get(f"/v1/companies/{company_id}/partners?{query}").get_json()
    html = client.get(f"/companies/{company_id}?{query}").get_data(as_text=True)
    shown = re.findall(r'data-partner-id="([^"]+)"', html)
    assert shown == [r["id"] for r in api["results"]]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/companies/nope", 404, "unknown_company"),
        ("/companies/jp-auto?top_k=500", 422, "invalid_parameter"),
        ("/companies/jp-auto?sector=cybr", 422, "unknown_sector"),
        ("/companies/jp-auto?colour=red", 422, "invalid_parameter"),
        ("/?country=France", 422, "invalid_parameter"),
    ],
)
def test_page_errors_are_html_in_the_users_language(client, url, status, code):
    client.set_cookie("lang", "ja")
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert (response.status_code, response.mimetype) == (status, "text/html")
    assert f'data-error-code="{code}"' in html
    assert i18n.translate(f"error.{code}", "ja") in html


def test_page_error_of_a_fragment_is_the_alert_alone(client):
    response = client.get("/companies/jp-auto?top_k=0", headers={"X-Kakehashi-Fragment": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and 'role="alert"' in html


def test_pages_without_a_model_say_so_in_the_page(tmp_path: Path):
    client = web_app(tmp_path / "no-models", tmp_path / "data").test_client()
    response = client.get("/", headers={"Accept-Language": "ja"})
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert i18n.translate("error.no_model", "ja") in response.get_data(as_text=True)


def test_api_errors_stay_json(client):
    response = client.get("/v1/companies/nope")
    assert response.get_json()["error"]["code"] == "unknown_company"


def test_match_form_ranks_the_profile_like_the_api(client):
    form = {"name": "Kyoto Vision", "sector": "vr", "interests": "waveguide optics for headsets"}
    html = client.post("/match", data=form).get_data(as_text=True)
    profile = {"name": "Kyoto Vision", "sectors": ["vr"], "interests": form["interests"]}
    api = client.post("/v1/match", json={"profile": profile}).get_json()
    shown = re.findall(r'data-partner-id="([^"]+)"', html)
    assert shown[0] == "il-waveguide"
    assert shown == [r["id"] for r in api["results"]]


def test_match_form_keeps_the_values_when_invalid(client):
    response = client.post("/match", data={"name": "Kept", "sector": "robotix"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-error-code="invalid_profile"' in html
    assert 'value="Kept"' in html and "robotix" in html


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("description", "x" * 1001, "description: at most 1000 characters"),
        ("interests", "半導体" * 84, "interests: at most 500 characters, a Japanese character"),
    ],
)
def test_match_form_has_the_caps_of_the_api(client, field, text, message):
    response = client.post("/match", data={"name": "Capped", "sector": "ai", field: text})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-error-code="invalid_body"' in html
    assert message in html and 'value="Capped"' in html


def test_highlight_marks_terms_and_escapes_the_rest():
    marked = highlight("Both <b>seek</b> lidar and Lidar perception", ["lidar", "lidar perception"])
    assert str(marked) == (
        "Both &lt;b&gt;seek&lt;/b&gt; <mark>lidar</mark> and <mark>Lidar perception</mark>"
    )


def test_sector_labels_come_from_the_taxonomy(app):
    taxonomy = app.extensions["kakehashi"].loaded.model.taxonomy
    assert i18n.sector_label(taxonomy, "cyber", "en") == "Cybersecurity"
    assert i18n.sector_label(taxonomy, "cyber", "ja") == "サイバーセキュリティ"


def test_wheel_package_data_covers_every_web_file():
    import fnmatch
    import tomllib

    pyproject = tomllib.loads((WEB.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["service"]
    files = [
        p.relative_to(WEB.parent).as_posix()
        for p in WEB.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    ]
    assert files and [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []


def test_briefing_lists_each_firms_top_partners_like_the_api(client):
    html = client.get("/briefing?ids=jp-auto, jp-bank&top_k=3").get_data(as_text=True)
    for company_id in ("jp-auto", "jp-bank"):
        api = client.get(f"/v1/companies/{company_id}/partners?top_k=3").get_json()
        section = html.split(f'id="firm-{company_id}"', 1)[1].split("</table>", 1)[0]
        assert re.findall(r'data-partner-id="([^"]+)"', section) == [
            r["id"] for r in api["results"]
        ]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("ids=jp-auto,nope&top_k=3", 404, "unknown_company"),
        ("ids=jp-auto&top_k=0", 422, "invalid_parameter"),
        ("ids=jp-auto&top_k=x", 422, "invalid_parameter"),
        ("ids=" + ",".join(f"f{i}" for i in range(101)), 422, "invalid_parameter"),
    ],
)
def test_briefing_bad_input_is_named_in_the_page(client, query, status, code):
    response = client.get(f"/briefing?{query}")
    assert response.status_code == status and f'data-error-code="{code}"' in response.text


def test_briefing_reads_ids_split_any_way_once_each():
    from service.web.briefing import firm_ids

    assert firm_ids("a, b\nc、a  d") == ["a", "b", "c", "d"]


@pytest.mark.parametrize("name", ["nope.js", "../messages.json", "..%2Fpages.py", ".hidden"])
def test_assets_serve_only_the_static_files(client, name):
    assert client.get(f"/assets/{name}").status_code == 404


def test_assets_are_typed_and_revalidated(client):
    response = client.get("/assets/app.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    again = client.get("/assets/app.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_check_browser_skips_without_chromium_unless_required(tmp_path: Path):
    from tests.web.conftest import check_browser

    missing = str(tmp_path / "chromium")
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        check_browser(missing, {})
    with pytest.raises(pytest.fail.Exception, match="KAKEHASHI_REQUIRE_BROWSER=1"):
        check_browser(missing, {"KAKEHASHI_REQUIRE_BROWSER": "1"})
    present = tmp_path / "present"
    present.write_text("")
    check_browser(str(present), {"KAKEHASHI_REQUIRE_BROWSER": "1"})  # neither skips nor fails


@pytest.mark.parametrize("path", ["/", "/companies/jp-auto", "/match", "/planner", "/admin"])
def test_pages_are_closed_while_api_keys_are_required(web_models, tmp_path, path):
    """The pages would show rankings without a key: with API keys set they answer 401 as a page."""
    app = web_app(web_models, tmp_path / "data")
    app.config["API_KEYS"] = ("k1",)
    client = app.test_client()
    client.set_cookie(i18n.COOKIE, "ja")
    response = client.get(path)
    assert response.status_code == 401
    assert response.mimetype == "text/html"
    assert "API キー" in response.get_data(as_text=True)
    assert client.get("/assets/app.css").status_code == 200
