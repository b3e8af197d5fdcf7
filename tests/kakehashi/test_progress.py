"""The training progress file: atomic JSON, read back or None, steps counted."""

from __future__ import annotations

import pytest

from kakehashi.progress import ProgressFile, read_progress, write_progress


def test_progress_round_trip_adds_a_timestamp(tmp_path):
    path = tmp_path / "progress.json"
    write_progress(path, {"step": 1, "message": "fitting ..."})
    document = read_progress(path)
    assert (document["step"], document["message"]) == (1, "fitting ...")
    assert document["updated_at"]
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"]


@pytest.mark.parametrize("content", [None, "", "{half", "[1, 2]", "\xff"])
def test_progress_missing_or_unreadable_is_none(tmp_path, content):
    path = tmp_path / "progress.json"
    if content is not None:
        path.write_text(content, encoding="latin-1")
    assert read_progress(path) is None


def test_progress_file_counts_started_steps_and_the_save(tmp_path):
    progress = ProgressFile(tmp_path / "progress.json")
    for message in ("validating x.csv", "fitting ...", "fitting: done in 1.0s", "writing ..."):
        progress(message)
    assert read_progress(progress.path)["step"] == 2
    progress.saved("v1", promoted=False)
    document = read_progress(progress.path)
    assert (document["step"], document["version"], document["promoted"]) == (3, "v1", False)
