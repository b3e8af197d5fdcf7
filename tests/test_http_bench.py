"""The HTTP benchmark's load takes every path in turn (a rotating load); nothing here looks at times."""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import http_bench

PATHS = ["/v1/companies/a/partners", "/v1/companies/b/partners", "/v1/companies/c/partners"]
BODIES = [
    json.dumps({"profile": {"description": text}}, ensure_ascii=False).encode()
    for text in ("robotics", 'a "quoted" \\ path\nand a line', "映像解析と監視")
]


@pytest.fixture
def server() -> Iterator[tuple[int, Counter]]:
    """A server on 127.0.0.1 that answers 200 and counts the paths asked for."""
    seen: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen[self.path] += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def do_POST(self) -> None:
            seen[self.rfile.read(int(self.headers["Content-Length"]))] += 1
            self.do_GET()

        def log_message(self, *args) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_http_bench_python_client_takes_every_path_in_turn(server):
    port, seen = server
    load = http_bench._threads(port, "rotating", "GET", PATHS, [None], 0.5, 2)
    assert set(seen) == set(PATHS)
    assert load.errors == 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_http_bench_wrk_takes_every_path_in_turn(server):
    port, seen = server
    load = http_bench.hammer(port, "rotating", "GET", PATHS, None, 1, 2)  # wrk: whole seconds
    assert set(seen) == set(PATHS)
    assert load.errors == 0


def test_http_bench_python_client_sends_every_body_in_turn(server):
    port, seen = server
    load = http_bench._threads(port, "rotating", "POST", ["/v1/match"], BODIES, 0.5, 2)
    assert set(seen) == {"/v1/match", *BODIES}
    assert load.errors == 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_http_bench_wrk_sends_every_body_in_turn(server):
    port, seen = server
    load = http_bench.hammer(port, "rotating", "POST", "/v1/match", BODIES, 1, 2)
    received = sorted(json.dumps(json.loads(body)) for body in seen if isinstance(body, bytes))
    assert received == sorted(json.dumps(json.loads(body)) for body in BODIES)  # same JSON
    assert load.errors == 0


def test_http_bench_every_partners_path_names_each_firm_once(model):
    paths = http_bench.every_partners_path(model)
    assert paths == [f"/v1/companies/{c.id}/partners" for c in model.companies()]


def test_http_bench_a_longer_list_rotates_over_firms_spread_evenly(model, monkeypatch):
    monkeypatch.setattr(http_bench, "ROTATION", 7)
    firms = model.companies()
    paths = http_bench.every_partners_path(model)
    step = -(-len(firms) // 7)
    assert 1 < len(paths) <= 7
    assert paths == [f"/v1/companies/{c.id}/partners" for c in firms[::step]]
    assert paths[-1] != f"/v1/companies/{firms[0].id}/partners"
