"""gunicorn's master loads the promoted model before it forks; the workers adopt that copy."""

from __future__ import annotations

import gc
import importlib
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from kakehashi import registry
from service import holder
from service.holder import ModelHolder
from training.train import Inputs, train


@pytest.fixture(autouse=True)
def no_preloaded_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with a process that preloaded nothing (the store is process-wide)."""
    monkeypatch.setattr(holder, "_PRELOADED", {})


def started_holder(models_dir: Path) -> ModelHolder:
    model_holder = ModelHolder(models_dir, 0, logging.getLogger("test"))
    model_holder.start()
    return model_holder


def test_a_holder_adopts_the_version_preloaded_in_the_process(models_dir: Path, caplog):
    holder.preload(models_dir, logging.getLogger("test"))
    with caplog.at_level(logging.INFO):
        first, second = started_holder(models_dir), started_holder(models_dir)
    assert first.version == registry.current_version(models_dir)
    assert first.loaded is second.loaded  # one copy of the model, not one per holder
    assert "preloaded before the fork" in caplog.text


def test_without_a_preload_each_holder_loads_its_own_copy(models_dir: Path):
    first, second = started_holder(models_dir), started_holder(models_dir)
    assert first.version == second.version
    assert first.loaded is not second.loaded


def test_a_version_promoted_after_the_preload_is_loaded_and_served(
    models_dir: Path, service_inputs: Inputs
):
    holder.preload(models_dir, logging.getLogger("test"))
    model_holder = started_holder(models_dir)
    preloaded = model_holder.loaded
    newer = train(service_inputs, models_dir).version
    model_holder.check_now()
    assert model_holder.version == newer
    assert model_holder.loaded is not preloaded


def test_a_promoted_model_that_cannot_load_is_not_preloaded_and_nothing_raises(
    models_dir: Path, caplog
):
    version = registry.current_version(models_dir)
    (models_dir / version / "artifact.joblib").write_bytes(b"not an artifact")
    with caplog.at_level(logging.WARNING):
        holder.preload(models_dir, logging.getLogger("test"))
    assert holder._PRELOADED == {}
    assert "not preloading the promoted model" in caplog.text
    assert started_holder(models_dir).loaded is None  # the worker reports it as before


def test_a_models_dir_without_a_promoted_version_preloads_nothing(tmp_path: Path):
    holder.preload(tmp_path, logging.getLogger("test"))
    assert holder._PRELOADED == {}


def test_a_module_that_cannot_be_imported_before_the_fork_is_skipped_not_fatal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from service import gunicorn_conf

    real_import = importlib.import_module

    def broken_planner(name: str, *args):
        if name == "kakehashi.planner.cli":
            raise ImportError("broken on purpose")
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", broken_planner)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # leave the test process's collector alone
    monkeypatch.setenv("KAKEHASHI_MODEL_DIR", str(tmp_path))
    warnings: list[tuple] = []
    log = SimpleNamespace(warning=lambda *a: warnings.append(a), info=lambda *a: None)
    gunicorn_conf.on_starting(SimpleNamespace(log=log))  # does not raise
    assert [w[1] for w in warnings] == ["kakehashi.planner.cli"]
    assert "broken on purpose" in str(warnings[0][2])
