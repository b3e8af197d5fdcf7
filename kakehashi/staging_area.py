"""The `.staging-*` folders a version is written in before its rename, and removing stale ones.

A training killed while saving leaves its staging folder behind. Each folder records the process
that writes it (`.owner.json`: pid, host and the process's start time, so a reused pid is not
mistaken for it). A folder is stale when its writer on this host is gone, or, when the writer is
unknown or on another host, when nothing in it changed for STALE_SECONDS. A folder whose writer
runs on this host is never removed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

PREFIX = ".staging-"
OWNER = ".owner.json"
STALE_SECONDS = 3600  # saving a version takes seconds to minutes; an hour is long dead
READABLE_FOLDER = 0o755
logger = logging.getLogger(__name__)


def create(models_dir: Path) -> Path:
    """A new staging folder in models_dir, readable by all, recording this process as its writer."""
    staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=PREFIX))
    os.chmod(staging, READABLE_FOLDER)
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": _start_time(os.getpid())}
    (staging / OWNER).write_text(json.dumps(owner), encoding="utf-8")
    return staging


def release(staging: Path) -> None:
    """Remove the writer record before the folder becomes a version."""
    (staging / OWNER).unlink(missing_ok=True)


def clean_stale(models_dir: Path, now: float | None = None) -> list[str]:
    """Remove the stale staging folders of models_dir; return their names."""
    now = time.time() if now is None else now
    removed = []
    for folder in sorted(Path(models_dir).glob(f"{PREFIX}*")):
        if folder.is_dir() and not folder.is_symlink() and is_stale(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    if removed:
        logger.info("removed stale staging folders of killed trainings: %s", ", ".join(removed))
    return removed


def is_stale(folder: Path, now: float) -> bool:
    """Whether nothing can still be writing `folder` (see the module docstring)."""
    owner = _read_owner(folder)
    if owner is not None and owner.get("host") == socket.gethostname():
        return not _alive(owner.get("pid"), owner.get("started"))
    return now - _last_change(folder) > STALE_SECONDS


def _read_owner(folder: Path) -> dict | None:
    try:
        owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return owner if isinstance(owner, dict) else None


def _last_change(folder: Path) -> float:
    try:
        times = [folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.iterdir()]
    except OSError:  # removed meanwhile, or unreadable: leave it to the next look
        return time.time()
    return max(times)


def _alive(pid: object, started: object) -> bool:
    """Whether process `pid` runs and is the one that started at `started` (when known)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        pass
    if _is_zombie(pid):
        return False
    now_started = _start_time(pid)
    return started is None or now_started is None or now_started == started


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (Linux), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None."""
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else None


def _is_zombie(pid: int) -> bool:
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] == "Z"
