"""Reasons as rankings hand them out: full ones kept per model, brief ones, the model's caches."""

from __future__ import annotations

import pickle

import pytest

from kakehashi import lru
from kakehashi.artifact import load_model, save_model
from kakehashi.companies import Company
from kakehashi.explain import explain
from kakehashi.lru import LRUCache, caches_of
from kakehashi.similarity import COMPONENT_LABELS
from training.train import build_model

QUERIES = ["jp-auto", "jp-pharma", "jp-bank", "il-fraud", "il-3d"]


@pytest.fixture
def fresh(inputs):
    """A model of its own (the session's `model` is shared, and these tests fill its caches),
    without precomputed partners, so that no explanation was stored at training
    (tests/kakehashi/test_stored_reasons.py) and every full one goes through the cache."""
    model = build_model(inputs).set_params(precomputed=0)
    return model.fit(inputs.companies, inputs.partnerships)


def test_lru_cache_forgets_the_least_recently_used():
    cache = LRUCache(2)
    cache.get_or_compute("a", lambda: 1)
    cache.get_or_compute("b", lambda: 2)
    assert cache.get_or_compute("a", lambda: -1) == 1  # a is now the most recently used
    cache.get_or_compute("c", lambda: 3)
    assert len(cache) == 2
    assert "a" in cache and "c" in cache and "b" not in cache
    assert cache.get_or_compute("b", lambda: 4) == 4  # computed again, not remembered


def test_lru_cache_cleared_computes_again():
    cache = LRUCache(2)
    cache.get_or_compute("a", lambda: 1)
    cache.clear()
    assert len(cache) == 0 and "a" not in cache
    assert cache.get_or_compute("a", lambda: 2) == 2


def test_lru_cache_needs_room_for_one_entry():
    with pytest.raises(ValueError, match="at least one"):
        LRUCache(0)


def test_reasons_full_equals_a_fresh_explanation_for_every_pair(fresh):
    pairs = [(q, m) for q in map(fresh.query_for, QUERIES) for m in fresh.rank(q, 8)]
    for query, match in pairs:  # every pair in the cache first, then each read back
        fresh.explain(query, match)
    for query, match in reversed(pairs):
        assert fresh.explain(query, match) == explain(fresh, query, match)
    assert len(caches_of(fresh).explanations) == len(pairs)


def test_reasons_full_keeps_no_ad_hoc_profile(fresh):
    query = fresh.query_for_profile(Company(id="", name="Q", country="JP", sectors=("ai",)))
    for match in fresh.rank(query, 5):
        assert fresh.explain(query, match) == explain(fresh, query, match)
    assert len(caches_of(fresh).explanations) == 0


def test_reasons_caches_are_bounded(fresh, monkeypatch):
    monkeypatch.setattr(lru, "EXPLANATIONS", 3)
    monkeypatch.setattr(lru, "TEXTS", 4)
    for query in map(fresh.query_for, QUERIES):
        for match in fresh.rank(query, 5):
            fresh.explain(query, match)
    assert len(caches_of(fresh).explanations) == 3
    assert len(caches_of(fresh).texts) == 4


def test_reasons_a_reweighted_twin_does_not_read_the_models_cache(fresh):
    query = fresh.query_for("jp-auto")
    first = fresh.explain(query, fresh.rank(query, 1)[0])
    twin = fresh.with_weights({k: v / 2 for k, v in fresh.weights_.items()})
    match = twin.rank(query, 1)[0]
    explanation = twin.explain(query, match)
    assert explanation == explain(twin, query, match)
    assert explanation.contributions != first.contributions
    assert sum(explanation.contributions.values()) == pytest.approx(match.score, abs=1e-3)


def test_reasons_caches_are_not_saved_with_the_model(fresh, tmp_path):
    query = fresh.query_for("jp-auto")
    fresh.explain(query, fresh.rank(query, 1)[0])
    assert len(caches_of(fresh).explanations) == 1
    save_model(fresh, tmp_path / "artifact.joblib")
    loaded = load_model(tmp_path / "artifact.joblib")
    assert not hasattr(loaded, "serving_caches")
    assert not hasattr(pickle.loads(pickle.dumps(fresh)), "serving_caches")


@pytest.mark.parametrize("company_id", QUERIES)
def test_reasons_brief_gives_sectors_and_components_without_terms(model, company_id):
    query = model.query_for(company_id)
    for match in model.rank(query, 12):
        brief, full = model.explain(query, match, terms=False), model.explain(query, match)
        assert (brief.shared_sectors, brief.related_sectors) == (
            full.shared_sectors,
            full.related_sectors,
        )
        assert (brief.components, brief.contributions) == (full.components, full.contributions)
        assert brief.matched_terms == brief.interest_terms == ()
        assert brief.summary.endswith(".")


def test_reasons_brief_summary_names_sectors_and_the_largest_part(model):
    query = model.query_for("jp-auto")
    match = next(m for m in model.rank(query, 5) if "automotive" in m.company.sectors)
    brief = model.explain(query, match, terms=False)
    parts = {k: v for k, v in brief.contributions.items() if k in match.components}
    largest = max(parts, key=parts.get)
    assert brief.summary.startswith("Both work in ")
    assert COMPONENT_LABELS[largest].split(" (")[0] in brief.summary


@pytest.mark.parametrize("method", ["transform", "transform_interests"])
def test_features_one_row_is_the_row_of_the_whole_list(model, method):
    transform = getattr(model.vectorizer_, method)
    whole = transform(model.companies_)
    for row, company in enumerate(model.companies_):
        one = transform([company])
        assert one.shape == (1, whole.shape[1])
        assert (one != whole[row]).nnz == 0, company.id
