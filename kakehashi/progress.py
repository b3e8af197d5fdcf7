"""The progress file of a training run: small JSON written atomically, read by the service.

`python -m training train --progress FILE` rewrites FILE at every step:
`{"step": n, "message": "...", "updated_at": "...", "version": null | "<saved version>"}`.
A reader sees the previous or the next document, never half of one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path


def write_progress(path: Path, document: dict) -> None:
    """Replace the progress file with `document` (temp file beside it, then os.replace)."""
    path = Path(path)
    document = {**document, "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=".progress-", delete=False
    ) as handle:
        json.dump(document, handle, ensure_ascii=False)
    os.replace(handle.name, path)


def read_progress(path: Path) -> dict | None:
    """The latest progress document, or None when there is none (yet) or it is unreadable."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return document if isinstance(document, dict) else None


class ProgressFile:
    """A training report callback that also counts the steps into a progress file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.step = 0
        self.message = ""

    def __call__(self, message: str) -> None:
        """Record one progress message (each `... ` start of a step counts as a step)."""
        if message.endswith(" ..."):
            self.step += 1
        self.message = message
        write_progress(self.path, {"step": self.step, "message": message, "version": None})

    def saved(self, version: str, promoted: bool) -> None:
        """Record the version the run saved."""
        self.step += 1
        document = {"step": self.step, "message": f"saved version {version}", "version": version}
        write_progress(self.path, document | {"promoted": promoted})
