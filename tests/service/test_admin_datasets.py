"""POST /v1/admin/datasets: tokens, form fields, formats, row-numbered problems, limits, names.

The training itself is replaced here by a runner that only records the job (the end-to-end
runs are in test_admin_jobs.py): these tests are about what is accepted and what is stored.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from service import jobs
from tests.service.admin_helpers import AUTH, COMPANIES, PARTNERSHIPS, upload
from tests.service.conftest import make_app


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def started(monkeypatch) -> list[tuple[str, Path]]:
    """Record jobs instead of training: the upload is placed, the job ends failed at once."""
    calls: list[tuple[str, Path]] = []

    def record(app, job_id, staged):
        job_dir = jobs.place(app, job_id, staged)
        calls.append((job_id, job_dir))
        jobs.store(app).finish(job_id, "failed", error="not trained in this test")
        return job_dir

    monkeypatch.setattr(jobs, "start", record)
    return calls


@pytest.fixture
def client(models_dir: Path, data_dir: Path):
    return make_app(models_dir, DATA_DIR=str(data_dir)).test_client()


def stored_folders(data_dir: Path) -> list[str]:
    uploads = data_dir / "uploads"
    return sorted(p.name for p in uploads.iterdir()) if uploads.is_dir() else []


def rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(COMPANIES.decode("utf-8"))))


def as_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    found = rows()
    sheet.append(list(found[0]))
    for row in found:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_tsv() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows()[0]), delimiter="\t")
    writer.writeheader()
    writer.writerows(rows())
    return out.getvalue().encode("utf-8")


FORMATS = {
    "list.csv": lambda: COMPANIES,
    "list.CSV": lambda: COMPANIES,
    "list.tsv": as_tsv,
    "shift-jis.csv": lambda: COMPANIES.decode("utf-8").encode("cp932"),
    "list.json": lambda: json.dumps(rows(), ensure_ascii=False).encode("utf-8"),
    "list.jsonl": lambda: "\n".join(json.dumps(r) for r in rows()).encode("utf-8"),
    "list.xlsx": as_xlsx,
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_admin_datasets_accepts_every_format_validate_reads(client, started, data_dir, name):
    response = upload(client, FORMATS[name](), name)
    assert response.status_code == 202, response.json
    assert response.json["state"] == "queued"
    assert response.headers["Location"] == f"/v1/admin/jobs/{response.json['id']}"
    ((job_id, job_dir),) = started
    suffix = Path(name).suffix.lower()
    assert sorted(p.name for p in job_dir.iterdir()) == [f"companies{suffix}"]
    job = client.get(f"/v1/admin/jobs/{job_id}", headers=AUTH).json
    assert job["inputs"]["companies"]["companies"] == {"IL": 16, "JP": 6}


def test_admin_datasets_stores_partnerships_beside_the_list(client, started):
    response = upload(client, partnerships=PARTNERSHIPS)
    assert response.status_code == 202
    ((job_id, job_dir),) = started
    assert sorted(p.name for p in job_dir.iterdir()) == ["companies.csv", "partnerships.csv"]
    job = client.get(f"/v1/admin/jobs/{job_id}", headers=AUTH).json
    assert job["inputs"]["partnerships"] == {"filename": "partnerships.csv", "partnerships": 7}


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../etc/evil.csv", "evil.csv"),
        ("..\\..\\windows\\evil.csv", "....windowsevil.csv"),  # werkzeug unescapes the backslashes
        ("/abs/path/list.csv", "list.csv"),
        ("we ird;$(rm -rf).csv", "we ird_(rm -rf).csv"),
    ],
)
def test_admin_datasets_never_uses_the_file_name_as_a_path(
    client, started, data_dir, tmp_path, name, shown
):
    response = upload(client, COMPANIES, name)
    assert response.status_code == 202
    ((job_id, job_dir),) = started
    assert job_dir.parent == (data_dir / "uploads").resolve()
    assert [p.name for p in job_dir.iterdir()] == ["companies.csv"]
    assert not list(tmp_path.rglob("evil.csv"))
    job = client.get(f"/v1/admin/jobs/{job_id}", headers=AUTH).json
    assert job["inputs"]["companies"]["filename"] == shown


BAD_ROWS = b"name,country,sectors\nAcme,Mars,cyber\nBeta,JP,cybr\n,IL,ai\n"


def test_admin_datasets_bad_rows_are_422_with_line_numbers(client, started, data_dir):
    response = upload(client, BAD_ROWS, "bad.csv")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_list"
    assert error["total"] == len(error["problems"]) == 3
    found = {(p["file"], p["line"], p["column"]) for p in error["problems"]}
    assert found == {
        ("companies", 2, "country"),
        ("companies", 3, "sectors"),
        ("companies", 4, "name"),
    }
    assert "unknown country 'Mars'" in error["problems"][0]["message"]
    assert "nothing was stored" in error["message"]
    assert str(data_dir) not in response.get_data(as_text=True)
    assert started == [] and stored_folders(data_dir) == []
    assert client.get("/v1/admin/jobs", headers=AUTH).json["items"] == []


def test_admin_datasets_bad_partnerships_are_422_in_their_file(client, started, data_dir):
    bad = b"japanese_id,israeli_id\njp-auto,il-nope\n"
    response = upload(client, partnerships=bad)
    assert response.status_code == 422
    (problem,) = response.json["error"]["problems"]
    assert (problem["file"], problem["line"]) == ("partnerships", 2)
    assert "il-nope" in problem["message"]
    assert stored_folders(data_dir) == []


def test_admin_datasets_caps_the_problems_listed(client, started):
    many = b"name,country,sectors\n" + b"".join(b"A%d,Mars,cyber\n" % i for i in range(250))
    error = upload(client, many, "many.csv").json["error"]
    assert error["total"] == 250
    assert len(error["problems"]) == 200


@pytest.mark.parametrize(
    ("companies", "name", "extra", "message"),
    [
        (None, "x.csv", {}, "companies: missing"),
        (None, "x.csv", {"file": (io.BytesIO(COMPANIES), "x.csv")}, "file: unknown form field"),
        (COMPANIES, "x.csv", {"notes": "hello"}, "notes: unknown form field"),
        (COMPANIES, "list.exe", {}, "companies: the file name must end in one of"),
        (COMPANIES, "no-extension", {}, "companies: the file name must end in one of"),
        (COMPANIES, "", {}, "companies: the file name must end in one of"),
    ],
)
def test_admin_datasets_bad_form_is_422(client, started, data_dir, companies, name, extra, message):
    response = upload(client, companies, name, **extra)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "invalid_upload"
    assert message in response.json["error"]["message"]
    assert started == [] and stored_folders(data_dir) == []


def test_admin_datasets_empty_list_is_422(client, started):
    response = upload(client, b"", "empty.csv")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_list"


def test_admin_datasets_json_body_is_415(client, started):
    response = client.post("/v1/admin/datasets", headers=AUTH, json={"companies": "x"})
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_admin_datasets_over_the_upload_limit_is_413(models_dir, data_dir, started):
    client = make_app(models_dir, DATA_DIR=str(data_dir), MAX_UPLOAD_BYTES=2000).test_client()
    response = upload(client, COMPANIES + b"x" * 4000)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert "2000 bytes" in response.json["error"]["message"]
    assert started == [] and stored_folders(data_dir) == []


def test_admin_datasets_limit_is_raised_for_this_route_only(models_dir, data_dir, started):
    client = make_app(models_dir, DATA_DIR=str(data_dir), MAX_CONTENT_LENGTH=1024).test_client()
    assert len(COMPANIES) > 1024
    assert upload(client).status_code == 202
    response = client.post("/v1/admin/promote", headers=AUTH, json={"version": "x" * 2000})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong"}, 403, "forbidden"),
        ({"Authorization": "Basic abc"}, 401, "unauthorized"),
    ],
)
def test_admin_datasets_needs_the_token(client, started, data_dir, headers, status, code):
    response = upload(client, headers=headers)
    assert (response.status_code, response.json["error"]["code"]) == (status, code)
    assert started == [] and stored_folders(data_dir) == []


def test_admin_datasets_disabled_without_a_token(models_dir, data_dir, started):
    client = make_app(models_dir, DATA_DIR=str(data_dir), ADMIN_TOKEN=None).test_client()
    response = upload(client)
    assert (response.status_code, response.json["error"]["code"]) == (403, "admin_disabled")


def test_admin_datasets_second_job_while_one_runs_is_409(client, data_dir, monkeypatch):
    placed = []
    monkeypatch.setattr(
        jobs, "start", lambda app, job_id, staged: placed.append(jobs.place(app, job_id, staged))
    )
    first = upload(client)
    assert first.status_code == 202
    second = upload(client)
    assert second.status_code == 409
    assert second.json["error"]["code"] == "job_running"
    assert second.json["error"]["job_id"] == first.json["id"]
    assert stored_folders(data_dir) == [first.json["id"]]  # the second upload was not kept


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("..\\..\\evil.csv", "evil.csv"),
        ("a/b/../c.json", "c.json"),
        (None, "(no name)"),
        ("..", ".."),
    ],
)
def test_admin_datasets_shown_name_is_a_base_name(filename, shown):
    from service.uploads import shown_name

    assert shown_name(filename) == shown


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("GATE_FLOOR", "high", "KAKEHASHI_GATE_FLOOR must be a number"),
        ("GATE_MARGIN", [1], "KAKEHASHI_GATE_MARGIN must be a number"),
        ("TRAINING_TIMEOUT_SECONDS", "soon", "KAKEHASHI_TRAINING_TIMEOUT_SECONDS must be a number"),
        ("MAX_UPLOAD_BYTES", "50MB", "KAKEHASHI_MAX_UPLOAD_BYTES must be a positive number"),
        ("MAX_UPLOAD_BYTES", 0, "KAKEHASHI_MAX_UPLOAD_BYTES must be a positive number"),
    ],
)
def test_admin_datasets_malformed_settings_stop_the_start(
    models_dir, data_dir, setting, value, message
):
    with pytest.raises(ValueError, match=message):
        make_app(models_dir, DATA_DIR=str(data_dir), **{setting: value})
