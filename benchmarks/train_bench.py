"""Training wall time and peak memory of `python -m training train`, run as a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import synthetic


@dataclass(frozen=True)
class TrainRun:
    """One training run on a synthetic list of n companies."""

    n: int
    companies: Path
    models_dir: Path
    csv_mb: float
    seconds: float
    peak_rss_gb: float


def train_child(
    companies: Path, models_dir: Path, precomputed: int | None = None
) -> tuple[float, float]:
    """Train in a child process; (wall seconds, the child's peak RSS in GB from getrusage)."""
    command = [sys.executable, "-m", "training", "train", "--companies", str(companies)]
    command += ["--models-dir", str(models_dir)]
    if precomputed is not None:
        command += ["--precomputed", str(precomputed)]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        # wait4 reports the rusage of this child alone (RUSAGE_CHILDREN would add up every child)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"training on {companies} failed:\n{log.read()[-2000:]}")
    return seconds, usage.ru_maxrss * 1024 / 1e9  # ru_maxrss is in KiB on Linux


def train_sizes(
    sizes: list[int], workdir: Path, seed: int, precomputed: int | None = None
) -> list[TrainRun]:
    """Generate and train one synthetic list per size (`precomputed`: train's --precomputed)."""
    runs = []
    for n in sizes:
        companies = synthetic.write_csv(workdir / f"companies-{n}.csv", n, seed)
        models_dir = workdir / f"models-{n}"
        seconds, peak = train_child(companies, models_dir, precomputed)
        size = companies.stat().st_size / 1e6
        runs.append(TrainRun(n, companies, models_dir, size, seconds, peak))
        print(f"  trained n={n}: {seconds:.1f} s, peak RSS {peak:.2f} GB", file=sys.stderr)
    return runs


def train_rows(runs: list[TrainRun]) -> list[list[object]]:
    """Rows of the training table, each with its ratio to the first (smallest) run."""
    base = runs[0]
    return [
        [
            f"{r.n:,}",
            f"{r.csv_mb:.1f}",
            f"{r.seconds:.1f}",
            f"{r.seconds / base.seconds:.1f}x",
            f"{r.peak_rss_gb:.2f}",
            f"{r.peak_rss_gb / base.peak_rss_gb:.1f}x",
            f"{r.seconds / r.n * 1e6:.0f}",
        ]
        for r in runs
    ]


TRAIN_HEADER = ["N", "CSV MB", "train s", "vs first", "peak RSS GB", "vs first", "us/company"]
