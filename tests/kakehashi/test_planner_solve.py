"""The solvers on random instances (hypothesis): every limit holds, pins are honoured, and the
objective equals a brute-force optimum on tiny instances."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakehashi.errors import InfeasibleScheduleError
from kakehashi.planner.problem import Problem
from kakehashi.planner.request import Pin
from kakehashi.planner.solve import solve

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, max_japanese=3, max_israeli=4, max_days=2, max_slots=2, single_venue=False):
    """A random small problem: some candidate pairs, slots, reachable days and capacities."""
    japanese = [f"j{n}" for n in range(draw(st.integers(1, max_japanese)))]
    israeli = [f"i{n}" for n in range(draw(st.integers(1, max_israeli)))]
    slots = tuple(draw(st.lists(st.integers(1, max_slots), min_size=1, max_size=max_days)))
    every = frozenset(range(len(slots)))
    days = st.just(every) if single_venue else st.frozensets(st.sampled_from(sorted(every)))
    pairs = [p for p in itertools.product(japanese, israeli) if draw(st.booleans())]
    score = st.integers(1, 100).map(lambda v: v / 100)
    return Problem(
        scores={pair: draw(score) for pair in pairs},
        slots=slots,
        days_of={i: draw(days) for i in israeli},
        israeli_cap={i: draw(st.integers(0, 3)) for i in israeli},
        japanese_min={j: 0 for j in japanese},
        japanese_max={j: draw(st.integers(0, 4)) for j in japanese},
    )


def assert_feasible(problem: Problem, solution) -> None:
    """No double booking, every capacity, slot count, travel rule and pin holds."""
    meetings = solution.meetings
    pairs = [(m.japanese_id, m.israeli_id) for m in meetings]
    assert len(set(pairs)) == len(pairs), "a pair meets twice"
    assert set(pairs) <= set(problem.scores), "a meeting that was not a candidate"
    booked = Counter(
        key
        for m in meetings
        for key in (("J", m.japanese_id, m.day, m.slot), ("I", m.israeli_id, m.day, m.slot))
    )
    assert max(booked.values(), default=0) <= 1, "double booking"
    for m in meetings:
        assert 0 <= m.slot < problem.slots[m.day]
        assert m.day in problem.days_of[m.israeli_id], "travel rule broken"
    count = Counter(firm for pair in pairs for firm in pair)
    for i, cap in problem.israeli_cap.items():
        assert count[i] <= cap
    for j in problem.japanese():
        assert problem.japanese_min[j] <= count[j] <= problem.japanese_max[j]
    placed = {(m.japanese_id, m.israeli_id): m for m in meetings}
    for pin in problem.pins:
        meeting = placed[pin.japanese_id, pin.israeli_id]
        assert pin.day is None or meeting.day == pin.day
        assert pin.slot is None or meeting.slot == pin.slot
    assert solution.objective == pytest.approx(sum(problem.scores[p] for p in pairs))


def brute_force(problem: Problem) -> float:
    """The best total score over every choice of pairs whose per-day degrees fit (König)."""
    pairs = sorted(problem.scores)
    options = [[None, *sorted(problem.days_of[i])] for _, i in pairs]
    best = 0.0
    for choice in itertools.product(*options):
        chosen = [(pair, day) for pair, day in zip(pairs, choice, strict=True) if day is not None]
        per_day = Counter((firm, day) for pair, day in chosen for firm in pair)
        total = Counter(firm for pair, _ in chosen for firm in pair)
        if any(n > problem.slots[day] for (_, day), n in per_day.items()):
            continue
        if any(total[i] > c for i, c in problem.israeli_cap.items()):
            continue
        if any(total[j] > c for j, c in problem.japanese_max.items()):
            continue
        best = max(best, sum(problem.scores[pair] for pair, _ in chosen))
    return best


@SETTINGS
@given(problems(single_venue=True, max_japanese=4, max_israeli=5, max_slots=3))
def test_planner_single_venue_schedule_is_feasible_and_exact(problem):
    solution = solve(problem)
    assert_feasible(problem, solution)
    assert solution.method == "two_stage"
    assert solution.gap == 0.0


@SETTINGS
@given(problems())
def test_planner_venues_per_day_schedule_is_feasible(problem):
    assert_feasible(problem, solve(problem))


@SETTINGS
@given(problems(max_japanese=2, max_israeli=3))
def test_planner_objective_equals_brute_force(problem):
    solution = solve(problem)
    assert solution.optimal
    assert solution.objective == pytest.approx(brute_force(problem))


@st.composite
def pinned_problems(draw):
    """A problem with pins drawn from its candidate pairs (some on a day, some in a slot)."""
    problem = draw(problems(max_japanese=3, max_israeli=4, max_slots=3))
    pins = []
    for japanese, israeli in draw(
        st.lists(st.sampled_from(sorted(problem.scores) or [(None, None)]))
    ):
        if japanese is None or any(p.japanese_id == japanese for p in pins):
            continue
        days = sorted(problem.days_of[israeli])
        day = draw(st.none() | st.sampled_from(days)) if days else None
        slot = None if day is None else draw(st.none() | st.integers(0, problem.slots[day] - 1))
        pins.append(Pin(japanese, israeli, day, slot))
    return Problem(**{**problem.__dict__, "pins": tuple(pins)})


@SETTINGS
@given(pinned_problems())
def test_planner_pins_are_honoured_or_named(problem):
    try:
        solution = solve(problem)
    except InfeasibleScheduleError as error:
        assert str(error)
        return
    assert_feasible(problem, solution)


@SETTINGS
@given(problems(max_japanese=3, max_israeli=4, max_slots=3), st.data())
def test_planner_pins_of_an_optimal_schedule_keep_it_optimal(problem, data):
    unpinned = solve(problem)
    chosen = (
        data.draw(st.lists(st.sampled_from(unpinned.meetings), unique=True))
        if unpinned.meetings
        else []
    )
    kinds = data.draw(
        st.lists(
            st.sampled_from(["pair", "day", "slot"]), min_size=len(chosen), max_size=len(chosen)
        )
    )
    pins = tuple(
        Pin(
            m.japanese_id,
            m.israeli_id,
            None if kind == "pair" else m.day,
            m.slot if kind == "slot" else None,
        )
        for m, kind in zip(chosen, kinds, strict=True)
    )
    pinned = Problem(**{**problem.__dict__, "pins": pins})
    solution = solve(pinned)
    assert_feasible(pinned, solution)
    assert solution.objective == pytest.approx(unpinned.objective)


@pytest.mark.parametrize(
    ("pins", "cap", "named"),
    [
        ((Pin("j0", "i0", 0, 0), Pin("j0", "i1", 0, 0)), 2, "both book j0 on day 0, slot 0"),
        ((Pin("j0", "i0"), Pin("j0", "i0", 0)), 2, "pin the same pair"),
        ((Pin("j0", "i0"), Pin("j1", "i0")), 1, "i0 has 2 pinned meetings but can take at most 1"),
        ((Pin("j0", "i1", 1),), 2, "i1 cannot reach the venue of day 1"),
    ],
)
def test_planner_conflicting_pins_are_named(pins, cap, named):
    problem = Problem(
        scores={(j, i): 0.5 for j in ("j0", "j1") for i in ("i0", "i1")},
        slots=(2, 2),
        days_of={"i0": frozenset({0, 1}), "i1": frozenset({0})},
        israeli_cap={"i0": cap, "i1": cap},
        japanese_min={"j0": 0, "j1": 0},
        japanese_max={"j0": 4, "j1": 4},
        pins=pins,
    )
    with pytest.raises(InfeasibleScheduleError, match=named):
        solve(problem)


def test_planner_unreachable_minimum_is_infeasible():
    problem = Problem(
        scores={("j0", "i0"): 0.5, ("j1", "i0"): 0.4},
        slots=(1,),
        days_of={"i0": frozenset({0})},
        israeli_cap={"i0": 1},
        japanese_min={"j0": 1, "j1": 1},
        japanese_max={"j0": 1, "j1": 1},
    )
    with pytest.raises(InfeasibleScheduleError, match="cannot all be met"):
        solve(problem)
