"""The grouped, feature-major scoring pass (kakehashi.retrieval) against the reference formula.

The pass folds the per-candidate "who seeks" divisions into one coefficient per column and per
seeking group; these tests pin every group's divisor, on random matrices where all four groups of
candidates meet queries in all four seeking states, and on a fitted model whose firms seek (or
not) in both countries.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from kakehashi import retrieval, similarity, stacking
from kakehashi.queries import Filters
from kakehashi.reasons import EXPLAINED_IN_FULL
from training.train import build_model

BLOCKS = {
    "sectors": slice(0, 6),
    "words": slice(6, 30),
    "chars": slice(30, 62),
    "latent": slice(62, 70),
}
WIDTH = 70
WEIGHTS = {
    "sectors": 0.3,
    "words": 0.2,
    "chars": 0.15,
    "latent": 0.1,
    "interests": 0.15,
    "sought_sectors": 0.1,
}
SEEKING_STATES = [(False, False), (True, False), (False, True), (True, True)]


def _block(rng, rows: int, columns: slice, density: float, dense: bool = False) -> np.ndarray:
    values = rng.normal(size=(rows, columns.stop - columns.start))
    if not dense:
        values *= rng.random(values.shape) < density
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    return np.divide(values, norms, out=np.zeros_like(values), where=norms > 0)


def random_rows(rng, seeking: list[tuple[bool, bool]]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Profiles and interests of firms seeking in text and / or sectors as listed."""
    rows = len(seeking)
    profiles = np.zeros((rows, WIDTH))
    interests = np.zeros((rows, WIDTH))
    for view, columns in BLOCKS.items():
        profiles[:, columns] = _block(rng, rows, columns, 0.4, dense=view == "latent")
        wanted = np.array([text if view != "sectors" else sectors for text, sectors in seeking])
        interests[:, columns] = _block(rng, rows, columns, 0.3, view == "latent") * wanted[:, None]
    return sp.csr_matrix(profiles), sp.csr_matrix(interests)


def masks() -> dict[str, np.ndarray]:
    return similarity.view_masks(BLOCKS, WIDTH)


def weighted_reference(qp, qi, profiles, interests) -> np.ndarray:
    """The weighted pair scores of one query by the component-by-component formula."""
    found = similarity.similarities(
        qp, qi, profiles, interests, similarity.seeking_rows(interests, masks()), masks()
    )
    return sum(WEIGHTS[name] * found[name] for name in similarity.COMPONENTS)


@pytest.fixture(scope="module")
def candidates():
    """Random candidates, ten of each seeking group, shuffled; and their CountryIndex."""
    rng = np.random.default_rng(7)
    seeking = [state for state in SEEKING_STATES for _ in range(10)]
    seeking = [seeking[n] for n in rng.permutation(len(seeking))]
    profiles, interests = random_rows(rng, seeking)
    seeks = np.array(seeking, dtype=float)
    index = retrieval.build_index(profiles, interests, seeks, np.arange(62, 70))
    return profiles, interests, index


