"""The served model: loaded from the registry's promoted version and swapped in when it changes.

A request takes one reference (`holder.require()`) and uses it to the end, so a swap never
changes the model under a request in flight. A new version is loaded completely before the
reference is replaced; a failed load keeps the old model, is logged, and `/readyz` says why.

Promotions are noticed by a background thread per worker process, polling promoted.json every
RELOAD_CHECK_SECONDS: no request ever waits for a load (under gevent workers, where that thread is
a greenlet, the load itself runs in a real thread of gevent's pool). The thread starts with the
process's first request (gunicorn forks workers after importing the app factory, and a thread
does not survive a fork; the pid check starts a new one in a forked child).
RELOAD_CHECK_SECONDS = 0 means: check before every request, in the request (the test suite's
setting, so a promotion is visible on the next request).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app, g

from kakehashi import registry
from kakehashi.errors import KakehashiError, ModelNotFoundError
from kakehashi.registry import LoadedModel

T = TypeVar("T")
# Versions loaded by gunicorn's master before it forked the workers, by (models dir, version):
# a worker adopts its entry instead of loading the same file again. Entries are never dropped:
# freeing them in a worker would dirty (copy) the very pages the workers share.
_PRELOADED: dict[tuple[Path, str], LoadedModel] = {}


class ModelHolder:
    """Holds the promoted model of one models directory and notices new promotions."""

    def __init__(self, models_dir: Path, check_seconds: float, logger: logging.Logger):
        self.models_dir = Path(models_dir)
        self.check_seconds = check_seconds
        self.logger = logger
        self.loaded: LoadedModel | None = None
        self.problem: str | None = None  # why the promoted model is not served, for people
        self.degraded: str | None = None  # why the served version is not the promoted one
        self._lock = threading.Lock()  # held by whoever loads; requests never wait for it
        self._signature: tuple[int, int, int] | None = None
        self._checked_at = float("-inf")
        self._loader: threading.Thread | None = None
        self._loader_pid: int | None = None
        self._loader_lock = threading.Lock()
        self._stopping = threading.Event()

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
        """Before a request: make sure this process's loader runs (or, with 0 s, check now)."""
        if self.check_seconds <= 0:
            self.check_now()
        else:
            self._ensure_loader()

    def check_now(self) -> None:
        """Swap in a newly promoted version; return at once when another thread is loading."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._checked_at = time.monotonic()
            self._reload_locked(force=False)
        except (KakehashiError, OSError) as exc:
            self.logger.error(
                "keeping model %s; loading the promoted one failed: %s", self.version, exc
            )
            self.degraded = f"{self._without_paths(exc)}; serving {self.version or 'no model'}"
        finally:
            self._lock.release()

    def stop(self) -> None:
        """Stop this process's background loader (it finishes a load in progress first)."""
        self._stopping.set()
        loader = self._loader
        if loader is not None and loader.is_alive() and loader is not threading.current_thread():
            loader.join()

    def _ensure_loader(self) -> None:
        """Start the polling thread once per process (a forked worker starts its own)."""
        if self._loader_pid == os.getpid() or self._stopping.is_set():
            return
        with self._loader_lock:
            if self._loader_pid == os.getpid():
                return
            self._loader = threading.Thread(
                target=self._poll, name="kakehashi-model-loader", daemon=True
            )
            self._loader_pid = os.getpid()
            self._loader.start()

    def _poll(self) -> None:
        while not self._stopping.wait(self.check_seconds):
            try:
                self.check_now()
            except Exception:  # never let the loader die: the next poll tries again
                self.logger.exception("the model loader failed unexpectedly")

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
        if not isinstance(exc, ModelNotFoundError):
            self.problem = self._without_paths(exc)
            self.degraded = self.problem

    def _without_paths(self, exc: Exception) -> str:
        """What clients may read about a failed load: the reason, without server paths."""
        reason = str(exc).replace(f"{self.models_dir.resolve()}/", "")
        reason = reason.replace(f"{self.models_dir}/", "")
        return f"the promoted model could not be loaded ({reason}); roll back or retrain"

    def _fall_back_locked(self) -> None:
        """Serve the newest version that loads when the promoted one does not."""
        for version in reversed(registry.versions(self.models_dir)):
            try:
                self.loaded = registry.load_version(self.models_dir, version)
            except (KakehashiError, OSError):
                continue
            self.logger.warning("serving the last good version %s instead", version)
            self.degraded = f"{self.problem}; serving the last good version {version}"
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
            self.degraded = None
            return
        started = time.perf_counter()
        loaded = _PRELOADED.get((self.models_dir.resolve(), version))
        how = "preloaded before the fork" if loaded else "loaded"
        if loaded is None:
            loaded = off_the_event_loop(registry.load_version, self.models_dir, version)
        previous, self.loaded, self.problem, self.degraded = self.version, loaded, None, None
        elapsed = time.perf_counter() - started
        self.logger.info("serving model %s (was %s; %s in %.2fs)", version, previous, how, elapsed)

    def _pointer_signature(self) -> tuple[int, int, int] | None:
        """Changes whenever promoted.json is replaced (os.replace gives a new inode)."""
        try:
            stat = os.stat(self.models_dir / registry.POINTER)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def preload(models_dir: Path, logger: logging.Logger) -> None:
    """Load the promoted version of `models_dir` into this process for its forked children to
    adopt (gunicorn's master, `on_starting`). A version that cannot be loaded is only logged:
    each worker then tries, falls back and reports as it does without a preload."""
    try:
        version = registry.current_version(models_dir)
        if version is not None:
            loaded = registry.load_version(models_dir, version)
            _PRELOADED[(Path(models_dir).resolve(), version)] = loaded
            logger.info("preloaded model %s for the workers", version)
    except Exception as exc:  # a preload only saves memory: never a reason not to start
        logger.warning("not preloading the promoted model: %s", exc)


def off_the_event_loop(function: Callable[..., T], *args: object) -> T:
    """Call `function`; under gevent, in a real thread of the hub's pool, so requests go on.

    gevent patches `threading`, which makes the loader a greenlet: a load (CPU work that never
    yields) would hold the worker's whole event loop until it is done.
    """
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("threading"):
        return function(*args)
    import gevent

    def outcome() -> tuple[bool, object]:
        try:
            return True, function(*args)
        except Exception as exc:  # raised again in the caller, which handles it: gevent's pool
            return False, exc  # would print its traceback to the log for an expected error

    succeeded, value = gevent.get_hub().threadpool.apply(outcome)
    if not succeeded:
        raise value
    return value


def holder() -> ModelHolder:
    """The current app's model holder."""
    return current_app.extensions["kakehashi"]


def served_model() -> LoadedModel:
    """The model this request uses from start to end (the first call pins it)."""
    if "loaded_model" not in g:
        g.loaded_model = holder().require()
    return g.loaded_model


def init_app(app: Flask) -> None:
    """Create the holder, load the promoted model, and watch promotions from the first request."""
    model_holder = ModelHolder(
        Path(str(app.config["MODEL_DIR"])),
        float(app.config["RELOAD_CHECK_SECONDS"]),
        app.logger,
    )
    app.extensions["kakehashi"] = model_holder
    model_holder.start()
    app.before_request(model_holder.maybe_reload)
