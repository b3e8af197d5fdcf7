"""GET /v1/companies/<id>/partners and POST /v1/match."""

from __future__ import annotations

from tests.service.conftest import make_app

RESULT_FIELDS = {
    "rank", "id", "name", "country", "sectors", "city", "parent_id", "score", "strength",
    "known_partner", "explanation",
}  # fmt: skip
EXPLANATION_FIELDS = {"shared_sectors", "matched_terms", "components", "summary"}


def partners(client, company_id: str, query: str = "") -> dict:
    response = client.get(f"/v1/companies/{company_id}/partners?{query}")
    assert response.status_code == 200, response.json
    return response.json


def test_partners_for_japanese_firm_are_israeli(client, app):
    body = partners(client, "jp-auto")
    assert body["query"] == {"id": "jp-auto", "name": "Sample Motors", "country": "JP"}
    assert body["model_version"] == app.extensions["kakehashi"].version
    assert len(body["results"]) == 10
    assert {r["country"] for r in body["results"]} == {"IL"}
    assert [r["rank"] for r in body["results"]] == list(range(1, 11))
    top3 = {r["id"] for r in body["results"][:3]}
    assert top3 >= {"il-autocyber", "il-lidar"}


def test_partners_result_shape(client):
    result = partners(client, "jp-auto", "top_k=1")["results"][0]
    assert set(result) == RESULT_FIELDS
    assert set(result["explanation"]) >= EXPLANATION_FIELDS
    assert 0 <= result["score"] <= 1
    assert result["score"] == round(result["score"], 4)
    assert result["explanation"]["summary"].endswith(".")
    assert result["strength"] in {"strong", "good", "weak"}
    assert "automotive" in result["explanation"]["shared_sectors"]


def test_partners_scores_descend(client):
    scores = [r["score"] for r in partners(client, "jp-bank", "top_k=16")["results"]]
    assert scores == sorted(scores, reverse=True)
    assert len(scores) == 16


def test_partners_reverse_direction_gives_japanese_firms(client):
    body = partners(client, "il-fraud", "top_k=3")
    assert body["query"]["country"] == "IL"
    assert {r["country"] for r in body["results"]} == {"JP"}
    assert body["results"][0]["id"] == "jp-bank"
    assert body["results"][0]["known_partner"] is True


def test_partners_marks_known_partners(client):
    results = partners(client, "jp-auto", "top_k=16")["results"]
    known = {r["id"] for r in results if r["known_partner"]}
    assert known == {"il-autocyber", "il-lidar"}


def test_partners_exclude_known(client):
    results = partners(client, "jp-auto", "top_k=16&exclude_known=true")["results"]
    ids = {r["id"] for r in results}
    assert not ids & {"il-autocyber", "il-lidar"}
    assert len(ids) == 14


def test_partners_show_the_group_parent_and_can_leave_the_group_out(client):
    results = partners(client, "jp-elec", "top_k=16")["results"]
    assert {r["id"]: r["parent_id"] for r in results}["il-3d"] == "jp-elec"
    kept = {r["id"] for r in partners(client, "jp-elec", "top_k=16&exclude_group=true")["results"]}
    assert "il-3d" not in kept and len(kept) == 15


def test_partners_sector_filter_accepts_aliases_and_combines(client):
    one = partners(client, "jp-auto", "sector=cyber")["results"]
    assert {r["id"] for r in one} == {"il-autocyber", "il-endpoint", "il-fraud"}
    both = partners(client, "jp-auto", "sector=cyber&sector=vr")["results"]
    assert {r["id"] for r in both} == {
        "il-autocyber", "il-endpoint", "il-fraud", "il-waveguide", "il-3d",
    }  # fmt: skip
    assert all({"cyber", "vr"} & set(r["sectors"]) for r in both)
    alias = partners(client, "jp-auto", "sector=Cybersecurity")["results"]
    assert alias == one


def test_partners_city_filter_is_case_insensitive(client):
    results = partners(client, "jp-auto", "city=tel%20aviv")["results"]
    assert results
    assert {r["city"] for r in results} == {"Tel Aviv"}
    assert partners(client, "jp-auto", "city=Nowhere")["results"] == []


def test_partners_top_k_limits_results(client):
    assert len(partners(client, "jp-auto", "top_k=3")["results"]) == 3
    assert len(partners(client, "jp-auto", "top_k=100")["results"]) == 16


def test_partners_are_deterministic(client, trained_models):
    first = partners(client, "jp-elec", "top_k=16")
    again = partners(client, "jp-elec", "top_k=16")
    other_app = partners(make_app(trained_models).test_client(), "jp-elec", "top_k=16")
    assert first == again == other_app


def test_match_ranks_ad_hoc_profile(client, app):
    body = {
        "profile": {
            "name": "New Carmaker",
            "sectors": ["automotive"],
            "interests": "intrusion detection for connected cars",
        },
        "top_k": 3,
    }
    response = client.post("/v1/match", json=body)
    assert response.status_code == 200, response.json
    data = response.json
    assert data["query"] == {"id": None, "name": "New Carmaker", "country": "JP"}
    assert data["model_version"] == app.extensions["kakehashi"].version
    assert data["results"][0]["id"] == "il-autocyber"
    assert all(r["known_partner"] is False for r in data["results"])
    assert len(data["results"]) == 3


def test_match_israeli_profile_gets_japanese_firms(client):
    body = {"profile": {"country": "Israel", "sectors": ["fintech"], "description": "payments"}}
    results = client.post("/v1/match", json=body).json["results"]
    assert {r["country"] for r in results} == {"JP"}
    assert results[0]["id"] == "jp-bank"


def test_match_filters(client):
    body = {
        "profile": {"sectors": ["ai"], "description": "machine learning"},
        "top_k": 20,
        "filters": {"sectors": ["digital health"], "city": "TEL AVIV"},
    }
    results = client.post("/v1/match", json=body).json["results"]
    assert [r["id"] for r in results] == ["il-imaging"]


def test_match_is_deterministic(client):
    body = {"profile": {"sectors": ["vr"], "interests": "3D sensing"}, "top_k": 16}
    assert client.post("/v1/match", json=body).json == client.post("/v1/match", json=body).json


def test_partners_diversity_reorders_same_candidates(client):
    plain = partners(client, "jp-auto", "top_k=16")["results"]
    diverse = partners(client, "jp-auto", "top_k=16&diversity=0.7")["results"]
    assert {r["id"] for r in diverse} == {r["id"] for r in plain}
    assert [r["rank"] for r in diverse] == list(range(1, 17))
    scores = {r["id"]: r["score"] for r in plain}
    assert all(r["score"] == scores[r["id"]] for r in diverse)


def test_match_accepts_diversity(client):
    body = {"profile": {"sectors": ["ai"]}, "top_k": 5, "diversity": 0.5}
    assert len(client.post("/v1/match", json=body).json["results"]) == 5
