"""The real server: gunicorn with the repo's config, on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def wait_ready(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}")
        try:
            if get_json(url + "/readyz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not become ready")


@pytest.fixture
def server_url(trained_models: Path, tmp_path: Path):
    """gunicorn serving the trained model; yields its base URL and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "KAKEHASHI_MODEL_DIR": str(trained_models), "KAKEHASHI_WORKERS": "1"}
    log = (tmp_path / "access.log").open("w", encoding="utf-8")
    command = [str(GUNICORN), "--config", "service/gunicorn_conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "service:create_app()"]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.mark.slow
def test_gunicorn_serves_partners(server_url: str, tmp_path: Path):
    status, body = get_json(server_url + "/v1/companies/jp-auto/partners?top_k=3")
    assert status == 200
    assert body["query"]["id"] == "jp-auto"
    assert len(body["results"]) == 3
    assert {r["country"] for r in body["results"]} == {"IL"}
    status, body = get_json(server_url + "/no/such/path")
    assert (status, body["error"]["code"]) == (404, "not_found")


@pytest.mark.slow
def test_gunicorn_writes_json_access_log(server_url: str, tmp_path: Path):
    get_json(server_url + '/v1/companies?q=a"b')
    deadline = time.monotonic() + 5
    lines: list[str] = []
    while time.monotonic() < deadline and len(lines) < 2:
        lines = (tmp_path / "access.log").read_text(encoding="utf-8").splitlines()
        time.sleep(0.1)
    records = [json.loads(line) for line in lines]
    last = records[-1]
    assert last["path"] == "/v1/companies"
    assert last["status"] == 200
    assert last["method"] == "GET"


@pytest.mark.slow
def test_gunicorn_answers_while_clients_hang_mid_headers(server_url: str):
    """Two clients that never finish their headers must not stop the service (issue 11, item 1)."""
    host, port = server_url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(2)]
    try:
        for connection in idle:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # no blank line: unfinished
        time.sleep(0.5)
        status, body = get_json(server_url + "/healthz")  # raises when blocked past its timeout
        assert (status, body) == (200, {"status": "ok"})
    finally:
        for connection in idle:
            connection.close()
