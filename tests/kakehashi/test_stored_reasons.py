"""What training stores of each firm's first partners (scores, components, explanations): the
same as computing them afresh, served without it."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from kakehashi import reasons
from kakehashi.artifact import load_model, save_model
from kakehashi.explain import explain
from kakehashi.queries import Filters
from kakehashi.reasons import EXPLAINED_IN_FULL
from training.train import build_model


def first_matches(model, company_id: str, top_k: int = EXPLAINED_IN_FULL):
    query = model.query_for(company_id)
    return query, model.rank(query, top_k)


def test_every_stored_explanation_equals_explaining_afresh(model):
    rows = model.explained_[0]
    assert rows.shape == (len(model.companies()), EXPLAINED_IN_FULL)
    for company in model.companies():
        query, matches = first_matches(model, company.id)
        stored = [reasons.full(model, query, m).to_dict() for m in matches]
        assert stored == [explain(model, query, m).to_dict() for m in matches], company.id


def test_a_stored_pair_is_served_without_explaining(model, monkeypatch):
    query, matches = first_matches(model, "jp-auto")
    monkeypatch.setattr(reasons, "explain", _refuse)
    assert reasons.full(model, query, matches[0]).summary.startswith("Both work in automotive")


def test_every_stored_ranking_equals_ranking_afresh(model):
    fresh = copy.copy(model)
    fresh.explained_ = None  # the same precomputed partners, their figures computed again
    for company in model.companies():
        for top_k in (1, EXPLAINED_IN_FULL):
            stored = first_matches(model, company.id, top_k)[1]
            assert stored == first_matches(fresh, company.id, top_k)[1], company.id


def test_a_stored_ranking_computes_no_scores(model, monkeypatch):
    monkeypatch.setattr(type(model), "_report", _refuse)
    matches = first_matches(model, "jp-auto")[1]
    assert len(matches) == EXPLAINED_IN_FULL
    assert matches[0].components == first_matches(model, "jp-auto", 1)[1][0].components
    with pytest.raises(AssertionError, match="explained afresh"):  # past the stored ten
        model.rank(model.query_for("jp-auto"), EXPLAINED_IN_FULL + 1)


def test_a_filtered_ranking_uses_what_is_stored_of_its_rows(model, monkeypatch):
    matches = first_matches(model, "jp-auto")[1]
    hidden = Filters(exclude_ids=frozenset({matches[0].company.id}))
    monkeypatch.setattr(type(model), "_report", _refuse)
    assert model.rank(model.query_for("jp-auto"), 5, hidden) == matches[1:6]


def test_a_pair_past_the_stored_ones_is_explained_afresh(inputs, monkeypatch):
    model = build_model(inputs).fit(inputs.companies)  # its own: nothing in its caches yet
    query, matches = first_matches(model, "jp-auto", EXPLAINED_IN_FULL + 3)
    beyond = matches[EXPLAINED_IN_FULL:]
    assert beyond
    calls = []
    monkeypatch.setattr(reasons, "explain", lambda *a: calls.append(a) or explain(*a))
    reasons.full(model, query, beyond[0])
    assert len(calls) == 1


def test_an_ad_hoc_profile_is_explained_afresh(model, monkeypatch):
    query = model.query_for_profile(model.company("jp-auto"))
    match = model.rank(query, 1)[0]
    monkeypatch.setattr(reasons, "explain", _refuse)
    with pytest.raises(AssertionError, match="explained afresh"):
        reasons.full(model, query, match)


def test_other_weights_drop_the_stored_explanations(model):
    twin = model.with_weights({name: 1.0 for name in model.weights_})
    assert twin.explained_ is None
    query, matches = first_matches(twin, "jp-auto")
    assert reasons.full(twin, query, matches[0]) == explain(twin, query, matches[0])


def test_a_model_without_precomputed_partners_stores_none(inputs):
    model = build_model(inputs).set_params(precomputed=0).fit(inputs.companies)
    assert model.explained_ is None
    query, matches = first_matches(model, "jp-auto")
    assert reasons.full(model, query, matches[0]).summary


def test_the_artifact_maps_the_stored_explanations(model, tmp_path):
    path = tmp_path / "artifact.joblib"
    loaded = load_model(path, save_model(model, path))
    assert all(
        isinstance(part, np.memmap) or not part.flags.writeable for part in loaded.explained_
    )
    query, matches = first_matches(loaded, "il-fraud")
    assert [reasons.full(loaded, query, m) for m in matches] == [
        explain(model, model.query_for("il-fraud"), m) for m in first_matches(model, "il-fraud")[1]
    ]


def _refuse(*_):
    raise AssertionError("explained afresh")
