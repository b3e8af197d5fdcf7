"""`python -m training train` with the quality gate and a progress file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kakehashi import registry
from training.cli import EXIT_OK, EXIT_REJECTED, main


def train_args(companies: Path, partnerships: Path, models: Path, *extra: str) -> list[str]:
    return [
        "train",
        "--companies",
        str(companies),
        "--partnerships",
        str(partnerships),
        "--models-dir",
        str(models),
        *extra,
    ]


def test_train_gate_floor_keeps_the_version_unpromoted(
    tmp_path, capsys, fixture_companies, fixture_partnerships
):
    models = tmp_path / "models"
    args = train_args(fixture_companies, fixture_partnerships, models, "--gate-floor", "1.01")
    assert main(args) == EXIT_REJECTED
    (version,) = registry.versions(models)
    assert registry.current_version(models) is None
    out = capsys.readouterr().out
    assert f"version:   {version} (not promoted)" in out
    assert "rejected by the quality gate: mrr IL -> JP" in out
    assert "below the floor 1.01" in out


def test_train_gate_passing_promotes(tmp_path, capsys, fixture_companies, fixture_partnerships):
    models = tmp_path / "models"
    args = train_args(fixture_companies, fixture_partnerships, models, "--gate-floor", "0")
    assert main(args) == EXIT_OK
    (version,) = registry.versions(models)
    assert registry.current_version(models) == version
    assert "gate:      passed the quality gate" in capsys.readouterr().out


def test_train_gate_margin_compares_with_the_promoted_version(
    tmp_path, capsys, fixture_companies, fixture_partnerships
):
    models = tmp_path / "models"
    assert main(train_args(fixture_companies, fixture_partnerships, models)) == EXIT_OK
    first = registry.current_version(models)
    # without partnerships the new version has no metrics: a configured gate cannot pass it
    args = ["train", "--companies", str(fixture_companies), "--models-dir", str(models)]
    assert main([*args, "--gate-margin", "0.5"]) == EXIT_REJECTED
    assert registry.current_version(models) == first
    assert "no metrics" in capsys.readouterr().out


def test_train_gate_with_no_promote_only_saves(tmp_path, fixture_companies, fixture_partnerships):
    models = tmp_path / "models"
    args = train_args(fixture_companies, fixture_partnerships, models, "--gate-floor", "0")
    assert main([*args, "--no-promote"]) == EXIT_OK
    assert registry.current_version(models) is None


def test_train_writes_its_progress_file(tmp_path, fixture_companies, fixture_partnerships):
    models, progress = tmp_path / "models", tmp_path / "progress.json"
    args = train_args(fixture_companies, fixture_partnerships, models, "--no-promote")
    assert main([*args, "--progress", str(progress)]) == EXIT_OK
    document = json.loads(progress.read_text(encoding="utf-8"))
    (version,) = registry.versions(models)
    assert (document["version"], document["promoted"]) == (version, False)
    assert document["step"] >= 4  # validate, fit, evaluate, write, saved
    assert list(tmp_path.glob(".progress-*")) == []


@pytest.mark.parametrize("option", ["--gate-floor", "--gate-margin"])
def test_train_gate_rejects_a_non_number(tmp_path, capsys, fixture_companies, option):
    with pytest.raises(SystemExit) as raised:
        main(["train", "--companies", str(fixture_companies), option, "high"])
    assert raised.value.code == 2
    assert "invalid float value" in capsys.readouterr().err
