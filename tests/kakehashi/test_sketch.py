"""A long list's live first stage (kakehashi/sketch.py): a rough score of every candidate, then
exact scores for the best few. What it gives up is recall, never exactness: a reported score is
the full pass's, and with everyone re-ranked the ranking is the exhaustive one."""

from __future__ import annotations

import copy
import dataclasses
import types

import numpy as np
import pytest
import scipy.sparse as sp

from kakehashi import registry, retrieval, sketch, stacking
from kakehashi.queries import Filters
from tests.kakehashi.test_retrieval import (  # noqa: F401 (mixed: a fixture)
    SEEKING_STATES,
    WEIGHTS,
    masks,
    mixed,
    random_rows,
)


def sketched_twin(model, monkeypatch=None, reranked: int | None = None):
    """The model with every country's index sketched (as a long list's would be)."""
    twin = copy.copy(model)
    twin.sketch_from = 1
    twin.candidates_ = {c: sketch.sketched(i, 1) for c, i in model.candidates_.items()}
    twin.partner_rows_ = twin.partner_scores_ = twin.explained_ = None  # rank live
    if reranked is not None:
        monkeypatch.setattr(sketch, "RERANKED", reranked)
        monkeypatch.setattr(sketch, "RERANKED_PER_RESULT", 1)
    return twin


def live(model):
    twin = copy.copy(model)
    twin.partner_rows_ = twin.partner_scores_ = twin.explained_ = None
    return twin


def random_index(seed: int, candidates: int = 300):
    rng = np.random.default_rng(seed)
    states = [SEEKING_STATES[n % 4] for n in range(candidates)]
    profiles, interests = random_rows(rng, states)
    seeks = np.array(states, dtype=float)
    index = retrieval.build_index(profiles, interests, seeks, np.arange(62, 70))
    qp, qi = random_rows(rng, [(True, True)])
    rules = retrieval.score_rules(masks(), WEIGHTS)
    query = retrieval.query_columns(stacking.stack(qp, qi), rules)
    return profiles, interests, index, query


def test_only_an_index_of_at_least_sketch_from_candidates_is_sketched() -> None:
    _, _, index, _ = random_index(0)
    assert sketch.sketched(index, index.groups.size + 1) is index
    found = sketch.sketched(index, index.groups.size)
    assert found.sketch is not None and found.dense32 is None  # the sketch replaces it
    assert found.postings is index.postings and found.dense is index.dense


def test_the_sketch_is_an_orthonormal_basis_and_the_coordinates_of_the_mean_are_zero() -> None:
    rng = np.random.default_rng(1)
    dense = rng.normal(size=(500, 30)) @ rng.normal(size=(30, 30))
    found = sketch.fit_sketch(dense, dimensions=8)
    assert found.basis.shape == (8, 30) and found.rows.dtype == np.float32
    assert np.allclose(found.basis @ found.basis.T, np.eye(8), atol=1e-10)
    assert np.allclose(found.rows.mean(axis=0), 0.0, atol=1e-3)


def test_the_sketch_keeps_the_directions_of_largest_variance_first() -> None:
    rng = np.random.default_rng(2)
    dense = rng.normal(size=(2000, 5)) * np.array([10.0, 0.1, 3.0, 0.1, 0.1])
    basis = sketch.fit_sketch(dense, dimensions=2).basis
    assert abs(basis[0, 0]) > 0.99 and abs(basis[1, 2]) > 0.99


@pytest.mark.parametrize("seed", range(4))
def test_a_sketch_of_every_direction_with_every_posting_gives_the_exact_scores(seed) -> None:
    _, _, index, query = random_index(seed)
    every = sketch.fit_sketch(index.dense, index.groups, index.dense.shape[1])
    full = dataclasses.replace(index, sketch=every)
    original = sketch.POSTINGS_SHARE
    try:
        sketch.POSTINGS_SHARE = 1.0
        rough = sketch.rough_scores(full, query)
    finally:
        sketch.POSTINGS_SHARE = original
    exact = retrieval.raw_scores(index, [query])[0]
    assert np.allclose(rough, exact, atol=1e-5)  # the coordinates are float32


def test_each_group_is_scored_with_its_own_coefficients_whatever_the_order() -> None:
    rng = np.random.default_rng(4)
    dense = rng.normal(size=(40, 6))
    groups = rng.integers(0, 4, size=40).astype(np.int8)
    fitted = sketch.fit_sketch(dense, groups, 6)
    coefficients = {g: rng.normal(size=6) for g in range(4)}
    expected = [dense[n] @ coefficients[int(groups[n])] for n in range(40)]
    assert np.allclose(sketch.rough_dense(fitted, coefficients), expected, atol=1e-5)
    assert all(np.all(groups[fitted.order[fitted.starts[g] : fitted.starts[g + 1]]] == g)
               for g in range(4))  # fmt: skip


