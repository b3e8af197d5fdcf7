"""A live ranking's first pass in float32: bounded error, and the exact top k all the same."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from kakehashi import retrieval, shortlist, stacking
from tests.kakehashi.test_retrieval import (  # noqa: F401 (mixed: a fixture)
    SEEKING_STATES,
    WEIGHTS,
    masks,
    mixed,
    random_rows,
)


def index_and_query(seed: int, state=(True, True), candidates: int = 200):
    rng = np.random.default_rng(seed)
    profiles, interests = random_rows(rng, [SEEKING_STATES[n % 4] for n in range(candidates)])
    seeks = np.array([SEEKING_STATES[n % 4] for n in range(candidates)], dtype=float)
    index = retrieval.build_index(profiles, interests, seeks, np.arange(62, 70))
    qp, qi = random_rows(rng, [state])
    rules = retrieval.score_rules(masks(), WEIGHTS)
    return index, retrieval.query_columns(stacking.stack(qp, qi), rules)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("state", SEEKING_STATES)
def test_approximate_scores_are_within_their_error_and_exact_ones_are_raw_scores(seed, state):
    index, query = index_and_query(seed, state)
    live = shortlist.live_scores(index, query)
    exact = retrieval.raw_scores(index, [query])[0]
    assert live.error > 0
    assert np.all(np.abs(live.approximate - exact) <= live.error)
    everyone = np.arange(exact.size)
    assert np.array_equal(live.exact(everyone), exact)  # the same bits as the full pass
    assert np.array_equal(live.exact(everyone[::-3]), exact[::-3])


def test_the_error_bound_holds_where_float32_cancels_badly():
    rng = np.random.default_rng(3)
    rows = rng.normal(scale=1e3, size=(500, 64))
    values = rng.normal(size=64)
    exact = rows @ values
    approximate = rows.astype(np.float32) @ values.astype(np.float32)
    norm = float(np.linalg.norm(rows, axis=1).max())
    bound = shortlist.dense_error(64, float(np.linalg.norm(values)), norm)
    assert np.all(np.abs(approximate.astype(float) - exact) <= bound)


def test_the_shortlist_keeps_every_score_that_can_reach_the_top_k_and_few_others():
    final = np.array([0.50, 0.30, 0.4999999, 0.10, 0.49, 0.2, 0.0])
    assert list(shortlist.shortlist(final, 1, 1e-6)) == [0, 2]  # within 2 errors of the best
    assert list(shortlist.shortlist(final, 2, 1e-6)) == [0, 2]
    assert list(shortlist.shortlist(final, 3, 1e-6)) == [0, 2, 4]
    assert list(shortlist.shortlist(final, 9, 1e-6)) == list(range(7))  # fewer than k: all


def test_candidates_float32_cannot_tell_apart_are_ranked_by_their_exact_scores():
    index, query = index_and_query(11)
    best = int(np.argmax(retrieval.raw_scores(index, [query])[0]))
    twin_dense = index.dense.copy()
    twin_dense[best + 1] = twin_dense[best]
    twin_dense[best + 1, -1] += 1e-9  # far below float32's resolution
    groups = index.groups.copy()
    groups[best + 1] = groups[best]
    twins = dataclasses.replace(
        index, dense=twin_dense, dense32=twin_dense.astype(np.float32), groups=groups
    )
    twins = _same_sparse_rows(twins, best, best + 1)
    live = shortlist.live_scores(twins, query)
    exact = retrieval.raw_scores(twins, [query])[0]
    assert live.approximate[best] == live.approximate[best + 1]
    assert exact[best] != exact[best + 1]
    listed = shortlist.shortlist(live.approximate, 1, live.error)
    assert {best, best + 1} <= set(listed)
    winner = listed[int(np.argmax(live.exact(listed)))]
    assert winner == int(np.argmax(exact))


def _same_sparse_rows(index: retrieval.CountryIndex, source: int, target: int):
    """The index with candidate `target`'s posting-list entries replaced by `source`'s."""
    by_candidate = sp.csc_matrix(index.postings).T.tolil()
    by_candidate[target] = by_candidate[source]
    return dataclasses.replace(index, postings=sp.csr_matrix(by_candidate.T.tocsr()))


def test_a_live_ranking_scores_exactly_only_its_shortlist(monkeypatch, mixed):  # noqa: F811
    live = copy.copy(mixed)
    live.partner_rows_ = live.partner_scores_ = None
    exact_rows = []
    original = shortlist.LiveScores.exact
    monkeypatch.setattr(
        shortlist.LiveScores,
        "exact",
        lambda self, positions: exact_rows.append(len(positions)) or original(self, positions),
    )
    query = mixed.query_for(next(c.id for c in mixed.companies() if c.country == "JP"))
    live.rank(query, 3)
    candidates = mixed.candidates_["IL"].dense.shape[0]
    assert exact_rows and max(exact_rows) < candidates
