"""Every error is JSON with a stable, documented code and the right status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import abort

import service
from service.errors import ERROR_CODES, HTTP_CODES, ApiError
from service.params import MAX_JSON_DEPTH
from tests.service.conftest import make_app

P = "/v1/companies/jp-auto/partners"
MATCH = {"profile": {"sectors": ["cyber"]}}
REPO = Path(__file__).resolve().parents[2]

# (method, path, request kwargs, status, code, text the message must contain)
ERROR_CASES = [
    ("get", "/nope", {}, 404, "not_found", "/nope"),
    ("get", "/v1/companies/nope", {}, 404, "unknown_company", "nope"),
    ("get", "/v1/companies/nope/partners", {}, 404, "unknown_company", "nope"),
    ("delete", "/v1/model", {}, 405, "method_not_allowed", "GET"),
    ("get", "/v1/match", {}, 405, "method_not_allowed", "POST"),
    ("get", P + "?top_k=0", {}, 422, "invalid_parameter", "top_k: must be between 1 and 100"),
    ("get", P + "?top_k=101", {}, 422, "invalid_parameter", "top_k: must be between 1 and 100"),
    ("get", P + "?top_k=ten", {}, 422, "invalid_parameter", "top_k: not a valid integer"),
    ("get", P + "?exclude_known=maybe", {}, 422, "invalid_parameter", "exclude_known"),
    ("get", P + "?diversity=2", {}, 422, "invalid_parameter", "diversity: must be between 0 and 1"),
    ("get", P + "?topk=3", {}, 422, "invalid_parameter", "topk: unknown field"),
    ("get", P + "?sector=cybr", {}, 422, "unknown_sector", "sector: unknown sector 'cybr'"),
    ("get", P + "?sector=cybr", {}, 422, "unknown_sector", "closest known: 'cyber'"),
    ("get", "/v1/companies?limit=0", {}, 422, "invalid_parameter", "limit: must be between"),
    ("get", "/v1/companies?limit=101", {}, 422, "invalid_parameter", "limit: must be between"),
    ("get", "/v1/companies?offset=-1", {}, 422, "invalid_parameter", "offset: must be >= 0"),
    ("get", "/v1/companies?country=FR", {}, 422, "invalid_parameter", "country: unknown country"),
    ("get", "/v1/companies?sector=fintek", {}, 422, "unknown_sector", "closest known: 'fintech'"),
    ("get", "/v1/companies?page=2", {}, 422, "invalid_parameter", "page: unknown field"),
    ("post", "/v1/match", {"data": "{bad"}, 400, "invalid_json", "not valid JSON"),
    ("post", "/v1/match", {"data": ""}, 400, "invalid_json", "not valid JSON"),
    ("post", "/v1/match", {"data": "x=1", "ct": "text/plain"}, 415, "unsupported_media_type", "JSON"),
    ("post", "/v1/match", {"data": "x=1", "ct": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type", "application/x-www-form-urlencoded"),
    ("post", "/v1/match", {"json": {}}, 422, "invalid_body", "profile: missing data"),
    ("post", "/v1/match", {"json": {**MATCH, "top_k": 10.5}}, 422, "invalid_body", "top_k: not a valid integer"),
    ("get", P + "?top_k=3&top_k=5", {}, 422, "invalid_parameter", "top_k: given 2 times; give it once"),
    ("get", "/v1/companies?q=a&q=b", {}, 422, "invalid_parameter", "q: given 2 times"),
    ("post", "/v1/match", {"json": []}, 422, "invalid_body", "body: invalid input type"),
    ("post", "/v1/match", {"json": {**MATCH, "top_k": 0}}, 422, "invalid_body",
     "top_k: must be between 1 and 100"),
    ("post", "/v1/match", {"json": {**MATCH, "top_k": "x"}}, 422, "invalid_body", "top_k"),
    ("post", "/v1/match", {"json": {**MATCH, "diversity": -1}}, 422, "invalid_body",
     "diversity: must be between 0 and 1"),
    ("post", "/v1/match", {"json": {**MATCH, "extra": 1}}, 422, "invalid_body",
     "extra: unknown field"),
    ("post", "/v1/match", {"json": {"profile": {"sectors": "cyber"}}}, 422, "invalid_body",
     "profile.sectors: not a valid list"),
    ("post", "/v1/match", {"json": {"profile": {"website": "x"}}}, 422, "invalid_body",
     "profile.website: unknown field"),
    ("post", "/v1/match", {"json": {**MATCH, "filters": {"sectors": [1]}}}, 422,
     "invalid_body", "filters.sectors.0: not a valid string"),
    ("post", "/v1/match", {"json": {**MATCH, "filters": {"city": 3}}}, 422, "invalid_body",
     "filters.city"),
    ("post", "/v1/match", {"json": {**MATCH, "filters": {"sectors": ["cybr"]}}}, 422,
     "unknown_sector", "filters.sectors: unknown sector 'cybr'"),
    ("post", "/v1/match", {"json": {"profile": {"sectors": ["robotix"]}}}, 422,
     "invalid_profile", "profile.sectors: unknown sector 'robotix' (closest known: 'robotics')"),
    ("post", "/v1/match", {"json": {"profile": {"name": "Only a name"}}}, 422,
     "invalid_profile", "profile.sectors: give at least one"),
    ("post", "/v1/match", {"json": {"profile": {"country": "FR", "sectors": ["ai"]}}}, 422,
     "invalid_profile", "profile.country"),
    ("post", "/v1/match", {"json": {"profile": {"description": "x" * 5001}}}, 422,
     "invalid_body", "profile.description: at most 1000 characters"),
    ("post", "/v1/match", {"json": {"profile": {"description": "x" * 70_000}}}, 413,
     "payload_too_large", "65536 bytes"),
    ("post", "/v1/admin/reload", {}, 401, "unauthorized", "Bearer"),
    ("post", "/v1/admin/reload", {"auth": "Basic abc"}, 401, "unauthorized", "Bearer"),
    ("post", "/v1/admin/reload", {"auth": "Bearer "}, 401, "unauthorized", "Bearer"),
    ("post", "/v1/admin/reload", {"auth": "Bearer wrong"}, 403, "forbidden", "wrong admin token"),
    ("get", "/v1/admin/reload", {}, 405, "method_not_allowed", "POST"),
]  # fmt: skip


def send(client, method: str, path: str, options: dict):
    """Send a request described by an ERROR_CASES row."""
    kwargs = {}
    if "json" in options:
        kwargs["json"] = options["json"]
    if "data" in options:
        kwargs["data"] = options["data"]
        kwargs["content_type"] = options.get("ct", "application/json")
    if "auth" in options:
        kwargs["headers"] = {"Authorization": options["auth"]}
    return getattr(client, method)(path, **kwargs)


def assert_error(response, status: int, code: str, text: str = "") -> None:
    """The response is a JSON error with this status and code, and says `text`."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    assert set(response.json) == {"error"}
    assert set(response.json["error"]) == {"code", "message"}
    assert response.json["error"]["code"] == code
    assert text in response.json["error"]["message"]


