"""Training jobs of the service: a child process per job, watched by a thread of the worker.

The training runs as `python -m training train --no-promote --progress FILE` in its own process,
so a crash or an out-of-memory kill of the training cannot take a worker down, and it can be
killed at its timeout. The watching thread copies the child's progress into the job record (the
record's heartbeat), then applies the quality gate to the saved version and promotes it when it
passes; this worker reloads at once, the others at their next check of promoted.json.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from kakehashi import registry
from kakehashi.errors import KakehashiError
from kakehashi.gate import GateConfig, parse_metrics, promote_if_passed
from kakehashi.jobs import JobStore
from kakehashi.progress import read_progress
from kakehashi.sqlite import data_dir
from service.uploads import Upload

JOBS_DB = "jobs.sqlite3"
UPLOADS = "uploads"
POLL_SECONDS = 0.5
LOG_FILE = "train.log"
PROGRESS_FILE = "progress.json"
ERROR_LINES = 8  # the last lines of the child's log shown as a failed job's error


@dataclass(frozen=True)
class JobSettings:
    """What a job needs from the app's config, read once in the request that starts it."""

    models_dir: Path
    uploads_dir: Path
    gate: GateConfig
    timeout: float


def settings(app: Flask) -> JobSettings:
    """The job settings of an app (absolute paths: the child runs in the job's folder)."""
    config = app.config
    gate = GateConfig(
        _number(config, "GATE_FLOOR"),
        _number(config, "GATE_MARGIN"),
        parse_metrics(str(config.get("GATE_METRICS") or "mrr")),
    )
    return JobSettings(
        Path(str(config["MODEL_DIR"])).resolve(),
        (data_dir(config.get("DATA_DIR")) / UPLOADS).resolve(),
        gate,
        _number(config, "TRAINING_TIMEOUT_SECONDS") or 3600.0,
    )


def _number(config: Mapping[str, object], name: str) -> float | None:
    """A numeric setting, None when unset; a ValueError naming KAKEHASHI_<name> otherwise."""
    value = config.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"KAKEHASHI_{name} must be a number, not {value!r}") from None


def store(app: Flask | None = None) -> JobStore:
    """The job store of the app's data directory."""
    app = app or current_app
    return JobStore(data_dir(app.config.get("DATA_DIR")) / JOBS_DB)


def start(app: Flask, job_id: str, upload: Upload) -> Path:
    """Move the staged upload into the job's folder and start watching its training."""
    job_dir = place(app, job_id, upload)
    thread = threading.Thread(
        target=run, args=(app, job_id, job_dir, upload), name=f"job-{job_id}", daemon=True
    )
    thread.start()
    return job_dir


def place(app: Flask, job_id: str, upload: Upload) -> Path:
    """Move a staged upload to the job's own folder, `<data dir>/uploads/<job id>/`."""
    job_dir = settings(app).uploads_dir / job_id
    os.replace(upload.folder, job_dir)
    return job_dir


def command(job: JobSettings, upload: Upload, progress: Path) -> list[str]:
    """The training child's command line (paths of the inputs relative to the job's folder)."""
    found = [sys.executable, "-m", "training", "train", "--companies", upload.files["companies"]]
    if "partnerships" in upload.files:
        found += ["--partnerships", upload.files["partnerships"]]
    if upload.sheet:
        found += ["--sheet", upload.sheet]
    return [
        *found,
        "--models-dir",
        str(job.models_dir),
        "--no-promote",
        "--progress",
        str(progress),
    ]


def run(app: Flask, job_id: str, job_dir: Path, upload: Upload) -> None:
    """Run one job to its end; whatever happens, the record ends in a final state."""
    jobs, job = store(app), settings(app)
    try:
        code = _train(jobs, job, job_id, job_dir, upload)
        if code != 0:
            jobs.finish(job_id, "failed", error=_failure(job_dir, job, code))
            return
        _judge(app, jobs, job, job_id, job_dir)
    except Exception as exc:  # the record must never stay "running"
        app.logger.exception("training job %s failed in the runner", job_id)
        jobs.finish(job_id, "failed", error=f"the job runner failed: {type(exc).__name__}")


