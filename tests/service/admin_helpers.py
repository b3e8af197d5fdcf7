"""Helpers of the admin tests: uploads, bounded waits for jobs, the fixture lists as bytes."""

from __future__ import annotations

import io
import time
from pathlib import Path

from flask.testing import FlaskClient

from tests.service.conftest import ADMIN_TOKEN

FIXTURES = Path(__file__).parent.parent / "fixtures"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
COMPANIES = (FIXTURES / "companies.csv").read_bytes()
PARTNERSHIPS = (FIXTURES / "partnerships.csv").read_bytes()
FINAL = ("succeeded", "rejected", "failed")


def upload(
    client: FlaskClient,
    companies: bytes | None = COMPANIES,
    name: str = "companies.csv",
    partnerships: bytes | None = None,
    headers: dict | None = None,
    **extra: object,
):
    """POST /v1/admin/datasets with the given files as multipart form data."""
    data: dict[str, object] = dict(extra)
    if companies is not None:
        data["companies"] = (io.BytesIO(companies), name)
    if partnerships is not None:
        data["partnerships"] = (io.BytesIO(partnerships), "partnerships.csv")
    return client.post(
        "/v1/admin/datasets",
        headers=AUTH if headers is None else headers,
        data=data,
        content_type="multipart/form-data",
    )


def wait_for_job(client: FlaskClient, job_id: str, seconds: float = 180) -> dict:
    """Poll a job until it ends (bounded: fails the test after `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/v1/admin/jobs/{job_id}", headers=AUTH).json
        if job["state"] in FINAL:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish within {seconds} s: {job}")


def only_japanese(companies: bytes = COMPANIES) -> bytes:
    """The fixture list without its Israeli firms (valid, but training refuses it)."""
    lines = companies.decode("utf-8").splitlines(keepends=True)
    return "".join([lines[0], *(line for line in lines[1:] if ",JP," in line)]).encode("utf-8")
