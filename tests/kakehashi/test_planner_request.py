"""The planner's request reader and travel table."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kakehashi.errors import PlannerRequestError
from kakehashi.planner.colouring import colour_edges
from kakehashi.planner.parse import parse_briefing, parse_request
from kakehashi.planner.travel import load_travel_table

REPO = Path(__file__).resolve().parents[2]
DAY = {"date": "2027-03-01", "venue": "Tel Aviv", "slots": 4}


def test_planner_request_defaults_and_slot_times():
    plan = parse_request(
        {"japanese_ids": ["a"], "days": [{**DAY, "start": "10:00", "slot_minutes": 20,
                                          "breaks": [{"after_slot": 1, "minutes": 60}]}]}
    )  # fmt: skip
    day = plan.days[0]
    assert [day.slot_start(n).time() for n in range(4)] == [
        dt.time(10, 0),
        dt.time(10, 20),
        dt.time(11, 40),
        dt.time(12, 0),
    ]
    assert plan.capacity.israeli_default == 4 and plan.skip_not_relevant
    assert plan.time_limit_seconds == 10.0 and plan.candidates_per_firm == 40


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"japanese_ids": []}, "japanese_ids: give at least one"),
        ({"japanese_ids": "a"}, "japanese_ids: must be a list"),
        ({"days": [{**DAY, "venue": "Osaka"}]}, "days[0].venue: unknown city 'Osaka'"),
        ({"days": [{**DAY, "date": "2027-13-01"}]}, "days[0].date"),
        ({"days": [{**DAY, "slots": 0}]}, "days[0].slots: must be between 1 and 48"),
        (
            {"days": [{**DAY, "breaks": [{"after_slot": 4, "minutes": 5}]}]},
            "days[0].breaks[0].after_slot",
        ),
        ({"days": [DAY] * 11}, "days: at most 10"),
        (
            {"pins": [{"japanese_id": "a", "israeli_id": "b", "slot": 1}]},
            "pins[0].slot: give the day",
        ),
        ({"forbid": [{"japanese_id": "a"}]}, "forbid[0].israeli_id"),
        ({"capacity": {"israeli": {"x": -1}}}, "capacity.israeli.x"),
        ({"min_strength": "huge"}, "min_strength"),
        ({"time_limit_seconds": 31}, "time_limit_seconds: must be between 0.1 and 30"),
        ({"skip_known": "yes"}, "skip_known: must be true or false"),
        ({"candidates_per_firm": 0}, "candidates_per_firm"),
        ({"extra": 1}, "extra: unknown field"),
    ],
)
def test_planner_request_mistakes_name_the_field(changes, named):
    with pytest.raises(PlannerRequestError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_request({"japanese_ids": ["a"], "days": [DAY], **changes})


def test_planner_briefing_request_checks_top_k():
    assert parse_briefing({"japanese_ids": ["a"]}).top_k == 10
    with pytest.raises(PlannerRequestError, match="top_k: must be between 1 and 100"):
        parse_briefing({"japanese_ids": ["a"], "top_k": 101})


def test_planner_travel_table_is_symmetric_and_complete():
    table = load_travel_table()
    for a in table.cities():
        assert table.between(a, a) == 0
        for b in table.cities():
            assert table.between(a, b) == table.between(b, a)
            assert a == b or table.between(a, b) > 0
    assert table.between("Beersheba", "tel aviv") == table.between("Be'er Sheva", "Tel Aviv")
    assert table.between("Tel Aviv", "Nowhere") is None


def test_planner_travel_table_knows_every_israeli_city_of_the_bundled_list():
    with (REPO / "data" / "companies.csv").open(encoding="utf-8") as handle:
        cities = {row["city"] for row in csv.DictReader(handle) if row["country"] == "IL"}
    table = load_travel_table()
    assert sorted(c for c in cities if c and table.city(c) is None) == []


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), unique=True))
def test_planner_colouring_fits_the_busiest_firm(edges):
    degrees = Counter([("L", a) for a, _ in edges] + [("R", b) for _, b in edges])
    busiest = max(degrees.values(), default=0)
    colours = colour_edges(edges, busiest)
    assert set(colours) == set(edges)
    seen = Counter(
        [("L", a, c) for (a, _), c in colours.items()]
        + [("R", b, c) for (_, b), c in colours.items()]
    )
    assert max(seen.values(), default=1) == 1
    assert all(0 <= c < busiest for c in colours.values())
