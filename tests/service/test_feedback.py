"""POST/GET /v1/feedback: durable verdicts, filters, CSV export, not_relevant hides the pair."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.service.conftest import make_app
from tests.service.test_errors import assert_error

VERDICT = {"japanese_id": "jp-auto", "israeli_id": "il-lidar", "label": "met"}
PARTNERS = "/v1/companies/{}/partners?top_k=100"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The data directory of the app under test."""
    return tmp_path / "feedback-data"


@pytest.fixture
def feedback_client(trained_models: Path, data_dir: Path):
    """A client of an app keeping its feedback in `data_dir`."""
    return make_app(trained_models, DATA_DIR=str(data_dir)).test_client()


def test_feedback_post_answers_201_with_the_record(feedback_client) -> None:
    response = feedback_client.post(
        "/v1/feedback", json={**VERDICT, "note": "good", "user": "aiko"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert {k: body[k] for k in VERDICT} == VERDICT
    assert (body["note"], body["user"], body["id"]) == ("good", "aiko", 1)
    assert body["created_at"].endswith("Z")


def test_feedback_is_all_there_after_a_restart(trained_models: Path, data_dir: Path) -> None:
    client = make_app(trained_models, DATA_DIR=str(data_dir)).test_client()
    labels = ["relevant", "not_relevant", "met", "follow_up", "deal"]
    for label in labels:
        assert client.post("/v1/feedback", json={**VERDICT, "label": label}).status_code == 201
    restarted = make_app(trained_models, DATA_DIR=str(data_dir)).test_client()
    body = restarted.get("/v1/feedback").json
    assert body["total"] == 5
    assert [item["label"] for item in body["items"]] == labels


def test_feedback_data_dir_comes_from_the_environment(
    trained_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(tmp_path / "from-env"))
    client = make_app(trained_models).test_client()
    assert client.post("/v1/feedback", json=VERDICT).status_code == 201
    assert (tmp_path / "from-env" / "feedback.sqlite3").is_file()


def test_feedback_not_relevant_hides_the_pair_both_ways_at_once(feedback_client) -> None:
    def partner_ids(company_id: str) -> list[str]:
        return [r["id"] for r in feedback_client.get(PARTNERS.format(company_id)).json["results"]]

    assert "il-lidar" in partner_ids("jp-auto")
    assert "jp-auto" in partner_ids("il-lidar")
    verdict = {**VERDICT, "label": "not_relevant"}
    assert feedback_client.post("/v1/feedback", json=verdict).status_code == 201
    assert "il-lidar" not in partner_ids("jp-auto")
    assert "jp-auto" not in partner_ids("il-lidar")
    assert "il-lidar" in partner_ids("jp-bank")  # other firms still see it
    assert (
        feedback_client.post("/v1/feedback", json={**VERDICT, "label": "relevant"}).status_code
        == 201
    )
    assert "il-lidar" in partner_ids("jp-auto")  # a later verdict replaces it


def test_feedback_planner_contract_not_relevant_pairs(feedback_client) -> None:
    feedback_client.post("/v1/feedback", json={**VERDICT, "label": "not_relevant"})
    store = feedback_client.application.extensions["kakehashi.feedback"]
    assert store.not_relevant_pairs() == {("jp-auto", "il-lidar")}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [1, 2, 3]),
        ("?japanese_id=jp-bank", [3]),
        ("?israeli_id=il-lidar", [1, 3]),
        ("?label=not_relevant", [2]),
        ("?user=ben", [3]),
        ("?since=2000-01-01T00:00:00Z", [1, 2, 3]),
        ("?since=2999-01-01T00:00:00Z", []),
        ("?limit=1&offset=1", [2]),
    ],
)
def test_feedback_get_filters_and_pages(feedback_client, query: str, expected: list[int]) -> None:
    feedback_client.post("/v1/feedback", json={**VERDICT, "user": "aiko"})
    feedback_client.post(
        "/v1/feedback", json={**VERDICT, "israeli_id": "il-fleet", "label": "not_relevant"}
    )
    feedback_client.post("/v1/feedback", json={**VERDICT, "japanese_id": "jp-bank", "user": "ben"})
    body = feedback_client.get("/v1/feedback" + query).json
    assert [item["id"] for item in body["items"]] == expected
    if "limit" in query:
        assert body["total"] == 3


def test_feedback_csv_export_neutralizes_formulas(feedback_client) -> None:
    notes = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain, with comma", "\t=tab"]
    for note in notes:
        feedback_client.post("/v1/feedback", json={**VERDICT, "note": note, "user": "=cmd"})
    response = feedback_client.get("/v1/feedback?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["note"] for row in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain, with comma",
        "'\t=tab",
    ]
    assert {row["user"] for row in rows} == {"'=cmd"}
    assert rows[0]["japanese_id"] == "jp-auto"


