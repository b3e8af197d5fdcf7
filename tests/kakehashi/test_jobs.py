"""Training job records: one active job across processes, restarts mark running jobs failed."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kakehashi.jobs import INTERRUPTED, JobRunningError, JobStore, UnknownJobError

INPUTS = {"companies": {"name": "list.csv", "format": ".csv", "bytes": 10}}


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    return JobStore(tmp_path / "data" / "jobs.sqlite3")


def test_jobs_create_get_and_finish(store: JobStore):
    job = store.create(INPUTS)
    assert (job.state, job.inputs, job.active) == ("queued", INPUTS, True)
    store.mark_running(job.id)
    store.beat(job.id, {"message": "fitting"})
    running = store.get(job.id)
    assert (running.state, running.progress) == ("running", {"message": "fitting"})
    assert running.started_at is not None
    store.finish(job.id, "succeeded", version="v1", metrics={"JP -> IL": {"mrr": 0.5}})
    done = store.get(job.id)
    assert (done.state, done.version, done.metrics["JP -> IL"]["mrr"]) == ("succeeded", "v1", 0.5)
    assert done.finished_at is not None
    assert "runner_pid" not in done.public()


def test_jobs_second_active_job_is_refused_with_the_running_id(store: JobStore):
    first = store.create(INPUTS)
    with pytest.raises(JobRunningError) as raised:
        store.create(INPUTS)
    assert raised.value.job_id == first.id
    store.finish(first.id, "failed", error="boom")
    assert store.create(INPUTS).state == "queued"


def test_jobs_index_allows_one_active_job_even_without_the_check(store: JobStore):
    store.create(INPUTS)
    db = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO jobs (id, state, created_at, heartbeat, runner_pid, inputs) "
            "VALUES ('0123456789abcdef', 'running', 'now', 0, 1, '{}')"
        )
    db.close()


def _create(path: str, results) -> None:
    try:
        results.put(JobStore(Path(path)).create(INPUTS).id)
    except JobRunningError as exc:
        results.put(f"running:{exc.job_id}")


def test_jobs_one_active_job_across_processes(store: JobStore):
    store.recent()  # create the file first so the processes only race on the insert
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_create, args=(str(store.path), results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    created = [r for r in found if not r.startswith("running:")]
    assert len(created) == 1
    assert all(r == f"running:{created[0]}" for r in found if r.startswith("running:"))


def test_jobs_restart_marks_this_process_jobs_failed(store: JobStore):
    job = store.create(INPUTS)
    store.mark_running(job.id)
    assert store.reap_at_start() == [job.id]
    failed = store.get(job.id)
    assert (failed.state, failed.error) == ("failed", INTERRUPTED)
    assert failed.finished_at is not None


def test_jobs_job_of_a_dead_runner_is_failed_when_read(store: JobStore):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    job = store.create(INPUTS, runner_pid=int(dead.stdout))
    assert store.get(job.id).state == "failed"
    assert store.create(INPUTS).state == "queued"  # no longer blocks a new job


def test_jobs_job_with_a_stale_heartbeat_is_failed(tmp_path: Path):
    store = JobStore(tmp_path / "jobs.sqlite3", stale_seconds=0.05)
    job = store.create(INPUTS)
    time.sleep(0.1)
    assert store.recent()[0].state == "failed"
    assert store.get(job.id).error == INTERRUPTED


def test_jobs_live_job_of_another_process_survives_a_start(store: JobStore):
    job = store.create(INPUTS, runner_pid=1)  # pid 1 is always alive
    assert store.reap_at_start() == []
    assert store.get(job.id).state == "queued"


def test_jobs_reap_at_start_creates_no_database(tmp_path: Path):
    store = JobStore(tmp_path / "none" / "jobs.sqlite3")
    assert store.reap_at_start() == []
    assert not store.path.exists()


@pytest.mark.parametrize("job_id", ["", "nope", "../../etc", "0123456789ABCDEF", "0" * 17, 12])
def test_jobs_unknown_or_malformed_id_is_unknown(store: JobStore, job_id):
    with pytest.raises(UnknownJobError):
        store.get(job_id)


def test_jobs_recent_lists_newest_first(store: JobStore):
    ids = []
    for _ in range(3):
        job = store.create(INPUTS)
        store.finish(job.id, "failed", error="x")
        ids.append(job.id)
    assert [job.id for job in store.recent(limit=2)] == ids[::-1][:2]


@pytest.mark.parametrize("state", ["queued", "running", "done"])
def test_jobs_finish_needs_a_final_state(store: JobStore, state):
    job = store.create(INPUTS)
    with pytest.raises(ValueError, match="final state"):
        store.finish(job.id, state)