@pytest.mark.parametrize(("method", "path", "options", "status", "code", "text"), ERROR_CASES)
def test_errors_table(client, method, path, options, status, code, text):
    assert_error(send(client, method, path, options), status, code, text)


def test_errors_405_sets_allow_header(client):
    assert "GET" in client.delete("/v1/model").headers["Allow"]


def test_errors_401_asks_for_bearer(client):
    assert client.post("/v1/admin/reload").headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("auth", [None, "Bearer anything", "Bearer "])
def test_errors_admin_disabled_without_configured_token(trained_models, auth):
    client = make_app(trained_models, ADMIN_TOKEN=None).test_client()
    headers = {"Authorization": auth} if auth else {}
    assert_error(client.post("/v1/admin/reload", headers=headers), 403, "admin_disabled")


def test_errors_413_limit_is_configurable(trained_models):
    client = make_app(trained_models, MAX_CONTENT_LENGTH=100).test_client()
    body = {"profile": {"description": "x" * 200}}
    assert_error(client.post("/v1/match", json=body), 413, "payload_too_large", "100 bytes")


@pytest.fixture
def raising_client(trained_models):
    """A client of an app with extra routes that fail in the ways no real endpoint should."""
    app = make_app(trained_models)
    app.add_url_rule("/raise/400", "raise_400", lambda: abort(400))
    app.add_url_rule("/raise/418", "raise_418", lambda: abort(418))
    app.add_url_rule("/raise/bug", "raise_bug", lambda: 1 / 0)
    return app.test_client()


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/raise/400", 400, "bad_request"),
        ("/raise/418", 418, "http_error"),
        ("/raise/bug", 500, "internal_error"),
    ],
)
def test_errors_other_http_errors_and_bugs_are_json(raising_client, path, status, code):
    assert_error(raising_client.get(path), status, code)


