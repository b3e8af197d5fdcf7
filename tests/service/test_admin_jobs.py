"""Training jobs end to end: a real training child per job, the gate, failures, restarts, kills."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from kakehashi import registry
from kakehashi.jobs import INTERRUPTED, JobStore
from service import jobs
from tests.service.admin_helpers import AUTH, PARTNERSHIPS, only_japanese, upload, wait_for_job
from tests.service.conftest import make_app


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def served(client) -> str:
    return client.get("/readyz").json["model_version"]


@pytest.mark.slow
def test_admin_job_trains_gates_and_promotes(models_dir, data_dir, tmp_path):
    client = make_app(models_dir, DATA_DIR=str(data_dir), GATE_FLOOR=0.1).test_client()
    before = served(client)
    response = upload(client, partnerships=PARTNERSHIPS)
    assert response.status_code == 202
    job_id = response.json["id"]
    second = upload(client)
    assert (second.status_code, second.json["error"]["job_id"]) == (409, job_id)
    job = wait_for_job(client, job_id)
    assert job["state"] == "succeeded", job
    assert job["version"] in registry.versions(models_dir) and job["version"] != before
    assert registry.current_version(models_dir) == job["version"]
    assert served(client) == job["version"]  # this worker reloaded at once
    assert job["metrics"]["JP -> IL"]["mrr"] > 0.1
    assert job["gate"]["passed"] is True and job["gate"]["compared_with"] == before
    assert job["progress"]["version"] == job["version"] and job["progress"]["step"] >= 4
    assert job["error"] is None and job["finished_at"]
    assert str(tmp_path) not in json.dumps(job)  # no server paths
    listed = client.get("/v1/admin/jobs", headers=AUTH).json["items"]
    assert [j["id"] for j in listed] == [job_id]


@pytest.mark.slow
def test_admin_job_below_the_gate_floor_is_rejected_and_kept(models_dir, data_dir):
    client = make_app(models_dir, DATA_DIR=str(data_dir), GATE_FLOOR=1.01).test_client()
    before = served(client)
    job = wait_for_job(client, upload(client, partnerships=PARTNERSHIPS).json["id"])
    assert job["state"] == "rejected", job
    assert registry.current_version(models_dir) == before and served(client) == before
    assert job["version"] in registry.versions(models_dir)
    failure = job["gate"]["failures"][0]
    assert (failure["check"], failure["metric"], failure["threshold"]) == ("floor", "mrr", 1.01)
    assert failure["direction"] in ("JP -> IL", "IL -> JP")
    assert "below the floor 1.01" in job["error"]
    promoted = client.post("/v1/admin/promote", headers=AUTH, json={"version": job["version"]})
    assert promoted.status_code == 200, promoted.json
    assert served(client) == job["version"]  # an admin may promote it anyway


@pytest.mark.slow
def test_admin_job_below_the_margin_is_rejected(models_dir, data_dir):
    client = make_app(models_dir, DATA_DIR=str(data_dir), GATE_MARGIN=0.0).test_client()
    job = wait_for_job(client, upload(client).json["id"])  # no partnerships: no metrics
    assert job["state"] == "rejected"
    assert job["gate"]["failures"][0]["check"] == "no_metrics"


@pytest.mark.slow
def test_admin_job_with_one_country_fails(models_dir, data_dir, tmp_path):
    client = make_app(models_dir, DATA_DIR=str(data_dir)).test_client()
    before = registry.versions(models_dir)
    response = upload(client, only_japanese(), "japan-only.csv")
    assert response.status_code == 202  # valid for validate (a warning), refused by train
    job = wait_for_job(client, response.json["id"])
    assert job["state"] == "failed"
    assert "no Israeli (IL) companies" in job["error"]
    assert "exited with code 2" in job["error"]
    assert str(tmp_path) not in job["error"]
    assert job["version"] is None and registry.versions(models_dir) == before
    assert upload(client).status_code == 202  # a failed job does not block the next


def training_children(job_id: str) -> list[int]:
    """Pids of processes whose command line names this job's progress file."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "training train" in line and f"{job_id}/progress.json" in line:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_admin_job_whose_child_is_killed_fails_and_promotes_nothing(models_dir, data_dir):
    client = make_app(models_dir, DATA_DIR=str(data_dir)).test_client()
    before = registry.current_version(models_dir)
    job_id = upload(client, partnerships=PARTNERSHIPS).json["id"]
    deadline = time.monotonic() + 60
    while not (children := training_children(job_id)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children, "the training child never started"
    os.kill(children[0], signal.SIGKILL)
    job = wait_for_job(client, job_id)
    assert job["state"] == "failed"
    assert "killed" in job["error"]
    assert registry.current_version(models_dir) == before


@pytest.mark.slow
def test_admin_job_over_its_timeout_is_killed(models_dir, data_dir):
    config = {"DATA_DIR": str(data_dir), "TRAINING_TIMEOUT_SECONDS": 0.01}
    client = make_app(models_dir, **config).test_client()
    job = wait_for_job(client, upload(client).json["id"])
    assert job["state"] == "failed" and "killed" in job["error"]


def test_admin_restart_marks_a_running_job_failed(models_dir, data_dir):
    store = JobStore(data_dir / jobs.JOBS_DB)
    job = store.create({"companies": {"filename": "x.csv"}})  # this process ran it, then "died"
    store.mark_running(job.id)
    client = make_app(models_dir, DATA_DIR=str(data_dir)).test_client()  # the restart
    found = client.get(f"/v1/admin/jobs/{job.id}", headers=AUTH).json
    assert (found["state"], found["error"]) == ("failed", INTERRUPTED)
    assert upload(client, b"name,country,sectors\nA,Mars,ai\n").status_code == 422


@pytest.mark.parametrize("job_id", ["0123456789abcdef", "nope", "..", "%2E%2E%2Fetc"])
def test_admin_unknown_job_is_404(client, job_id):
    response = client.get(f"/v1/admin/jobs/{job_id}", headers=AUTH)
    assert response.status_code == 404
    assert response.json["error"]["code"] in ("unknown_job", "not_found")


def test_admin_unknown_job_code(client):
    response = client.get("/v1/admin/jobs/0123456789abcdef", headers=AUTH)
    assert response.json["error"]["code"] == "unknown_job"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "limit=1&limit=2", "state=x"])
def test_admin_jobs_list_bad_query_is_422(client, query):
    response = client.get(f"/v1/admin/jobs?{query}", headers=AUTH)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_parameter"


def test_admin_jobs_list_needs_the_token(client):
    assert client.get("/v1/admin/jobs").status_code == 401
