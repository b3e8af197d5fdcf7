"""The model artifact on disk: a format number and the fitted model, written atomically.

The file is kakehashi.artifact_file's layout: a pickle read with an allow-list (loading cannot
run code, docs/reliability.md "Trust boundary") and every numeric array stored raw beside it, so
that its arrays (dense, and the data, indices and indptr of sparse matrices) are memory-mapped
read-only at load: workers serving the same version share those pages. Artifacts of the earlier
joblib layout still load, through the same allow-list (mapped only when uncompressed).
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Mapping
from importlib import metadata
from mmap import ACCESS_READ
from mmap import mmap as file_window  # `mmap` is load_model's parameter
from pathlib import Path

import blake3

from kakehashi.artifact_file import is_artifact_file, read_artifact, write_artifact
from kakehashi.errors import ArtifactError
from kakehashi.safe_load import restricted_load

ARTIFACT_FORMAT = 17  # bump whenever fitted attributes change, so old artifacts fail clearly
# Libraries whose pickled objects the artifact holds: another minor version may load it wrongly.
PICKLED_LIBRARIES = ("scikit-learn", "scipy", "numpy")
HASH_CHUNK = 1 << 26  # file_blake3's window: 64 MiB, a multiple of mmap.ALLOCATIONGRANULARITY
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
        write_artifact({"format": ARTIFACT_FORMAT, "model": model}, handle)
        handle.flush()
        os.chmod(handle.name, 0o644)  # readable by a server running as another user
        os.fsync(handle.fileno())
    os.replace(handle.name, path)
    return file_sha256(path)


def load_model(
    path: Path,
    expected_sha256: str | None = None,
    mmap: bool = True,
    expected_blake3: str | None = None,
) -> object:
    """Read a model artifact safely, checking its checksum when one is given and its format always.

    The BLAKE3 digest is checked when given (the sha256 is not then computed), else the sha256.
    With `mmap`, its arrays are read-only memory maps of the file (shared between processes).
    """
    path = Path(path)
    try:
        before = _identity(path)
        if not _checksum_matches(path, expected_sha256, expected_blake3):
            raise ArtifactError(f"{path}: checksum does not match the manifest")
        payload = _read(path, mmap)
        if _identity(path) != before:  # replaced between the checksum and the mapping
            raise ArtifactError(f"{path}: artifact changed while it was loading")
    except FileNotFoundError:
        raise ArtifactError(f"{path}: artifact not found") from None
    except ArtifactError as exc:
        raise ArtifactError(f"{path}: {exc}" if str(path) not in str(exc) else str(exc)) from None
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


def _read(path: Path, mmap: bool) -> object:
    if is_artifact_file(path):
        return read_artifact(path, mmap)
    return restricted_load(path, "r" if mmap else None)  # the joblib layout of earlier versions


def _identity(path: Path) -> tuple[int, int, int, int]:
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _checksum_matches(path: Path, sha256: str | None, blake3_digest: str | None) -> bool:
    if blake3_digest is not None:
        return file_blake3(path) == blake3_digest
    return sha256 is None or file_sha256(path) == sha256


def file_blake3(path: Path) -> str:
    """Hex BLAKE3 of a file's bytes, hashed on every core: a load's check, 5 to 6 GB/s on this
    project's two-core machine where sha256 runs at 1 GB/s.

    The file is mapped a window at a time (HASH_CHUNK), not whole (`update_mmap`): a map's pages
    count in the process's RSS while it is open, so a whole map puts the artifact in the peak
    (+0.19 GB for a 10k list's training, measured; 16 GB at 1M), and reading into a buffer
    instead halves the speed. A thread count, not `blake3.AUTO`: AUTO uses one process-wide
    thread pool, which a forked gunicorn worker inherits without its threads, and hashing there
    waits forever."""
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    hasher = blake3.blake3(max_threads=max(1, threads or 1))
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        for offset in range(0, size, HASH_CHUNK):
            length = min(HASH_CHUNK, size - offset)
            with file_window(handle.fileno(), length, offset=offset, access=ACCESS_READ) as view:
                hasher.update(view)
    return hasher.hexdigest()


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
