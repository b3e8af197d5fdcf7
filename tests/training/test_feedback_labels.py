"""Feedback as training labels: positives join the partnerships, negatives are recorded."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kakehashi import registry
from kakehashi.artifact import file_sha256
from kakehashi.errors import UsageError
from kakehashi.feedback import FeedbackStore
from training.cli import main
from training.feedback_labels import database_path, read_labels, with_feedback
from training.train import Inputs


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory with verdicts of every kind, some on firms the list lacks."""
    folder = tmp_path / "data"
    store = FeedbackStore.in_dir(folder)
    store.record("jp-auto", "il-fleet", "met")
    store.record("jp-bank", "il-payments", "deal")
    store.record("jp-auto", "il-autocyber", "follow_up")  # already a partnership
    store.record("jp-auto", "il-endpoint", "not_relevant")
    store.record("jp-ai", "il-nlp", "not_relevant")
    store.record("jp-ai", "il-nlp", "relevant")  # the latest verdict wins
    store.record("jp-pharma", "il-monitor", "relevant")
    store.record("jp-pharma", "il-monitor", "not_relevant")
    store.record("jp-gone", "il-fleet", "deal")  # a firm not in this list
    store.close()
    return folder


def test_feedback_labels_sort_each_pairs_latest_verdict(data_dir: Path, inputs: Inputs) -> None:
    labels = read_labels(data_dir, inputs)
    assert [p.pair for p in labels.positives] == [
        ("jp-ai", "il-nlp"),
        ("jp-auto", "il-autocyber"),
        ("jp-auto", "il-fleet"),
        ("jp-bank", "il-payments"),
    ]
    assert labels.positives[2].kind == "feedback: met"
    assert labels.negatives == (("jp-auto", "il-endpoint"), ("jp-pharma", "il-monitor"))
    assert labels.skipped == (("jp-gone", "il-fleet", "deal"),)


def test_feedback_labels_join_the_partnerships_once(data_dir: Path, inputs: Inputs) -> None:
    merged, _ = with_feedback(inputs, data_dir)
    pairs = [p.pair for p in merged.partnerships]
    assert len(pairs) == len(set(pairs)) == len(inputs.partnerships) + 3
    assert ("jp-auto", "il-fleet") in pairs
    assert ("jp-auto", "il-endpoint") not in pairs
    snapshot = merged.files["feedback"]
    rows = list(csv.DictReader(snapshot.read_text(encoding="utf-8").splitlines()))
    used = {(r["japanese_id"], r["israeli_id"]): r["used_as"] for r in rows}
    assert used[("jp-auto", "il-fleet")] == "partnership"
    assert used[("jp-auto", "il-endpoint")].startswith("negative")
    assert used[("jp-gone", "il-fleet")].startswith("skipped")


@pytest.mark.parametrize("name", ["missing", "data/nothing.sqlite3"])
def test_feedback_labels_need_a_database(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="--feedback: no feedback database"):
        database_path(tmp_path / name)


def test_cli_train_with_feedback_records_it_in_the_manifest(
    tmp_path: Path, data_dir: Path, fixture_companies: Path, fixture_partnerships: Path, capsys
) -> None:
    models = tmp_path / "models"
    args = ["train", "--companies", str(fixture_companies)]
    args += ["--partnerships", str(fixture_partnerships), "--models-dir", str(models)]
    assert main([*args, "--feedback", str(data_dir)]) == 0
    err = capsys.readouterr().err
    assert "feedback: 4 positive pair(s) used as partnerships, 2 not_relevant pair(s)" in err
    manifest = registry.read_manifest(models, registry.current_version(models))
    assert manifest["partnerships"] == 7 + 3
    recorded = manifest["inputs"]["feedback"]
    assert recorded["sha256"] == file_sha256(Path(recorded["path"]))
    assert "negative" in Path(recorded["path"]).read_text(encoding="utf-8")


def test_cli_train_with_a_missing_feedback_database_exits_2(
    tmp_path: Path, fixture_companies: Path, capsys
) -> None:
    code = main(
        ["train", "--companies", str(fixture_companies), "--models-dir", str(tmp_path / "m"),
         "--feedback", str(tmp_path / "nowhere")]
    )  # fmt: skip
    assert code == 2
    assert "--feedback: no feedback database" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
