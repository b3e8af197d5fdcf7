"""Where a training's time and memory go: each stage timed, with the RSS after it and the highest
RSS sampled during it.

usage: python -m benchmarks.stage_bench COMPANIES [--precomputed K] [--rss-limit GB]
                                                  [--models-dir DIR]

Trains in this process (`training.train.train`, the version saved, not promoted) with its stages
wrapped: reading and validating the list, the vectorizer's fit, the transforms of the profiles
and the interests, the candidate index, the calibration, the precomputed partners and their
stored explanations (with `--precomputed`), and saving the version. A thread reads the RSS
(/proc/self/statm) every 10 ms. Above `--rss-limit` GB it interrupts the training at its next
Python step (and every stage checks it as it starts), and the table ends with the stage it was
in (exit status 3): a list too large for the machine is measured up to where it stops instead of
taking the machine down.
"""

from __future__ import annotations

import _thread
import argparse
import contextlib
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from unittest import mock

from benchmarks.tables import machine, table
from kakehashi import precompute, registry, stored_reasons
from kakehashi.features import ProfileVectorizer
from kakehashi.model import PartnerModel
from training.train import load_inputs, train

STAGES = (
    (ProfileVectorizer, "fit", "vectorizer fit"),
    (ProfileVectorizer, "transform", "transform (profiles)"),
    (ProfileVectorizer, "transform_interests", "transform_interests"),
    (PartnerModel, "_index", "index"),
    (PartnerModel, "_calibrate", "calibration"),
    (precompute, "top_partners", "precomputed partners"),
    (stored_reasons, "store", "stored explanations"),
    (registry, "save_version", "save the version"),
)
EXIT_OVER_LIMIT = 3


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class StageClock:
    """The stages' rows (name, seconds, RSS after, peak during), and the RSS sampler."""

    def __init__(self, limit_bytes: float):
        self.rows: list[tuple[str, float, float, float]] = []
        self.limit, self.peak, self.current, self.over = limit_bytes, rss_bytes(), "start", False
        self.started, self.done = time.perf_counter(), threading.Event()

    @contextlib.contextmanager
    def sampling(self) -> Iterator[None]:
        """The sampler runs inside this block only (so its interrupt lands inside it)."""
        sampler = threading.Thread(target=self._sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            self.done.set()
            sampler.join()

    def _sample(self) -> None:
        while not (self.over or self.done.is_set()):
            now = rss_bytes()
            self.peak = max(self.peak, now)
            if self._newly_over(now):
                _thread.interrupt_main()
            time.sleep(0.01)

    def _newly_over(self, rss: int) -> bool:
        """Whether `rss` is the first reading over the limit (marking the run as over)."""
        if rss <= self.limit or self.over:
            return False
        self.over = True
        return True

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.current, self.peak, started = name, rss_bytes(), time.perf_counter()
        if self._newly_over(self.peak):  # also at every stage, should the sampler thread not
            raise KeyboardInterrupt  # have run yet (a short training on a busy machine)
        yield
        self.rows.append((name, time.perf_counter() - started, rss_bytes() / 1e9, self.peak / 1e9))

    def wrapped(self, function, name: str):
        def timed(*args, **kwargs):
            with self.stage(name):
                return function(*args, **kwargs)

        return timed


def run(companies: Path, models_dir: Path, precomputed: int, clock: StageClock) -> None:
    with contextlib.ExitStack() as patches:
        for owner, attribute, name in STAGES:
            timed = clock.wrapped(getattr(owner, attribute), name)
            patches.enter_context(mock.patch.object(owner, attribute, timed))
        with clock.stage("read and validate"):
            inputs = load_inputs(companies)
        train(inputs, models_dir, promote=False, precomputed=precomputed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("companies", type=Path)
    parser.add_argument("--precomputed", type=int, default=0, help="partners per firm (0: none)")
    parser.add_argument("--rss-limit", type=float, default=1e6, metavar="GB")
    parser.add_argument("--models-dir", type=Path, help="default: a temporary folder")
    args = parser.parse_args(argv)
    clock = StageClock(args.rss_limit * 1e9)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            with clock.sampling():
                run(args.companies, args.models_dir or Path(scratch), args.precomputed, clock)
        except KeyboardInterrupt:
            if not clock.over:
                raise
    rows = list(clock.rows)
    if clock.over:
        rows.append((f"stopped over {args.rss_limit} GB during: {clock.current}", "", "", ""))
    total = time.perf_counter() - clock.started
    rows.append(("whole run (peak: ru_maxrss)", total, "", _max_rss_gb()))
    header = ("stage", "s", "RSS after GB", "peak during GB")
    print(table(f"Training {args.companies.name} by stage", header, rows))
    print(f"\n{machine()}")
    return EXIT_OVER_LIMIT if clock.over else 0


def _max_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


if __name__ == "__main__":
    sys.exit(main())