def test_errors_unexpected_error_in_a_view_is_json_500(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kakehashi.model.PartnerModel.explain", broken)
    response = client.get(P)
    assert_error(response, 500, "internal_error", "unexpected server error")
    assert "boom" not in response.json["error"]["message"]


def test_errors_every_code_is_asserted_by_a_service_test():
    tests = "\n".join(
        p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")
    )
    untested = [code for code in ERROR_CODES if f'"{code}"' not in tests]
    assert untested == []


def test_errors_domain_errors_answer_with_the_status_of_their_code(app):
    from kakehashi import errors

    domain = [cls for cls in vars(errors).values() if isinstance(cls, type)]
    domain = [cls for cls in domain if issubclass(cls, errors.KakehashiError)]
    with app.test_request_context():
        for cls in domain:
            error = cls.__new__(cls)
            Exception.__init__(error, "message")
            response = service.errors.handle_domain_error(error)
            code = cls.code if cls.code in ERROR_CODES else "internal_error"
            assert response.status_code == ERROR_CODES[code][0], cls
            assert response.json["error"]["code"] == code, cls


def test_errors_every_code_used_is_registered():
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in Path(service.__file__).parent.glob("*.py")
    )
    raised = set(re.findall(r'ApiError\(\s*"(\w+)"', sources))
    assert raised | set(HTTP_CODES.values()) <= set(ERROR_CODES)
    assert raised, "the scan found no ApiError calls; update its pattern"


@pytest.mark.parametrize("document", ["docs/api.md", "README.md"])
def test_errors_every_code_is_documented(document):
    text = (REPO / document).read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", text, re.M))
    assert set(ERROR_CODES) <= documented, f"add the missing codes to {document}"


def test_errors_api_error_rejects_unregistered_code():
    with pytest.raises(ValueError, match="undocumented"):
        ApiError("made_up_code", "nope")


def test_errors_deeply_nested_json_is_a_400_not_a_500(client):
    body = '{"profile":' * 1000 + "{}" + "}" * 1000
    response = client.post("/v1/match", data=body, content_type="application/json")
    assert_error(response, 400, "invalid_json", "nested too deeply")


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 2000])
def test_errors_json_nested_past_the_limit_is_refused_before_the_schema(client, levels):
    body = '{"profile": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"
    response = client.post("/v1/match", data=body, content_type="application/json")
    message = "nested too deeply" if levels <= 1024 else "depth limit exceeded"  # orjson's own
    assert_error(response, 400, "invalid_json", message)


def test_errors_json_nested_to_the_limit_reaches_the_schema(client):
    body = '{"profile": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    response = client.post("/v1/match", data=body, content_type="application/json")
    assert_error(response, 422, "invalid_body", "profile")


def test_errors_invalid_json_says_where(client):
    response = client.post("/v1/match", data='{"profile": ', content_type="application/json")
    assert_error(response, 400, "invalid_json", "line 1 column 13")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("{models}/v1/artifact.joblib: checksum does not match", "v1/artifact.joblib: checksum"),
        ("no model version 'x' in {models}", "no model version 'x' in the models folder"),
        ("/elsewhere/deep/file.bin: unreadable", "file.bin: unreadable"),
        ("ratio 1/2 stays", "ratio 1/2 stays"),
    ],
)
def test_errors_domain_messages_carry_no_server_paths(models_dir, error, expected):
    from kakehashi.errors import ArtifactError

    app = make_app(models_dir.resolve())
    with app.test_request_context():
        response = service.errors.handle_domain_error(
            ArtifactError(error.format(models=models_dir.resolve()))
        )
    assert expected in response.json["error"]["message"]
    assert str(models_dir) not in response.json["error"]["message"]
    assert "/elsewhere" not in response.json["error"]["message"]


def test_errors_damaged_promoted_artifact_names_no_path(models_dir):
    from kakehashi import registry

    version = registry.current_version(models_dir)
    (models_dir / version / "artifact.joblib").write_bytes(b"damaged")
    client = make_app(models_dir).test_client()
    for path in ("/readyz", "/v1/model"):
        response = client.get(path)
        assert response.status_code == 503
        assert str(models_dir.parent) not in response.get_data(as_text=True)
