"""The candidate index built a block of candidates at a time (kakehashi.postings) holds the same
arrays, to the bit and in the same dtypes, as the one-shot build it replaced: stack every row,
re-key its non-zeros by seeking group, transpose."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kakehashi import postings, retrieval, stacking
from tests.kakehashi.test_retrieval import SEEKING_STATES, WEIGHTS, WIDTH, masks, random_rows

LATENT = np.arange(62, 70)


def one_shot(profiles, interests, seeks, rows):
    """The dense block and posting lists of the one-shot build, from the whole stacked matrix."""
    stacked = stacking.stack(profiles[rows], interests[rows])
    n = stacked.shape[0]
    groups = (2 * seeks[:, 0] + seeks[:, 1]).astype(np.int64)
    counts = np.bincount(stacked.indices, minlength=2 * WIDTH)
    dense_columns = np.union1d(LATENT, np.flatnonzero(counts >= retrieval.DENSE_SHARE * n))
    sparse = ~np.isin(stacked.indices, dense_columns)
    keys = stacked.indices + np.repeat(groups * 2 * WIDTH, np.diff(stacked.indptr))
    kept = np.concatenate([[0], np.cumsum(sparse)])[stacked.indptr]
    shape = (n, retrieval.GROUPS * 2 * WIDTH)
    by_row = sp.csr_matrix((stacked.data[sparse], keys[sparse], kept), shape=shape)
    return stacked[:, dense_columns].toarray(), sp.csr_matrix(by_row.T.tocsr()), dense_columns


@pytest.fixture
def firms():
    rng = np.random.default_rng(11)
    seeking = [SEEKING_STATES[n] for n in rng.integers(0, 4, size=61)]
    profiles, interests = random_rows(rng, seeking)
    return profiles, interests, np.array(seeking, dtype=float)


@pytest.mark.parametrize("block_rows", [1, 7, 60, 61, 1 << 13])
def test_a_blocked_build_equals_the_one_shot_transposition_to_the_bit(
    firms, monkeypatch, block_rows
):
    profiles, interests, seeks = firms
    rows = np.flatnonzero(np.arange(profiles.shape[0]) % 5 != 2)  # some of the rows, in order
    monkeypatch.setattr(postings, "BLOCK_ROWS", block_rows)
    found = retrieval.build_index(profiles, interests, seeks[rows], LATENT, rows)
    dense, expected, dense_columns = one_shot(profiles, interests, seeks[rows], rows)
    assert np.array_equal(found.dense_columns, dense_columns)
    assert np.array_equal(found.dense, dense)
    for part in ("data", "indices", "indptr"):
        got, wanted = getattr(found.postings, part), getattr(expected, part)
        assert got.dtype == wanted.dtype and np.array_equal(got, wanted), part
    assert found.postings.shape == expected.shape


def test_every_posting_list_holds_its_candidates_ascending(firms, monkeypatch):
    profiles, interests, seeks = firms
    monkeypatch.setattr(postings, "BLOCK_ROWS", 4)
    index = retrieval.build_index(profiles, interests, seeks, LATENT)
    assert index.postings.nnz
    assert index.postings.has_sorted_indices
    lists = np.repeat(np.arange(index.postings.shape[0]), np.diff(index.postings.indptr))
    steps = np.diff(index.postings.indices)
    assert (steps[lists[1:] == lists[:-1]] > 0).all()


def test_an_empty_country_builds_an_empty_index():
    profiles = sp.csr_matrix((0, WIDTH))
    index = retrieval.build_index(profiles, profiles, np.zeros((0, 2)), LATENT)
    assert index.dense.shape == (0, LATENT.size)
    assert index.postings.shape == (retrieval.GROUPS * 2 * WIDTH, 0)
    assert index.postings.nnz == 0


def tiled(monkeypatch, tile: int, block_rows: int) -> None:
    monkeypatch.setattr(postings, "TILE", tile)
    monkeypatch.setattr(postings, "BLOCK_ROWS", block_rows)


@pytest.mark.parametrize(("tile", "block_rows"), [(8, 8), (16, 4), (60, 20), (61, 61)])
def test_tiled_postings_score_every_candidate_as_one_tile_does_to_the_bit(
    firms, monkeypatch, tile, block_rows
):
    profiles, interests, seeks = firms
    whole = retrieval.build_index(profiles, interests, seeks, LATENT)
    tiled(monkeypatch, tile, block_rows)
    index = retrieval.build_index(profiles, interests, seeks, LATENT)
    assert index.tiles == -(-profiles.shape[0] // tile) and whole.tiles == 1
    assert index.postings.shape == (index.tiles * whole.postings.shape[0], min(tile, 61))
    rules = retrieval.score_rules(masks(), WEIGHTS)
    query_profiles, query_interests = random_rows(np.random.default_rng(2), SEEKING_STATES * 2)
    queries = retrieval.query_block(stacking.stack(query_profiles, query_interests), rules)
    found = retrieval.raw_scores(index, queries)
    assert found.shape == (8, 61)
    assert np.array_equal(found, retrieval.raw_scores(whole, queries))
    assert np.array_equal(postings.feature_major(index).toarray(), whole.postings.toarray())
    lists = np.arange(whole.postings.shape[0])
    assert np.array_equal(postings.total_lengths(index, lists), np.diff(whole.postings.indptr))


def test_a_tile_must_hold_whole_blocks(firms, monkeypatch):
    profiles, interests, seeks = firms
    tiled(monkeypatch, 12, 8)
    with pytest.raises(ValueError, match=r"TILE \(12\) must be a multiple of BLOCK_ROWS \(8\)"):
        retrieval.build_index(profiles, interests, seeks, LATENT)


def test_one_tile_per_query_row_repeats_its_coefficients_over_each_tiles_lists():
    rows = sp.csr_matrix(np.array([[0.0, 2.0, 0.0, 3.0], [1.0, 0.0, 0.0, 0.0]]))
    found = postings.tiled_rows(rows, 3, 4).toarray()
    expected = np.zeros((6, 12))
    for q in range(2):
        for t in range(3):
            expected[q * 3 + t, t * 4 : (t + 1) * 4] = rows[q].toarray()[0]
    assert np.array_equal(found, expected)
    assert postings.tiled_rows(rows, 1, 4) is rows
