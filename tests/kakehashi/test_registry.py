"""The registry: versioned folders, atomic promotion, rollback."""

from __future__ import annotations

import json

import pytest

from kakehashi import registry
from kakehashi.errors import ArtifactError, ModelNotFoundError, UnknownVersionError


@pytest.fixture
def two_versions(tmp_path, model):
    first = registry.save_version(tmp_path, model, {"created_at": "t1"})
    second = registry.save_version(tmp_path, model, {"created_at": "t2"})
    return tmp_path, first, second


def test_save_version_writes_artifact_and_manifest(two_versions):
    models, first, _ = two_versions
    manifest = json.loads((models / first / "manifest.json").read_text())
    assert manifest["version"] == first
    assert len(manifest["artifact"]["sha256"]) == 64
    assert (models / first / "artifact.joblib").stat().st_size == manifest["artifact"]["bytes"]


def test_versions_are_distinct_and_ignore_unfinished_folders(two_versions):
    models, first, second = two_versions
    (models / ".staging-abc").mkdir()
    assert registry.versions(models) == sorted([first, second]) and first != second


def test_nothing_is_promoted_until_asked(two_versions):
    models, _, _ = two_versions
    assert registry.current_version(models) is None
    with pytest.raises(ModelNotFoundError):
        registry.load_promoted(models)


def test_promote_then_rollback(two_versions):
    models, first, second = two_versions
    registry.promote(models, first)
    assert registry.promote(models, second) == first
    assert registry.load_promoted(models).version == second
    assert registry.rollback(models) == first
    assert registry.current_version(models) == first


def test_rollback_without_history_fails(two_versions):
    models, first, _ = two_versions
    registry.promote(models, first)
    with pytest.raises(UnknownVersionError, match="nothing to roll back"):
        registry.rollback(models)


@pytest.mark.parametrize("version", ["nope", "../etc", "20990101T000000Z-abcdef"])
def test_promote_unknown_version_fails_and_keeps_the_pointer(two_versions, version):
    models, first, _ = two_versions
    registry.promote(models, first)
    with pytest.raises(UnknownVersionError):
        registry.promote(models, version)
    assert registry.current_version(models) == first


def test_a_damaged_pointer_is_a_named_error(two_versions):
    models, first, _ = two_versions
    registry.promote(models, first)
    (models / "promoted.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError, match="unreadable promotion pointer"):
        registry.current_version(models)


def test_load_version_warns_when_trained_with_another_minor_library_version(
    tmp_path, model, caplog
):
    from kakehashi.artifact import library_versions

    recorded = {**library_versions(), "scikit-learn": "0.1.0"}
    version = registry.save_version(tmp_path, model, {"libraries": recorded})
    with caplog.at_level("WARNING", logger="kakehashi.registry"):
        registry.load_version(tmp_path, version)
    (record,) = caplog.records
    assert "scikit-learn 0.1.0 (now" in record.getMessage()
    assert "python -m training train" in record.getMessage()


def test_load_version_is_quiet_with_the_same_library_versions(tmp_path, model, caplog):
    from kakehashi.artifact import library_versions

    version = registry.save_version(tmp_path, model, {"libraries": library_versions()})
    with caplog.at_level("WARNING", logger="kakehashi.registry"):
        registry.load_version(tmp_path, version)
    assert caplog.records == []


def test_saved_versions_are_readable_by_other_users(tmp_path, model):
    import stat

    version = registry.save_version(tmp_path, model, {})
    registry.promote(tmp_path, version)
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / version) == 0o755
    assert mode(tmp_path / version / "artifact.joblib") == 0o644
    assert mode(tmp_path / version / "manifest.json") == 0o644
    assert mode(tmp_path / "promoted.json") == 0o644


@pytest.mark.parametrize(
    "pointer", ['{"current": 123}', '{"current": ["a"]}', "[1, 2]", '{"history": "x"}', "{oops"]
)
def test_a_damaged_pointer_is_a_named_error_and_promote_repairs_it(two_versions, pointer):
    models, first, _ = two_versions
    (models / "promoted.json").write_text(pointer, encoding="utf-8")
    with pytest.raises(ArtifactError, match="promotion pointer"):
        registry.current_version(models)
    registry.promote(models, first)
    assert registry.current_version(models) == first


@pytest.mark.parametrize(
    ("manifest", "message"),
    [("not json", "not readable JSON"), ('{"version": "x"}', "no artifact")],
)
def test_a_damaged_manifest_is_a_named_error(two_versions, manifest, message):
    models, first, _ = two_versions
    (models / first / "manifest.json").write_text(manifest, encoding="utf-8")
    with pytest.raises(ArtifactError, match=message):
        registry.read_manifest(models, first)