@pytest.mark.parametrize("state", SEEKING_STATES)
def test_raw_scores_equal_the_reference_for_every_seeking_group(candidates, state):
    profiles, interests, index = candidates
    assert index.present == (0, 1, 2, 3)
    rules = retrieval.score_rules(masks(), WEIGHTS)
    qp, qi = random_rows(np.random.default_rng(sum(state)), [state] * 3)
    found = retrieval.raw_scores(index, retrieval.query_block(stacking.stack(qp, qi), rules))
    for n in range(3):
        expected = weighted_reference(qp[n], qi[n], profiles, interests)
        assert np.allclose(found[n], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("state", SEEKING_STATES)
def test_report_equals_raw_scores_to_the_bit_and_components_the_reference(candidates, state):
    profiles, interests, index = candidates
    rules = retrieval.score_rules(masks(), WEIGHTS)
    qp, qi = random_rows(np.random.default_rng(5), [state])
    query = retrieval.query_columns(stacking.stack(qp, qi), rules)
    positions = np.array([3, 0, 39, 17, 17, 25])
    rows = stacking.stack(profiles[positions], interests[positions])
    raw, parts = retrieval.report(rows, index, positions, query)
    assert np.array_equal(raw, retrieval.raw_scores(index, [query])[0][positions])
    expected = similarity.similarities(
        qp, qi, profiles, interests, similarity.seeking_rows(interests, masks()), masks()
    )
    for name in similarity.COMPONENTS:
        assert np.allclose(parts[name], expected[name][positions], rtol=0, atol=1e-12), name


def test_build_index_keeps_latent_and_frequent_columns_dense_and_the_rest_in_postings(
    candidates,
):
    profiles, interests, index = candidates
    stacked = stacking.stack(profiles, interests)
    counts = np.bincount(stacked.indices, minlength=2 * WIDTH)
    frequent = np.flatnonzero(counts >= retrieval.DENSE_SHARE * stacked.shape[0])
    expected = np.union1d(np.arange(62, 70), frequent)
    assert frequent.size and not set(frequent) <= set(range(62, 70))  # more than the latent
    assert np.array_equal(index.dense_columns, expected)
    assert np.array_equal(index.dense, stacked[:, expected].toarray())
    listed = np.repeat(np.arange(index.postings.shape[0]), np.diff(index.postings.indptr))
    assert not np.isin(listed % (2 * WIDTH), expected).any()
    assert np.array_equal(listed // (2 * WIDTH), index.groups[index.postings.indices])
    assert index.postings.nnz + stacked[:, expected].nnz == stacked.nnz


def test_an_index_of_some_rows_of_the_whole_matrices_is_that_of_their_slices(candidates):
    profiles, interests, _ = candidates
    rows = np.array([0, 3, 4, 9, 17, 30, 39])
    seeks = np.array([SEEKING_STATES[n % 4] for n in rows], dtype=float)
    found = retrieval.build_index(profiles, interests, seeks, np.arange(62, 70), rows)
    expected = retrieval.build_index(profiles[rows], interests[rows], seeks, np.arange(62, 70))
    assert (found.postings != expected.postings).nnz == 0
    assert np.array_equal(found.postings.indices, expected.postings.indices)
    assert np.array_equal(found.dense, expected.dense)
    assert np.array_equal(found.groups, expected.groups)


@pytest.mark.parametrize("rows", [[3, 1, 1, 39], [0], [], list(range(40))])
def test_stack_rows_equals_stacking_the_sliced_rows(candidates, rows):
    profiles, interests, _ = candidates
    found = stacking.stack_rows(profiles, interests, np.array(rows, dtype=int))
    expected = stacking.stack(profiles[rows], interests[rows])
    assert found.shape == expected.shape and (found != expected).nnz == 0
    assert np.array_equal(found.indices, expected.indices)


# ----- a fitted model whose firms seek, or not, in both countries -----


@pytest.fixture(scope="module")
def mixed(inputs):
    """The fixture list with interests moved around: some Israeli firms seek (in text, in text
    and sectors), some Japanese firms do not."""
    written = {
        "il-fraud": "Distribution partners among Japanese banks and fintech companies.",
        "il-lidar": "Pilot customers building delivery robots, warehouse trials.",
    }
    companies = []
    for n, company in enumerate(inputs.companies):
        interests = company.interests
        if company.country == "IL":
            interests = written.get(company.id, "")
        elif n % 2:
            interests = ""
        companies.append(dataclasses.replace(company, interests=interests))
    return build_model(inputs).fit(companies, inputs.partnerships)


def test_mixed_model_has_seekers_and_non_seekers_in_both_countries(mixed):
    for country in ("JP", "IL"):
        groups = set(mixed.candidates_[country].present)
        assert 0 in groups and groups & {2, 3}, country


def reference_scores(model, query) -> np.ndarray:
    parts = similarity.similarities(
        query.profile, query.interests, model.profiles_, model.interests_, model.seeks_,
        model.masks_,
    )  # fmt: skip
    raw = sum(model.weights_[name] * parts[name] for name in similarity.COMPONENTS)
    return np.clip(raw - model.query_scale(query) * model.hub_penalties_, 0.0, 1.0)


def test_mixed_model_scores_equal_the_reference_for_every_firm(mixed):
    for company in mixed.companies():
        query = mixed.query_for(company.id)
        assert np.allclose(mixed.score_all(query), reference_scores(mixed, query), atol=1e-12)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(sectors=("cyber",)),
        Filters(exclude_known=True, exclude_group=True),
        Filters(city="Tel Aviv"),
    ],
)
def test_mixed_model_live_rank_is_the_reference_ranking(mixed, filters):
    live = copy.copy(mixed)
    live.partner_rows_ = live.partner_scores_ = None
    for company in mixed.companies():
        query = mixed.query_for(company.id)
        expected = reference_scores(mixed, query)
        eligible = np.flatnonzero(mixed.candidate_mask(query, filters))
        order = sorted(eligible, key=lambda row: (-expected[row], row))[:5]
        found = live.rank(query, 5, filters)
        assert [m.row for m in found] == order
        assert np.allclose([m.score for m in found], expected[order], atol=1e-12)
        assert found == mixed.rank(query, 5, filters)  # from the precomputed partners


