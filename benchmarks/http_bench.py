"""HTTP throughput and latency of the served app, and gunicorn's memory, on loopback.

The server is the same command as `make run` (service/gunicorn_conf.py, access log on), bound to
a free port of 127.0.0.1. Load comes from wrk (Debian's `wrk`) when installed, otherwise from a
small threaded Python client (slower: it shares the 2 cores and the GIL with itself).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.tables import percentile

if TYPE_CHECKING:
    from kakehashi.model import PartnerModel

ROOT = Path(__file__).resolve().parent.parent
ROTATION = 100_000  # firms of a rotating load at most (every_partners_path, run.every_profile)
LOADED_LINE = "serving model"  # the holder logs this once per worker when its model is loaded


@dataclass(frozen=True)
class Server:
    """A running gunicorn: its master pid, port and the seconds until every worker had a model."""

    pid: int
    port: int
    ready_s: float


@dataclass(frozen=True)
class Load:
    """One endpoint under load."""

    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(models_dir: Path, workers: int, timeout_s: float = 900) -> Iterator[Server]:
    """Start gunicorn on the promoted model of models_dir; stop it (SIGTERM, then SIGKILL) after."""
    port = free_port()
    env = dict(os.environ, KAKEHASHI_MODEL_DIR=str(models_dir), KAKEHASHI_WORKERS=str(workers))
    env["KAKEHASHI_TIMEOUT"] = "600"  # a worker loading a 100k model must not be killed
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        "service/gunicorn_conf.py",
    ]
    command += ["--bind", f"127.0.0.1:{port}", "service:create_app()"]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while True:
                log.seek(0)
                if log.read().count(LOADED_LINE) >= workers:
                    break
                if process.poll() is not None or time.perf_counter() - started > timeout_s:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{log.read()[-2000:]}")
                time.sleep(0.1)
            yield Server(process.pid, port, time.perf_counter() - started)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def memory_gb(pid: int) -> tuple[float, float]:
    """RSS and PSS (GB) of a process and its children, from /proc/<pid>/smaps_rollup."""
    pids = [pid]
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
        pids += [int(child) for child in handle.read().split()]
    rss = pss = 0
    for each in pids:
        with open(f"/proc/{each}/smaps_rollup", encoding="ascii") as handle:
            fields = dict(re.findall(r"^(\w+):\s+(\d+) kB", handle.read(), re.MULTILINE))
        rss += int(fields["Rss"])
        pss += int(fields["Pss"])
    return rss * 1024 / 1e9, pss * 1024 / 1e9


def load_generator() -> str:
    """Which load generator runs: `wrk` or the Python fallback."""
    return "wrk" if shutil.which("wrk") else "python threads"


def hammer(
    port: int,
    name: str,
    method: str,
    path: str | Sequence[str],
    body: bytes | Sequence[bytes] | None,
    seconds: float,
    connections: int,
) -> Load:
    """Load one endpoint for `seconds` with `connections` concurrent keep-alive connections.

    `path` may be a sequence of paths, and `body` a sequence of bodies: each request then takes
    the next one, in turn (so that a cache on the server sees every one of them, not one URL or
    one body again and again).
    """
    paths = [path] if isinstance(path, str) else list(path)
    bodies = [body] if body is None or isinstance(body, bytes) else list(body)
    if shutil.which("wrk"):
        return _wrk(port, name, method, paths, bodies, seconds, connections)
    return _threads(port, name, method, paths, bodies, seconds, connections)


def every_partners_path(model: PartnerModel) -> list[str]:
    """The /partners path of every firm of the model, in id order (a rotating load)."""
    return [f"/v1/companies/{urllib.parse.quote(c.id)}/partners" for c in rotation(model)]


def rotation(model: PartnerModel) -> Sequence:
    """The firms of a rotating load: all of them, or ROTATION spread evenly over a longer list
    (wrk's Lua script holds them all; no cache of a ranking or an answer serves them either)."""
    firms = model.companies()
    return firms[:: -(-len(firms) // ROTATION)]


def _wrk(port, name, method, paths, bodies, seconds, connections) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f"wrk.method = {json.dumps(method)}\n")
        if bodies[0] is not None:
            script.write(f"wrk.body = {_lua(bodies[0])}\n")
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
        if len(paths) > 1 or len(bodies) > 1:  # each request takes the next path and body
            script.write(f"paths = {{{', '.join(json.dumps(p) for p in paths)}}}\n")
            script.write(f"bodies = {{{', '.join(_lua(b) for b in bodies if b is not None)}}}\n")
            script.write("turn = 0\nrequest = function()\n  turn = turn + 1\n")
            script.write("  local body = #bodies > 0 and bodies[(turn - 1) % #bodies + 1] or nil\n")
            script.write("  return wrk.format(nil, paths[(turn - 1) % #paths + 1], nil, body)\n")
            script.write("end\n")
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s"]
        command += [script.name, f"http://127.0.0.1:{port}{paths[0]}"]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Load(name, rps, _wrk_ms(out, "50%"), _wrk_ms(out, "99%"), errors)


def _lua(body: bytes) -> str:
    """A body as a Lua string literal (JSON's escapes of quotes and backslashes are Lua's too,
    and the JSON text itself is ASCII-escaped: the bytes Lua sends are the body's)."""
    return json.dumps(json.dumps(json.loads(body), ensure_ascii=True))


def _wrk_ms(out: str, label: str) -> float:
    value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def _threads(port, name, method, paths, bodies, seconds, connections) -> Load:
    latencies: list[float] = []
    errors = [0]
    turns = zip(itertools.cycle(paths), itertools.cycle(bodies))
    deadline = time.perf_counter() + seconds
    headers = {"Content-Type": "application/json"} if bodies[0] else {}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            path, body = next(turns)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            errors[0] += response.status >= 400
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    return Load(name, len(latencies) / elapsed, p50, p99, errors[0])
