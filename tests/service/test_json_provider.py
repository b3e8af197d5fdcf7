"""The app's JSON (service/json_provider.py): orjson, writing what the app wrote before."""

from __future__ import annotations

import json

import numpy as np


def test_a_ranking_keeps_its_fields_in_schema_order(client):
    body = client.get("/v1/companies/jp-auto/partners?top_k=1").data
    result = json.loads(body)["results"][0]
    assert list(result)[:4] == ["rank", "id", "name", "country"]


def test_japanese_text_is_written_as_utf8_not_escaped(client):
    body = client.get("/v1/companies", query_string={"q": "サンプル自動車"}).data
    assert "サンプル自動車".encode() in body
    assert b"\\u30b5" not in body.lower()


def test_values_the_standard_encoder_writes_invalid_or_refuses_are_valid_json(app):
    written = app.json.dumps({1: np.float64(0.5), "n": np.int64(3), "nan": float("nan")})
    assert json.loads(written) == {"1": 0.5, "n": 3, "nan": None}


def test_a_body_that_is_not_json_is_refused_with_a_clear_error(client):
    response = client.post("/v1/match", data=b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json["error"]["message"]
