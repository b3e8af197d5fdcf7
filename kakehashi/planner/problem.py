"""The optimization problem in plain terms (ids, scores, slots), free of the model and the request.

The schedule layer builds it; the solvers and the property tests need nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kakehashi.planner.request import Pin

Pair = tuple[str, str]  # (japanese_id, israeli_id)


@dataclass(frozen=True)
class Problem:
    """Candidate pairs with their scores, the days' slots and everyone's limits."""

    scores: Mapping[Pair, float]  # the candidate pairs (pinned pairs included)
    slots: tuple[int, ...]  # slots of each day
    days_of: Mapping[str, frozenset[int]]  # Israeli id -> the days it can reach the venue
    israeli_cap: Mapping[str, int]
    japanese_min: Mapping[str, int]
    japanese_max: Mapping[str, int]
    pins: tuple[Pin, ...] = ()
    time_limit: float = 10.0

    def japanese(self) -> tuple[str, ...]:
        """The Japanese ids with a limit, sorted."""
        return tuple(sorted(self.japanese_max))

    def israeli(self) -> tuple[str, ...]:
        """The Israeli ids of the candidate pairs, sorted."""
        return tuple(sorted({i for _, i in self.scores}))

    def single_venue(self) -> bool:
        """True when every candidate can meet on every day and no pin names a day."""
        every = frozenset(range(len(self.slots)))
        reach_all = all(self.days_of[i] == every for i in self.israeli())
        return reach_all and all(pin.day is None for pin in self.pins)


@dataclass(frozen=True)
class Placed:
    """A scheduled meeting: the pair, its day and slot."""

    japanese_id: str
    israeli_id: str
    day: int
    slot: int


@dataclass(frozen=True)
class Solution:
    """The meetings chosen, their total score, and how sure the solver is of it."""

    meetings: tuple[Placed, ...]
    objective: float
    gap: float  # relative gap between the best schedule found and HiGHS's bound; 0 when optimal
    method: str  # "two_stage" (b-matching LP then edge colouring) or "milp"
    optimal: bool
