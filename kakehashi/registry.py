"""Versioned model folders, their manifests, atomic promotion and rollback.

Layout: `<models>/<version>/{artifact.joblib,manifest.json}` and `<models>/promoted.json`, which
holds the current version and the stack of earlier promotions. Every write goes to a temporary
file or folder first and is moved into place with one atomic rename. An artifact is loaded only
from `<models>/<version>/artifact.joblib` for a version name this module writes, only after its
checksum matches the manifest (its BLAKE3 digest, or the sha256 of a manifest written before
BLAKE3 was recorded), and through kakehashi.safe_load (loading cannot run code).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kakehashi import staging_area
from kakehashi.artifact import RETRAIN, file_blake3, load_model, save_model, version_mismatches
from kakehashi.errors import ArtifactError, ModelNotFoundError, UnknownVersionError
from kakehashi.model import PartnerModel

ARTIFACT = "artifact.joblib"
MANIFEST = "manifest.json"
POINTER = "promoted.json"
logger = logging.getLogger(__name__)
# Versions are read by a server that may run as another user (a read-only volume in Docker):
# readable by all, writable by the owner; temporary files would otherwise be 0600 and 0700.
READABLE_FILE, READABLE_FOLDER = 0o644, 0o755
# \A...\Z, not ^...$: "$" also matches before a final newline ("<version>\n" is not a version)
VERSION_PATTERN = re.compile(r"\A\d{8}T\d{6}Z-[0-9a-f]{6}(-\d+)?\Z")
DIGEST = re.compile(r"\A[0-9a-f]{64}\Z")  # sha256 and BLAKE3, hex


@dataclass(frozen=True)
class LoadedModel:
    """A model read from the registry, with its version and manifest."""

    version: str
    model: PartnerModel
    manifest: dict


def write_json_atomic(path: Path, document: object) -> None:
    """Write JSON to a temporary file beside `path`, fsync it, and rename it over `path`."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False
    ) as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
        handle.flush()
        os.chmod(handle.name, READABLE_FILE)
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


