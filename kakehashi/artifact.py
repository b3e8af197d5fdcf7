"""The model artifact on disk: a format number and the fitted model, written atomically."""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import joblib

from kakehashi.errors import ArtifactError

ARTIFACT_FORMAT = 5  # bump whenever fitted attributes change, so old artifacts fail clearly
# Libraries whose pickled objects the artifact holds: another minor version may load it wrongly.
PICKLED_LIBRARIES = ("scikit-learn", "scipy", "numpy")
RETRAIN = "python -m training train --companies LIST --partnerships DEALS --models-dir DIR"


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries the artifact depends on."""
    names = (*PICKLED_LIBRARIES, "joblib")
    return {"python": platform.python_version(), **{n: metadata.version(n) for n in names}}


def version_mismatches(recorded: Mapping[str, str]) -> list[str]:
    """'scikit-learn 1.8.0 (now 1.9.1)' for each pickled library whose minor version changed."""
    current = library_versions()
    minor = lambda version: tuple(version.split(".")[:2])  # noqa: E731
    return [
        f"{name} {recorded[name]} (now {current[name]})"
        for name in PICKLED_LIBRARIES
        if name in recorded and minor(recorded[name]) != minor(current[name])
    ]


def save_model(model: object, path: Path) -> str:
    """Write the fitted model to `path` atomically; return the artifact's sha256."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
        joblib.dump({"format": ARTIFACT_FORMAT, "model": model}, handle, compress=3)
        handle.flush()
        os.chmod(handle.name, 0o644)  # readable by a server running as another user
        os.fsync(handle.fileno())
    os.replace(handle.name, path)
    return file_sha256(path)


def load_model(path: Path, expected_sha256: str | None = None) -> object:
    """Read a model artifact, checking its checksum when one is given and its format always."""
    path = Path(path)
    try:
        if expected_sha256 and file_sha256(path) != expected_sha256:
            raise ArtifactError(f"{path}: checksum does not match the manifest")
        payload = joblib.load(path)
    except FileNotFoundError:
        raise ArtifactError(f"{path}: artifact not found") from None
    except ArtifactError:
        raise
    except Exception as exc:  # joblib/pickle raise many types for a damaged file
        raise ArtifactError(f"{path}: unreadable artifact ({type(exc).__name__}: {exc})") from None
    if not isinstance(payload, dict) or "format" not in payload:
        raise ArtifactError(f"{path}: not a Kakehashi artifact")
    if payload["format"] != ARTIFACT_FORMAT:
        found = payload["format"]
        raise ArtifactError(
            f"{path}: artifact format {found}, this code reads format {ARTIFACT_FORMAT}; retrain it"
        )
    return payload["model"]


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
