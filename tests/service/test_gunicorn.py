"""The real server: gunicorn with the repo's config, on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kakehashi import registry

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


@dataclass(frozen=True)
class Server:
    """A running gunicorn: its base URL and its master process (leader of its own group)."""

    url: str
    process: subprocess.Popen

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to open raw sockets to."""
        host, port = self.url.removeprefix("http://").split(":")
        return host, int(port)


@contextlib.contextmanager
def running_server(models_dir: Path, log_dir: Path, **env: str) -> Iterator[Server]:
    """gunicorn with the repo's config on a free loopback port; yields it, then stops it."""
    port = free_port()
    environment = {
        **os.environ,
        "KAKEHASHI_MODEL_DIR": str(models_dir),
        "KAKEHASHI_WORKERS": "1",
        "KAKEHASHI_DATA_DIR": str(log_dir / "data"),
        **env,
    }
    log = (log_dir / "access.log").open("a", encoding="utf-8")
    errors = (log_dir / "error.log").open("a", encoding="utf-8")  # gunicorn's and the app's
    command = [str(GUNICORN), "--config", "service/gunicorn_conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "service:create_app()"]
    server = subprocess.Popen(
        command,
        cwd=REPO,
        env=environment,
        stdout=log,
        stderr=errors,
        start_new_session=True,  # its workers share its process group: one kill stops all
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)
        yield Server(url, server)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # a worker left behind by a killed master
        log.close()
        errors.close()


@pytest.fixture
def server_url(trained_models: Path, tmp_path: Path) -> Iterator[str]:
    """gunicorn serving the trained model; yields its base URL and stops it afterwards."""
    with running_server(trained_models, tmp_path) as server:
        yield server.url


@pytest.mark.slow
def test_workers_serve_the_model_the_master_loaded_before_forking(
    trained_models: Path, tmp_path: Path
):
    version = registry.current_version(trained_models)
    with running_server(trained_models, tmp_path, KAKEHASHI_WORKERS="2") as server:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # /readyz answered: one worker is up, maybe not both
            log = (tmp_path / "error.log").read_text(encoding="utf-8")
            if log.count("preloaded before the fork") == 2:
                break
            time.sleep(0.2)
        assert get_json(server.url + "/readyz")[1]["model_version"] == version
    assert log.count(f"preloaded model {version} for the workers") == 1  # in the master
    assert log.count(f"serving model {version} (was None; preloaded before the fork") == 2


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
    records: list[dict] = []
    while time.monotonic() < deadline and not any(r["path"] == "/v1/companies" for r in records):
        lines = (tmp_path / "access.log").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]  # every line is JSON
        time.sleep(0.1)
    last = next(r for r in records if r["path"] == "/v1/companies")
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


def raw_exchange(address: tuple[str, int], request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer; return its status, headers and body."""
    with socket.create_connection(address, timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if length and len(body) >= int(length.group(1)):
                break
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


# Requests gunicorn itself refuses before the app sees them, or the app refuses at the edge.
RAW_CASES = [
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    (b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(60)) + b"\r\n", 431,
     "headers_too_large"),
    (b"GET / HTTP/1.1\r\nX-Big: " + b"v" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
    (b"GARBAGE\r\n\r\n", 400, "bad_request"),
    (b"GET / HTTP/1.1\r\nBad Header Name: v\r\n\r\n", 400, "bad_request"),
    (b"GET //v1//model HTTP/1.1\r\nHost: evil.example\r\n\r\n", 404, "not_found"),
    (b"GET /v1/model/ HTTP/1.1\r\nHost: evil.example\r\n\r\n", 200, None),  # served, no 308
    (b"POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % 70000 + b"{" + b" " * 69999 + b"\r\n0\r\n\r\n",
     413, "payload_too_large"),
]  # fmt: skip


@pytest.mark.slow
def test_gunicorn_edge_errors_are_json_with_security_headers(trained_models: Path, tmp_path: Path):
    from service.errors import ERROR_CODES
    from service.gunicorn_conf import GUNICORN_ERROR_CODES

    assert set(GUNICORN_ERROR_CODES.values()) <= set(ERROR_CODES)
    with running_server(trained_models, tmp_path) as server:
        for request, status, code in RAW_CASES:
            found, headers, body = raw_exchange(server.address, request)
            assert found == status, request[:60]
            assert json.loads(body).get("error", {}).get("code") == code, request[:60]
            assert headers["content-type"].startswith("application/json")
            assert headers["x-content-type-options"] == "nosniff"
            assert "location" not in headers
            assert b"<html" not in body.lower()


@pytest.mark.slow
def test_gunicorn_feedback_survives_sigkill(trained_models: Path, tmp_path: Path):
    """Every verdict answered 201 is there after the whole server is killed with SIGKILL."""
    verdicts = [
        {
            "japanese_id": "jp-auto",
            "israeli_id": f"il-{name}",
            "label": "not_relevant",
            "note": f"n{i}",
        }
        for i, name in enumerate(["lidar", "fleet", "endpoint", "fraud", "payments"] * 4)
    ]
    with running_server(trained_models, tmp_path) as server:
        for verdict in verdicts:
            request = urllib.request.Request(
                server.url + "/v1/feedback",
                data=json.dumps(verdict).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 201
        os.killpg(server.process.pid, signal.SIGKILL)  # master and worker, no clean shutdown
        server.process.wait(timeout=10)
    with running_server(trained_models, tmp_path) as server:
        status, body = get_json(server.url + "/v1/feedback?limit=1000")
        assert status == 200
        assert [item["note"] for item in body["items"]] == [v["note"] for v in verdicts]
        status, body = get_json(server.url + "/v1/companies/jp-auto/partners?top_k=100")
        assert not {r["id"] for r in body["results"]} & {v["israeli_id"] for v in verdicts}
