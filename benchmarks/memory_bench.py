"""Do gunicorn workers share the model? Memory with 1 and 4 workers after real requests.

`python -m benchmarks.memory_bench MODELS_DIR [MODELS_DIR ...] [--workers 1,4] [--requests 200]`

For each promoted model: its load time in this process (memory-mapped, as the service loads it,
and read into memory), then gunicorn (the `make run` configuration) with each worker count.
Memory is read twice from /proc/<pid>/smaps_rollup of the master and its workers: once every
worker has logged `serving model`, and again after `--requests` requests (partners of distinct
Japanese firms, ad-hoc matches and name searches, 4 at a time) so the mapped arrays a ranking
reads are resident. "private per worker" is a worker's Private_Clean + Private_Dirty: what it does
not share (Python objects such as the vocabulary dicts and the company records).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks import http_bench
from benchmarks.tables import machine, table
from kakehashi import registry


def smaps(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/smaps_rollup."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
        return {k: int(v) for k, v in re.findall(r"^(\w+):\s+(\d+) kB", handle.read(), re.M)}


def workers_of(pid: int) -> list[int]:
    """The child processes (gunicorn workers) of a master."""
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
        return [int(child) for child in handle.read().split()]


def totals(pid: int) -> tuple[float, float, float]:
    """RSS and PSS (GB) of master + workers, and the mean private GB of a worker."""
    workers = workers_of(pid)
    fields = [smaps(p) for p in (pid, *workers)]
    rss = sum(f["Rss"] for f in fields) * 1024 / 1e9
    pss = sum(f["Pss"] for f in fields) * 1024 / 1e9
    private = [f["Private_Clean"] + f["Private_Dirty"] for f in fields[1:]]
    return rss, pss, sum(private) * 1024 / 1e9 / max(len(private), 1)


def requests_for(models_dir: Path, count: int) -> list[tuple[str, str, bytes | None]]:
    """(method, path, body): partners of distinct JP firms, ad-hoc matches and name searches."""
    model = registry.load_promoted(models_dir).model
    firms = [c for c in model.companies() if c.country == "JP"]
    found: list[tuple[str, str, bytes | None]] = []
    for n in range(count):
        firm = firms[n % len(firms)]
        if n % 10 == 9:
            profile = {"name": "Ad hoc", "country": "JP", "sectors": list(firm.sectors)}
            profile["description"] = firm.description
            found.append(("POST", "/v1/match", json.dumps({"profile": profile}).encode()))
        elif n % 10 == 8:
            found.append(("GET", f"/v1/companies?q={firm.name[:3].replace(' ', '%20')}", None))
        else:
            found.append(("GET", f"/v1/companies/{firm.id}/partners", None))
    return found


def send(port: int, request: tuple[str, str, bytes | None]) -> int:
    """One request on its own connection; its status."""
    method, path, body = request
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Content-Type": "application/json"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def load_seconds(models_dir: Path, mmap: bool) -> float:
    """Seconds to load the promoted artifact in this process."""
    from kakehashi.artifact import load_model

    version = registry.current_version(models_dir)
    manifest = registry.read_manifest(models_dir, version)
    record = manifest["artifact"]
    path = models_dir / version / registry.ARTIFACT
    started = time.perf_counter()
    load_model(path, record["sha256"], mmap, expected_blake3=record.get("blake3"))
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    """Print the load-time and memory tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path, help="models folders with a promoted model")
    parser.add_argument("--workers", default="1,4", help="worker counts (default 1,4)")
    parser.add_argument("--requests", type=int, default=200, help="requests before the 2nd reading")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    loads, rows = [], []
    for models_dir in args.models:
        size = (
            (models_dir / registry.current_version(models_dir) / registry.ARTIFACT).stat().st_size
        )
        mapped, copied = load_seconds(models_dir, True), load_seconds(models_dir, False)
        loads.append([models_dir.name, f"{size / 1e6:,.0f}", f"{mapped:.2f}", f"{copied:.2f}"])
        requests, base = requests_for(models_dir, args.requests), {}
        for workers in [int(n) for n in args.workers.split(",")]:
            for when, rss, pss, private, failed in _readings(models_dir, workers, requests):
                base.setdefault(when, pss)
                ratio = f"{pss / base[when]:.2f}x"
                row = [models_dir.name, workers, when, f"{rss:.2f}", f"{pss:.3f}", ratio]
                rows.append([*row, f"{private:.3f}", failed])
    print(
        table("Model load (in process)", ["models", "artifact MB", "mmap s", "in memory s"], loads)
    )
    header = ["models", "workers", "when", "RSS GB", "PSS GB", "PSS vs 1", "private/worker GB"]
    header.append("failed requests")
    print(table("gunicorn memory: do workers share the model?", header, rows))


def _readings(models_dir: Path, workers: int, requests: list) -> list[tuple]:
    """(when, RSS, PSS, private per worker, failed requests) once loaded and after the requests."""
    with http_bench.gunicorn(models_dir, workers) as server:
        idle = totals(server.pid)
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda r: send(server.port, r), requests))
        busy = totals(server.pid)
    failed = sum(s >= 500 for s in statuses)
    return [("loaded", *idle, 0), (f"after {len(requests)} requests", *busy, failed)]


if __name__ == "__main__":
    main()
