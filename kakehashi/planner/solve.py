"""Choose and place the meetings: maximize the total score under every limit, with scipy's HiGHS.

Single venue (every candidate can come every day, no pin names a day): exact two-stage path.
Stage 1 chooses the pairs: a bipartite b-matching (each firm at most its capacity and at most as
many meetings as there are slots), an LP whose constraint matrix is the incidence matrix of a
bipartite graph, totally unimodular, so the simplex vertex HiGHS returns is integral. Stage 2
places them: an edge colouring with as many colours as slots (König), see `colouring`.

Venues per day: a MILP over (pair, day) choices with the per-day degree limits (each day's
meetings then fit its slots by König again); a day with a slot pin gets one variable per slot
instead. HiGHS runs under the time limit and its gap to the dual bound is reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from kakehashi.errors import InfeasibleScheduleError, ScheduleNotFoundError
from kakehashi.planner.checks import check_pins
from kakehashi.planner.colouring import colour_edges
from kakehashi.planner.problem import Pair, Placed, Problem, Solution

INFEASIBLE = (
    "the pins, capacities and japanese_min cannot all be met together; "
    "drop a pin or lower japanese_min"
)
INTEGRAL = 1e-6


class _Rows:
    """A sparse constraint matrix built row by row: lower <= sum of variables <= upper."""

    def __init__(self) -> None:
        self.index: dict[Hashable, int] = {}
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cells: list[tuple[int, int]] = []

    def add(self, key: Hashable, variable: int, lower: float, upper: float) -> None:
        if key not in self.index:
            self.index[key] = len(self.lower)
            self.lower.append(lower)
            self.upper.append(upper)
        self.cells.append((self.index[key], variable))

    def matrix(self, variables: int) -> sp.csr_matrix:
        rows, columns = zip(*self.cells, strict=True) if self.cells else ((), ())
        shape = (len(self.lower), variables)
        return sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=shape)


def solve(problem: Problem) -> Solution:
    """The schedule of maximum total score (InfeasibleScheduleError naming a conflict)."""
    check_pins(problem)
    if not problem.scores:
        return Solution((), 0.0, 0.0, "two_stage", True)
    if problem.single_venue() and all(pin.slot is None for pin in problem.pins):
        found = _two_stage(problem)
        if found is not None:
            return found
    return _milp(problem)


def _degree_rows(problem: Problem, pairs: list[Pair], slots: int) -> _Rows:
    rows = _Rows()
    for n, (japanese, israeli) in enumerate(pairs):
        low, high = problem.japanese_min[japanese], problem.japanese_max[japanese]
        rows.add(("J", japanese), n, low, min(high, slots))
        rows.add(("I", israeli), n, 0, min(problem.israeli_cap[israeli], slots))
    return rows


def _two_stage(problem: Problem) -> Solution | None:
    """Stage 1 by LP, stage 2 by edge colouring; None if the LP vertex is not integral."""
    pairs = sorted(problem.scores)
    total_slots = sum(problem.slots)
    rows = _degree_rows(problem, pairs, total_slots)
    matrix, lower, upper = rows.matrix(len(pairs)), np.array(rows.lower), np.array(rows.upper)
    pinned = {(pin.japanese_id, pin.israeli_id) for pin in problem.pins}
    bounds = [(1.0 if pair in pinned else 0.0, 1.0) for pair in pairs]
    scores = np.array([problem.scores[pair] for pair in pairs])
    has_lower = lower > 0
    a_ub = sp.vstack([matrix, -matrix[has_lower]]).tocsr()
    b_ub = np.concatenate([upper, -lower[has_lower]])
    result = linprog(-scores, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs-ds")
    if result.status == 2:
        raise InfeasibleScheduleError(INFEASIBLE)
    if result.status != 0 or np.abs(result.x - np.round(result.x)).max() > INTEGRAL:
        return None  # not expected (the matrix is TU); the MILP path is exact as well
    chosen = [pair for pair, x in zip(pairs, result.x, strict=True) if x > 0.5]
    colours = colour_edges(chosen, total_slots)
    starts = np.cumsum((0, *problem.slots))
    meetings = []
    for (japanese, israeli), colour in sorted(colours.items()):
        day = int(np.searchsorted(starts, colour, side="right") - 1)
        meetings.append(Placed(japanese, israeli, day, int(colour - starts[day])))
    objective = float(sum(problem.scores[pair] for pair in chosen))
    return Solution(tuple(sorted(meetings, key=_order)), objective, 0.0, "two_stage", True)


def _order(meeting: Placed) -> tuple:
    return (meeting.day, meeting.slot, meeting.japanese_id, meeting.israeli_id)


def _variables(problem: Problem) -> list[tuple[Pair, int, int | None]]:
    """One variable per (pair, day) it may meet on, or per (pair, day, slot) on slot-pinned days."""
    slot_days = {pin.day for pin in problem.pins if pin.slot is not None}
    pins = {(pin.japanese_id, pin.israeli_id): pin for pin in problem.pins}
    found = []
    for pair in sorted(problem.scores):
        pin = pins.get(pair)
        for day in sorted(problem.days_of[pair[1]]):
            if pin is not None and pin.day is not None and pin.day != day:
                continue
            if day not in slot_days:
                found.append((pair, day, None))
                continue
            for slot in range(problem.slots[day]):
                if pin is None or pin.slot is None or pin.slot == slot:
                    found.append((pair, day, slot))
    return found


def _milp_rows(problem: Problem, variables: list[tuple[Pair, int, int | None]]) -> _Rows:
    pinned = {(pin.japanese_id, pin.israeli_id) for pin in problem.pins}
    rows = _Rows()
    for n, ((japanese, israeli), day, slot) in enumerate(variables):
        room = 1 if slot is not None else problem.slots[day]
        rows.add(("pair", japanese, israeli), n, 1.0 if (japanese, israeli) in pinned else 0.0, 1)
        rows.add(("J", japanese, day, slot), n, 0, room)
        rows.add(("I", israeli, day, slot), n, 0, room)
        rows.add(("J", japanese), n, problem.japanese_min[japanese], problem.japanese_max[japanese])
        rows.add(("I", israeli), n, 0, problem.israeli_cap[israeli])
    return rows


def _milp(problem: Problem) -> Solution:
    """The MILP over (pair, day[, slot]) choices, then each day's slots by edge colouring."""
    variables = _variables(problem)
    for pin in problem.pins:
        if not any(pair == (pin.japanese_id, pin.israeli_id) for pair, _, _ in variables):
            raise InfeasibleScheduleError(
                f"the pin of {pin.japanese_id} with {pin.israeli_id} fits on no day"
            )
    if not variables:
        if any(problem.japanese_min.values()):
            raise InfeasibleScheduleError(INFEASIBLE)
        return Solution((), 0.0, 0.0, "milp", True)
    rows = _milp_rows(problem, variables)
    scores = np.array([problem.scores[pair] for pair, _, _ in variables])
    constraint = LinearConstraint(rows.matrix(len(variables)), rows.lower, rows.upper)
    result = milp(
        -scores,
        constraints=constraint,
        integrality=np.ones(len(variables)),
        bounds=Bounds(0, 1),
        options={"time_limit": problem.time_limit, "mip_rel_gap": 0.0},
    )
    if result.status == 2:
        raise InfeasibleScheduleError(INFEASIBLE)
    if result.x is None:
        raise ScheduleNotFoundError(
            f"no schedule was found within {problem.time_limit:g} s ({result.message}); "
            "raise time_limit_seconds or make the request smaller"
        )
    chosen = [variables[n] for n in np.flatnonzero(result.x > 0.5)]
    meetings = _place(problem, chosen)
    objective = float(sum(problem.scores[pair] for pair, _, _ in chosen))
    gap = float(result.mip_gap) if result.status != 0 else 0.0
    return Solution(tuple(sorted(meetings, key=_order)), objective, gap, "milp", result.status == 0)


def _place(problem: Problem, chosen: list[tuple[Pair, int, int | None]]) -> list[Placed]:
    by_day: dict[int, list[Pair]] = defaultdict(list)
    meetings = []
    for pair, day, slot in chosen:
        if slot is None:
            by_day[day].append(pair)
        else:
            meetings.append(Placed(*pair, day, slot))
    for day, pairs in by_day.items():
        colours = colour_edges(pairs, problem.slots[day])
        meetings += [Placed(*pair, day, colour) for pair, colour in colours.items()]
    return meetings
