"""Versions, promote, rollback and diff through the admin API."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from kakehashi import registry
from tests.service.admin_helpers import AUTH
from tests.service.conftest import make_app
from training.train import Inputs, train


@pytest.fixture(scope="module")
def two_models(tmp_path_factory, trained_models: Path, service_inputs: Inputs) -> Path:
    """The session's models plus a second, unpromoted version trained without one Israeli firm."""
    folder = tmp_path_factory.mktemp("two") / "models"
    shutil.copytree(trained_models, folder)
    dropped = next(c.id for c in service_inputs.companies if c.country == "IL")
    smaller = dataclasses.replace(
        service_inputs,
        companies=tuple(c for c in service_inputs.companies if c.id != dropped),
        partnerships=tuple(p for p in service_inputs.partnerships if p.israeli_id != dropped),
    )
    train(smaller, folder, promote=False)
    return folder


@pytest.fixture
def models(tmp_path: Path, two_models: Path) -> Path:
    copy = tmp_path / "models"
    shutil.copytree(two_models, copy)
    return copy


@pytest.fixture
def admin(models: Path):
    return make_app(models).test_client()


def versions(models: Path) -> tuple[str, str]:
    first, second = registry.versions(models)
    return first, second


def served(client) -> str:
    return client.get("/readyz").json["model_version"]


def test_admin_versions_lists_metrics_and_the_promoted_one(admin, models):
    first, second = versions(models)
    body = admin.get("/v1/admin/versions", headers=AUTH).json
    assert body["promoted"] == first
    items = {item["version"]: item for item in body["items"]}
    assert items[first]["promoted"] and items[first]["served"]
    assert not items[second]["promoted"]
    assert items[second]["companies"] == {"IL": 15, "JP": 6}
    assert "mrr" in items[first]["metrics"]["JP -> IL"]
    assert items[first]["damaged"] is None


def test_admin_versions_marks_a_damaged_manifest(admin, models):
    _, second = versions(models)
    (models / second / registry.MANIFEST).write_text("{not json", encoding="utf-8")
    item = admin.get("/v1/admin/versions", headers=AUTH).json["items"][1]
    assert item["version"] == second and "not readable JSON" in item["damaged"]
    assert str(models) not in item["damaged"]


def test_admin_promote_switches_this_worker_and_the_pointer(admin, models):
    first, second = versions(models)
    response = admin.post("/v1/admin/promote", headers=AUTH, json={"version": second})
    assert response.status_code == 200
    assert response.json == {"previous_version": first, "model_version": second}
    assert registry.current_version(models) == second
    assert served(admin) == second


def test_admin_promote_reaches_a_second_app_on_the_same_folder(models):
    one, other = make_app(models).test_client(), make_app(models).test_client()
    _, second = versions(models)
    assert one.post("/v1/admin/promote", headers=AUTH, json={"version": second}).status_code == 200
    assert served(other) == second  # the holder polls promoted.json (every request in tests)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"version": "20000101T000000Z-abcdef"}, 404, "version_not_found"),
        ({"version": "../x"}, 422, "invalid_body"),
        ({"version": "../../etc/passwd"}, 422, "invalid_body"),
        ({"version": "promoted.json"}, 422, "invalid_body"),
        ({"version": ""}, 422, "invalid_body"),
        ({"version": 123}, 422, "invalid_body"),
        ({"version": ["a"]}, 422, "invalid_body"),
        ({}, 422, "invalid_body"),
        ({"version": "20000101T000000Z-abcdef", "force": True}, 422, "invalid_body"),
    ],
)
def test_admin_promote_bad_version(admin, models, body, status, code):
    before = registry.current_version(models)
    response = admin.post("/v1/admin/promote", headers=AUTH, json=body)
    assert (response.status_code, response.json["error"]["code"]) == (status, code)
    assert registry.current_version(models) == before


def test_admin_promote_needs_the_token(admin, models):
    _, second = versions(models)
    response = admin.post("/v1/admin/promote", json={"version": second})
    assert response.status_code == 401
    response = admin.post("/v1/admin/promote", headers={"Authorization": "Bearer no"}, json={})
    assert response.status_code == 403


def test_admin_promote_a_damaged_artifact_is_409(admin, models):
    first, second = versions(models)
    artifact = models / second / registry.read_manifest(models, second)["artifact"]["file"]
    artifact.write_bytes(b"damaged")
    response = admin.post("/v1/admin/promote", headers=AUTH, json={"version": second})
    assert (response.status_code, response.json["error"]["code"]) == (409, "damaged_version")
    assert str(models) not in response.json["error"]["message"]
    assert registry.current_version(models) == first and served(admin) == first


