"""Benchmark: how long ranking and explaining take on the promoted model. Prints a table.

usage: python benchmarks/bench_rank.py [--models-dir models] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from kakehashi.explain import explain
from kakehashi.queries import Filters
from kakehashi.registry import load_promoted


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    loaded = load_promoted(args.models_dir)
    load_ms = (time.perf_counter() - started) * 1000
    model = loaded.model
    ids = [company.id for company in model.companies()]

    timings: dict[str, list[float]] = {
        "rank top 10": [],
        "rank + explain top 10": [],
        "rank, sector filter": [],
    }
    for _ in range(args.repeat):
        for company_id in ids:
            query = model.query_for(company_id)
            t0 = time.perf_counter()
            candidates = model.rank(query, 10)
            t1 = time.perf_counter()
            for candidate in candidates:
                explain(model, query, candidate)
            t2 = time.perf_counter()
            model.rank(query, 10, Filters(sectors=("cyber", "ai")))
            t3 = time.perf_counter()
            timings["rank top 10"].append((t1 - t0) * 1000)
            timings["rank + explain top 10"].append((t2 - t0) * 1000)
            timings["rank, sector filter"].append((t3 - t2) * 1000)

    print(f"model {loaded.version}: {len(ids)} companies; load {load_ms:.0f} ms")
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores"
    )
    print(f"{'operation':<24}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, values in timings.items():
        print(
            f"{name:<24}{len(values):>9}{statistics.median(values):>9.2f}"
            f"{percentile(values, 0.95):>9.2f}{max(values):>9.2f}"
        )


if __name__ == "__main__":
    main()