def test_mixed_model_scores_of_a_few_rows_equal_the_full_pass_to_the_bit(mixed):
    for company in mixed.companies():
        query = mixed.query_for(company.id)
        country = "IL" if company.country == "JP" else "JP"
        everything = mixed._country_scores(query, country)
        positions = np.arange(everything.size)[::-1]
        assert np.array_equal(mixed._country_scores(query, country, positions), everything[::-1])


def test_rank_from_precomputed_partners_reports_its_rows_once(mixed, monkeypatch):
    calls = []
    report = retrieval.report
    monkeypatch.setattr(retrieval, "report", lambda *args: calls.append(1) or report(*args))
    query = mixed.query_for("jp-auto")
    past_stored = EXPLAINED_IN_FULL + 2  # the first ten's figures are stored (stored_reasons)
    first = mixed.rank(query, past_stored)
    assert len(calls) == 1  # the scores of the listed rows, then their components: one report
    hidden = Filters(exclude_ids=(first[0].company.id,))
    assert mixed.rank(query, past_stored, hidden)[0] == first[1]
    assert len(calls) == 2  # other rows: reported anew


def test_raw_scores_of_equal_candidates_are_equal_to_the_bit_wherever_they_sit():
    rng = np.random.default_rng(3)
    profiles, interests = random_rows(rng, [(True, True), (False, True), (True, False)] * 3)
    order = [0, 1, 0, 2, 0, 3, 4, 0, 5, 6, 0, 7, 8]  # firm 0 five times, at odd and even places
    seeks = similarity.seeking_rows(interests, masks())
    flags = np.column_stack([seeks["interests"], seeks["sought_sectors"]])[order]
    index = retrieval.build_index(profiles[order], interests[order], flags, np.arange(62, 70))
    rules = retrieval.score_rules(masks(), WEIGHTS)
    qp, qi = random_rows(rng, [(True, True)])
    found = retrieval.raw_scores(index, retrieval.query_block(stacking.stack(qp, qi), rules))[0]
    assert len({found[n] for n, row in enumerate(order) if row == 0}) == 1


@pytest.mark.parametrize("index_type", [np.int32, np.int64])
@pytest.mark.parametrize("height", [1, 3])
def test_the_one_pass_product_with_the_postings_is_scipys_product_to_the_bit(index_type, height):
    rng = np.random.default_rng(7)
    postings = sp.random(300, 500, density=0.05, format="csr", random_state=rng)
    postings.indptr, postings.indices = (
        postings.indptr.astype(index_type), postings.indices.astype(index_type)
    )  # fmt: skip
    dense = sp.random(height, 300, density=0.1, random_state=rng).toarray()
    dense[-1] = 0.0  # a query without any sparse coefficient
    rows = sp.csr_matrix(dense)
    found = retrieval.product_array(rows, postings)
    assert np.array_equal(found, (rows @ postings).toarray())


def test_a_product_denser_than_its_posting_lists_suggest_is_bounded_by_its_size():
    rng = np.random.default_rng(11)
    rows = sp.random(40, 60, density=0.6, format="csr", random_state=rng)
    columns = sp.csr_matrix(
        rows.T
    )  # each row meets long lists: their lengths overcount the product
    assert np.diff(columns.indptr)[rows.indices].sum() > 40 * 40
    assert np.array_equal(retrieval.product_array(rows, columns), (rows @ rows.T).toarray())


@pytest.mark.parametrize("row", [0, 5, 7])
def test_a_row_read_off_the_arrays_is_scipys_row(row):
    dense = sp.random(8, 50, density=0.2, random_state=np.random.default_rng(row)).toarray()
    dense[5] = 0.0  # an empty row
    matrix = sp.csr_matrix(dense)
    found = stacking.csr_row(matrix, row)
    assert found.shape == (1, 50) and found.has_sorted_indices
    assert np.array_equal(found.toarray(), matrix[row].toarray())
    assert not np.shares_memory(found.data, matrix.data)
