"""The block bounds of benchmarks/bound_bench.py are bounds: no candidate of a block scores above
its block's. The benchmark's figures (which share a first stage could skip) rest on that."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from benchmarks import bound_bench
from kakehashi import registry, retrieval


@pytest.fixture(scope="module")
def query_list(model) -> list[bound_bench.Query]:
    return list(bound_bench.queries(model, 6))


def test_queries_hold_each_firms_final_scores_with_every_israeli_firm(model, query_list) -> None:
    israeli = model.country_rows_["IL"].size
    assert len(query_list) == min(6, model.country_rows_["JP"].size)
    assert all(q.final.shape == (israeli,) and q.final.max() > 0 for q in query_list)


@pytest.mark.parametrize("size", [1, 2, 5])
def test_block_max_bound_is_at_least_every_score_in_its_block(model, query_list, size) -> None:
    index = model.candidates_["IL"]
    for order in (np.arange(index.groups.size), np.argsort(-index.dense[:, 0], kind="stable")):
        blocks = bound_bench.cut(model, bound_bench.candidate_rows(model), order, size)
        for query in query_list:
            best = bound_bench.block_best(query.final, blocks.starts, blocks.order)
            assert np.all(bound_bench.block_max_bounds(blocks, query) >= best - 1e-12)


def test_block_max_bound_of_single_candidates_is_tight_for_sparse_only_queries(model) -> None:
    """With one candidate a block, each column's largest value is the candidate's own, so the
    sparse part of the bound is that candidate's sparse score."""
    index = model.candidates_["IL"]
    rows = bound_bench.candidate_rows(model)
    blocks = bound_bench.cut(model, rows, np.arange(index.groups.size), 1)
    query = next(bound_bench.queries(model, 1))
    positive = query.sparse_row.copy()
    positive.data = np.maximum(positive.data, 0.0)
    sparse = retrieval.postings_product(index, positive)[0]
    assert np.allclose((positive @ blocks.sparse_max.T).toarray()[0], sparse)


@pytest.mark.parametrize("size", [2, 4])
def test_radius_bound_is_at_least_every_score_in_its_cluster(model, query_list, size) -> None:
    clusters = bound_bench.clusters(model, size)
    for query in query_list:
        best = np.zeros(len(clusters.centers))
        np.maximum.at(best, clusters.labels, query.final)
        assert np.all(bound_bench.radius_bounds(model, clusters, query) >= best - 1e-12)


def test_benchmark_prints_both_tables_with_shares(model, tmp_path) -> None:
    registry.promote(tmp_path, registry.save_version(tmp_path, model, {"companies": {}}))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bound_bench.main(["--models-dir", str(tmp_path), "--queries", "3", "--sizes", "2"])
    text = out.getvalue()
    assert "## Final scores of 3 JP firms" in text
    rows = [
        line for line in text.split("## What an exact")[1].splitlines() if "| block max" in line
    ]
    assert len(rows) == 2
    shares = [float(cell) for row in rows for cell in row.strip("|").split("|")[-3:]]
    assert all(0.0 < share <= 1.0 for share in shares)
