"""The artifact: loading cannot run code, and its arrays are memory-mapped read-only."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
from pathlib import Path

import joblib
import numpy as np
import pytest
import scipy.sparse as sp

from kakehashi import registry
from kakehashi.artifact import ARTIFACT_FORMAT, file_blake3, file_sha256, load_model, save_model
from kakehashi.artifact_file import MAGIC, read_artifact, write_artifact
from kakehashi.errors import ArtifactError
from kakehashi.safe_load import restricted_load, trusted_global, unmapped_arrays


class RunsCommand:
    """Unpickling this calls os.system: what a hostile artifact does."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class CallsEval:
    def __reduce__(self):
        return (eval, ("1 + 1",))


class ImportsModule:
    def __reduce__(self):
        return (__import__, ("subprocess",))


class NamesAMethod:
    """A dotted name (protocol 4) reaching a method of an allowed class."""

    def __reduce__(self):
        from kakehashi.model import PartnerModel

        return (PartnerModel.fit, (None, ()))


def write(path: Path, payload: object, layout: str) -> Path:
    """An artifact holding `payload`, in this project's layout or the earlier joblib one."""
    document = {"format": ARTIFACT_FORMAT, "model": payload}
    if layout == "joblib":
        joblib.dump(document, path)
    else:
        with open(path, "wb") as handle:
            write_artifact(document, handle)
    return path


LAYOUTS = pytest.mark.parametrize("layout", ["artifact", "joblib"])


@pytest.fixture
def saved(tmp_path: Path, model) -> Path:
    path = tmp_path / "artifact.joblib"
    save_model(model, path)
    return path


def hostile_version(models_dir: Path, good: str, payload: object, layout="artifact") -> str:
    """A version folder whose artifact is a hostile pickle with matching manifest checksums."""
    version = good[:-1] + ("0" if good[-1] != "0" else "1")
    (models_dir / version).mkdir()
    artifact = write(models_dir / version / registry.ARTIFACT, payload, layout)
    manifest = registry.read_manifest(models_dir, good)
    manifest["artifact"]["sha256"] = file_sha256(artifact)
    manifest["artifact"]["blake3"] = file_blake3(artifact)
    registry.write_json_atomic(models_dir / version / registry.MANIFEST, manifest)
    return version


def test_load_model_of_the_real_artifact_maps_every_array(saved: Path, model):
    loaded = load_model(saved)
    assert unmapped_arrays(loaded) == []
    assert unmapped_arrays(model)  # the walk does find arrays: the fitted model's are in memory
    company = model.companies()[0].id
    scores = loaded.score_all(loaded.query_for(company))
    assert np.array_equal(scores, model.score_all(model.query_for(company)))


def test_load_model_maps_sparse_matrices_read_only(saved: Path):
    loaded = load_model(saved)
    profiles = loaded.profiles_
    assert sp.issparse(profiles)
    for part in (profiles.data, profiles.indices, profiles.indptr):
        assert unmapped_arrays(part) == [] and not part.flags.writeable


def test_load_model_without_mmap_reads_arrays_into_memory(saved: Path):
    assert unmapped_arrays(load_model(saved, mmap=False))


def test_load_model_mapped_model_ranks_explains_and_matches_profiles(saved: Path, model):
    """Read-only maps raise on any in-place write: ranking, explaining and /v1/match must not."""
    loaded = load_model(saved)
    for company in loaded.companies()[:5]:
        query = loaded.query_for(company.id)
        matches = loaded.rank(query, 5, diversity=0.5)
        assert loaded.explain(query, matches[0]) == model.explain(
            model.query_for(company.id), matches[0]
        )
        profile = loaded.query_for_profile(company)
        assert [m.company.id for m in loaded.rank(profile, 3)] == [
            m.company.id for m in model.rank(model.query_for_profile(company), 3)
        ]


