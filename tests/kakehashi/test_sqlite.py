"""The SQLite helper: durable settings, migrations applied once and in order, the data dir."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from kakehashi.errors import DataStoreError, SchemaTooNewError
from kakehashi.sqlite import connect, data_dir, schema_version

MIGRATIONS = (
    "CREATE TABLE a (id INTEGER PRIMARY KEY, text TEXT NOT NULL);",
    "ALTER TABLE a ADD COLUMN note TEXT DEFAULT 'x;y';\nCREATE INDEX a_text ON a (text);",
)


def test_connect_creates_folder_and_applies_migrations_in_order(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.sqlite3"
    connection = connect(path, MIGRATIONS)
    assert path.is_file()
    assert schema_version(connection) == 2
    connection.execute("INSERT INTO a (text) VALUES ('t')")
    assert connection.execute("SELECT note FROM a").fetchone() == ("x;y",)
    connection.close()


def test_connect_applies_each_migration_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    connect(path, MIGRATIONS[:1]).close()
    connection = connect(path, MIGRATIONS)  # a second CREATE TABLE a would fail
    assert schema_version(connection) == 2
    connection.close()
    connection = connect(path, MIGRATIONS)
    assert schema_version(connection) == 2
    connection.close()


def test_connect_sets_durable_pragmas(tmp_path: Path) -> None:
    connection = connect(tmp_path / "store.sqlite3", MIGRATIONS)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    connection.close()


def test_connect_refuses_a_newer_database(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    connect(path, MIGRATIONS).close()
    with pytest.raises(SchemaTooNewError, match="schema version 2, newer than this code knows"):
        connect(path, MIGRATIONS[:1])


def test_connect_rolls_back_a_failing_migration(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    broken = (*MIGRATIONS, "CREATE TABLE b (id INTEGER);\nTHIS IS NOT SQL;")
    with pytest.raises(sqlite3.OperationalError):
        connect(path, broken)
    connection = connect(path, MIGRATIONS)
    assert schema_version(connection) == 2
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "b" not in tables
    connection.close()


def test_connect_names_a_database_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(DataStoreError, match=r"cannot open the database store\.sqlite3"):
        connect(tmp_path / "file" / "store.sqlite3", MIGRATIONS)


def test_connect_in_parallel_threads_migrates_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    errors: list[BaseException] = []

    def open_close() -> None:
        try:
            connect(path, MIGRATIONS).close()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=open_close) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.parametrize(
    ("configured", "env", "expected"),
    [
        ("/srv/kk", "/elsewhere", Path("/srv/kk")),
        (None, "/elsewhere", Path("/elsewhere")),
        ("", "/elsewhere", Path("/elsewhere")),
        (None, None, Path("var")),
    ],
)
def test_data_dir_prefers_configured_then_environment_then_var(
    monkeypatch: pytest.MonkeyPatch, configured: str | None, env: str | None, expected: Path
) -> None:
    if env is None:
        monkeypatch.delenv("KAKEHASHI_DATA_DIR", raising=False)
    else:
        monkeypatch.setenv("KAKEHASHI_DATA_DIR", env)
    assert data_dir(configured) == expected
