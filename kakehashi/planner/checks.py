"""Conflicts a request's pins and minimums can have, found before solving and named for people."""

from __future__ import annotations

from collections import Counter, defaultdict

from kakehashi.errors import InfeasibleScheduleError
from kakehashi.planner.problem import Problem


def check_pins(problem: Problem) -> None:
    """Raise InfeasibleScheduleError naming the first pin conflict; quiet when none is obvious."""
    seen: dict[tuple[str, str], int] = {}
    booked: dict[tuple[str, int, int], int] = {}
    for n, pin in enumerate(problem.pins):
        pair = (pin.japanese_id, pin.israeli_id)
        if pair in seen:
            raise InfeasibleScheduleError(f"pins[{seen[pair]}] and pins[{n}] pin the same pair")
        seen[pair] = n
        if pin.day is not None and pin.day not in problem.days_of[pin.israeli_id]:
            raise InfeasibleScheduleError(
                f"pins[{n}]: {pin.israeli_id} cannot reach the venue of day {pin.day} within "
                "max_travel_minutes, so it cannot meet "
                f"{pin.japanese_id} that day (travel)"
            )
        if pin.slot is None:
            continue
        for firm in pair:
            key = (firm, pin.day, pin.slot)
            if key in booked:
                raise InfeasibleScheduleError(
                    f"pins[{booked[key]}] and pins[{n}] both book {firm} on day {pin.day}, "
                    f"slot {pin.slot} (double booking)"
                )
            booked[key] = n
    _check_counts(problem)


def _check_counts(problem: Problem) -> None:
    """Pins beyond a firm's capacity or a day's slots, and minimums beyond the candidates."""
    total = Counter()
    per_day = Counter()
    for pin in problem.pins:
        for firm in (pin.japanese_id, pin.israeli_id):
            total[firm] += 1
            if pin.day is not None:
                per_day[firm, pin.day] += 1
    for firm, count in sorted(total.items()):
        limit = problem.japanese_max.get(firm, problem.israeli_cap.get(firm, 0))
        if count > limit:
            raise InfeasibleScheduleError(
                f"{firm} has {count} pinned meetings but can take at most {limit} (capacity)"
            )
    for (firm, day), count in sorted(per_day.items()):
        if count > problem.slots[day]:
            raise InfeasibleScheduleError(
                f"{firm} has {count} meetings pinned on day {day}, which has "
                f"{problem.slots[day]} slots (capacity)"
            )
    partners = defaultdict(int)
    for japanese, _ in problem.scores:
        partners[japanese] += 1
    for japanese in problem.japanese():
        wanted = problem.japanese_min[japanese]
        if wanted > min(partners[japanese], sum(problem.slots)):
            raise InfeasibleScheduleError(
                f"capacity.japanese_min: {japanese} wants {wanted} meetings but has "
                f"{partners[japanese]} candidate partners and {sum(problem.slots)} slots"
            )