def _train(jobs: JobStore, job: JobSettings, job_id: str, job_dir: Path, upload: Upload) -> int:
    progress = job_dir / PROGRESS_FILE
    with open(job_dir / LOG_FILE, "wb") as log:
        child = subprocess.Popen(
            command(job, upload, progress),
            cwd=job_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stop = _stopper(child)
    atexit.register(stop)  # a worker that exits takes its training child with it
    try:
        jobs.mark_running(job_id)
        return _watch(jobs, job, job_id, child, progress)
    finally:
        atexit.unregister(stop)
        stop()


def _watch(
    jobs: JobStore, job: JobSettings, job_id: str, child: subprocess.Popen, progress: Path
) -> int:
    waited = 0.0
    while True:
        try:
            return child.wait(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            waited += POLL_SECONDS
        jobs.beat(job_id, _shown_progress(progress, job))
        if waited >= job.timeout:
            child.kill()
            child.wait()
            return -signal.SIGKILL


def _stopper(child: subprocess.Popen):
    def stop() -> None:
        if child.poll() is None:
            child.kill()
            child.wait()

    return stop


def _judge(app: Flask, jobs: JobStore, job: JobSettings, job_id: str, job_dir: Path) -> None:
    """Gate the saved version; promote it and reload this worker when it passes."""
    progress = read_progress(job_dir / PROGRESS_FILE) or {}
    version = progress.get("version")
    if not isinstance(version, str):
        jobs.finish(job_id, "failed", error="the training ended without saving a version")
        return
    manifest = registry.read_manifest(job.models_dir, version)
    verdict = promote_if_passed(job.gate, job.models_dir, version)
    fields = {"version": version, "metrics": manifest.get("metrics"), "gate": verdict.as_dict()}
    fields["progress"] = _shown_progress(job_dir / PROGRESS_FILE, job)
    if not verdict.passed:
        jobs.finish(job_id, "rejected", error=verdict.describe(), **fields)
        return
    try:
        app.extensions["kakehashi"].reload()
    except (KakehashiError, OSError) as exc:  # promoted; the holder keeps the old model
        app.logger.error(
            "job %s promoted %s, which this worker cannot load: %s", job_id, version, exc
        )
    jobs.finish(job_id, "succeeded", **fields)


def _shown_progress(path: Path, job: JobSettings) -> dict | None:
    progress = read_progress(path)
    if progress is None:
        return None
    progress.pop("promoted", None)  # the child never promotes: the gate, here, decides
    return {
        key: scrub(value, job) if isinstance(value, str) else value
        for key, value in progress.items()
    }


def _failure(job_dir: Path, job: JobSettings, code: int) -> str:
    """Why the child failed, from the end of its log, without server paths."""
    if code == -signal.SIGKILL:
        reason = "the training was killed (timeout, out of memory or by an operator)"
    else:
        reason = f"the training exited with code {code}"
    try:
        lines = (job_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    tail = [line for line in lines if line.strip()][-ERROR_LINES:]
    detail = "\n".join(scrub(line, job) for line in tail if "Traceback" not in line)
    return f"{reason}: {detail}" if detail else reason


def scrub(text: str, job: JobSettings) -> str:
    """Text without the server's folders (models, uploads) in it."""
    for folder, label in ((job.models_dir, "models"), (job.uploads_dir, "uploads")):
        text = text.replace(f"{folder}/", "").replace(str(folder), label)
    return text


def init_app(app: Flask) -> None:
    """Check the settings; at start, mark failed every job a previous run left queued or running."""
    for name in ("GATE_FLOOR", "GATE_MARGIN"):
        app.config.setdefault(name, None)
    app.config.setdefault("GATE_METRICS", "mrr")
    app.config.setdefault("TRAINING_TIMEOUT_SECONDS", 3600)
    settings(app)  # a malformed gate or timeout setting stops the start, not an upload
    try:
        failed = store(app).reap_at_start()
    except KakehashiError as exc:
        app.logger.error("cannot read the training jobs: %s", exc)
        return
    if failed:
        app.logger.warning("marked %d interrupted training job(s) failed: %s", len(failed), failed)
