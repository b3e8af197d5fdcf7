"""The app factory, its configuration and the probes."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import create_app


def test_create_app_reads_prefixed_environment(monkeypatch, trained_models: Path):
    monkeypatch.setenv("KAKEHASHI_MODEL_DIR", str(trained_models))
    monkeypatch.setenv("KAKEHASHI_ADMIN_TOKEN", "12345")
    monkeypatch.setenv("KAKEHASHI_MAX_CONTENT_LENGTH", "1000")
    app = create_app()
    assert app.config["MODEL_DIR"] == str(trained_models)
    assert app.config["ADMIN_TOKEN"] == "12345"  # kept as text, not turned into a number
    assert app.config["MAX_CONTENT_LENGTH"] == 1000
    assert app.extensions["kakehashi"].version is not None


def test_create_app_defaults(monkeypatch, tmp_path: Path):
    for name in ("MODEL_DIR", "ADMIN_TOKEN", "MAX_CONTENT_LENGTH", "RELOAD_CHECK_SECONDS"):
        monkeypatch.delenv(f"KAKEHASHI_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    app = create_app()
    assert app.config["MODEL_DIR"] == "models"
    assert app.config["ADMIN_TOKEN"] is None
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert app.config["RELOAD_CHECK_SECONDS"] == 2


def test_create_app_test_config_overrides_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("KAKEHASHI_MODEL_DIR", "elsewhere")
    app = create_app({"MODEL_DIR": str(tmp_path)})
    assert app.config["MODEL_DIR"] == str(tmp_path)


def test_healthz_is_ok_without_a_model(empty_client):
    response = empty_client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_the_model_version(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "model_version": app.extensions["kakehashi"].version,
    }


@pytest.mark.parametrize(
    "path",
    ["/readyz", "/v1/model", "/v1/sectors", "/v1/companies", "/v1/companies/jp-auto/partners"],
)
def test_app_without_model_answers_503_no_model(empty_client, path: str):
    response = empty_client.get(path)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "no_model"


def test_app_without_model_match_answers_503_no_model(empty_client):
    response = empty_client.post("/v1/match", json={"profile": {"sectors": ["cyber"]}})
    assert response.status_code == 503
    assert response.json["error"]["code"] == "no_model"
