"""A training killed with SIGKILL at any point never leaves a broken version promoted."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kakehashi import registry
from training.cli import EXIT_OK, main

KILLS = 6


def command(companies: Path, partnerships: Path, models: Path, gated: bool) -> list[str]:
    found = [sys.executable, "-m", "training", "train", "--companies", str(companies)]
    found += ["--partnerships", str(partnerships), "--models-dir", str(models)]
    return [*found, "--gate-floor", "0"] if gated else found


@pytest.mark.slow
def test_training_killed_at_random_points_never_promotes_a_broken_version(
    tmp_path, fixture_companies, fixture_partnerships
):
    models = tmp_path / "models"
    args = ["train", "--companies", str(fixture_companies), "--models-dir", str(models)]
    assert main(args) == EXIT_OK
    started = time.monotonic()
    full = subprocess.run(
        command(fixture_companies, fixture_partnerships, models, gated=False), capture_output=True
    )
    assert full.returncode == 0, full.stderr
    duration = time.monotonic() - started
    rng = random.Random(11)
    for n in range(KILLS):
        child = subprocess.Popen(
            command(fixture_companies, fixture_partnerships, models, gated=n % 2 == 1),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.0) * duration)
        child.kill()
        child.wait()
        current = registry.current_version(models)
        assert current is not None
        assert registry.load_version(models, current).version == current  # loads, sha matches
        for version in registry.versions(models):  # every listed version is complete
            registry.load_version(models, version)
