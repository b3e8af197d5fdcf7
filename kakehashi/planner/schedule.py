"""Build a delegation's schedule: score the pairs with the served model, solve, explain.

The pairs marked not relevant come in as a plain set, so this layer never needs the feedback store.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from kakehashi.companies import Company
from kakehashi.errors import InfeasibleScheduleError, PlannerRequestError
from kakehashi.model import PartnerModel
from kakehashi.planner import pairs as scoring
from kakehashi.planner.problem import Pair, Problem, Solution
from kakehashi.planner.records import Meeting, Schedule, Unplaced
from kakehashi.planner.request import STRENGTH_ORDER, PlanRequest
from kakehashi.planner.solve import solve
from kakehashi.planner.travel import TravelTable, load_travel_table
from kakehashi.queries import Match


@dataclass(frozen=True)
class _Sorted:
    """Each pair's verdict before solving: a candidate, or the reason it is left out."""

    candidates: dict[Pair, Match]
    reasons: dict[Pair, str]


def reachable_days(city: str, request: PlanRequest, table: TravelTable) -> frozenset[int]:
    """The days whose venue is within max_travel_minutes of a city (every day when unknown)."""
    found = set()
    for n, day in enumerate(request.days):
        minutes = table.between(city, day.venue)
        if minutes is None or minutes <= request.max_travel_minutes:
            found.add(n)
    return frozenset(found)


def _verdict(match: Match, pair: Pair, request: PlanRequest, not_relevant, reach) -> str:
    """'' for a candidate, else the reason the pair cannot be one."""
    if pair in request.forbid:
        return "forbidden"
    if request.skip_not_relevant and pair in not_relevant:
        return "not_relevant"
    if request.skip_known and match.known_partner:
        return "known_partner"
    weaker = STRENGTH_ORDER.index(match.strength) < STRENGTH_ORDER.index(request.min_strength)
    if match.score < request.min_score or weaker:
        return "threshold"
    if not reach[pair[1]]:
        return "travel"
    return ""


def _sort_pairs(ranked, request: PlanRequest, not_relevant, reach) -> _Sorted:
    pinned = {(pin.japanese_id, pin.israeli_id) for pin in request.pins}
    candidates: dict[Pair, Match] = {}
    reasons: dict[Pair, str] = {}
    for japanese, found in ranked.items():
        taken = 0
        for match in found.matches:
            pair = (japanese, match.company.id)
            reason = _verdict(match, pair, request, not_relevant, reach)
            if pair in pinned and reason != "forbidden":
                candidates[pair] = match  # a pin overrides the threshold and the skips
            elif reason:
                reasons[pair] = reason
            elif taken < request.candidates_per_firm:
                candidates[pair], taken = match, taken + 1
            else:
                reasons[pair] = "candidate_limit"
    return _Sorted(candidates, reasons)


def _problem(request: PlanRequest, sorted_pairs: _Sorted, reach) -> Problem:
    israeli = {i for _, i in sorted_pairs.candidates}
    japanese = request.japanese_ids
    return Problem(
        scores={pair: match.score for pair, match in sorted_pairs.candidates.items()},
        slots=tuple(day.slots for day in request.days),
        days_of={i: reach[i] for i in israeli},
        israeli_cap={i: request.capacity.of_israeli(i) for i in israeli},
        japanese_min={j: request.capacity.japanese_min for j in japanese},
        japanese_max={j: request.capacity.japanese_max for j in japanese},
        pins=request.pins,
        time_limit=request.time_limit_seconds,
    )


def _check_ids(model: PartnerModel, request: PlanRequest) -> tuple[Company, ...]:
    companies = scoring.delegation(model, request.japanese_ids, "japanese_ids")
    members = set(request.japanese_ids)
    for n, pin in enumerate(request.pins):
        if pin.japanese_id not in members:
            raise PlannerRequestError(
                f"pins[{n}].japanese_id", f"{pin.japanese_id!r} is not in japanese_ids"
            )
        scoring.israeli_id(model, pin.israeli_id, f"pins[{n}].israeli_id")
        if (pin.japanese_id, pin.israeli_id) in request.forbid:
            raise InfeasibleScheduleError(
                f"pins[{n}]: {pin.japanese_id} with {pin.israeli_id} is also in forbid"
            )
    for company_id in request.capacity.israeli:
        scoring.israeli_id(model, company_id, f"capacity.israeli.{company_id}")
    return companies


