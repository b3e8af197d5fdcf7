"""The feedback store: verdicts kept across reopenings, filtered, latest verdict per pair."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from kakehashi.feedback import FILE_NAME, FeedbackQuery, FeedbackStore, timestamp


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    """A store in a fresh data directory."""
    found = FeedbackStore.in_dir(tmp_path / "data")
    yield found
    found.close()


def test_feedback_record_survives_a_new_store(store: FeedbackStore, tmp_path: Path) -> None:
    saved = store.record("jp-auto", "il-lidar", "met", note="=1+1", user="aiko")
    store.close()
    reopened = FeedbackStore.in_dir(tmp_path / "data")
    items, total = reopened.find()
    reopened.close()
    assert total == 1
    assert items == [saved]
    assert (saved.label, saved.note, saved.user) == ("met", "=1+1", "aiko")
    assert (tmp_path / "data" / FILE_NAME).is_file()


def test_feedback_record_rejects_an_unknown_label(store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="unknown label 'great'"):
        store.record("jp-auto", "il-lidar", "great")
    assert store.find()[1] == 0


def test_feedback_database_refuses_an_unknown_label_too(store: FeedbackStore) -> None:
    store.record("jp-auto", "il-lidar", "met")
    connection = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute(
            "INSERT INTO feedback (japanese_id, israeli_id, label, created_at)"
            " VALUES ('a', 'b', 'great', 'x')"
        )
    connection.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (FeedbackQuery(), [1, 2, 3, 4]),
        (FeedbackQuery(japanese_id="jp-auto"), [1, 2, 4]),
        (FeedbackQuery(israeli_id="il-lidar"), [1, 3, 4]),
        (FeedbackQuery(label="not_relevant"), [2, 4]),
        (FeedbackQuery(user="ben"), [3]),
        (FeedbackQuery(japanese_id="jp-auto", label="not_relevant"), [2, 4]),
        (FeedbackQuery(japanese_id="nobody"), []),
    ],
)
def test_feedback_find_filters(store: FeedbackStore, query: FeedbackQuery, expected) -> None:
    store.record("jp-auto", "il-lidar", "met", user="aiko")
    store.record("jp-auto", "il-fleet", "not_relevant", user="aiko")
    store.record("jp-bank", "il-lidar", "deal", user="ben")
    store.record("jp-auto", "il-lidar", "not_relevant", user="aiko")
    items, total = store.find(query)
    assert [item.id for item in items] == expected
    assert total == len(expected)


def test_feedback_find_pages_and_counts_all(store: FeedbackStore) -> None:
    for israeli_id in ("il-a", "il-b", "il-c"):
        store.record("jp-auto", israeli_id, "relevant")
    items, total = store.find(limit=1, offset=1)
    assert ([item.israeli_id for item in items], total) == (["il-b"], 3)


def test_feedback_find_since(store: FeedbackStore) -> None:
    first = store.record("jp-auto", "il-a", "relevant")
    later = dt.datetime.fromisoformat(first.created_at.replace("Z", "+00:00"))
    later += dt.timedelta(microseconds=1)
    assert [i.id for i in store.find(FeedbackQuery(since=later))[0]] == []
    earlier = later - dt.timedelta(seconds=1)
    assert [i.id for i in store.find(FeedbackQuery(since=earlier))[0]] == [first.id]


def test_feedback_timestamp_is_utc_whatever_the_zone() -> None:
    tokyo = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert timestamp(tokyo) == "2026-12-01T09:00:00.000000Z"
    assert timestamp(dt.datetime(2026, 12, 1, 9, 0)) == "2026-12-01T09:00:00.000000Z"


def test_feedback_latest_verdict_of_a_pair_wins(store: FeedbackStore) -> None:
    store.record("jp-auto", "il-lidar", "not_relevant")
    store.record("jp-auto", "il-fleet", "not_relevant")
    assert store.not_relevant_pairs() == {("jp-auto", "il-lidar"), ("jp-auto", "il-fleet")}
    store.record("jp-auto", "il-lidar", "met")  # changed their mind
    assert store.not_relevant_pairs() == {("jp-auto", "il-fleet")}
    assert store.latest_labels()[("jp-auto", "il-lidar")] == "met"


def test_feedback_hidden_for_works_both_ways(store: FeedbackStore) -> None:
    store.record("jp-auto", "il-lidar", "not_relevant")
    store.record("jp-bank", "il-lidar", "not_relevant")
    store.record("jp-auto", "il-fleet", "relevant")
    assert store.hidden_for("jp-auto") == frozenset({"il-lidar"})
    assert store.hidden_for("il-lidar") == frozenset({"jp-auto", "jp-bank"})
    assert store.hidden_for("il-fleet") == frozenset()


def test_feedback_reading_an_empty_data_dir_creates_nothing(tmp_path: Path) -> None:
    store = FeedbackStore.in_dir(tmp_path / "data")
    assert store.not_relevant_pairs() == set()
    assert store.hidden_for("jp-auto") == frozenset()
    assert not (tmp_path / "data").exists()


def test_feedback_store_is_shared_by_threads(store: FeedbackStore) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                store.record("jp-auto", f"il-{n}-{i}", "relevant")
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.find()[1] == 40
