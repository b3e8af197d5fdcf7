"""The registry: versioned folders, atomic promotion, rollback."""

from __future__ import annotations

import json
import os

import pytest

from kakehashi import registry
from kakehashi.artifact import file_blake3, file_sha256
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


def test_versions_of_one_second_are_in_the_order_they_were_written(tmp_path):
    """Within one second the sha part of a name is random: the older version must still come
    first, or a fallback to the newest loadable version would pick the older one."""
    names = ["20261201T101010Z-ffffff", "20261201T101010Z-000000", "20261201T101011Z-888888"]
    for age, name in enumerate(names):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
        os.utime(tmp_path / name / "manifest.json", ns=(10**18 + age, 10**18 + age))
    assert registry.versions(tmp_path) == names


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


@pytest.mark.parametrize(
    "version", ["{v}\n", "{v}/", "../{v}", "{v}/../{v}", "/{v}", " {v}", "{v}-x", "./{v}"]
)
def test_read_manifest_refuses_path_tricks_in_version_names(two_versions, version):
    models, first, _ = two_versions
    with pytest.raises(UnknownVersionError):
        registry.load_version(models, version.format(v=first))
    with pytest.raises(UnknownVersionError):
        registry.promote(models, version.format(v=first))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("file", "../{other}/artifact.joblib", "must be artifact.joblib"),
        ("file", "/etc/passwd", "must be artifact.joblib"),
        ("file", "manifest.json", "must be artifact.joblib"),
        ("sha256", "", "not 64 hex digits"),
        ("sha256", "ABC", "not 64 hex digits"),
        ("blake3", "", "not 64 hex digits"),
        ("blake3", "0" * 63, "not 64 hex digits"),
    ],
)
def test_read_manifest_refuses_artifacts_the_registry_did_not_write(
    two_versions, field, value, message
):
    models, first, second = two_versions
    path = models / first / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["artifact"][field] = value.format(other=second)
    path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=message):
        registry.load_version(models, first)


def test_load_version_refuses_an_artifact_linked_from_outside_its_folder(two_versions, tmp_path):
    models, first, second = two_versions
    artifact = models / first / "artifact.joblib"
    artifact.unlink()
    artifact.symlink_to(models / second / "artifact.joblib")  # same bytes, another folder
    with pytest.raises(ArtifactError, match="leads outside the models folder"):
        registry.load_version(models, first)


def test_load_version_refuses_a_version_folder_linked_from_elsewhere(two_versions, tmp_path):
    models, first, _ = two_versions
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    (models / first).rename(elsewhere)
    (models / first).symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ArtifactError, match="leads outside the models folder"):
        registry.load_version(models, first)


@pytest.mark.parametrize("recorded", ["both", "sha256 only"])
def test_load_version_refuses_an_artifact_whose_bytes_changed(two_versions, recorded):
    """Checked by BLAKE3, or by sha256 in a manifest written before BLAKE3 was recorded."""
    models, first, _ = two_versions
    if recorded == "sha256 only":
        manifest = registry.read_manifest(models, first)
        del manifest["artifact"]["blake3"]
        registry.write_json_atomic(models / first / "manifest.json", manifest)
        assert registry.load_version(models, first).version == first
    artifact = models / first / "artifact.joblib"
    artifact.write_bytes(artifact.read_bytes() + b"\0")
    with pytest.raises(ArtifactError, match="checksum does not match"):
        registry.load_version(models, first)


def test_manifest_records_both_digests_and_a_load_checks_the_blake3_one(two_versions):
    models, first, _ = two_versions
    artifact = models / first / "artifact.joblib"
    recorded = registry.read_manifest(models, first)["artifact"]
    assert recorded["sha256"] == file_sha256(artifact)
    assert recorded["blake3"] == file_blake3(artifact)
    manifest = registry.read_manifest(models, first)
    manifest["artifact"]["blake3"] = file_sha256(artifact)  # 64 hex digits, not the file's BLAKE3
    registry.write_json_atomic(models / first / "manifest.json", manifest)
    with pytest.raises(ArtifactError, match="checksum does not match"):
        registry.load_version(models, first)


def test_load_version_memory_maps_the_model(two_versions):
    from kakehashi.safe_load import unmapped_arrays

    models, first, _ = two_versions
    assert unmapped_arrays(registry.load_version(models, first).model) == []


# ----- stale staging folders -----


def staging(models, name, owner=None, age_s=0.0):
    """A leftover staging folder with an optional writer record, last changed age_s ago."""
    import os
    import time

    folder = models / f".staging-{name}"
    folder.mkdir()
    (folder / "artifact.joblib").write_bytes(b"half written")
    if owner is not None:
        (folder / ".owner.json").write_text(json.dumps(owner))
    when = time.time() - age_s
    for path in (*folder.iterdir(), folder):
        os.utime(path, (when, when))
    return folder


def dead_pid():
    import subprocess
    import sys

    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(process.stdout)


def this_process():
    import os
    import socket

    from kakehashi.staging_area import _start_time

    return {"pid": os.getpid(), "host": socket.gethostname(), "started": _start_time(os.getpid())}


@pytest.mark.parametrize(
    ("owner", "age_s", "removed"),
    [
        ("dead", 0, True),  # its training was killed
        ("self", 10 * 3600, False),  # its writer still runs, however long it takes
        ("reused", 0, True),  # the pid now belongs to another process
        (None, 2 * 3600, True),  # no record, unchanged for hours
        (None, 60, False),  # no record, but young: a writer may have just created it
        ("other-host", 60, False),
        ("other-host", 2 * 3600, True),
    ],
)
def test_save_version_removes_only_stale_staging_folders(tmp_path, model, owner, age_s, removed):
    import socket

    records = {
        "dead": {"pid": dead_pid(), "host": socket.gethostname(), "started": None},
        "self": this_process(),
        "reused": {**this_process(), "started": "1"},
        "other-host": {"pid": 1, "host": "elsewhere.invalid", "started": None},
        None: None,
    }
    folder = staging(tmp_path, "left", records[owner], age_s)
    version = registry.save_version(tmp_path, model, {})
    assert folder.exists() is not removed
    assert registry.versions(tmp_path) == [version]


def test_versions_removes_stale_staging_folders(tmp_path, model):
    version = registry.save_version(tmp_path, model, {})
    folder = staging(tmp_path, "killed", {**this_process(), "pid": dead_pid()})
    assert registry.versions(tmp_path) == [version]  # what `python -m training list` calls
    assert not folder.exists()


def test_save_version_leaves_no_staging_folder_or_writer_record(tmp_path, model):
    version = registry.save_version(tmp_path, model, {})
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".staging")) == []
    assert sorted(p.name for p in (tmp_path / version).iterdir()) == [
        "artifact.joblib",
        "manifest.json",
    ]


def test_a_staging_folder_records_its_writer(tmp_path):
    from kakehashi import staging_area

    folder = staging_area.create(tmp_path)
    assert json.loads((folder / ".owner.json").read_text()) == this_process()
    assert staging_area.clean_stale(tmp_path) == []


def test_version_pattern_refuses_a_final_newline(two_versions):
    _, first, _ = two_versions
    assert registry.VERSION_PATTERN.match(first)
    assert not registry.VERSION_PATTERN.match(f"{first}\n")
