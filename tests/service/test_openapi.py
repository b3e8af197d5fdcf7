"""GET /openapi.json and the offline /docs page."""

from __future__ import annotations

import re

PATHS = {
    "/healthz": {"get"},
    "/readyz": {"get"},
    "/v1/model": {"get"},
    "/v1/sectors": {"get"},
    "/v1/companies": {"get"},
    "/v1/companies/{company_id}": {"get"},
    "/v1/companies/{company_id}/partners": {"get"},
    "/v1/match": {"post"},
    "/v1/admin/reload": {"post"},
    "/v1/admin/datasets": {"post"},
    "/v1/admin/jobs": {"get"},
    "/v1/admin/jobs/{job_id}": {"get"},
    "/v1/admin/versions": {"get"},
    "/v1/admin/promote": {"post"},
    "/v1/admin/rollback": {"post"},
    "/v1/admin/versions/{a}/diff/{b}": {"get"},
    "/v1/delegations/schedule": {"post"},
    "/v1/delegations/briefing": {"post"},
    "/v1/feedback": {"get", "post"},
}


def test_openapi_lists_every_endpoint(client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {path: set(item) - {"parameters"} for path, item in spec["paths"].items()} == PATHS


def test_openapi_documents_parameters_from_the_schemas(client):
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/v1/companies/{company_id}/partners"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["top_k"]["schema"]["minimum"] == 1
    assert params["top_k"]["schema"]["maximum"] == 100
    assert params["top_k"]["schema"]["default"] == 10
    assert params["sector"]["schema"]["type"] == "array"
    body = spec["paths"]["/v1/match"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/MatchBody")
    assert "profile" in spec["components"]["schemas"]["MatchBody"]["required"]


def test_openapi_error_schema_is_ours(client):
    schemas = client.get("/openapi.json").json["components"]["schemas"]
    assert set(schemas["Error"]["properties"]) == {"error"}


def test_docs_page_renders_offline(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path in PATHS:
        assert path in page
    assert "top_k" in page
    assert not re.search(r"<script|https?://", page), "the page must not load anything"
