"""Real gunicorn (2 workers, loopback): hot swaps under load, kills, restarts, jobs in a worker."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from kakehashi import registry
from kakehashi.jobs import INTERRUPTED
from tests.service.admin_helpers import COMPANIES, PARTNERSHIPS
from tests.service.conftest import ADMIN_TOKEN
from tests.service.test_admin_jobs import training_children
from tests.service.test_gunicorn import get_json, running_server
from training.train import Inputs, train

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CLIENTS = 4
SERVER_ENV = {"KAKEHASHI_ADMIN_TOKEN": ADMIN_TOKEN, "KAKEHASHI_RELOAD_CHECK_SECONDS": "0.2"}


@pytest.fixture(scope="module")
def four_versions(tmp_path_factory, trained_models: Path, service_inputs: Inputs) -> Path:
    """The session's promoted version and three unpromoted ones, each without one Israeli firm."""
    folder = tmp_path_factory.mktemp("load") / "models"
    shutil.copytree(trained_models, folder)
    israeli = [c.id for c in service_inputs.companies if c.country == "IL"]
    for dropped in israeli[:3]:
        smaller = dataclasses.replace(
            service_inputs,
            companies=tuple(c for c in service_inputs.companies if c.id != dropped),
            partnerships=tuple(p for p in service_inputs.partnerships if p.israeli_id != dropped),
        )
        train(smaller, folder, promote=False)
    assert len(registry.versions(folder)) == 4
    return folder


@pytest.fixture
def models(tmp_path: Path, four_versions: Path) -> Path:
    copy = tmp_path / "models"
    shutil.copytree(four_versions, copy)
    return copy


def post_json(url: str, body: dict) -> tuple[int, dict]:
    data = json.dumps(body).encode("utf-8")
    headers = {**AUTH, "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    return _send(request)


def post_upload(url: str, companies: bytes, partnerships: bytes | None = None) -> tuple[int, dict]:
    boundary = uuid.uuid4().hex
    parts = [("companies", "companies.csv", companies)]
    if partnerships is not None:
        parts.append(("partnerships", "partnerships.csv", partnerships))
    body = b""
    for field, name, content in parts:
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '.encode()
        body += f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode() + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    headers = {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return _send(urllib.request.Request(url, data=body, headers=headers, method="POST"))


def _send(request: urllib.request.Request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def get_admin(url: str) -> dict:
    request = urllib.request.Request(url, headers=AUTH)
    return _send(request)[1]


def wait_job(base: str, job_id: str, states: tuple[str, ...], seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = get_admin(f"{base}/v1/admin/jobs/{job_id}")
        if job["state"] in states:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} never reached {states}: {job}")


class Clients:
    """Threads that ask for partners until stopped, recording every answer or failure."""

    def __init__(self, url: str):
        self.url, self.stop = url, threading.Event()
        self.seen: list[str] = []
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self.run) for _ in range(CLIENTS)]

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                status, body = get_json(self.url + "/v1/companies/jp-auto/partners?top_k=3")
            except OSError as exc:
                self.failures.append(repr(exc))
                continue
            if status != 200:
                self.failures.append(f"{status}: {body}")
            else:
                self.seen.append(body["model_version"])

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


@pytest.mark.slow
def test_load_promotions_through_the_api_under_load(models: Path, tmp_path: Path):
    first, *others = registry.versions(models)
    never = others.pop()  # saved, never promoted: must never be served
    order = [others[0], others[1], first, others[1], others[0]]
    env = {**SERVER_ENV, "KAKEHASHI_WORKERS": "2"}
    with running_server(models, tmp_path, **env) as server, Clients(server.url) as clients:
        for version in order:
            time.sleep(0.6)
            status, body = post_json(server.url + "/v1/admin/promote", {"version": version})
            assert (status, body["model_version"]) == (200, version)
        # one worker may answer 20 in a row while the other is still loading the last version:
        # wait until every answer has been the last version for 2 s on end
        deadline, settled_since = time.monotonic() + 30, None
        while time.monotonic() < deadline:
            if clients.seen[-20:] != [order[-1]] * 20:
                settled_since = None
            elif settled_since is None:
                settled_since = time.monotonic()
            elif time.monotonic() - settled_since > 2:
                break
            time.sleep(0.1)
    assert clients.failures == []
    assert len(clients.seen) > 50
    assert set(clients.seen) <= {first, *order}
    assert never not in clients.seen
    assert clients.seen[-20:] == [order[-1]] * 20  # both workers switched to the last one


@pytest.mark.slow
def test_load_killed_service_restarts_with_the_last_good_version(models: Path, tmp_path: Path):
    _, second, *_ = registry.versions(models)
    with running_server(models, tmp_path, **SERVER_ENV) as server:
        assert post_json(server.url + "/v1/admin/promote", {"version": second})[0] == 200
        status, job = post_upload(server.url + "/v1/admin/datasets", COMPANIES, PARTNERSHIPS)
        assert status == 202, job
        wait_job(server.url, job["id"], ("running",))
        os.killpg(server.process.pid, signal.SIGKILL)  # master, worker and training child
        server.process.wait(timeout=30)
    assert registry.current_version(models) == second
    with running_server(models, tmp_path, **SERVER_ENV) as server:
        assert get_json(server.url + "/readyz")[1]["model_version"] == second
        found = get_admin(f"{server.url}/v1/admin/jobs/{job['id']}")
        assert (found["state"], found["error"]) == ("failed", INTERRUPTED)
        status, retry = post_upload(server.url + "/v1/admin/datasets", COMPANIES, PARTNERSHIPS)
        assert status == 202, retry
        done = wait_job(server.url, retry["id"], ("succeeded", "rejected", "failed"))
        assert done["state"] == "succeeded", done
        assert get_json(server.url + "/readyz")[1]["model_version"] == done["version"]


@pytest.mark.slow
def test_load_stopped_service_takes_its_training_child_with_it(models: Path, tmp_path: Path):
    with running_server(models, tmp_path, **SERVER_ENV) as server:
        status, job = post_upload(server.url + "/v1/admin/datasets", COMPANIES, PARTNERSHIPS)
        assert status == 202, job
        wait_job(server.url, job["id"], ("running",))
        children = training_children(job["id"])
        assert children
        server.process.terminate()  # a graceful stop: the worker exits normally
        server.process.wait(timeout=60)
    assert [pid for pid in children if Path(f"/proc/{pid}").exists()] == []
    with running_server(models, tmp_path, **SERVER_ENV) as server:
        found = get_admin(f"{server.url}/v1/admin/jobs/{job['id']}")
        assert found["state"] == "failed"
