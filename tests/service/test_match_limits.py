"""POST /v1/match caps what feeds the costly features of a profile (docs/api.md, Bounded cost)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.match_schemas import PROFILE_LIMITS

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


def over_a_third(cap: int) -> str:
    """Japanese text of just over a third of a cap's characters: within the cap, over it when
    each character counts as three."""
    return "半導体" * (cap // 9 + 1)


JAPANESE_THIRD = [
    ("description", "description", "profile.description"),
    ("interests", "interests", "profile.interests"),
    ("tags", "tag", "profile.tags.0"),
]


@pytest.mark.parametrize(("field", "cap", "where"), JAPANESE_THIRD)
def test_match_counts_a_japanese_character_as_three_toward_the_caps(client, field, cap, where):
    value = over_a_third(PROFILE_LIMITS[cap])
    assert len(value) <= PROFILE_LIMITS[cap]
    body = {"profile": {"sectors": ["ai"], field: [value] if field == "tags" else value}}
    response = client.post("/v1/match", json=body)
    assert response.status_code == 422
    assert response.json["error"]["message"] == (
        f"{where}: at most {PROFILE_LIMITS[cap]} characters, a Japanese character counting as three"
    )


@pytest.mark.parametrize("field", ["description", "interests"])
def test_match_accepts_japanese_text_at_a_third_of_its_cap(client, field):
    text = "半導体と電池。" * (PROFILE_LIMITS[field] // 3 // 7)
    body = {"profile": {"sectors": ["ai"], field: text}}
    assert client.post("/v1/match", json=body).status_code == 200


def test_match_caps_are_in_the_openapi_document(client):
    fields = client.get("/openapi.json").json["components"]["schemas"]["Profile"]["properties"]
    declared = {
        name: fields[name].get("maxLength", fields[name].get("maxItems")) for name in fields
    }
    declared["tag"] = fields["tags"]["items"]["maxLength"]
    assert {k: declared[k] for k in PROFILE_LIMITS} == PROFILE_LIMITS


def test_match_caps_are_the_documented_ones():
    docs = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    section = docs.split("**Bounded cost.**", 1)[1].split("\n\n", 2)[1]
    rows = dict(re.findall(r"^\| `(\w+)`[^|]*\| ([\d,]+)", section, re.MULTILINE))
    tags = re.search(r"^\| `tags` \| ([\d,]+) tags of ([\d,]+)", section, re.MULTILINE)
    documented = {k: int(v.replace(",", "")) for k, v in rows.items()}
    documented["tag"] = int(tags.group(2).replace(",", ""))
    assert documented == PROFILE_LIMITS
