"""Uploaded company lists: checked at once, stored under generated names only when valid.

The form field `companies` holds the list and `partnerships` (optional) the known deals; the
original file name decides the format by its extension and is shown back to people, never used
as a path. A list is validated exactly as `python -m training validate` does (the same readers
and checks); an invalid one is deleted before the 422, so nothing is stored or trained.
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask import Flask, Request, current_app, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from kakehashi.company_list import read_company_list
from kakehashi.errors import InvalidListError, Problem
from kakehashi.partnerships import load_partnerships
from kakehashi.readers import FORMATS
from kakehashi.taxonomy import load_taxonomy
from service.errors import ApiError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DATASETS_PATH = "/v1/admin/datasets"
FILE_FIELDS = ("companies", "partnerships")
FORM_FIELDS = ("sheet",)
MAX_PROBLEMS = 200  # problems listed in a 422 (the total is given too)
SHOWN_NAME = re.compile(r"[^\w.\- ()]+")


class InvalidUpload(ApiError):
    """An upload whose list failed validation: the 422 carries every problem with its line."""

    def __init__(self, problems: list[dict], total: int):
        super().__init__(
            "invalid_list",
            f"{total} problem(s) in the uploaded list(s); nothing was stored or trained",
        )
        self.problems, self.total = problems, total


@dataclass(frozen=True)
class Upload:
    """A validated upload in its staging folder."""

    folder: Path
    files: dict[str, str]  # field -> stored file name (relative to folder)
    sheet: str | None
    inputs: dict  # what the job record shows: original names, formats, counts


def shown_name(filename: str | None) -> str:
    """The original file name reduced to a harmless label (never a path)."""
    base = PureWindowsPath(PurePosixPath(filename or "").name).name
    return SHOWN_NAME.sub("_", base)[:120] or "(no name)"


def read_form(request: Request, limit: int) -> tuple[dict[str, FileStorage], str | None]:
    """The upload's files and sheet; 413 over `limit` bytes, 422 for missing or unknown fields."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(
            "unsupported_media_type",
            "send the list as multipart/form-data, in the file field `companies`",
        )
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise ApiError(
            "payload_too_large",
            f"the upload is larger than the limit of {limit} bytes (KAKEHASHI_MAX_UPLOAD_BYTES)",
        ) from None
    unknown = sorted((set(files) - set(FILE_FIELDS)) | (set(form) - set(FORM_FIELDS)))
    if unknown:
        allowed = "files `companies`, `partnerships`; text `sheet`"
        raise ApiError("invalid_upload", f"{unknown[0]}: unknown form field (known: {allowed})")
    if "companies" not in files:
        raise ApiError("invalid_upload", "companies: missing: send the list in the file field")
    for field in files:
        if len(files.getlist(field)) > 1:
            raise ApiError("invalid_upload", f"{field}: send one file, not several")
    return {field: files[field] for field in files}, (form.get("sheet") or None)


def stage(files: dict[str, FileStorage], uploads_dir: Path) -> tuple[Path, dict[str, str]]:
    """Write the files under generated names into a new staging folder."""
    stored = {}
    for field, upload in files.items():
        suffix = PurePosixPath(shown_name(upload.filename)).suffix.lower()
        if suffix not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise ApiError("invalid_upload", f"{field}: the file name must end in one of {known}")
        stored[field] = f"{field}{suffix}"
    uploads_dir.mkdir(parents=True, exist_ok=True)
    folder = uploads_dir / f".incoming-{secrets.token_hex(8)}"
    folder.mkdir()
    try:
        for field, upload in files.items():
            upload.save(folder / stored[field])
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, stored


def validate(files: dict[str, FileStorage], uploads_dir: Path, sheet: str | None) -> Upload:
    """Stage and validate the upload; on any problem the staging folder is removed."""
    names = {field: shown_name(upload.filename) for field, upload in files.items()}
    folder, stored = stage(files, uploads_dir)
    try:
        inputs = _check(folder, stored, sheet, names)
    except InvalidListError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        problems = [_problem(p, folder, stored) for p in exc.problems]
        raise InvalidUpload(problems[:MAX_PROBLEMS], len(problems)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Upload(folder, stored, sheet, inputs)


def _check(folder: Path, stored: dict[str, str], sheet: str | None, names: dict) -> dict:
    listed = read_company_list(folder / stored["companies"], load_taxonomy(), sheet)
    countries: dict[str, int] = {}
    for company in listed.companies:
        countries[company.country] = countries.get(company.country, 0) + 1
    inputs = {
        "companies": {
            "filename": names["companies"],
            "read_as": listed.read_as,
            "companies": dict(sorted(countries.items())),
        }
    }
    if "partnerships" in stored:
        deals = load_partnerships(folder / stored["partnerships"], listed.companies)
        inputs["partnerships"] = {"filename": names["partnerships"], "partnerships": len(deals)}
    return inputs


def _problem(problem: Problem, folder: Path, stored: dict[str, str]) -> dict:
    """A problem as JSON, its file named by the form field instead of the server path."""
    by_path = {str(folder / name): field for field, name in stored.items()}
    field = by_path.get(problem.path)
    if field is None:
        field = next((f for f, name in stored.items() if problem.path.endswith(name)), "companies")
    message = problem.message.replace(f"{folder}/", "")
    return {"file": field, "line": problem.line, "column": problem.column, "message": message}


def discard(upload: Upload) -> None:
    """Remove a staged upload that will not be trained (e.g. a job is already running)."""
    shutil.rmtree(upload.folder, ignore_errors=True)


def raise_upload_limit() -> None:
    """The upload route reads up to MAX_UPLOAD_BYTES (every other body stays small)."""
    if request.method == "POST" and request.path.rstrip("/") == DATASETS_PATH:
        request.max_content_length = int(current_app.config["MAX_UPLOAD_BYTES"])


def init_app(app: Flask) -> None:
    """The upload limit's default and check, and its hook ahead of any hook that reads a body."""
    app.config.setdefault("MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)
    limit = app.config["MAX_UPLOAD_BYTES"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("KAKEHASHI_MAX_UPLOAD_BYTES must be a positive number of bytes")
    app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)