@LAYOUTS
def test_load_model_refuses_a_pickle_that_runs_a_command(tmp_path: Path, layout: str):
    marker = tmp_path / "pwned"
    path = write(tmp_path / "artifact.joblib", RunsCommand(marker), layout)
    with pytest.raises(ArtifactError, match=r"refused global (posix|os|nt)\.system"):
        load_model(path, file_sha256(path))
    assert not marker.exists()


@LAYOUTS
@pytest.mark.parametrize(
    ("payload", "refused"),
    [
        (CallsEval(), "builtins.eval"),
        (ImportsModule(), "builtins.__import__"),
        (NamesAMethod(), "kakehashi.model.PartnerModel.fit"),
    ],
)
def test_load_model_refuses_globals_off_the_allow_list(tmp_path: Path, payload, refused, layout):
    path = write(tmp_path / "artifact.joblib", payload, layout)
    with pytest.raises(ArtifactError, match=f"refused global {refused}"):
        load_model(path)


@LAYOUTS
def test_load_model_refuses_a_hostile_object_array(tmp_path: Path, layout: str):
    """Object arrays are pickled (in joblib's layout, a nested pickle): the same allow-list."""
    marker = tmp_path / "pwned"
    array = np.empty(1, dtype=object)
    array[0] = RunsCommand(marker)
    path = write(tmp_path / "artifact.joblib", array, layout)
    with pytest.raises(ArtifactError, match="refused global"):
        load_model(path)
    assert not marker.exists()


@LAYOUTS
def test_load_reads_object_arrays_and_arrays_of_every_layout(tmp_path: Path, layout: str):
    array = np.array([("a", 1), ("b", 2)], dtype=object)
    fortran, empty = np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.zeros((0, 4))
    path = tmp_path / "a.joblib"
    document = {"x": array, "y": np.arange(4), "f": fortran, "e": empty, "y_again": None}
    document["y_again"] = document["y"]
    if layout == "joblib":
        joblib.dump(document, path)
        loaded = restricted_load(path)
    else:
        with open(path, "wb") as handle:
            write_artifact(document, handle)
        loaded = read_artifact(path)
        assert loaded["y_again"] is loaded["y"]  # one array referenced twice stays one
        assert np.array_equal(loaded["f"], fortran) and loaded["e"].shape == (0, 4)
    assert loaded["x"].tolist() == array.tolist() and loaded["y"].tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("os", "system"),
        ("subprocess", "Popen"),
        ("builtins", "getattr"),
        ("kakehashi.registry", "shutil"),  # a module reached through an allowed package
        ("kakehashi.registry", "promote"),  # a function of the project that is not a tokenizer
        ("kakehashi.registry", "Path"),  # a class imported into the project from elsewhere
        ("numpy", "load"),
        ("sklearn.base", "BaseEstimator.__init_subclass__"),
        ("joblib.numpy_pickle_compat", "NDArrayWrapper"),  # reads companion files by path
    ],
)
def test_trusted_global_refuses(module: str, name: str):
    with pytest.raises(ArtifactError, match=f"refused global {module}.{name}"):
        trusted_global(module, name)


def test_trusted_global_allows_estimators_records_and_tokenizers():
    from kakehashi.companies import Company
    from kakehashi.tokens import word_tokens

    assert trusted_global("sklearn.pipeline", "Pipeline").__name__ == "Pipeline"
    assert trusted_global("kakehashi.companies", "Company") is Company
    assert trusted_global("kakehashi.tokens", "word_tokens") is word_tokens
    assert trusted_global("numpy", "float64") is np.float64


def test_load_model_names_a_missing_global(tmp_path: Path):
    path = tmp_path / "artifact.joblib"
    path.write_bytes(b"\x80\x04\x8c\x0fkakehashi.model\x94\x8c\x05Ghost\x94\x93\x94.")
    with pytest.raises(ArtifactError, match=r"kakehashi\.model\.Ghost, which does not exist"):
        load_model(path)