def save_version(models_dir: Path, model: PartnerModel, manifest: dict) -> str:
    """Write a new version folder (artifact + manifest) atomically; return its version."""
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging_area.clean_stale(models_dir)
    staging = staging_area.create(models_dir)
    try:
        sha = save_model(model, staging / ARTIFACT)
        version = _new_version(models_dir, sha)
        manifest = {"version": version, **manifest}
        manifest["artifact"] = {
            "file": ARTIFACT,
            "sha256": sha,
            "blake3": file_blake3(staging / ARTIFACT),
            "bytes": (staging / ARTIFACT).stat().st_size,
        }
        write_json_atomic(staging / MANIFEST, manifest)
        staging_area.release(staging)
        os.rename(staging, models_dir / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return version


def _new_version(models_dir: Path, sha: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    version, n = f"{stamp}-{sha[:6]}", 2
    while (models_dir / version).exists():
        version, n = f"{stamp}-{sha[:6]}-{n}", n + 1
    return version


def versions(models_dir: Path) -> list[str]:
    """Every complete version folder, oldest first (stale staging folders are removed first)."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return []
    if os.access(models_dir, os.W_OK):  # a server on a read-only volume only reads
        staging_area.clean_stale(models_dir)
    found = [
        p
        for p in models_dir.iterdir()
        if VERSION_PATTERN.match(p.name) and (p / MANIFEST).is_file()
    ]
    return [p.name for p in sorted(found, key=_age_order)]


def _age_order(folder: Path) -> tuple[str, int, str]:
    """Oldest first: by the name's timestamp, then, within one second (where the sha part of the
    name is random), by when the manifest was written."""
    stamp = folder.name.split("-", 1)[0]
    return (stamp, (folder / MANIFEST).stat().st_mtime_ns, folder.name)


def read_manifest(models_dir: Path, version: str) -> dict:
    """The manifest of one version (ArtifactError when it is damaged)."""
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise UnknownVersionError(f"no model version {version!r} in {models_dir}")
    path = Path(models_dir) / version / MANIFEST
    if not path.is_file():
        raise UnknownVersionError(f"no model version {version!r} in {models_dir}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{version}/{MANIFEST}: not readable JSON ({exc})") from None
    artifact = manifest.get("artifact") if isinstance(manifest, dict) else None
    if not isinstance(artifact, dict) or not all(
        isinstance(artifact.get(key), str) for key in ("file", "sha256")
    ):
        raise ArtifactError(f"{version}/{MANIFEST}: no artifact file and sha256")
    if artifact["file"] != ARTIFACT:  # never a path the manifest chooses ("../x", "/tmp/x")
        raise ArtifactError(f"{version}/{MANIFEST}: artifact file must be {ARTIFACT}")
    for key in ("sha256", "blake3"):  # blake3: manifests written before it have none
        if key in artifact and not (isinstance(artifact[key], str) and DIGEST.match(artifact[key])):
            raise ArtifactError(f"{version}/{MANIFEST}: artifact {key} is not 64 hex digits")
    return manifest


def _read_pointer(models_dir: Path) -> dict:
    path = Path(models_dir) / POINTER
    if not path.is_file():
        return {"current": None, "history": []}
    try:
        pointer = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path}: unreadable promotion pointer ({exc})") from None
    if not isinstance(pointer, dict):
        raise ArtifactError(f"{POINTER}: malformed promotion pointer (not an object)")
    pointer = {"current": None, "history": [], **pointer}
    named = (
        [pointer["current"], *pointer["history"]] if isinstance(pointer["history"], list) else []
    )
    if not isinstance(pointer["history"], list) or not all(
        v is None or (isinstance(v, str) and VERSION_PATTERN.match(v)) for v in named
    ):
        raise ArtifactError(f"{POINTER}: malformed promotion pointer (versions must be names)")
    return pointer


def current_version(models_dir: Path) -> str | None:
    """The promoted version, or None when nothing was promoted."""
    return _read_pointer(models_dir).get("current")


@contextlib.contextmanager
def _locked(models_dir: Path) -> Iterator[None]:
    """Serialize writers of the pointer file (readers never need the lock)."""
    with open(Path(models_dir) / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def promote(models_dir: Path, version: str) -> str | None:
    """Make `version` the served one; return the version it replaced.

    A damaged promoted.json is replaced (its history is lost, and the warning says so), so
    promoting a good version is always the way to repair a models folder.
    """
    read_manifest(models_dir, version)
    with _locked(models_dir):
        try:
            pointer = _read_pointer(models_dir)
        except ArtifactError as exc:
            logger.warning("replacing a damaged %s: %s", POINTER, exc)
            pointer = {"current": None, "history": []}
        previous = pointer.get("current")
        if previous and previous != version:
            pointer["history"].append(previous)
        pointer["current"] = version
        pointer["promoted_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        write_json_atomic(Path(models_dir) / POINTER, pointer)
    return previous


def rollback(models_dir: Path) -> str:
    """Re-promote the version that was current before the last promotion; return it."""
    with _locked(models_dir):
        pointer = _read_pointer(models_dir)
        history = [v for v in pointer["history"] if v in versions(models_dir)]
        if not history:
            raise UnknownVersionError("nothing to roll back to: no earlier promoted version")
        pointer["current"], pointer["history"] = history[-1], history[:-1]
        pointer["promoted_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        write_json_atomic(Path(models_dir) / POINTER, pointer)
    return pointer["current"]


def load_version(models_dir: Path, version: str) -> LoadedModel:
    """Load one version's model, verifying the artifact against its manifest.

    An artifact pickled by another minor version of scikit-learn, scipy or numpy may load
    wrongly or not at all: that is logged as a warning naming the command that retrains.
    """
    manifest = read_manifest(models_dir, version)
    changed = version_mismatches(manifest.get("libraries") or {})
    if changed:
        logger.warning(
            "model %s was trained with %s; retrain it: %s", version, ", ".join(changed), RETRAIN
        )
    path = _artifact_path(Path(models_dir), version)
    record = manifest["artifact"]
    model = load_model(path, record["sha256"], expected_blake3=record.get("blake3"))
    if not isinstance(model, PartnerModel):
        raise ArtifactError(f"{version}/{ARTIFACT}: holds a {type(model).__name__}, not a model")
    return LoadedModel(version, model, manifest)


def _artifact_path(models_dir: Path, version: str) -> Path:
    """The artifact of a version, refusing a version folder or artifact that leads elsewhere."""
    path = models_dir / version / ARTIFACT
    if path.resolve().parent != models_dir.resolve() / version:  # a symlink out of the folder
        raise ArtifactError(f"{version}/{ARTIFACT}: leads outside the models folder")
    return path


def load_promoted(models_dir: Path) -> LoadedModel:
    """Load the promoted version (ModelNotFoundError when there is none)."""
    version = current_version(models_dir)
    if version is None:
        raise ModelNotFoundError(
            f"no promoted model in {models_dir}; run `python -m training train`"
        )
    return load_version(models_dir, version)
