"""POST /v1/match caps what feeds the costly features of a profile (docs/api.md, Bounded cost)."""

from __future__ import annotations

import pytest

from service.schemas import PROFILE_LIMITS

LIMITS = [
    ("description", "x" * (PROFILE_LIMITS["description"] + 1), "profile.description"),
    ("interests", "x" * (PROFILE_LIMITS["interests"] + 1), "profile.interests"),
    ("name", "x" * (PROFILE_LIMITS["name"] + 1), "profile.name"),
    ("city", "x" * (PROFILE_LIMITS["city"] + 1), "profile.city"),
    ("tags", ["ai"] * (PROFILE_LIMITS["tags"] + 1), "profile.tags"),
    ("tags", ["x" * (PROFILE_LIMITS["tag"] + 1)], "profile.tags.0"),
    ("sectors", ["ai"] * (PROFILE_LIMITS["sectors"] + 1), "profile.sectors"),
]


@pytest.mark.parametrize(("field", "value", "where"), LIMITS)
def test_match_refuses_a_profile_field_over_its_cap(client, field, value, where):
    response = client.post("/v1/match", json={"profile": {"sectors": ["ai"], field: value}})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_body"
    assert response.json["error"]["message"].startswith(f"{where}: at most ")


@pytest.mark.parametrize("field", ["description", "interests"])
def test_match_accepts_a_profile_field_at_its_cap(client, field):
    body = {"profile": {"sectors": ["ai"], field: "robot " * (PROFILE_LIMITS[field] // 6)}}
    assert client.post("/v1/match", json=body).status_code == 200
