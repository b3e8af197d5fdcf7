"""benchmarks/planner_bench.py runs in smoke mode on the fixture lists, so it cannot rot."""

from __future__ import annotations

import contextlib
import io

from benchmarks import planner_bench
from tests.conftest import FIXTURES


def test_planner_bench_prints_its_table():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        planner_bench.main(
            ["--smoke", "--companies", str(FIXTURES / "companies.csv"),
             "--partnerships", str(FIXTURES / "partnerships.csv")]
        )  # fmt: skip
    lines = [line for line in out.getvalue().splitlines() if line.startswith("| ")]
    assert lines[0].split("|")[1].strip() == "venues"
    rows = [line.split("|")[1:-1] for line in lines[1:]]
    assert [(r[0].strip(), r[2].strip()) for r in rows] == [
        ("one venue", "two_stage"), ("one venue", "two_stage"),
        ("venues per day", "milp"), ("venues per day", "milp"),
    ]  # fmt: skip
    assert all(r[6].strip() == "yes" for r in rows)
