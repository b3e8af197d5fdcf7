"""People's verdicts on Japan–Israel pairs, kept in SQLite so that none is ever lost.

One row per verdict, never updated: a pair's current verdict is its latest row. A pair whose
latest verdict is `not_relevant` is hidden from both firms' rankings; positive verdicts are
labels for training, next to the partnerships list.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from kakehashi.sqlite import connect

LABELS = ("relevant", "not_relevant", "met", "follow_up", "deal")
POSITIVE_LABELS = frozenset({"relevant", "met", "follow_up", "deal"})
NEGATIVE_LABEL = "not_relevant"
MAX_NOTE = 2000
MAX_USER = 100
FILE_NAME = "feedback.sqlite3"

MIGRATIONS = (
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        japanese_id TEXT NOT NULL,
        israeli_id TEXT NOT NULL,
        label TEXT NOT NULL CHECK (label IN ('relevant', 'not_relevant', 'met', 'follow_up',
                                             'deal')),
        note TEXT NOT NULL DEFAULT '',
        user TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX feedback_japanese ON feedback (japanese_id, id);
    CREATE INDEX feedback_israeli ON feedback (israeli_id, id);
    """,
)


@dataclass(frozen=True)
class Feedback:
    """One recorded verdict on a (Japanese firm, Israeli firm) pair."""

    id: int
    japanese_id: str
    israeli_id: str
    label: str
    note: str
    user: str
    created_at: str  # UTC, ISO 8601 with microseconds and a Z: sorts as time does

    def to_dict(self) -> dict[str, object]:
        """The record as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class FeedbackQuery:
    """Which verdicts to list: every given field must match (`since`: created at or after)."""

    japanese_id: str | None = None
    israeli_id: str | None = None
    label: str | None = None
    user: str | None = None
    since: dt.datetime | None = None


NO_QUERY = FeedbackQuery()
COLUMNS = ("id", "japanese_id", "israeli_id", "label", "note", "user", "created_at")


def timestamp(moment: dt.datetime) -> str:
    """The stored form of a moment: UTC, microseconds, `Z` (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FeedbackStore:
    """The feedback database of a data directory; safe to share between threads.

    A sqlite3 connection must stay in the thread that opened it, so each thread (or greenlet)
    opens its own on first use; `close()` closes the calling thread's one.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()

    @classmethod
    def in_dir(cls, directory: Path) -> FeedbackStore:
        """The store of a data directory."""
        return cls(Path(directory) / FILE_NAME)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            connection = connect(self.path, MIGRATIONS)  # a forked child never reuses its parent's
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def close(self) -> None:
        """Close the calling thread's connection, if it has one."""
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None and self._local.pid == os.getpid():
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")  # synchronous=FULL: on disk when this returns

    def record(
        self, japanese_id: str, israeli_id: str, label: str, note: str = "", user: str = ""
    ) -> Feedback:
        """Store one verdict durably and return it with its id and time."""
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        created = timestamp(dt.datetime.now(dt.UTC))
        values = (japanese_id, israeli_id, label, note, user, created)
        with self._transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO feedback (japanese_id, israeli_id, label, note, user, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                values,
            )
        return Feedback(int(cursor.lastrowid or 0), *values)

    def find(
        self, query: FeedbackQuery = NO_QUERY, limit: int | None = None, offset: int = 0
    ) -> tuple[list[Feedback], int]:
        """The matching verdicts, oldest first (a page of them), and how many match in all."""
        where, values = _where(query)
        connection = self._connection()
        total = connection.execute(f"SELECT count(*) FROM feedback{where}", values).fetchone()[0]
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        rows = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM feedback{where} ORDER BY id{page}", values
        ).fetchall()
        return [Feedback(*row) for row in rows], int(total)

    def latest_labels(self) -> dict[tuple[str, str], str]:
        """Each pair's current verdict: the label of its latest row."""
        rows = self._connection().execute(
            "SELECT japanese_id, israeli_id, label FROM feedback WHERE id IN "
            "(SELECT max(id) FROM feedback GROUP BY japanese_id, israeli_id)"
        )
        return {(japanese, israeli): label for japanese, israeli, label in rows}

    def not_relevant_pairs(self) -> set[tuple[str, str]]:
        """The (japanese_id, israeli_id) pairs whose current verdict is not_relevant."""
        if not self.path.exists():  # nothing recorded yet: do not create the database to read it
            return set()
        return {pair for pair, label in self.latest_labels().items() if label == NEGATIVE_LABEL}

    def hidden_for(self, company_id: str) -> frozenset[str]:
        """The firms a company's ranking leaves out: the other side of its not_relevant pairs."""
        if not self.path.exists():
            return frozenset()
        rows = self._connection().execute(
            "SELECT japanese_id, israeli_id FROM feedback WHERE label = ? AND id IN "
            "(SELECT max(id) FROM feedback WHERE japanese_id = ? OR israeli_id = ?"
            " GROUP BY japanese_id, israeli_id)",
            (NEGATIVE_LABEL, company_id, company_id),
        )
        return frozenset(
            israeli if japanese == company_id else japanese for japanese, israeli in rows
        )


def _where(query: FeedbackQuery) -> tuple[str, list[str]]:
    clauses, values = [], []
    for column in ("japanese_id", "israeli_id", "label", "user"):
        value = getattr(query, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            values.append(value)
    if query.since is not None:
        clauses.append("created_at >= ?")
        values.append(timestamp(query.since))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), values
