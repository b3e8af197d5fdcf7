"""The bad inputs of docs/reliability.md: each row is sent here and must get the documented answer.

A row of the table is `| input | status | code |`; this test sends every case below, checks the
answer, and fails when the document lacks the row (or shows another answer).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.service.conftest import ADMIN_TOKEN, make_app
from tests.service.test_errors import assert_error
from tests.service.test_gunicorn import RAW_CASES

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
P = "/v1/companies/jp-auto/partners"
FB = {"japanese_id": "jp-auto", "israeli_id": "il-lidar", "label": "met"}
JSON = {"Content-Type": "application/json"}
BEARER_WRONG = {"Authorization": "Bearer wrong"}
NESTED = '{"profile":' * 1000 + "{}" + "}" * 1000
CHUNKED = {**JSON, "Transfer-Encoding": "chunked"}

# (input as the document names it, app config, method, path, request kwargs, status, code)
CASES = [
    ("`top_k=ten` (a word for a number)", {}, "get", P + "?top_k=ten", {}, 422, "invalid_parameter"),
    ("`top_k=500` (out of range)", {}, "get", P + "?top_k=500", {}, 422, "invalid_parameter"),
    ("JSON `\"top_k\": 10.5`", {}, "post", "/v1/match", {"json": {"profile": {"sectors": ["ai"]}, "top_k": 10.5}}, 422, "invalid_body"),
    ("`top_k` given twice", {}, "get", P + "?top_k=3&top_k=5", {}, 422, "invalid_parameter"),
    ("unknown parameter `topk=3`", {}, "get", P + "?topk=3", {}, 422, "invalid_parameter"),
    ("`profile.sectors` a string instead of a list", {}, "post", "/v1/match", {"json": {"profile": {"sectors": "ai"}}}, 422, "invalid_body"),
    ("feedback `japanese_id` a number", {}, "post", "/v1/feedback", {"json": {**FB, "japanese_id": 7}}, 422, "invalid_body"),
    ("feedback on an Israeli firm as `japanese_id`", {}, "post", "/v1/feedback", {"json": {**FB, "japanese_id": "il-fleet"}}, 422, "invalid_body"),
    ("feedback on an unknown firm", {}, "post", "/v1/feedback", {"json": {**FB, "israeli_id": "nope"}}, 404, "unknown_company"),
    ("feedback `label` not one of the five", {}, "post", "/v1/feedback", {"json": {**FB, "label": "great"}}, 422, "invalid_body"),
    ("feedback `note` of 2001 characters", {}, "post", "/v1/feedback", {"json": {**FB, "note": "x" * 2001}}, 422, "invalid_body"),
    ("`q` of 201 characters", {}, "get", "/v1/companies?q=" + "a" * 201, {}, 422, "invalid_parameter"),
    ("`profile.description` of 2001 characters", {}, "post", "/v1/match", {"json": {"profile": {"description": "x" * 2001}}}, 422, "invalid_body"),
    ("an empty profile", {}, "post", "/v1/match", {"json": {"profile": {"name": "only a name"}}}, 422, "invalid_profile"),
    ("a 70 KB JSON body", {}, "post", "/v1/match", {"json": {"profile": {"description": "x" * 70_000}}}, 413, "payload_too_large"),
    ("a chunked body over the limit (no Content-Length)", {"MAX_CONTENT_LENGTH": 100}, "post", "/v1/match",
     {"input_stream": io.BytesIO(b"{" + b" " * 500 + b"}"), "headers": CHUNKED, "environ_overrides": {"wsgi.input_terminated": True}}, 413, "payload_too_large"),
    ("JSON nested 1000 levels deep (4 KB)", {}, "post", "/v1/match", {"data": NESTED, "headers": JSON}, 400, "invalid_json"),
    ("a body that is not JSON", {}, "post", "/v1/match", {"data": "{bad", "headers": JSON}, 400, "invalid_json"),
    ("a form body instead of JSON", {}, "post", "/v1/feedback", {"data": "label=met", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ("company id `../../etc/passwd` (encoded)", {}, "get", "/v1/companies/..%2F..%2Fetc%2Fpasswd", {}, 404, "not_found"),
    ("company id `%00` (a NUL byte)", {}, "get", "/v1/companies/%00/partners", {}, 404, "unknown_company"),
    ("`/v1/model/` with `Host: evil.example` (no 308)", {}, "get", "/v1/model/", {"headers": {"Host": "evil.example"}}, 200, ""),
    ("`/v1//model` (no slash-merging redirect)", {}, "get", "/v1//model", {}, 404, "not_found"),
    ("admin call without a token", {}, "post", "/v1/admin/reload", {}, 401, "unauthorized"),
    ("admin call with a wrong token", {}, "post", "/v1/admin/reload", {"headers": BEARER_WRONG}, 403, "forbidden"),
    ("admin call while no token is configured", {"ADMIN_TOKEN": None}, "post", "/v1/admin/reload", {"headers": BEARER_WRONG}, 403, "admin_disabled"),
    ("the 11th wrong admin token from one address within 5 minutes", {"_guesses": 10}, "post", "/v1/admin/reload", {"headers": BEARER_WRONG}, 429, "too_many_attempts"),
    ("a read call without an API key (keys configured)", {"API_KEYS": "k1"}, "get", P, {}, 401, "api_key_required"),
    ("a read call with a wrong API key", {"API_KEYS": "k1"}, "get", P, {"headers": {"X-API-Key": "k2"}}, 401, "invalid_api_key"),
]  # fmt: skip


def doc_rows() -> dict[str, tuple[str, str]]:
    """The table rows of docs/reliability.md: input -> (status, code)."""
    rows = re.findall(
        r"^\| (.+?) \| (\d{3}) \| `?(\w*)`? \|", DOC.read_text(encoding="utf-8"), re.M
    )
    return {label: (status, code) for label, status, code in rows}


@pytest.mark.parametrize(
    ("label", "config", "method", "path", "kwargs", "status", "code"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_reliability_bad_input_gets_the_documented_answer(
    trained_models, label, config, method, path, kwargs, status, code
) -> None:
    settings = {k: v for k, v in config.items() if not k.startswith("_")}
    client = make_app(trained_models, **settings).test_client()
    for _ in range(config.get("_guesses", 0)):
        client.post("/v1/admin/reload", headers=BEARER_WRONG)
    response = getattr(client, method)(path, **kwargs)
    if code:
        assert_error(response, status, code)
    else:
        assert response.status_code == status
        assert "Location" not in response.headers
    assert doc_rows().get(label) == (str(status), code), (
        f"docs/reliability.md: add `| {label} | {status} | `{code}` |`"
    )


def test_reliability_doc_lists_the_server_level_answers() -> None:
    documented = {code for _, code in doc_rows().values()}
    assert {code for _, _, code in RAW_CASES if code} <= documented


def test_reliability_right_token_still_works(trained_models) -> None:
    client = make_app(trained_models).test_client()
    response = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200
