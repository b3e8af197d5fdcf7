"""Operator endpoints, guarded by a bearer token compared in constant time.

Retraining (docs/retraining.md): upload a list, follow its job, list and compare the versions,
promote or roll back. Uploads have their own body limit, MAX_UPLOAD_BYTES.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from flask import Response, current_app, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_smorest import Blueprint
from marshmallow import RAISE

from kakehashi import diff, registry
from kakehashi.errors import ArtifactError, KakehashiError, UnknownCompanyError
from kakehashi.jobs import JobRunningError, UnknownJobError
from kakehashi.model import PartnerModel
from service import jobs, uploads
from service.admin_schemas import (
    Accepted,
    DatasetForm,
    Diff,
    DiffQuery,
    Job,
    JobList,
    JobsQuery,
    PromoteBody,
    Promoted,
    RollbackBody,
    VersionList,
)
from service.errors import ApiError, error_response, without_paths
from service.holder import holder
from service.params import reject_repeated_parameters
from service.schemas import Reloaded

blp = Blueprint("admin", __name__, url_prefix="/v1/admin", description="Operator endpoints")
SECURITY = [{"bearerAuth": []}]


def require_token() -> None:
    """401 without a bearer token, 403 with a wrong one or when no token is configured."""
    expected = current_app.config.get("ADMIN_TOKEN")
    if not expected:
        raise ApiError("admin_disabled", "admin endpoints are disabled: no KAKEHASHI_ADMIN_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            "unauthorized",
            "send the admin token as `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(given.strip().encode(), str(expected).strip().encode()):
        raise ApiError("forbidden", "wrong admin token")


def require_json_for_versions() -> None:
    """Promote and rollback take JSON: another body type is a 415, not silently ignored."""
    versions = request.endpoint in ("admin.promote", "admin.rollback")
    if versions and request.content_length and not request.is_json:
        raise ApiError(
            "unsupported_media_type",
            f"the body must be JSON (Content-Type: application/json); got {request.mimetype}",
        )


blp.before_request(require_token)
blp.before_request(reject_repeated_parameters)
blp.before_request(require_json_for_versions)


class JobConflict(ApiError):
    """A second upload while a job runs: the 409 names the running job."""

    def __init__(self, job_id: str):
        super().__init__("job_running", f"training job {job_id} is still running; wait for it")
        self.job_id = job_id


def _with_fields(error: ApiError, **fields: object) -> Response:
    """The JSON error of `error` with extra fields beside its code and message."""
    response = error_response(error.code, error.message, error.status)
    body = response.get_json()
    body["error"] |= fields
    response.set_data(current_app.json.dumps(body))
    return response


@blp.errorhandler(uploads.InvalidUpload)
def invalid_upload(error: uploads.InvalidUpload) -> Response:
    """422 with every problem of the list: file (form field), line, column, message."""
    return _with_fields(error, problems=error.problems, total=error.total)


@blp.errorhandler(JobConflict)
def job_conflict(error: JobConflict) -> Response:
    """409 with the running job's id."""
    return _with_fields(error, job_id=error.job_id)


@blp.route("/reload", methods=["POST"])
@blp.response(200, Reloaded)
@blp.doc(security=SECURITY)
def reload() -> dict:
    """Re-read promoted.json now and load its version if it is not the one served."""
    previous, current = holder().reload()
    return {"previous_version": previous, "model_version": current, "changed": previous != current}


@blp.route("/datasets", methods=["POST"])
@blp.response(202, Accepted)
@blp.alt_response(409, description="a job is running (code `job_running`, with `job_id`)")
@blp.alt_response(413, description="the upload is over MAX_UPLOAD_BYTES")
@blp.alt_response(422, description="invalid list (code `invalid_list`, with `problems`)")
@blp.doc(
    security=SECURITY,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": DatasetForm}}},
)
def upload_dataset() -> tuple[dict, int, dict[str, str]]:
    """Validate an uploaded company list at once, then train a version from it in the background."""
    settings = jobs.settings(current_app)
    files, sheet = uploads.read_form(request, int(current_app.config["MAX_UPLOAD_BYTES"]))
    upload = uploads.validate(files, settings.uploads_dir, sheet)
    try:
        job = jobs.store().create(upload.inputs)
    except JobRunningError as exc:
        uploads.discard(upload)
        raise JobConflict(exc.job_id) from None
    except BaseException:
        uploads.discard(upload)
        raise
    jobs.start(current_app._get_current_object(), job.id, upload)
    location = url_for("admin.job", job_id=job.id)
    return {"id": job.id, "state": job.state}, 202, {"Location": location}


@blp.route("/jobs")
@blp.arguments(JobsQuery, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, JobList)
@blp.doc(security=SECURITY)
def job_list(limit: int) -> dict:
    """The latest training jobs, newest first."""
    return {"items": [job.public() for job in jobs.store().recent(limit)]}


