"""Ranking responses at bounded cost: full reasons for the first ten, a bounded cache per model,
and bodies in the documented schema although marshmallow does not dump them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kakehashi import lru, registry
from kakehashi.lru import caches_of
from kakehashi.reasons import EXPLAINED_IN_FULL
from service.schemas import Ranking
from tests.service.conftest import make_app
from training.train import Inputs, train

MATCH = {"profile": {"sectors": ["automotive", "cyber"], "description": "connected car security"}}
# each of these, asked after all the others on one app, answers what a fresh app answers
QUERIES = [
    "",
    "top_k=3",
    "top_k=16",
    "sector=cyber",
    "city=tel%20aviv",
    "exclude_known=true",
    "exclude_group=true",
    "diversity=0.5",
    "top_k=16&diversity=0.5",
]


def served(app):
    return app.extensions["kakehashi"].require().model


def test_partners_explain_the_first_ten_in_full_and_the_rest_briefly(client, app):
    results = client.get("/v1/companies/jp-elec/partners?top_k=16").json["results"]
    model = served(app)
    query = model.query_for("jp-elec")
    matches = model.rank(query, 16)
    assert [r["id"] for r in results] == [m.company.id for m in matches]
    for result, match in zip(results, matches, strict=True):
        full = result["rank"] <= EXPLAINED_IN_FULL
        assert result["explanation"] == model.explain(query, match, terms=full).to_dict()
    full = [model.explain(query, m) for m in matches[EXPLAINED_IN_FULL:]]
    assert any(e.matched_terms or e.interest_terms for e in full)  # what brief reasons leave out


def test_match_explains_the_first_ten_in_full_and_the_rest_briefly(client):
    results = client.post("/v1/match", json={**MATCH, "top_k": 16}).json["results"]
    assert len(results) == 16
    assert any(r["explanation"]["matched_terms"] for r in results[:EXPLAINED_IN_FULL])
    for result in results[EXPLAINED_IN_FULL:]:
        assert result["explanation"]["matched_terms"] == []
        assert result["explanation"]["interest_terms"] == []
        assert result["explanation"]["summary"].endswith(".")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/v1/companies/jp-auto/partners?top_k=12", None),
        ("get", "/v1/companies/il-fraud/partners?top_k=3", None),
        ("post", "/v1/match", {**MATCH, "top_k": 12}),
    ],
)
def test_ranking_body_is_what_the_ranking_schema_dumps(client, method, path, body):
    found = getattr(client, method)(path, json=body).json
    assert Ranking().dump(found) == found  # nothing outside the documented schema
    fields = Ranking().fields["results"].inner.schema.fields
    explanation = fields["explanation"].schema.fields
    for result in found["results"]:
        assert set(result) == set(fields)
        assert set(result["explanation"]) == set(explanation)
    assert set(found) == set(Ranking().fields)


def test_partners_cached_answers_equal_fresh_ones(trained_models):
    warm = make_app(trained_models).test_client()
    for query in QUERIES:
        warm.get(f"/v1/companies/jp-auto/partners?{query}")
    for query in reversed(QUERIES):
        fresh = make_app(trained_models).test_client()
        url = f"/v1/companies/jp-auto/partners?{query}"
        assert warm.get(url).json == fresh.get(url).json, query


def test_partners_cache_is_bounded(trained_models, monkeypatch):
    monkeypatch.setattr(lru, "RANKINGS", 3)
    app = make_app(trained_models)
    client = app.test_client()
    for query in QUERIES:
        assert client.get(f"/v1/companies/jp-auto/partners?{query}").status_code == 200
    assert len(caches_of(served(app)).rankings) == 3


def test_partners_cache_dies_with_the_version_at_a_hot_swap(
    models_dir: Path, service_inputs: Inputs
):
    client = make_app(models_dir).test_client()
    first = client.get("/v1/companies/jp-auto/partners").json
    dropped = first["results"][0]["id"]
    kept = tuple(c for c in service_inputs.companies if c.id != dropped)
    pairs = tuple(p for p in service_inputs.partnerships if dropped not in p.pair)
    second = train(replace(service_inputs, companies=kept, partnerships=pairs), models_dir)
    registry.promote(models_dir, second.version)
    after = client.get("/v1/companies/jp-auto/partners").json
    assert after["model_version"] == second.version != first["model_version"]
    assert dropped not in {r["id"] for r in after["results"]}


MATCH_BODIES = [
    MATCH,
    {**MATCH, "top_k": 3},
    {**MATCH, "top_k": 16, "diversity": 0.5},
    {**MATCH, "filters": {"sectors": ["cyber"]}},
    {"profile": {**MATCH["profile"], "name": "Another name"}},
    {"profile": {**MATCH["profile"], "interests": "fleet telematics"}},
    {"profile": {**MATCH["profile"], "country": "IL"}},
]


def test_match_cached_answers_equal_fresh_ones(trained_models):
    warm = make_app(trained_models).test_client()
    for body in MATCH_BODIES:
        warm.post("/v1/match", json=body)
    for body in reversed(MATCH_BODIES):
        fresh = make_app(trained_models).test_client()
        assert warm.post("/v1/match", json=body).json == fresh.post("/v1/match", json=body).json


def test_match_of_a_profile_sent_again_is_not_ranked_again(client, app, monkeypatch):
    first = client.post("/v1/match", json=MATCH).json
    model = served(app)
    monkeypatch.setattr(model, "query_for_profile", lambda profile: pytest.fail("ranked again"))
    assert client.post("/v1/match", json=MATCH).json == first
    assert len(caches_of(model).profiles) == 1


def test_match_cache_is_bounded(trained_models, monkeypatch):
    monkeypatch.setattr(lru, "PROFILES", 3)
    app = make_app(trained_models)
    client = app.test_client()
    for body in MATCH_BODIES:
        assert client.post("/v1/match", json=body).status_code == 200
    assert len(caches_of(served(app)).profiles) == 3
