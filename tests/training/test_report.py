"""The evaluation report: margins over baselines with 95% paired bootstrap intervals, and its table."""

from __future__ import annotations

import numpy as np
import pytest

from training.evaluate import QueryOutcome
from training.report import Row, format_table, margins

QUERIES = 400


def rows_with_known_differences() -> list[Row]:
    """The model ranks the partner 1st on even queries and 2nd on odd ones; the baseline 2nd always.

    Per-query reciprocal-rank differences are 0.5 and 0: mean 0.25, standard deviation 0.25.
    """
    model = tuple(
        QueryOutcome(f"q{i:03}", ("p",), (1 if i % 2 == 0 else 2,), 10) for i in range(QUERIES)
    )
    baseline = tuple(QueryOutcome(f"q{i:03}", ("p",), (2,), 10) for i in range(QUERIES))
    return [Row("model", "model", model), Row("plain", "baseline", baseline)]


def test_margins_are_the_mean_paired_difference():
    (mrr, hit) = margins(rows_with_known_differences())
    assert (mrr.baseline, mrr.metric) == ("plain", "mrr")
    assert mrr.difference == pytest.approx(0.25)
    assert hit.metric == "hit@10" and hit.difference == 0.0


def test_margins_interval_covers_95_percent():
    """A 95% interval of a mean is about 2 x 1.96 standard errors wide (a 50% one 2 x 0.67)."""
    mrr = margins(rows_with_known_differences())[0]
    standard_error = 0.25 / np.sqrt(QUERIES)
    assert mrr.high - mrr.low == pytest.approx(2 * 1.96 * standard_error, rel=0.15)
    assert mrr.low < 0.25 < mrr.high


def test_margins_are_reproducible_for_a_seed():
    rows = rows_with_known_differences()
    assert margins(rows, seed=1) == margins(rows, seed=1)


def test_format_table_lists_each_method_and_margin():
    table = format_table(rows_with_known_differences())
    lines = table.splitlines()
    assert lines[0] == f"== bundled list, JP -> IL: {QUERIES} queries =="
    assert lines[1].split() == ["method", "hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]
    assert "model minus peer (95% paired bootstrap interval over queries):" in table
    assert "plain" in table and "+0.250" in table


def test_margins_are_computed_per_list_and_direction():
    rows = rows_with_known_differences()
    reverse = [Row(r.method, r.kind, r.outcomes[:10], r.k, "IL -> JP", "other") for r in rows]
    found = {(m.dataset, m.direction) for m in margins([*rows, *reverse])}
    assert found == {("bundled", "JP -> IL"), ("other", "IL -> JP")}