def test_feedback_csv_export_takes_the_filters(feedback_client) -> None:
    feedback_client.post("/v1/feedback", json=VERDICT)
    feedback_client.post("/v1/feedback", json={**VERDICT, "label": "deal"})
    text = feedback_client.get("/v1/feedback?format=csv&label=deal").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["label"] for row in rows] == ["deal"]


FB = "/v1/feedback"
# (body or query, status, code, text the message must contain)
BAD_POSTS = [
    ({}, 422, "invalid_body", "japanese_id: missing data"),
    ({"japanese_id": "jp-auto", "israeli_id": "il-lidar"}, 422, "invalid_body", "label: missing data"),
    ({**VERDICT, "label": "great"}, 422, "invalid_body", "label: must be one of: relevant, not_relevant, met, follow_up, deal"),
    ({**VERDICT, "japanese_id": "nobody"}, 404, "unknown_company", "japanese_id: no company with id 'nobody'"),
    ({**VERDICT, "israeli_id": "nobody"}, 404, "unknown_company", "israeli_id: no company with id 'nobody'"),
    ({**VERDICT, "japanese_id": "il-fleet"}, 422, "invalid_body", "japanese_id: 'il-fleet' is a company of Israel, expected Japan"),
    ({**VERDICT, "israeli_id": "jp-bank"}, 422, "invalid_body", "israeli_id: 'jp-bank' is a company of Japan, expected Israel"),
    ({**VERDICT, "note": "x" * 2001}, 422, "invalid_body", "note: longer than maximum length 2000"),
    ({**VERDICT, "user": "u" * 101}, 422, "invalid_body", "user: longer than maximum length 100"),
    ({**VERDICT, "japanese_id": ""}, 422, "invalid_body", "japanese_id: length must be between 1 and 200"),
    ({**VERDICT, "japanese_id": 7}, 422, "invalid_body", "japanese_id: not a valid string"),
    ({**VERDICT, "note": None}, 422, "invalid_body", "note: field may not be null"),
    ({**VERDICT, "score": 1}, 422, "invalid_body", "score: unknown field"),
    ([VERDICT], 422, "invalid_body", "body: invalid input type"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "status", "code", "text"), BAD_POSTS)
def test_feedback_post_bad_inputs(
    feedback_client, data_dir: Path, body, status, code, text
) -> None:
    assert_error(feedback_client.post(FB, json=body), status, code, text)
    assert feedback_client.get(FB).json["total"] == 0


BAD_GETS = [
    ("?label=great", "label: must be one of"),
    ("?since=yesterday", "since: not a valid datetime"),
    ("?limit=0", "limit: must be between 1 and 1000"),
    ("?offset=-1", "offset: must be >= 0"),
    ("?format=xlsx", "format: must be one of: json, csv"),
    ("?label=met&label=deal", "label: given 2 times"),
    ("?page=2", "page: unknown field"),
]


@pytest.mark.parametrize(("query", "text"), BAD_GETS)
def test_feedback_get_bad_inputs(feedback_client, query: str, text: str) -> None:
    assert_error(feedback_client.get(FB + query), 422, "invalid_parameter", text)


def test_feedback_post_needs_json(feedback_client) -> None:
    response = feedback_client.post(FB, data="label=met", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type", "text/plain")


def test_feedback_post_without_a_model_is_503(tmp_path: Path) -> None:
    client = make_app(tmp_path / "no-models", DATA_DIR=str(tmp_path / "d")).test_client()
    assert_error(client.post(FB, json=VERDICT), 503, "no_model")


def test_feedback_unusable_data_dir_is_503_without_its_path(
    trained_models: Path, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    client = make_app(trained_models, DATA_DIR=str(tmp_path / "a-file" / "data")).test_client()
    response = client.post(FB, json=VERDICT)
    assert_error(response, 503, "data_store", "cannot open the database feedback.sqlite3")
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_feedback_database_from_a_newer_release_is_503(
    trained_models: Path, data_dir: Path
) -> None:
    client = make_app(trained_models, DATA_DIR=str(data_dir)).test_client()
    client.post(FB, json=VERDICT)
    import sqlite3

    connection = sqlite3.connect(data_dir / "feedback.sqlite3")
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    assert_error(client.get(FB), 503, "schema_too_new", "newer than this code knows")


def test_feedback_unreadable_store_makes_partners_503_not_unfiltered(
    trained_models: Path, data_dir: Path
) -> None:
    (data_dir / "feedback.sqlite3").mkdir(parents=True)  # exists, but cannot be opened
    client = make_app(trained_models, DATA_DIR=str(data_dir)).test_client()
    assert_error(client.get(PARTNERS.format("jp-auto")), 503, "data_store", "feedback.sqlite3")