@pytest.mark.parametrize("tiles", [1, 2, 4])
def test_pruning_keeps_the_largest_coefficients_until_the_share_of_postings(tiles) -> None:
    postings = sp.csr_matrix(np.ones((5 * tiles, 100 // tiles)))  # every list 100 long in all
    postings = types.SimpleNamespace(postings=postings, tiles=tiles, lists=5)  # an index's parts
    row = sp.csr_matrix(np.array([[0.1, -0.9, 0.3, 0.0, 0.5]]))
    kept = sketch.pruned(row, postings, 0.5)  # 2 of the 4 lists are half the entries
    assert list(kept.indices) == [1, 4] and list(kept.data) == [-0.9, 0.5]
    assert sketch.pruned(row, postings, 1.0).nnz == 4
    assert list(sketch.pruned(row, postings, 0.01).indices) == [1]  # at least the largest
    empty = sp.csr_matrix((1, 5))
    assert sketch.pruned(empty, postings, 0.5).nnz == 0


def test_the_rough_shortlist_is_the_best_rough_scores_in_position_order() -> None:
    rough = np.array([0.1, 0.9, 0.5, 0.7, 0.2])
    assert list(sketch.rough_shortlist(rough, 2)) == [1, 3]
    assert list(sketch.rough_shortlist(rough, 9)) == [0, 1, 2, 3, 4]


def test_reranked_grows_with_the_results_asked_for() -> None:
    assert sketch.reranked(10) == sketch.RERANKED
    assert sketch.reranked(100) == max(sketch.RERANKED, 100 * sketch.RERANKED_PER_RESULT)


@pytest.mark.parametrize("seed", range(3))
def test_exact_raw_equals_report_to_the_bit_without_stacking(seed) -> None:
    profiles, interests, index, query = random_index(seed)
    positions = np.random.default_rng(seed).permutation(index.groups.size)[:57]
    found = retrieval.exact_raw(profiles, interests, positions, index, positions, query)
    stacked = stacking.stack_rows(profiles, interests, positions)
    assert np.array_equal(found, retrieval.report(stacked, index, positions, query)[0])
    assert np.array_equal(found, retrieval.raw_scores(index, [query])[0][positions])


def test_a_model_with_the_default_threshold_keeps_a_short_list_exact(mixed):  # noqa: F811
    assert all(i.sketch is None and i.dense32 is not None for i in mixed.candidates_.values())


def test_with_everyone_re_ranked_the_sketched_ranking_is_the_exhaustive_one(mixed):  # noqa: F811
    twin, exact = sketched_twin(mixed), live(mixed)
    for company in mixed.companies_:
        for query_of in ("query_for", "query_for_profile"):
            args = company.id if query_of == "query_for" else company
            found = twin.rank(getattr(twin, query_of)(args), 5)
            expected = exact.rank(getattr(exact, query_of)(args), 5)
            assert [(m.company.id, m.score) for m in found] == [
                (m.company.id, m.score) for m in expected
            ]


def test_re_ranking_few_reports_exact_scores_and_keeps_most_of_the_top(mixed, monkeypatch):  # noqa: F811
    twin, exact = sketched_twin(mixed, monkeypatch, reranked=8), live(mixed)
    recalls = []
    for company in mixed.companies_:
        found = twin.rank(twin.query_for(company.id), 5)
        every = exact.score_all(exact.query_for(company.id))
        assert all(m.score == every[m.row] for m in found)  # the full pass's bits
        expected = {m.company.id for m in exact.rank(exact.query_for(company.id), 5)}
        recalls.append(len(expected & {m.company.id for m in found}) / len(expected))
    assert np.mean(recalls) >= 0.8


def test_the_sketched_ranking_keeps_to_the_filters(mixed, monkeypatch):  # noqa: F811
    twin = sketched_twin(mixed, monkeypatch, reranked=3)
    company = next(c for c in mixed.companies_ if c.country == "JP")
    sector = mixed.companies_[int(mixed.country_rows_["IL"][0])].sectors[0]
    found = twin.rank(twin.query_for(company.id), 5, Filters(sectors=(sector,)))
    assert found and all(sector in m.company.sectors for m in found)


def test_a_sketched_index_survives_the_artifact_and_ranks_the_same(mixed, tmp_path):  # noqa: F811
    twin = sketched_twin(mixed)
    registry.promote(tmp_path, registry.save_version(tmp_path, twin, {"companies": {}}))
    loaded = registry.load_promoted(tmp_path).model
    index = loaded.candidates_["IL"]
    assert index.dense32 is None and isinstance(index.sketch, sketch.Sketch)
    assert not index.sketch.rows.flags.writeable  # mapped from the file, shared by workers
    company = next(c for c in mixed.companies_ if c.country == "JP")
    found = loaded.rank(loaded.query_for(company.id), 5)
    expected = twin.rank(twin.query_for(company.id), 5)
    assert [(m.company.id, m.score) for m in found] == [(m.company.id, m.score) for m in expected]
