"""Delegation planner: scoring, solving and explaining a 90 x 300 x 3 days x 8 slots schedule.

The delegation is the first 90 Japanese firms of the bundled list (by id) and the pool its first
300 Israeli firms; the model is fitted on the whole bundled list in this process. Rows:
one venue (Tel Aviv all three days: the exact two-stage path) and venues per day (Tel Aviv,
Haifa, Jerusalem with max_travel_minutes 60: the MILP), each with the default candidates per
Japanese firm (40) and with the cap (100), so the table shows what the candidate cut costs.

usage: python -m benchmarks.planner_bench [--smoke]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.tables import machine, table
from kakehashi.errors import ScheduleNotFoundError
from kakehashi.planner import schedule as planner
from kakehashi.planner.parse import parse_request
from training.train import build_model, load_inputs

DATA = Path(__file__).resolve().parent.parent / "data"
VENUES = {"one venue": ("Tel Aviv",) * 3, "venues per day": ("Tel Aviv", "Haifa", "Jerusalem")}


class Timed:
    """Wraps the planner's solve step to time it apart from scoring and explaining."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.solve = planner.solve

    def __call__(self, problem):
        started = time.perf_counter()
        try:
            return self.solve(problem)
        finally:
            self.seconds = time.perf_counter() - started


def request(japanese: list[str], israeli: list[str], venues, candidates: int, limit: float):
    """The benchmark's schedule request."""
    days = [
        {"date": f"2027-03-0{n + 1}", "venue": venue, "slots": 8, "slot_minutes": 30}
        for n, venue in enumerate(venues)
    ]
    return parse_request(
        {
            "japanese_ids": japanese,
            "pool": {"ids": israeli},
            "days": days,
            "capacity": {"israeli_default": 4, "japanese_max": 8},
            "max_travel_minutes": 60,
            "candidates_per_firm": candidates,
            "time_limit_seconds": limit,
        }
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="9 x 30 firms: a check, not a figure")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--companies", type=Path, default=DATA / "companies.csv")
    parser.add_argument("--partnerships", type=Path, default=DATA / "partnerships.csv")
    args = parser.parse_args(argv)
    inputs = load_inputs(args.companies, args.partnerships)
    started = time.perf_counter()
    model = build_model(inputs).fit(inputs.companies, inputs.partnerships)
    fit = time.perf_counter() - started
    sizes = (9, 30) if args.smoke else (90, 300)
    japanese = sorted(c.id for c in model.companies() if c.country == "JP")[: sizes[0]]
    israeli = sorted(c.id for c in model.companies() if c.country == "IL")[: sizes[1]]
    timer = Timed()
    planner.solve = timer
    rows = []
    try:
        for label, venues in VENUES.items():
            for candidates in (40, min(100, len(israeli))):
                plan = request(japanese, israeli, venues, candidates, args.time_limit)
                started = time.perf_counter()
                try:
                    found = planner.build_schedule(model, plan)
                except ScheduleNotFoundError:
                    total = round(time.perf_counter() - started, 2)
                    none = ["milp", "none in time", "", "", "no", round(timer.seconds, 2), total]
                    rows.append([label, candidates, *none])
                    continue
                total = time.perf_counter() - started
                rows.append([
                    label, candidates, found.method, len(found.meetings), f"{found.objective:.4f}",
                    f"{found.gap:.2%}", "yes" if found.optimal else "no", round(timer.seconds, 2),
                    round(total, 2),
                ])  # fmt: skip
    finally:
        planner.solve = timer.solve
    title = f"Delegation planner: {len(japanese)} JP x {len(israeli)} IL x 3 days x 8 slots"
    header = ["venues", "candidates/firm", "method", "meetings", "objective", "gap", "optimal",
              "solve s", "total s"]  # fmt: skip
    print(table(title, header, rows))
    print(f"model fitted in {fit:.1f} s on {args.companies.name}; time limit {args.time_limit:g} s")
    print(machine())


if __name__ == "__main__":
    main()
