"""Training job records in SQLite: one job at a time across processes, none left "running".

A job is created `queued` by the process that will run it (its pid and a heartbeat are stored),
becomes `running` when its training child starts, and ends `succeeded`, `rejected` (the quality
gate kept it from being promoted) or `failed`. At most one job is queued or running: a partial
unique index enforces it inside the creating transaction, so it holds across gunicorn workers.
A job whose runner process is gone, or whose heartbeat is older than `stale_seconds`, is marked
failed the next time the store is read (and at every service start).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kakehashi.errors import KakehashiError
from kakehashi.sqlite import connect

STATES = ("queued", "running", "succeeded", "rejected", "failed")
ACTIVE = ("queued", "running")
JOB_ID = re.compile(r"^[0-9a-f]{16}$")
STALE_SECONDS = 60.0
INTERRUPTED = (
    "the service stopped while this job ran (restart, crash or kill); nothing was promoted"
)

MIGRATIONS = (
    """
    CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL
            CHECK (state IN ('queued', 'running', 'succeeded', 'rejected', 'failed')),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        heartbeat REAL NOT NULL,
        runner_pid INTEGER NOT NULL,
        inputs TEXT NOT NULL,
        progress TEXT,
        version TEXT,
        metrics TEXT,
        gate TEXT,
        error TEXT
    );
    CREATE UNIQUE INDEX jobs_one_active ON jobs ((1)) WHERE state IN ('queued', 'running');
    """,
)
JSON_FIELDS = ("inputs", "progress", "metrics", "gate")
COLUMNS = (
    "id, state, created_at, started_at, finished_at, heartbeat, runner_pid, inputs, progress, "
    "version, metrics, gate, error"
)


class JobRunningError(KakehashiError):
    """A training job is already queued or running."""

    code = "job_running"

    def __init__(self, job_id: str):
        self.job_id = job_id
        super().__init__(f"training job {job_id} is still running; wait for it to finish")


class UnknownJobError(KakehashiError):
    """No training job has this id."""

    code = "unknown_job"

    def __init__(self, job_id: str):
        self.job_id = job_id
        super().__init__(f"no training job with id {job_id!r}")


@dataclass(frozen=True)
class Job:
    """One training job as stored."""

    id: str
    state: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    heartbeat: float
    runner_pid: int
    inputs: dict
    progress: dict | None = None
    version: str | None = None
    metrics: dict | None = None
    gate: dict | None = None
    error: str | None = None

    @property
    def active(self) -> bool:
        """True while queued or running."""
        return self.state in ACTIVE

    def public(self) -> dict:
        """The job for people and the API (no process ids)."""
        fields = ("id", "state", "created_at", "started_at", "finished_at", "inputs", "progress")
        found = {name: getattr(self, name) for name in fields}
        return found | {
            "version": self.version,
            "metrics": self.metrics,
            "gate": self.gate,
            "error": self.error,
        }


def now_iso() -> str:
    """The current UTC time, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class JobStore:
    """The job table of one SQLite file; every call opens its own connection (thread-safe)."""

    def __init__(self, path: Path, stale_seconds: float = STALE_SECONDS):
        self.path = Path(path)
        self.stale_seconds = stale_seconds

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, MIGRATIONS)

    def create(self, inputs: Mapping[str, object], runner_pid: int | None = None) -> Job:
        """A new queued job (JobRunningError naming the active one if there is one)."""
        job_id = secrets.token_hex(8)
        pid = os.getpid() if runner_pid is None else runner_pid
        with _transaction(self._connect()) as db:
            self._reap(db, at_start=False)
            active = db.execute("SELECT id FROM jobs WHERE state IN ('queued', 'running')")
            row = active.fetchone()
            if row is not None:
                raise JobRunningError(row[0])
            db.execute(
                "INSERT INTO jobs (id, state, created_at, heartbeat, runner_pid, inputs) "
                "VALUES (?, 'queued', ?, ?, ?, ?)",
                (job_id, now_iso(), time.time(), pid, json.dumps(dict(inputs))),
            )
        return self.get(job_id)

    def mark_running(self, job_id: str) -> None:
        """The training child has started."""
        self._update(job_id, state="running", started_at=now_iso(), heartbeat=time.time())

    def beat(self, job_id: str, progress: Mapping[str, object] | None = None) -> None:
        """Record that the runner is alive, with the child's latest progress."""
        fields: dict[str, object] = {"heartbeat": time.time()}
        if progress is not None:
            fields["progress"] = dict(progress)
        self._update(job_id, **fields)

    def finish(self, job_id: str, state: str, **fields: object) -> None:
        """End a job: succeeded, rejected or failed, with its version, metrics, gate or error."""
        if state in ACTIVE or state not in STATES:
            raise ValueError(f"not a final state: {state!r}")
        self._update(job_id, state=state, finished_at=now_iso(), **fields)

    def _update(self, job_id: str, **fields: object) -> None:
        names = ", ".join(f"{name} = ?" for name in fields)
        values = [
            json.dumps(v) if k in JSON_FIELDS and v is not None else v for k, v in fields.items()
        ]
        with _transaction(self._connect()) as db:
            db.execute(f"UPDATE jobs SET {names} WHERE id = ?", (*values, job_id))

    def get(self, job_id: str) -> Job:
        """One job (UnknownJobError when there is none with this id)."""
        if not isinstance(job_id, str) or not JOB_ID.match(job_id) or not self.path.exists():
            raise UnknownJobError(str(job_id))
        with _transaction(self._connect()) as db:
            self._reap(db, at_start=False)
            row = db.execute(f"SELECT {COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise UnknownJobError(job_id)
        return _job(row)

    def recent(self, limit: int = 20) -> list[Job]:
        """The latest jobs, newest first (reading never creates the database)."""
        if not self.path.exists():
            return []
        with _transaction(self._connect()) as db:
            self._reap(db, at_start=False)
            rows = db.execute(f"SELECT {COLUMNS} FROM jobs ORDER BY seq DESC LIMIT ?", (limit,))
            return [_job(row) for row in rows.fetchall()]

    def reap_at_start(self) -> list[str]:
        """Mark failed every active job of a dead runner or of this (just started) process."""
        if not self.path.exists():
            return []
        with _transaction(self._connect()) as db:
            return self._reap(db, at_start=True)

    def _reap(self, db: sqlite3.Connection, at_start: bool) -> list[str]:
        rows = db.execute(
            "SELECT id, runner_pid, heartbeat FROM jobs WHERE state IN ('queued', 'running')"
        ).fetchall()
        cutoff = time.time() - self.stale_seconds
        gone = [
            job_id
            for job_id, pid, heartbeat in rows
            if heartbeat < cutoff or not _alive(pid) or (at_start and pid == os.getpid())
        ]
        for job_id in gone:
            db.execute(
                "UPDATE jobs SET state = 'failed', finished_at = ?, error = ? WHERE id = ?",
                (now_iso(), INTERRUPTED, job_id),
            )
        return gone


class _transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT` (or `ROLLBACK`) on a connection, which is then closed."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind, error, trace) -> None:
        try:
            self.connection.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self.connection.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _job(row: tuple) -> Job:
    names = [name.strip() for name in COLUMNS.split(",")]
    values = dict(zip(names, row, strict=True))
    for name in JSON_FIELDS:
        if values[name] is not None:
            values[name] = json.loads(values[name])
    return Job(**values)
