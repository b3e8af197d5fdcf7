"""Precomputed partners: chunked through joblib, equal to the single-shot run and to live ranking."""

from __future__ import annotations

import copy
from pathlib import Path

import joblib
import numpy as np
import pytest

from kakehashi import precompute, retrieval
from kakehashi.companies import other_country
from kakehashi.queries import Filters
from kakehashi.similarity import top_positions


def live(model):
    """The model with its precomputed partners set aside: every rank scores every candidate."""
    twin = copy.copy(model)
    twin.partner_rows_ = twin.partner_scores_ = None
    return twin


def ranked(matches) -> list[tuple[str, float, dict]]:
    return [(m.company.id, m.score, m.components, m.strength, m.hub_adjustment) for m in matches]


def test_top_partners_chunked_equals_single_shot(model):
    single = precompute.top_partners(model, k=5, n_jobs=1, chunk=len(model.companies_))
    with joblib.parallel_config(backend="threading"):
        chunked = precompute.top_partners(model, k=5, n_jobs=2, chunk=3)
    assert np.array_equal(single[0], chunked[0])
    assert np.array_equal(single[1], chunked[1], equal_nan=True)


def test_top_partners_are_shaped_and_padded(model):
    rows, scores = model.partner_rows_, model.partner_scores_
    n_other = {c: (model.countries_ != c).sum() for c in ("JP", "IL")}
    assert rows.shape == scores.shape == (len(model.companies_), model.precomputed)
    assert rows.dtype == np.int32 and scores.dtype == np.float32
    for row, country in enumerate(model.countries_):
        listed = rows[row][rows[row] >= 0]
        assert listed.size == min(model.precomputed, n_other[country])
        assert np.all(model.countries_[listed] != country)
        assert np.all(np.isnan(scores[row][listed.size :]))


def test_rank_from_precomputed_partners_equals_live_ranking_for_every_firm(model):
    reference = live(model)
    for company in model.companies():
        query = model.query_for(company.id)
        assert ranked(model.rank(query, 10)) == ranked(reference.rank(query, 10))


def test_precomputed_scores_are_the_live_scores_as_float32(model):
    reference = live(model)
    for company in model.companies():
        rows, scores = model.precomputed_partners(company.id, 5)
        matches = reference.rank(reference.query_for(company.id), 5)
        assert rows.tolist() == [m.row for m in matches]
        assert scores.tolist() == [np.float32(m.score) for m in matches]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(exclude_known=True),
        Filters(exclude_group=True),
        Filters(sectors=("cyber",)),
        Filters(city="Tel Aviv"),
    ],
)
def test_rank_with_filters_answers_like_live_ranking(model, filters):
    few = copy.copy(model)  # a short list: some filters leave enough of it, some do not
    few.partner_rows_, few.partner_scores_ = precompute.top_partners(model, k=4, n_jobs=1)
    reference = live(model)
    for company in model.companies():
        query = model.query_for(company.id)
        assert ranked(few.rank(query, 2, filters)) == ranked(reference.rank(query, 2, filters))


def test_rank_falls_back_to_live_ranking_when_filters_leave_too_few(model):
    few = copy.copy(model)
    few.partner_rows_, few.partner_scores_ = precompute.top_partners(model, k=2, n_jobs=1)
    query = model.query_for("jp-auto")
    filters = Filters(sectors=("fintech",))
    found = few.rank(query, 5, filters)
    assert ranked(found) == ranked(live(model).rank(query, 5, filters))
    assert found and not set(few.partner_rows_[query.row]) >= {m.row for m in found}


def test_fit_without_precomputed_partners_ranks_live(inputs):
    from training.train import build_model

    model = build_model(inputs).set_params(precomputed=0).fit(inputs.companies)
    assert model.partner_rows_ is None
    assert model.precomputed_partners("jp-auto")[0].size == 0
    assert model.rank(model.query_for("jp-auto"), 3)


def test_with_weights_drops_the_precomputed_partners_and_scores_with_the_new_weights(inputs, model):
    from training.train import build_model

    weights = {**model.weights_, "sectors": 0.6, "interests": 0.0}
    twin = model.with_weights(weights)
    fitted = (
        build_model(inputs).set_params(weights=weights).fit(inputs.companies, inputs.partnerships)
    )
    assert twin.partner_rows_ is None
    for company_id in ("jp-auto", "il-fraud"):
        assert np.allclose(twin.candidate_scores(company_id), fitted.candidate_scores(company_id))


@pytest.fixture(scope="module")
def bundled():
    """A model of the bundled list, ranking live (its own precomputation is what is tested)."""
    from training.train import build_model, load_inputs

    repo = Path(__file__).resolve().parents[2]
    inputs = load_inputs(repo / "data/companies.csv", repo / "data/partnerships.csv")
    return build_model(inputs).set_params(precomputed=0).fit(inputs.companies)


def exhaustive_top(model, country: str, query_rows, k: int):
    """Every candidate scored exactly (retrieval.raw_scores), clipped, and the k best taken."""
    index, hubs = (
        model.candidates_[other_country(country)],
        model.candidate_hubs_[other_country(country)],
    )
    raw = retrieval.raw_scores(
        index, retrieval.query_block(model.stacked_rows(query_rows), model.rules_)
    )
    found = []
    for n, row in enumerate(query_rows):
        final = np.clip(raw[n] - model.query_scales_[row] * hubs, 0.0, 1.0)
        top = top_positions(final, k)
        found.append((top, final[top].astype(np.float32)))
    return found


def test_block_scores_are_within_their_error_and_exact_on_demand(bundled):
    for country, query_rows in bundled.country_rows_.items():
        index = bundled.candidates_[other_country(country)]
        queries = retrieval.query_block(bundled.stacked_rows(query_rows[:8]), bundled.rules_)
        exact = retrieval.raw_scores(index, queries)
        for n, scores in enumerate(precompute.block_scores(index, queries)):
            everyone = np.arange(exact.shape[1])
            assert np.array_equal(scores.exact(everyone), exact[n])
            assert np.all(np.abs(scores.approximate - exact[n]) <= scores.error)
            assert 0 < scores.error < 1e-9


def test_top_partners_of_the_bundled_list_are_the_exhaustive_exact_ranking(bundled):
    rows, scores = precompute.top_partners(bundled, k=100, n_jobs=1)
    for country, query_rows in bundled.country_rows_.items():
        positions = bundled.country_rows_[other_country(country)]
        expected = exhaustive_top(bundled, country, query_rows, 100)
        for row, (top, best) in zip(query_rows, expected, strict=True):
            assert rows[row, : top.size].tolist() == positions[top].tolist()
            assert np.array_equal(scores[row, : top.size], best)
