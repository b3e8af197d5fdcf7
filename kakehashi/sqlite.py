"""SQLite for records that must not be lost: durable settings and numbered schema migrations.

A store lists its schema as migration scripts; migration N (1-based) brings a database from
`PRAGMA user_version` N-1 to N. `connect` applies the missing ones, each in one transaction.
A connection belongs to one thread (sqlite3's default check): open one per thread or request.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from kakehashi.errors import DataStoreError, SchemaTooNewError

DATA_DIR_ENV = "KAKEHASHI_DATA_DIR"
# Relative to the working directory, beside (never inside) the models folder: `make run` and
# the Docker image (WORKDIR /app, so /app/var) both start there.
DEFAULT_DATA_DIR = "var"
BUSY_TIMEOUT_MS = 5000


def data_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: `configured`, else $KAKEHASHI_DATA_DIR, else ./var."""
    value = configured if configured not in (None, "") else os.environ.get(DATA_DIR_ENV, "")
    return Path(value or DEFAULT_DATA_DIR)


def connect(path: Path, migrations: Sequence[str]) -> sqlite3.Connection:
    """Open (creating it and its folder if needed) a durable database at its latest schema."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except OSError as error:  # its text would carry the absolute path: keep only the reason
        raise DataStoreError(f"cannot open the database {path.name}: {error.strerror}") from error
    except sqlite3.Error as error:
        raise DataStoreError(f"cannot open the database {path.name}: {error}") from error
    try:
        _configure(connection, path)
        migrate(connection, migrations, path.name)
    except BaseException:
        connection.close()
        raise
    return connection


def _configure(connection: sqlite3.Connection, path: Path) -> None:
    """WAL journal, a commit is on disk before it returns, waits for locks, foreign keys."""
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = _journal_mode_wal(connection)
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as error:
        raise DataStoreError(f"cannot use the database {path.name}: {error}") from error
    if str(mode).lower() != "wal":
        raise DataStoreError(f"the database {path.name} cannot use WAL mode (got {mode})")


def _journal_mode_wal(connection: sqlite3.Connection) -> str:
    """Switch to WAL, retrying while another connection creates the same new database: the
    switch takes an exclusive lock for which SQLite does not call the busy handler."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def schema_version(connection: sqlite3.Connection) -> int:
    """The schema version a database is at (`PRAGMA user_version`)."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, migrations: Sequence[str], name: str = "db") -> int:
    """Apply the migrations a database lacks, in order, each atomically; return the version."""
    target = len(migrations)
    if schema_version(connection) == target:  # the common case: no write lock needed
        return target
    connection.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then skip
    try:
        current = schema_version(connection)
        if current > target:
            raise SchemaTooNewError(
                f"the database {name} is at schema version {current}, newer than this code "
                f"knows ({target}); upgrade Kakehashi or point KAKEHASHI_DATA_DIR elsewhere"
            )
        for number in range(current + 1, target + 1):
            _run_script(connection, migrations[number - 1])
            connection.execute(f"PRAGMA user_version = {number}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return target


def _run_script(connection: sqlite3.Connection, script: str) -> None:
    """Run a migration's statements inside the open transaction (executescript would commit)."""
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):  # a `;` inside a string or trigger is not an end
            if statement.strip(" \t\r\n;"):
                connection.execute(statement)
            statement = ""
    if statement.strip(" \t\r\n;"):
        connection.execute(statement)
