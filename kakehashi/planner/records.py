"""What a schedule gives: meetings, the pairs that did not fit and why, and per-firm agendas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kakehashi.planner.request import Day

REASONS = {
    "capacity": "a candidate, but the firms' meetings or slots went to higher-scoring pairs",
    "travel": "the Israeli firm's city is beyond max_travel_minutes of every day's venue",
    "threshold": "the score or strength is below min_score or min_strength",
    "known_partner": "a known partner, and skip_known is set",
    "not_relevant": "marked not relevant in the feedback, and skip_not_relevant is set",
    "forbidden": "listed in forbid",
    "candidate_limit": "below the firm's best candidates_per_firm pairs given to the solver",
}


@dataclass(frozen=True)
class Meeting:
    """One scheduled meeting with its time, place, score and explanation."""

    japanese_id: str
    japanese_name: str
    israeli_id: str
    israeli_name: str
    israeli_city: str
    day: int
    slot: int
    date: str
    start: str
    end: str
    venue: str
    score: float
    strength: str
    known_partner: bool
    pinned: bool
    travel_minutes: int | None  # None: the Israeli firm's city is unknown, no travel check
    explanation: Mapping[str, object]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {**self.__dict__, "explanation": dict(self.explanation)}


@dataclass(frozen=True)
class Unplaced:
    """A pair among a Japanese firm's best that is not in the schedule, and why."""

    japanese_id: str
    israeli_id: str
    israeli_name: str
    score: float
    strength: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Schedule:
    """The whole plan, as the API and the exports give it."""

    days: tuple[Day, ...]
    meetings: tuple[Meeting, ...]
    unplaced: tuple[Unplaced, ...]
    objective: float
    gap: float
    method: str
    optimal: bool
    names: Mapping[str, str]  # company id -> name, for the agendas and exports

    def agenda(self, company_id: str) -> tuple[Meeting, ...]:
        """One firm's meetings in time order."""
        return tuple(m for m in self.meetings if company_id in (m.japanese_id, m.israeli_id))

    def firms(self) -> tuple[str, ...]:
        """The ids of every firm with a meeting: the Japanese ones first, then the Israeli."""
        japanese = dict.fromkeys(m.japanese_id for m in self.meetings)
        israeli = dict.fromkeys(sorted({m.israeli_id for m in self.meetings}))
        return (*sorted(japanese), *israeli)

    def agendas(self) -> dict[str, list[dict[str, object]]]:
        """Per firm, its meetings in time order with the other firm named."""
        found = {}
        for firm in self.firms():
            found[firm] = [
                {
                    "day": m.day,
                    "slot": m.slot,
                    "date": m.date,
                    "start": m.start,
                    "end": m.end,
                    "venue": m.venue,
                    "partner_id": m.israeli_id if firm == m.japanese_id else m.japanese_id,
                    "partner_name": m.israeli_name if firm == m.japanese_id else m.japanese_name,
                    "score": m.score,
                }
                for m in self.agenda(firm)
            ]
        return found

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the API's response body, without the model version)."""
        return {
            "meetings": [m.to_dict() for m in self.meetings],
            "unplaced": [u.to_dict() for u in self.unplaced],
            "agendas": self.agendas(),
            "objective": round(self.objective, 4),
            "gap": round(self.gap, 6),
            "optimal": self.optimal,
            "method": self.method,
            "days": [
                {"day": n, "date": d.date.isoformat(), "venue": d.venue, "slots": d.slots}
                for n, d in enumerate(self.days)
            ],
        }
