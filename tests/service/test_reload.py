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


# ----- background loading -----


def wait_for(condition, what: str, bound_s: float = 30.0) -> None:
    """Poll until condition() holds; the bound only stops a broken test from hanging."""
    import time

    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def background_app(models_dir: Path):
    """An app whose holder polls promoted.json in a background thread; stopped after the test."""
    app = make_app(models_dir, RELOAD_CHECK_SECONDS=0.02)
    yield app
    app.extensions["kakehashi"].stop()


def test_reload_in_background_serves_the_old_model_until_the_new_one_is_loaded(
    background_app, models_dir: Path, second_version: str, monkeypatch
):
    import threading

    import service.holder

    entered, release = threading.Event(), threading.Event()
    real_load = registry.load_version

    def slow_load(folder, version):
        if version == second_version:
            entered.set()
            release.wait()
        return real_load(folder, version)

    monkeypatch.setattr(service.holder.registry, "load_version", slow_load)
    client = background_app.test_client()
    first = version_of(client)  # the first request starts this process's loader
    registry.promote(models_dir, second_version)
    wait_for(entered.is_set, "the loader to start loading the new version")
    answers = []
    asker = threading.Thread(target=lambda: answers.append(version_of(client)))
    asker.start()
    asker.join(timeout=30)  # a request waiting for the load would still be running here
    loaded_meanwhile = background_app.extensions["kakehashi"].version
    release.set()
    assert answers == [first] and loaded_meanwhile == first
    wait_for(lambda: version_of(client) == second_version, "the new version to be served")


def test_reload_in_background_failure_keeps_the_old_model_and_readyz_says_why(
    background_app, models_dir: Path, second_version: str, caplog
):
    holder = background_app.extensions["kakehashi"]
    client = background_app.test_client()
    first = version_of(client)
    assert "problem" not in client.get("/readyz").json
    damage(models_dir, second_version)
    with caplog.at_level(logging.ERROR):
        registry.promote(models_dir, second_version)
        wait_for(lambda: holder.degraded is not None, "the failed load to be noted")
    assert "keeping model" in caplog.text
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["model_version"] == first
    assert (
        "could not be loaded" in ready.json["problem"]
        and f"serving {first}" in ready.json["problem"]
    )
    assert str(models_dir) not in ready.json["problem"]
    registry.promote(models_dir, first)  # repaired by promoting a good version
    wait_for(lambda: holder.degraded is None, "the problem to clear")
    assert "problem" not in client.get("/readyz").json


def test_reload_loader_starts_once_per_process(background_app):
    import threading

    client = background_app.test_client()
    for _ in range(3):
        client.get("/healthz")
    loaders = [t for t in threading.enumerate() if t.name == "kakehashi-model-loader"]
    holder = background_app.extensions["kakehashi"]
    assert holder._loader in loaders and holder._loader.is_alive()
    before = holder._loader
    holder._loader_pid = -1  # as in a worker forked from a process whose loader ran
    client.get("/healthz")
    assert holder._loader is not before and holder._loader.is_alive()


def test_readyz_reports_the_fallback_to_the_last_good_version(
    models_dir: Path, second_version: str
):
    good = registry.current_version(models_dir)
    registry.promote(models_dir, second_version)
    damage(models_dir, second_version)
    ready = make_app(models_dir).test_client().get("/readyz")
    assert ready.json["model_version"] == good
    assert f"serving the last good version {good}" in ready.json["problem"]


def test_reload_refuses_a_promoted_artifact_that_would_run_code(
    models_dir: Path, second_version: str
):
    """A pickle calling os.system, with matching manifest checksums: refused, the old model serves."""
    import joblib

    from kakehashi.artifact import ARTIFACT_FORMAT, file_blake3, file_sha256
    from tests.kakehashi.test_artifact import RunsCommand

    client = make_app(models_dir).test_client()
    first = version_of(client)
    marker = models_dir.parent / "pwned"
    artifact = models_dir / second_version / registry.ARTIFACT
    joblib.dump({"format": ARTIFACT_FORMAT, "model": RunsCommand(marker)}, artifact)
    manifest = registry.read_manifest(models_dir, second_version)
    manifest["artifact"]["sha256"] = file_sha256(artifact)
    manifest["artifact"]["blake3"] = file_blake3(artifact)
    registry.write_json_atomic(models_dir / second_version / registry.MANIFEST, manifest)
    registry.promote(models_dir, second_version)
    assert version_of(client) == first
    assert "refused global" in client.get("/readyz").json["problem"]
    assert not marker.exists()


GEVENT_LOAD = """
from gevent import monkey

monkey.patch_all()
import time

import gevent

from service.holder import off_the_event_loop

ticks = []


def busy_load():
    end = time.perf_counter() + 1.0  # CPU work that never yields, like unpickling a model
    while time.perf_counter() < end:
        pass
    return "loaded"


def ticker():
    while True:
        ticks.append(1)
        gevent.sleep(0.005)


gevent.spawn(ticker)
gevent.sleep(0.05)
before = len(ticks)
print(off_the_event_loop(busy_load), len(ticks) - before)
"""


GEVENT_FAILED_LOAD = """
from gevent import monkey

monkey.patch_all()
from kakehashi.errors import ArtifactError
from service.holder import off_the_event_loop


def damaged():
    raise ArtifactError("artifact format 12, this code reads format 13; retrain it")


try:
    off_the_event_loop(damaged)
except ArtifactError as exc:
    print("caught:", exc)
"""


def test_a_failed_load_off_the_event_loop_reaches_its_caller_without_a_printed_traceback():
    """The holder logs a refused artifact in one line; gevent's pool must not also print it."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", GEVENT_FAILED_LOAD], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip() == "caught: artifact format 12, this code reads format 13; retrain it"
    )
    assert "Traceback" not in done.stderr, done.stderr


def test_reload_under_gevent_loads_outside_the_event_loop():
    """Under gevent the loader is a greenlet: the load must not stop the other greenlets."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", GEVENT_LOAD], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result, ticks = done.stdout.split()
    assert result == "loaded" and int(ticks) >= 5  # 0 when the load blocks the event loop
