"""Security headers, no-store, API keys, the admin token guess limit, no Host-made redirects."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from service.security import CONTENT_SECURITY_POLICY, GuessLimiter, configured_keys
from tests.service.conftest import ADMIN_TOKEN, make_app
from tests.service.test_errors import assert_error

P = "/v1/companies/jp-auto/partners?top_k=2"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/healthz", 200),
        ("get", P, 200),
        ("get", "/openapi.json", 200),
        ("get", "/docs", 200),
        ("get", "/nope", 404),
        ("delete", "/v1/model", 405),
        ("get", P.replace("top_k=2", "top_k=0"), 422),
        ("post", "/v1/admin/reload", 401),
    ],
)
def test_security_headers_on_every_response(client, method: str, path: str, status: int) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_security_headers_on_an_unexpected_500(client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kakehashi.model.PartnerModel.explain", broken)
    response = client.get(P)
    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_security_csp_lets_same_origin_scripts_and_styles_run() -> None:
    assert "script-src" not in CONTENT_SECURITY_POLICY  # default-src 'self' covers vendored JS
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("method", "path", "headers", "no_store"),
    [
        ("post", "/v1/admin/reload", {"Authorization": f"Bearer {ADMIN_TOKEN}"}, True),
        ("get", "/v1/feedback", {}, True),
        ("get", "/nope", {}, True),
        ("get", P, {}, False),
    ],
)
def test_security_no_store_on_admin_feedback_and_errors(
    client, method: str, path: str, headers: dict, no_store: bool
) -> None:
    response = getattr(client, method)(path, headers=headers)
    assert (response.headers.get("Cache-Control") == "no-store") is no_store


@pytest.mark.parametrize("path", ["/v1/model/", "//v1/model", "/v1//model", "/healthz/"])
def test_security_no_redirect_built_from_the_host_header(client, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code != 308
    assert "Location" not in response.headers
    assert response.is_json


@pytest.mark.parametrize("token", [f"  {ADMIN_TOKEN}  ", f"{ADMIN_TOKEN}\n", f"\t{ADMIN_TOKEN}"])
def test_security_admin_token_with_surrounding_whitespace_matches(trained_models, token) -> None:
    client = make_app(trained_models, ADMIN_TOKEN=token).test_client()
    response = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_security_admin_token_from_environment_with_whitespace(trained_models, monkeypatch) -> None:
    monkeypatch.setenv("KAKEHASHI_ADMIN_TOKEN", f" {ADMIN_TOKEN}\n")
    client = make_app(trained_models, ADMIN_TOKEN=None).test_client()
    client.application.config["ADMIN_TOKEN"] = f" {ADMIN_TOKEN}\n"
    response = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200


def wrong(client, n: int, address: str = "10.0.0.1"):
    """Send n wrong admin tokens from one address; return the last response."""
    response = None
    for _ in range(n):
        response = client.post(
            "/v1/admin/reload",
            headers={"Authorization": "Bearer nope"},
            environ_base={"REMOTE_ADDR": address},
        )
    return response


def test_security_admin_guesses_are_limited_per_address(trained_models) -> None:
    client = make_app(trained_models, GUESS_LIMIT=3, GUESS_WINDOW_SECONDS=60).test_client()
    assert_error(wrong(client, 3), 403, "forbidden")
    response = wrong(client, 1)
    assert_error(response, 429, "too_many_attempts", "retry in")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    right = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    locked = client.post(
        "/v1/admin/reload", headers=right, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert locked.status_code == 429  # even the right token waits: guessing must not go on
    other = client.post("/v1/admin/reload", headers=right, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200


def test_security_missing_token_is_not_a_guess(trained_models) -> None:
    client = make_app(trained_models, GUESS_LIMIT=2).test_client()
    for _ in range(5):
        assert client.post("/v1/admin/reload").status_code == 401


def test_security_guess_limiter_window_moves_on() -> None:
    now = [0.0]
    limiter = GuessLimiter(limit=2, window_seconds=10, clock=lambda: now[0])
    limiter.fail("a")
    now[0] = 4.0
    limiter.fail("a")
    assert limiter.retry_after("a") == 6
    assert limiter.retry_after("b") == 0
    now[0] = 10.5
    assert limiter.retry_after("a") == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        ("k1", ("k1",)),
        (" k1 , k2,, ", ("k1", "k2")),
        (["k1", " k2 "], ("k1", "k2")),
    ],
)
def test_security_configured_keys(value, expected) -> None:
    assert configured_keys(value) == expected


@pytest.fixture
def keyed_client(trained_models: Path):
    """A client of an app with two API keys configured."""
    return make_app(trained_models, API_KEYS="key-one, key-two", GUESS_LIMIT=100).test_client()


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "api_key_required"),
        ({"X-API-Key": "nope"}, 401, "invalid_api_key"),
        ({"Authorization": "Bearer nope"}, 401, "invalid_api_key"),
        ({"Authorization": "Basic key-one"}, 401, "api_key_required"),
        ({"X-API-Key": "key-one"}, 200, None),
        ({"X-API-Key": " key-two "}, 200, None),
        ({"Authorization": "Bearer key-two"}, 200, None),
    ],
)
def test_security_api_keys_guard_read_endpoints(keyed_client, headers, status, code) -> None:
    response = keyed_client.get(P, headers=headers)
    if code:
        assert_error(response, status, code, "X-API-Key")
    else:
        assert response.status_code == status


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs"])
def test_security_api_keys_leave_probes_and_docs_open(keyed_client, path: str) -> None:
    assert keyed_client.get(path).status_code == 200


def test_security_api_keys_are_off_by_default(client) -> None:
    assert client.get(P).status_code == 200


def test_security_api_keys_from_the_environment(trained_models, monkeypatch) -> None:
    monkeypatch.setenv("KAKEHASHI_API_KEYS", "123")  # stays text, not the number 123
    client = make_app(trained_models).test_client()
    assert client.get(P).status_code == 401
    assert client.get(P, headers={"X-API-Key": "123"}).status_code == 200


def test_security_wrong_api_keys_count_as_guesses(trained_models) -> None:
    client = make_app(trained_models, API_KEYS="k", GUESS_LIMIT=2).test_client()
    for _ in range(2):
        assert client.get(P, headers={"X-API-Key": "x"}).status_code == 401
    assert_error(client.get(P, headers={"X-API-Key": "k"}), 429, "too_many_attempts")


def test_security_chunked_body_over_the_limit_is_413(trained_models) -> None:
    client = make_app(trained_models, MAX_CONTENT_LENGTH=100).test_client()
    body = b'{"profile": {"description": "' + b"x" * 500 + b'"}}'
    response = client.post(
        "/v1/match",
        input_stream=io.BytesIO(body),  # no Content-Length, as a chunked body arrives
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn sets for chunked
    )
    assert_error(response, 413, "payload_too_large", "100 bytes")


def test_security_chunked_body_at_the_limit_is_read_whole(trained_models) -> None:
    body = b'{"profile": {"sectors": ["ai"]}, "top_k": 1}'
    client = make_app(trained_models, MAX_CONTENT_LENGTH=len(body)).test_client()
    response = client.post(
        "/v1/match",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_security_no_error_body_names_a_server_path(trained_models, tmp_path, monkeypatch) -> None:
    """Every 4xx/5xx body of a damaged or missing setup says what is wrong without our paths."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    client = make_app(tmp_path / "no-models", DATA_DIR=str(tmp_path / "file" / "d")).test_client()
    bodies = [
        client.get("/readyz"),
        client.get(P),
        make_app(trained_models, DATA_DIR=str(tmp_path / "file" / "d"))
        .test_client()
        .post(
            "/v1/feedback",
            json={"japanese_id": "jp-auto", "israeli_id": "il-lidar", "label": "met"},
        ),
    ]
    for response in bodies:
        assert response.status_code >= 400
        assert str(tmp_path) not in response.get_data(as_text=True)
