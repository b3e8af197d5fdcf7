"""The stage benchmark runs (nothing here looks at the times): a row per stage of a training, and
a run over its memory limit stopped and reported with the stage it was in."""

from __future__ import annotations

import contextlib
import io
import time

import pytest

from benchmarks import stage_bench


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = stage_bench.main(argv)
    return status, out.getvalue()


@pytest.mark.slow
def test_stage_bench_prints_a_row_per_stage_of_a_training(fixture_companies, tmp_path):
    status, printed = run(
        [str(fixture_companies), "--precomputed", "2", "--models-dir", str(tmp_path)]
    )
    assert status == 0
    stages = [line.split("|")[1].strip() for line in printed.splitlines() if line.startswith("| ")]
    expected = ["read and validate", *(name for _, _, name in stage_bench.STAGES)]
    assert [s for s in stages if s in expected] == expected
    assert any(tmp_path.iterdir())  # the version was saved


def test_a_run_over_its_memory_limit_stops_and_names_the_stage(
    fixture_companies, tmp_path, monkeypatch
):
    """Even when the sampler thread never gets to run (a short training on a busy machine):
    every stage checks the limit as it starts."""
    monkeypatch.setattr(stage_bench.StageClock, "_sample", lambda clock: None)
    status, printed = run(
        [str(fixture_companies), "--rss-limit", "0.001", "--models-dir", str(tmp_path)]
    )
    assert status == stage_bench.EXIT_OVER_LIMIT
    assert "stopped over 0.001 GB during:" in printed
    assert not any(tmp_path.iterdir())  # stopped before it saved


def test_the_sampler_interrupts_a_stage_running_over_the_limit():
    clock = stage_bench.StageClock(limit_bytes=1e6)
    with pytest.raises(KeyboardInterrupt), clock.sampling():
        while True:  # a long stage: only the sampler's interrupt ends it
            time.sleep(0.001)
    assert clock.over