def test_admin_rollback_returns_to_the_previous_version(admin, models):
    first, second = versions(models)
    admin.post("/v1/admin/promote", headers=AUTH, json={"version": second})
    response = admin.post("/v1/admin/rollback", headers=AUTH, json={})
    assert response.status_code == 200
    assert response.json == {"previous_version": second, "model_version": first}
    assert served(admin) == first


def test_admin_rollback_to_a_named_version(admin, models):
    first, second = versions(models)
    response = admin.post("/v1/admin/rollback", headers=AUTH, json={"version": second})
    assert response.json == {"previous_version": first, "model_version": second}
    assert served(admin) == second


def test_admin_rollback_with_nothing_before_is_409(admin):
    response = admin.post("/v1/admin/rollback", headers=AUTH, json={})
    assert (response.status_code, response.json["error"]["code"]) == (409, "nothing_to_roll_back")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"version": "20000101T000000Z-abcdef"}, 404, "version_not_found"),
        ({"version": "../x"}, 422, "invalid_body"),
        ({"to": "x"}, 422, "invalid_body"),
    ],
)
def test_admin_rollback_bad_version(admin, body, status, code):
    response = admin.post("/v1/admin/rollback", headers=AUTH, json=body)
    assert (response.status_code, response.json["error"]["code"]) == (status, code)


def test_admin_diff_summary(admin, models):
    first, second = versions(models)
    response = admin.get(f"/v1/admin/versions/{first}/diff/{second}?k=5", headers=AUTH)
    assert response.status_code == 200
    body = response.json
    assert (body["a"], body["b"], body["firm"]) == (first, second, None)
    summary = body["summary"]
    assert summary["k"] == 5 and summary["firms_compared"] == 21
    assert summary["only_in_a"]["count"] == 1 and summary["only_in_b"]["count"] == 0
    assert 0 <= summary["firms_changed"] <= 21


def test_admin_diff_one_firm(admin, models):
    first, second = versions(models)
    dropped = admin.get(f"/v1/admin/versions/{first}/diff/{second}", headers=AUTH).json
    missing = dropped["summary"]["only_in_a"]["ids"][0]
    response = admin.get(f"/v1/admin/versions/{first}/diff/{second}?company=jp-auto", headers=AUTH)
    firm = response.json["firm"]
    assert (firm["company_id"], len(firm["before"]), len(firm["after"])) == ("jp-auto", 10, 10)
    assert set(firm["entered"]) == set(firm["after"]) - set(firm["before"])
    url = f"/v1/admin/versions/{first}/diff/{second}?company={missing}"
    gone = admin.get(url, headers=AUTH).json["firm"]
    assert (gone["in_a"], gone["in_b"], gone["after"]) == (True, False, [])


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("{a}/diff/20000101T000000Z-abcdef", 404, "version_not_found"),
        ("nope/diff/{b}", 422, "invalid_parameter"),
        ("../diff/{b}", 422, "invalid_parameter"),
        ("..%2Fx/diff/{b}", 404, "not_found"),
        ("{a}/diff/{b}?company=no-such-firm", 404, "unknown_company"),
        ("{a}/diff/{b}?k=0", 422, "invalid_parameter"),
        ("{a}/diff/{b}?k=101", 422, "invalid_parameter"),
        ("{a}/diff/{b}?k=1&k=2", 422, "invalid_parameter"),
        ("{a}/diff/{b}?top=3", 422, "invalid_parameter"),
    ],
)
def test_admin_diff_bad_input(admin, models, path, status, code):
    first, second = versions(models)
    response = admin.get("/v1/admin/versions/" + path.format(a=first, b=second), headers=AUTH)
    assert (response.status_code, response.json["error"]["code"]) == (status, code)


@pytest.mark.parametrize("path", ["/v1/admin/promote", "/v1/admin/rollback"])
def test_admin_versions_body_must_be_json(admin, models, path):
    before = registry.current_version(models)
    response = admin.post(path, headers=AUTH, data="version=x", content_type="text/plain")
    assert (response.status_code, response.json["error"]["code"]) == (415, "unsupported_media_type")
    assert registry.current_version(models) == before


def test_admin_rollback_without_a_body_goes_back(admin, models):
    first, second = versions(models)
    admin.post("/v1/admin/promote", headers=AUTH, json={"version": second})
    response = admin.post("/v1/admin/rollback", headers=AUTH)
    assert (response.status_code, response.json["model_version"]) == (200, first)
