"""GET /v1/model, /v1/sectors, /v1/companies and /v1/companies/<id>."""

from __future__ import annotations

import pytest


def test_model_reports_manifest(client, app):
    body = client.get("/v1/model").json
    assert body["version"] == app.extensions["kakehashi"].version
    assert body["companies"] == {"IL": 16, "JP": 6}
    assert body["partnerships"] == 7
    assert "automotive" in body["sectors"]
    assert set(body["metrics"]) == {"JP -> IL", "IL -> JP"}
    assert set(body["metrics"]["IL -> JP"]) >= {"mrr", "hit@1"}
    assert set(body["baselines"]["JP -> IL"]) >= {"random", "TF-IDF cosine", "BM25"}
    assert set(body["baselines"]["IL -> JP"]["BM25"]) >= {"mrr", "hit@10"}
    assert body["created_at"]


def test_sectors_lists_taxonomy_with_counts(client):
    body = client.get("/v1/sectors").json
    by_key = {item["key"]: item for item in body["items"]}
    assert by_key["automotive"]["counts"] == {"JP": 1, "IL": 3}
    assert by_key["automotive"]["label"]
    assert by_key["telecom"]["counts"] == {"JP": 0, "IL": 0}
    assert body["model_version"]


def test_companies_lists_all_with_total(client):
    body = client.get("/v1/companies?limit=100").json
    assert body["total"] == 22
    assert len(body["items"]) == 22
    assert [c["id"] for c in body["items"]] == sorted(c["id"] for c in body["items"])


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("country=JP&sector=automotive", ["jp-auto"]),
        ("country=japan&sector=automotive", ["jp-auto"]),
        ("country=IL&sector=vr", ["il-3d", "il-waveguide"]),
        ("sector=cleantech&sector=agrifood", ["il-meat", "il-water"]),
        ("q=sample%20m", ["jp-auto"]),
        ("q=SAMPLE%20MOTORS", ["jp-auto"]),
        ("q=lidar", ["il-lidar"]),
        ("q=nothing-like-this", []),
    ],
)
def test_companies_filters(client, query: str, ids: list[str]):
    body = client.get(f"/v1/companies?{query}").json
    assert sorted(c["id"] for c in body["items"]) == ids
    assert body["total"] == len(ids)


def test_companies_q_puts_prefix_matches_first(client):
    names = [c["name"] for c in client.get("/v1/companies?q=ex").json["items"]]
    assert names[0].startswith("Example")
    names = [c["name"] for c in client.get("/v1/companies?q=fra").json["items"]]
    assert names == ["Example Fraud Guard"]


def test_companies_pages_with_limit_and_offset(client):
    everything = client.get("/v1/companies?limit=100").json["items"]
    page = client.get("/v1/companies?limit=5&offset=5").json
    assert page["total"] == 22
    assert page["items"] == everything[5:10]
    assert client.get("/v1/companies?offset=50").json == {"items": [], "total": 22}


def test_company_returns_record(client):
    body = client.get("/v1/companies/jp-auto").json
    assert body["id"] == "jp-auto"
    assert body["name"] == "Sample Motors"
    assert body["country"] == "JP"
    assert body["sectors"] == ["automotive"]
    assert body["city"] == "Nagoya"
    assert body["founded"] == 1937


def test_model_labels_every_explanation_component_for_people(client):
    labels = client.get("/v1/model").json["component_labels"]
    result = client.get("/v1/companies/jp-auto/partners?top_k=1").json["results"][0]
    assert set(result["explanation"]["contributions"]) == set(labels)
    assert all(isinstance(text, str) and len(text) > 10 for text in labels.values())


@pytest.mark.parametrize("q", ["サンプル自動車", "サンプル自", "ｻﾝﾌﾟﾙ自動車", "Sample Motors"])
def test_companies_q_finds_a_firm_by_its_japanese_or_english_name(client, q):
    items = client.get("/v1/companies", query_string={"q": q}).json["items"]
    assert items[0]["id"] == "jp-auto"
    assert items[0]["name_ja"] == "サンプル自動車"
