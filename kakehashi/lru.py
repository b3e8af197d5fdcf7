"""Bounded caches that live on one fitted model, so they die with it at a hot swap.

A fitted model never changes, so what it derives from its own rows (the explanation of a pair
of its firms, the expanded text of a firm) can be kept; a bound keeps a worker's memory flat
whatever the traffic. The caches are not part of the artifact (`PartnerModel.__getstate__`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

EXPLANATIONS = 4096  # explained pairs kept per model (about 3 KB each)
TEXTS = 8192  # derived texts kept per model (expanded, stemmed, glossary entries of a text)
RANKINGS = 256  # rankings of the model's own firms kept per model (JSON-ready, 1 KB a result)
DERIVED = 4  # values derived from all the model's firms at once (their folded names)
PROFILES = 128  # rankings of ad-hoc profiles kept per model (keyed by the profile, <= 3 KB)
_CACHES = "serving_caches"  # the model attribute that holds them


class LRUCache:
    """A thread-safe mapping of at most `size` entries that forgets the least recently used."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU cache holds at least one entry")
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value under `key`, computed by `compute()` and kept when absent."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()  # outside the lock: two threads may compute the same value once each
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value


@dataclass(frozen=True)
class ModelCaches:
    """The caches of one fitted model."""

    explanations: LRUCache = field(default_factory=lambda: LRUCache(EXPLANATIONS))
    texts: LRUCache = field(default_factory=lambda: LRUCache(TEXTS))
    rankings: LRUCache = field(default_factory=lambda: LRUCache(RANKINGS))
    profiles: LRUCache = field(default_factory=lambda: LRUCache(PROFILES))
    derived: LRUCache = field(default_factory=lambda: LRUCache(DERIVED))


def caches_of(model: object) -> ModelCaches:
    """The caches of a model, created on first use (not saved with it)."""
    found = getattr(model, _CACHES, None)
    if found is None:
        found = vars(model).setdefault(_CACHES, ModelCaches())
    return found


def without_caches(state: dict) -> dict:
    """A model's pickled state without its caches (they hold locks and are rebuilt on use)."""
    return {k: v for k, v in state.items() if k != _CACHES}