def _check_pin_travel(request: PlanRequest, cities, reach, table: TravelTable) -> None:
    """A pin on a day whose venue its Israeli firm cannot reach is a conflict, with the minutes."""
    for n, pin in enumerate(request.pins):
        if pin.day is None or pin.day in reach[pin.israeli_id]:
            continue
        city, venue = cities[pin.israeli_id], request.days[pin.day].venue
        raise InfeasibleScheduleError(
            f"pins[{n}]: {pin.israeli_id} ({city}) is about {table.between(city, venue)} minutes "
            f"from day {pin.day}'s venue {venue}, over max_travel_minutes "
            f"{request.max_travel_minutes} (travel)"
        )


def _rank(model, request: PlanRequest, pool, reach, not_relevant) -> dict[str, scoring.Ranked]:
    """Each delegation firm's pool partners, as far down as the candidates and unplaced can go.

    The first `candidates_per_firm` eligible pairs lie within that many plus the pairs left out
    by name (forbidden, not relevant, known, unreachable; the threshold only cuts the tail), and
    the first `unplaced_per_firm` unscheduled ones within the scheduled plus that many.
    """
    unreachable = sum(1 for i in pool if not reach[i])
    found = {}
    for japanese in request.japanese_ids:
        pins = frozenset(p.israeli_id for p in request.pins if p.japanese_id == japanese)
        named = sum(1 for j, _ in request.forbid if j == japanese)
        if request.skip_not_relevant:
            named += sum(1 for j, _ in not_relevant if j == japanese)
        limit = request.candidates_per_firm + request.unplaced_per_firm + len(pins)
        found[japanese] = scoring.rank_pool(
            model, japanese, pool | pins, limit + named + unreachable, pins, request.skip_known
        )
    return found


def build_schedule(
    model: PartnerModel, request: PlanRequest, not_relevant: Collection[Pair] = frozenset()
) -> Schedule:
    """The schedule of maximum total score for a request (named errors for every mistake)."""
    _check_ids(model, request)
    pool = scoring.pool_ids(model, request.pool)
    pinned = {pin.israeli_id for pin in request.pins}
    table = load_travel_table()
    cities = {c.id: c.city for c in model.companies() if c.id in pool | pinned}
    reach = {i: reachable_days(city, request, table) for i, city in cities.items()}
    ranked = _rank(model, request, pool, reach, frozenset(not_relevant))
    _check_pin_travel(request, cities, reach, table)
    sorted_pairs = _sort_pairs(ranked, request, frozenset(not_relevant), reach)
    solution = solve(_problem(request, sorted_pairs, reach))
    return _assemble(model, request, ranked, sorted_pairs, solution, table)


def _assemble(model, request, ranked, sorted_pairs, solution: Solution, table) -> Schedule:
    pins = {(pin.japanese_id, pin.israeli_id) for pin in request.pins}
    meetings = []
    for placed in solution.meetings:
        pair = (placed.japanese_id, placed.israeli_id)
        match = sorted_pairs.candidates[pair]
        query = ranked[placed.japanese_id].query
        day = request.days[placed.day]
        meetings.append(
            Meeting(
                japanese_id=pair[0],
                japanese_name=query.company.name,
                israeli_id=pair[1],
                israeli_name=match.company.name,
                israeli_city=match.company.city,
                day=placed.day,
                slot=placed.slot,
                date=day.date.isoformat(),
                start=day.slot_start(placed.slot).strftime("%H:%M"),
                end=day.slot_end(placed.slot).strftime("%H:%M"),
                venue=day.venue,
                score=round(match.score, 4),
                strength=match.strength,
                known_partner=match.known_partner,
                pinned=pair in pins,
                travel_minutes=table.between(match.company.city, day.venue),
                explanation=model.explain(query, match).to_dict(),
            )
        )
    names = {c.id: c.name for c in model.companies()}
    placed_pairs = {(m.japanese_id, m.israeli_id) for m in meetings}
    unplaced = _unplaced(request, ranked, sorted_pairs, placed_pairs)
    return Schedule(
        request.days,
        tuple(meetings),
        unplaced,
        solution.objective,
        solution.gap,
        solution.method,
        solution.optimal,
        names,
    )


def _unplaced(request, ranked, sorted_pairs: _Sorted, placed: set[Pair]) -> tuple[Unplaced, ...]:
    """Per Japanese firm, its best `unplaced_per_firm` pool partners that are not scheduled."""
    found = []
    for japanese, result in ranked.items():
        left = [m for m in result.matches if (japanese, m.company.id) not in placed]
        for match in left[: request.unplaced_per_firm]:
            pair = (japanese, match.company.id)
            reason = sorted_pairs.reasons.get(pair, "capacity")
            found.append(
                Unplaced(
                    japanese,
                    match.company.id,
                    match.company.name,
                    round(match.score, 4),
                    match.strength,
                    reason,
                )
            )
    return tuple(found)
