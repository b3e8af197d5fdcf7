"""Hot swaps: a newly promoted version replaces the served one without a restart."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kakehashi import registry
from service.holder import ModelHolder, served_model
from tests.service.conftest import ADMIN_TOKEN, make_app
from training.train import Inputs, train

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def second_version(models_dir: Path, service_inputs: Inputs) -> str:
    """A second version trained into `models_dir` but not promoted yet."""
    return train(service_inputs, models_dir, promote=False).version


def version_of(client) -> str:
    return client.get("/v1/companies/jp-auto/partners?top_k=1").json["model_version"]


def test_reload_switches_to_newly_promoted_version(models_dir: Path, second_version: str):
    client = make_app(models_dir).test_client()
    first = version_of(client)
    assert first != second_version
    registry.promote(models_dir, second_version)
    assert version_of(client) == second_version
    assert client.get("/readyz").json["model_version"] == second_version
    assert client.get("/v1/model").json["version"] == second_version


def test_reload_waits_for_the_check_interval(models_dir: Path, second_version: str):
    client = make_app(models_dir, RELOAD_CHECK_SECONDS=3600).test_client()
    first = version_of(client)
    registry.promote(models_dir, second_version)
    assert version_of(client) == first  # not checked again yet
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 200
    assert response.json == {
        "previous_version": first,
        "model_version": second_version,
        "changed": True,
    }
    assert version_of(client) == second_version


def test_reload_admin_without_change(client, app):
    response = client.post("/v1/admin/reload", headers=AUTH)
    version = app.extensions["kakehashi"].version
    assert response.json == {
        "previous_version": version,
        "model_version": version,
        "changed": False,
    }


def test_reload_request_in_flight_keeps_its_model(models_dir: Path, second_version: str):
    app = make_app(models_dir)
    holder = app.extensions["kakehashi"]
    with app.test_request_context("/"):
        pinned = served_model()
        registry.promote(models_dir, second_version)
        holder.maybe_reload()
        assert holder.version == second_version
        assert served_model() is pinned


def damage(models_dir: Path, version: str) -> None:
    (models_dir / version / registry.ARTIFACT).write_bytes(b"not a model")


def test_reload_failed_load_keeps_old_model(models_dir: Path, second_version: str, caplog):
    client = make_app(models_dir).test_client()
    first = version_of(client)
    damage(models_dir, second_version)
    registry.promote(models_dir, second_version)
    with caplog.at_level(logging.ERROR):
        assert version_of(client) == first
    assert "keeping model" in caplog.text
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 500
    assert response.json["error"]["code"] == "bad_artifact"
    assert version_of(client) == first


def test_reload_unknown_promoted_version_is_reported(models_dir: Path):
    client = make_app(models_dir).test_client()
    first = version_of(client)
    pointer = models_dir / registry.POINTER
    document = json.loads(pointer.read_text(encoding="utf-8"))
    document["current"] = "20000101T000000Z-abcdef"
    registry.write_json_atomic(pointer, document)
    assert version_of(client) == first
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 500
    assert response.json["error"]["code"] == "unknown_version"


def test_reload_unreadable_pointer_keeps_old_model(models_dir: Path):
    client = make_app(models_dir).test_client()
    first = version_of(client)
    (models_dir / registry.POINTER).write_text("{not json", encoding="utf-8")
    assert version_of(client) == first
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.json["error"]["code"] == "bad_artifact"


def test_reload_first_model_appears_after_start(tmp_path: Path, service_inputs: Inputs):
    models_dir = tmp_path / "models"
    client = make_app(models_dir).test_client()
    assert client.get("/readyz").status_code == 503
    version = train(service_inputs, models_dir).version
    assert client.get("/readyz").json["model_version"] == version


def test_reload_admin_without_any_model_is_503(tmp_path: Path):
    client = make_app(tmp_path / "models").test_client()
    response = client.post("/v1/admin/reload", headers=AUTH)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "no_model"


def test_model_holder_start_with_damaged_artifact_runs_without_model(models_dir: Path, caplog):
    damage(models_dir, registry.current_version(models_dir))
    holder = ModelHolder(models_dir, 0, logging.getLogger("test"))
    with caplog.at_level(logging.WARNING):
        holder.start()
    assert holder.loaded is None
    assert "the promoted model cannot be served" in caplog.text
    with pytest.raises(Exception, match=r"could not be loaded .*checksum.*roll back") as caught:
        holder.require()
    assert str(models_dir) not in str(caught.value)  # no server paths in what clients see


def test_model_holder_falls_back_to_the_last_good_version(
    models_dir: Path, second_version: str, caplog
):
    good = registry.current_version(models_dir)
    registry.promote(models_dir, second_version)
    damage(models_dir, second_version)
    holder = ModelHolder(models_dir, 0, logging.getLogger("test"))
    with caplog.at_level(logging.WARNING):
        holder.start()
    assert holder.version == good
    assert f"serving the last good version {good}" in caplog.text


def test_model_holder_retries_until_the_promoted_model_loads(models_dir: Path):
    version = registry.current_version(models_dir)
    artifact = models_dir / version / "artifact.joblib"
    intact = artifact.read_bytes()
    damage(models_dir, version)
    holder = ModelHolder(models_dir, 0, logging.getLogger("test"))
    holder.start()
    assert holder.loaded is None
    artifact.write_bytes(intact)  # repaired in place: promoted.json does not change
    holder.maybe_reload()
    assert holder.version == version


def test_reload_accepts_a_configured_token_with_surrounding_whitespace(trained_models: Path):
    client = make_app(trained_models, ADMIN_TOKEN=f"  {ADMIN_TOKEN}\n").test_client()
    response = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200


@pytest.mark.parametrize("pointer", ['{"current": 123}', "[1]", '{"current": "nope"}'])
def test_server_starts_and_serves_the_last_good_version_with_a_damaged_pointer(
    models_dir: Path, pointer: str
):
    version = registry.current_version(models_dir)
    (models_dir / "promoted.json").write_text(pointer, encoding="utf-8")
    client = make_app(models_dir).test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json["model_version"] == version


def test_model_holder_without_any_promoted_model_stays_quiet(tmp_path: Path, caplog):
    holder = ModelHolder(tmp_path / "models", 0, logging.getLogger("test"))
    holder.start()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        holder.maybe_reload()
    assert holder.loaded is None and caplog.records == []
