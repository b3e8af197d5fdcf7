"""What a delegation schedule takes: typed frozen records, read and checked from a JSON document.

The same reader serves the HTTP API (after its schema) and the CLI, so both give the same errors,
each naming the field (`days[1].venue: ...`). Caps keep the cost of one request bounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from kakehashi.calibration import STRENGTHS, WEAK

MAX_JAPANESE = 200
MAX_DAYS = 10
MAX_SLOTS = 48
MAX_PAIRS = 1000  # pins, and forbidden pairs, each
MAX_POOL_FILTER = 1000  # sectors, cities or ids of the pool
TIME_LIMIT = 10.0  # seconds the MILP may take by default
MAX_TIME_LIMIT = 30.0
CANDIDATES = 40  # per Japanese firm: its best pairs the MILP chooses from (docs/planner.md)
MAX_CANDIDATES = 100  # larger cuts let HiGHS overrun its time limit (docs/planner.md)
UNPLACED = 5  # per Japanese firm: its best pairs not placed, with the reason
MAX_UNPLACED = 50
TRAVEL_MINUTES = 60
STRENGTH_ORDER = (WEAK, *reversed([label for label, _ in STRENGTHS]))  # weak < good < strong


@dataclass(frozen=True)
class Break:
    """A pause of `minutes` after slot `after_slot` of a day."""

    after_slot: int
    minutes: int


@dataclass(frozen=True)
class Day:
    """One meeting day: its date, venue city and slots."""

    date: dt.date
    venue: str
    start: dt.time
    slots: int
    slot_minutes: int
    breaks: tuple[Break, ...] = ()

    def slot_start(self, slot: int) -> dt.datetime:
        """When a slot starts (local time at the venue)."""
        pause = sum(b.minutes for b in self.breaks if b.after_slot < slot)
        begin = dt.datetime.combine(self.date, self.start)
        return begin + dt.timedelta(minutes=slot * self.slot_minutes + pause)

    def slot_end(self, slot: int) -> dt.datetime:
        """When a slot ends."""
        return self.slot_start(slot) + dt.timedelta(minutes=self.slot_minutes)


@dataclass(frozen=True)
class Pool:
    """The Israeli firms to choose from: all, or those matching any sector, any city, or the ids."""

    sectors: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capacity:
    """How many meetings each Israeli firm can take and each Japanese firm wants."""

    israeli_default: int = 4
    israeli: Mapping[str, int] = field(default_factory=dict)
    japanese_min: int = 0
    japanese_max: int = 8

    def of_israeli(self, company_id: str) -> int:
        """The meeting capacity of one Israeli firm."""
        return self.israeli.get(company_id, self.israeli_default)


@dataclass(frozen=True)
class Pin:
    """A meeting that must happen, optionally on a given day and in a given slot."""

    japanese_id: str
    israeli_id: str
    day: int | None = None
    slot: int | None = None


@dataclass(frozen=True)
class PlanRequest:
    """Everything a schedule is built from."""

    japanese_ids: tuple[str, ...]
    days: tuple[Day, ...]
    pool: Pool = Pool()
    capacity: Capacity = Capacity()
    min_score: float = 0.0
    min_strength: str = WEAK
    skip_known: bool = False
    skip_not_relevant: bool = True
    pins: tuple[Pin, ...] = ()
    forbid: frozenset[tuple[str, str]] = frozenset()
    max_travel_minutes: int = TRAVEL_MINUTES
    time_limit_seconds: float = TIME_LIMIT
    candidates_per_firm: int = CANDIDATES
    unplaced_per_firm: int = UNPLACED


BRIEFING_TOP_K = 10
MAX_BRIEFING_TOP_K = 100


@dataclass(frozen=True)
class BriefingRequest:
    """The top_k partners of each firm of a delegation, for briefing packs."""

    japanese_ids: tuple[str, ...]
    top_k: int = BRIEFING_TOP_K
    pool: Pool = Pool()
    skip_known: bool = False
    skip_not_relevant: bool = True