@LAYOUTS
def test_registry_refuses_a_hostile_artifact_with_a_matching_checksum(tmp_path, model, layout):
    good = registry.save_version(tmp_path, model, {})
    marker = tmp_path / "pwned"
    version = hostile_version(tmp_path, good, RunsCommand(marker), layout)
    with pytest.raises(ArtifactError, match="refused global"):
        registry.load_version(tmp_path, version)
    assert not marker.exists()


def test_registry_refuses_an_artifact_that_is_not_a_model(tmp_path: Path, model):
    good = registry.save_version(tmp_path, model, {})
    version = hostile_version(tmp_path, good, {"not": "a model"})
    with pytest.raises(ArtifactError, match="holds a dict, not a model"):
        registry.load_version(tmp_path, version)


class _Forger(pickle.Pickler):
    """Writes a pickle whose array reference is what the test chooses."""

    reference: tuple = ()

    def persistent_id(self, obj):
        return self.reference if isinstance(obj, np.ndarray) else None


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (("array", 0, "|O", (1,), "C"), "refused dtype"),
        (("array", 0, "<f8", (1000,), "C"), "size does not match"),
        (("array", 7, "<f8", (1,), "C"), "malformed array reference"),
        (("array", 0, "<f8", (-1,), "C"), "malformed shape"),
        (("file", "/etc/passwd"), "unknown reference"),
    ],
)
def test_read_artifact_refuses_forged_array_references(tmp_path: Path, reference, message):
    path = tmp_path / "artifact.joblib"
    with open(path, "wb") as handle:
        write_artifact({"format": ARTIFACT_FORMAT, "model": np.zeros(1)}, handle)
    data = path.read_bytes()
    forged = io.BytesIO()
    forger = _Forger(forged, protocol=5)
    forger.reference = reference
    forger.dump({"format": ARTIFACT_FORMAT, "model": np.zeros(1)})
    start = len(MAGIC) + 8
    (length,) = struct.unpack("<Q", data[len(MAGIC) : start])
    body = forged.getvalue()
    tail = data[start + length :]
    index_at = struct.unpack("<Q", tail[-8:])[0] - length + len(body)
    rebuilt = data[: len(MAGIC)] + struct.pack("<Q", len(body)) + body
    shift = len(body) - length
    index = json.loads(tail[:-8][tail.rfind(b'{"arrays"') :])
    arrays = [[offset + shift, size] for offset, size in index["arrays"]]
    blob = tail[: tail.rfind(b'{"arrays"')]
    rebuilt += blob + json.dumps({"arrays": arrays}).encode() + struct.pack("<Q", index_at)
    path.write_bytes(rebuilt)
    with pytest.raises(ArtifactError, match=message):
        load_model(path)


@pytest.mark.parametrize("cut", [10, 40, -4, -30])
def test_read_artifact_refuses_a_truncated_file(saved: Path, cut: int):
    data = saved.read_bytes()
    saved.write_bytes(data[:cut])
    with pytest.raises(ArtifactError, match="artifact"):
        load_model(saved)


def _hash_in_child(path: str, queue) -> None:
    queue.put(file_blake3(Path(path)))


def test_blake3_checksum_works_in_a_process_forked_after_the_parent_hashed(saved: Path):
    """gunicorn's master loads (and so hashes) the model before it forks its workers; a worker
    hashing the next version must not wait on a thread pool the fork left behind."""
    import multiprocessing

    expected = file_blake3(saved)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_hash_in_child, args=(str(saved), queue))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0 and queue.get(timeout=5) == expected


@pytest.mark.parametrize("size", [0, 1, 4096, 3 * 4096 + 17])
def test_blake3_of_a_file_read_window_by_window_is_the_digest_of_its_bytes(
    tmp_path: Path, monkeypatch, size: int
):
    import mmap

    import blake3

    from kakehashi import artifact

    monkeypatch.setattr(artifact, "HASH_CHUNK", mmap.ALLOCATIONGRANULARITY)
    path = tmp_path / "blob"
    path.write_bytes(np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes())
    assert file_blake3(path) == blake3.blake3(path.read_bytes()).hexdigest()
