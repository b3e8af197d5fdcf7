"""The served model: loaded from the registry's promoted version and swapped in when it changes.

A request takes one reference (`holder.require()`) and uses it to the end, so a swap never
changes the model under a request in flight. A new version is loaded completely before the
reference is replaced under a lock; a failed load keeps the old model and is logged.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from flask import Flask, current_app, g

from kakehashi import registry
from kakehashi.errors import KakehashiError, ModelNotFoundError
from kakehashi.registry import LoadedModel


class ModelHolder:
    """Holds the promoted model of one models directory and notices new promotions."""

    def __init__(self, models_dir: Path, check_seconds: float, logger: logging.Logger):
        self.models_dir = Path(models_dir)
        self.check_seconds = check_seconds
        self.logger = logger
        self.loaded: LoadedModel | None = None
        self.problem: str | None = None  # why the promoted model is not served, for people
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._checked_at = float("-inf")

    @property
    def version(self) -> str | None:
        """The version being served, or None."""
        loaded = self.loaded
        return loaded.version if loaded else None

    def require(self) -> LoadedModel:
        """The served model (ModelNotFoundError when none is loaded)."""
        loaded = self.loaded
        if loaded is None:
            raise ModelNotFoundError(
                self.problem or "no model is promoted yet; train one (python -m training train)"
            )
        return loaded

    def start(self) -> None:
        """Load the promoted version at start; without one the service runs and waits for one."""
        with self._lock:
            self._checked_at = time.monotonic()
            try:
                self._reload_locked(force=True)
            except (KakehashiError, OSError) as exc:
                self._note_failure(exc)
                self._fall_back_locked()

    def maybe_reload(self) -> None:
        """Swap in a newly promoted version, checking the pointer at most every check_seconds.

        Never waits: when another thread is already loading, this request keeps the old model.
        """
        if time.monotonic() - self._checked_at < self.check_seconds:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._checked_at = time.monotonic()
            self._reload_locked(force=False)
        except (KakehashiError, OSError) as exc:
            self.logger.error(
                "keeping model %s; loading the promoted one failed: %s", self.version, exc
            )
        finally:
            self._lock.release()

    def reload(self) -> tuple[str | None, str]:
        """Re-read the promoted version now; return (previous version, served version)."""
        with self._lock:
            previous = self.version
            self._checked_at = time.monotonic()
            self._reload_locked(force=True)
            return previous, self.require().version

    def _note_failure(self, exc: Exception) -> None:
        """Log why the promoted model cannot be served; keep the reason, without paths."""
        self.logger.warning("the promoted model cannot be served: %s", exc)
        reason = str(exc).replace(f"{self.models_dir.resolve()}/", "")
        reason = reason.replace(f"{self.models_dir}/", "")
        if not isinstance(exc, ModelNotFoundError):
            self.problem = (
                f"the promoted model could not be loaded ({reason}); roll back or retrain"
            )

    def _fall_back_locked(self) -> None:
        """Serve the newest version that loads when the promoted one does not."""
        for version in reversed(registry.versions(self.models_dir)):
            try:
                self.loaded = registry.load_version(self.models_dir, version)
            except (KakehashiError, OSError):
                continue
            self.logger.warning("serving the last good version %s instead", version)
            return

    def _reload_locked(self, force: bool) -> None:
        signature = self._pointer_signature()
        # with no model but a promoted one, keep trying: it may be repaired in place
        force = force or (self.loaded is None and signature is not None)
        if not force and signature == self._signature:
            return
        self._signature = signature
        version = registry.current_version(self.models_dir)  # ArtifactError when hand-damaged
        if version is None:
            if self.loaded is None:
                raise ModelNotFoundError(f"no promoted model in {self.models_dir}")
            return
        if self.loaded is not None and version == self.loaded.version:
            return
        started = time.perf_counter()
        loaded = registry.load_version(self.models_dir, version)
        previous, self.loaded, self.problem = self.version, loaded, None
        elapsed = time.perf_counter() - started
        self.logger.info("serving model %s (was %s; loaded in %.2fs)", version, previous, elapsed)

    def _pointer_signature(self) -> tuple[int, int, int] | None:
        """Changes whenever promoted.json is replaced (os.replace gives a new inode)."""
        try:
            stat = os.stat(self.models_dir / registry.POINTER)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def holder() -> ModelHolder:
    """The current app's model holder."""
    return current_app.extensions["kakehashi"]


def served_model() -> LoadedModel:
    """The model this request uses from start to end (the first call pins it)."""
    if "loaded_model" not in g:
        g.loaded_model = holder().require()
    return g.loaded_model


def init_app(app: Flask) -> None:
    """Create the holder, load the promoted model, and check for promotions before requests."""
    model_holder = ModelHolder(
        Path(str(app.config["MODEL_DIR"])),
        float(app.config["RELOAD_CHECK_SECONDS"]),
        app.logger,
    )
    app.extensions["kakehashi"] = model_holder
    model_holder.start()
    app.before_request(model_holder.maybe_reload)