@blp.route("/jobs/<job_id>")
@blp.response(200, Job)
@blp.alt_response(404, description="no such job (code `unknown_job`)")
@blp.doc(security=SECURITY)
def job(job_id: str) -> dict:
    """One job: state, progress, the new version, its metrics, the gate verdict or the error."""
    try:
        return jobs.store().get(job_id).public()
    except UnknownJobError as exc:
        raise ApiError("unknown_job", str(exc)) from None


def _models_dir() -> Path:
    return Path(str(current_app.config["MODEL_DIR"]))


@blp.route("/versions")
@blp.response(200, VersionList)
@blp.doc(security=SECURITY)
def version_list() -> dict:
    """Every saved version, oldest first, with its metrics and whether it is promoted."""
    models_dir = _models_dir()
    try:
        promoted = registry.current_version(models_dir)
    except KakehashiError:  # a damaged pointer: promoting a version repairs it
        promoted = None
    items = []
    for version in registry.versions(models_dir):
        item = {"version": version, "promoted": version == promoted}
        item["served"] = version == holder().version
        try:
            manifest = registry.read_manifest(models_dir, version)
        except KakehashiError as exc:
            items.append(item | {"damaged": without_paths(str(exc))})
            continue
        keys = ("created_at", "companies", "partnerships", "metrics")
        items.append(item | {key: manifest.get(key) for key in keys} | {"damaged": None})
    return {"promoted": promoted, "items": items}


def _check_version(version: str) -> None:
    """404 for a version the registry did not write; 409 for one whose artifact is damaged."""
    if version not in registry.versions(_models_dir()):
        raise ApiError("version_not_found", f"no model version {version!r}")
    try:
        registry.load_version(_models_dir(), version)
    except (ArtifactError, OSError) as exc:
        reason = without_paths(str(exc))
        raise ApiError("damaged_version", f"version {version} cannot be loaded: {reason}") from None


def _switch_to(version: str, previous: str | None) -> dict:
    holder().reload()  # this worker at once; the others at their next check of promoted.json
    return {"previous_version": previous, "model_version": version}


@blp.route("/promote", methods=["POST"])
@blp.arguments(PromoteBody)
@blp.response(200, Promoted)
@blp.alt_response(404, description="no such version (code `version_not_found`)")
@blp.alt_response(409, description="the version is damaged (code `damaged_version`)")
@blp.doc(security=SECURITY)
def promote(body: dict) -> dict:
    """Serve a saved version (also one the quality gate rejected)."""
    return _promote(body["version"])


@blp.route("/rollback", methods=["POST"])
@blp.arguments(RollbackBody)
@blp.response(200, Promoted)
@blp.alt_response(404, description="no such version (code `version_not_found`)")
@blp.alt_response(409, description="nothing to roll back to (code `nothing_to_roll_back`)")
@blp.doc(security=SECURITY)
def rollback(body: dict) -> dict:
    """Serve the version promoted before the current one, or the version given."""
    if body.get("version"):  # any saved version: promoted again, the current one goes on the stack
        return _promote(body["version"])
    previous = holder().version
    try:
        version = registry.rollback(_models_dir())
    except KakehashiError as exc:
        raise ApiError("nothing_to_roll_back", str(exc)) from None
    return _switch_to(version, previous)


def _promote(version: str) -> dict:
    _check_version(version)
    return _switch_to(version, registry.promote(_models_dir(), version))


@blp.route("/versions/<a>/diff/<b>")
@blp.arguments(DiffQuery, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, Diff)
@blp.alt_response(404, description="no such version or company")
@blp.doc(security=SECURITY)
def version_diff(a: str, b: str, k: int, company: str | None = None) -> dict:
    """Which partners entered or left a firm's top k from version a to b, or a summary of all firms.

    The summary ranks every firm of both versions once per version (about 5 s on the bundled
    576 firms); a single firm costs two rankings.
    """
    model_a, model_b = _diff_model(a, "a"), _diff_model(b, "b")
    if company:
        try:
            found = diff.firm_diff(model_a, model_b, company, k)
            return {"a": a, "b": b, "firm": found.as_dict(), "summary": None}
        except UnknownCompanyError:
            raise ApiError(
                "unknown_company", f"company: {company!r} is in neither version"
            ) from None
    return {"a": a, "b": b, "firm": None, "summary": diff.summarize(model_a, model_b, k).as_dict()}


def _diff_model(version: str, parameter: str) -> PartnerModel:
    if not registry.VERSION_PATTERN.match(version):
        raise ApiError("invalid_parameter", f"{parameter}: not a version name: {version!r}")
    served = holder().loaded
    if served is not None and served.version == version:
        return served.model
    if version not in registry.versions(_models_dir()):
        raise ApiError("version_not_found", f"{parameter}: no model version {version!r}")
    try:
        return registry.load_version(_models_dir(), version).model
    except (ArtifactError, OSError):
        raise ApiError(
            "damaged_version", f"{parameter}: version {version} cannot be loaded"
        ) from None


@blp.record_once
def _setup(state: BlueprintSetupState) -> None:
    """Config defaults, the upload limit (before any hook reads a body), interrupted jobs."""
    uploads.init_app(state.app)
    jobs.init_app(state.app)
