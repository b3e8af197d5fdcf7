"""ApiError and the JSON error handlers: the one place errors become HTTP responses.

Every error body is `{"error": {"code": <stable snake_case>, "message": <for people>}}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from kakehashi.errors import InvalidProfileError, KakehashiError

ERROR_CODES: dict[str, tuple[int, str]] = {
    "bad_request": (400, "the request is malformed"),
    "invalid_json": (400, "the body is not valid JSON"),
    "unauthorized": (401, "admin call without an `Authorization: Bearer` token"),
    "forbidden": (403, "admin call with a wrong token"),
    "admin_disabled": (403, "admin call while no KAKEHASHI_ADMIN_TOKEN is configured"),
    "not_found": (404, "no such path"),
    "unknown_company": (404, "no company with this id in the served model"),
    "method_not_allowed": (405, "the path exists but not with this method"),
    "payload_too_large": (413, "the body is larger than KAKEHASHI_MAX_CONTENT_LENGTH"),
    "unsupported_media_type": (415, "a POST body that is not `application/json`"),
    "invalid_parameter": (422, "a query parameter is invalid (the message names it)"),
    "invalid_body": (422, "a JSON body field is invalid or unknown (the message names it)"),
    "unknown_sector": (422, "a sector filter names no known sector (the closest key is given)"),
    "invalid_profile": (422, "the ad-hoc profile of POST /v1/match is invalid"),
    "http_error": (400, "any other HTTP error (status as the HTTP status)"),
    "internal_error": (500, "an unexpected server error (logged)"),
    "bad_artifact": (500, "the promoted artifact could not be loaded; the old model still serves"),
    "unknown_version": (500, "promoted.json names a version that does not exist"),
    "no_model": (503, "no model is loaded yet"),
    "api_key_required": (401, "a read call without an API key while KAKEHASHI_API_KEYS is set"),
    "invalid_api_key": (401, "a read call with an API key that is not configured"),
    "uri_too_long": (414, "the request line is longer than the server accepts"),
    "too_many_attempts": (429, "too many wrong tokens or keys from this address (Retry-After)"),
    "headers_too_large": (431, "too many request headers, or one too long"),
    "data_store": (503, "the data directory's database cannot be opened or written"),
    "schema_too_new": (503, "the data directory's database was written by a newer Kakehashi"),
    "invalid_schedule_request": (422, "a delegation schedule or briefing request is invalid"),
    "infeasible_schedule": (422, "the pins, capacities and minimums cannot all be met (named)"),
    "schedule_not_found": (422, "the solver found no schedule within time_limit_seconds"),
    "invalid_upload": (422, "no `companies` file of a known format, or an unknown form field"),
    "invalid_list": (422, "an uploaded list has problems (each with its file, line and column)"),
    "job_running": (409, "a training job is already running (its `job_id` is given)"),
    "unknown_job": (404, "no training job with this id"),
    "version_not_found": (404, "no saved model version with this name"),
    "damaged_version": (409, "the version's artifact cannot be loaded, so it is not promoted"),
    "nothing_to_roll_back": (409, "no earlier promoted version to roll back to"),
}

# The code of an HTTP error raised by werkzeug or webargs rather than by our views.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_parameter",
    429: "too_many_attempts",
    431: "headers_too_large",
    500: "internal_error",
    503: "no_model",
}

LOCATIONS = {"json": "body", "query": "query string"}


class ApiError(Exception):
    """An error raised by a view, already carrying its code, status and message."""

    def __init__(self, code: str, message: str, headers: dict[str, str] | None = None):
        if code not in ERROR_CODES:
            raise ValueError(f"undocumented error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = ERROR_CODES[code][0]
        self.headers = headers or {}


def error_response(code: str, message: str, status: int) -> Response:
    """The JSON error body with its status."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def handle_api_error(error: ApiError) -> Response:
    """An ApiError as JSON."""
    response = error_response(error.code, error.message, error.status)
    response.headers.update(error.headers)
    return response


def handle_domain_error(error: KakehashiError) -> Response:
    """A domain error as JSON; its code gives the status (an unregistered code is a 500)."""
    code = error.code if error.code in ERROR_CODES else "internal_error"
    status = ERROR_CODES[code][0]
    if status >= 500:
        current_app.logger.error("%s: %s", type(error).__name__, error)
    message = without_paths(str(error))
    if isinstance(error, InvalidProfileError):
        message = f"profile.{message}"
    return error_response(code, message, status)


# The directory part of an absolute path (`/srv/models/v1/artifact.joblib` -> `v1/...`).
ABSOLUTE_DIRS = re.compile(r"(?<![\w.:/])/(?:[^\s/'\"()]+/)+")


def without_paths(message: str) -> str:
    """A message without the server's folders: relative to the models or data folder, or bare."""
    for setting, name in (("MODEL_DIR", "the models folder"), ("DATA_DIR", "the data folder")):
        folder = current_app.config.get(setting)
        if folder:
            for form in {str(Path(str(folder)).resolve()), str(folder).rstrip("/")}:
                message = message.replace(form + "/", "").replace(form, name)
    return ABSOLUTE_DIRS.sub("", message)


def handle_http_exception(error: HTTPException) -> Response:
    """Any werkzeug HTTPException (404, 405, 413, webargs' 422...) as JSON."""
    status = error.code or 500
    messages = (getattr(error, "data", None) or {}).get("messages")
    if status == 422 and messages:
        code = "invalid_body" if "json" in messages else "invalid_parameter"
        return error_response(code, describe_messages(messages), status)
    if status == 400 and messages and "json" in messages:
        return error_response("invalid_json", "the body is not valid JSON", status)
    code = HTTP_CODES.get(status, "http_error")
    response = error_response(code, _describe_http(error), status)
    if status == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _describe_http(error: HTTPException) -> str:
    if error.code == 404:
        return f"no such path: {request.path}"
    if error.code == 405:
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return f"{request.method} is not allowed on {request.path} (allowed: {allowed})"
    if error.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return f"the body is larger than the limit of {limit} bytes"
    return error.description or error.name


def handle_unexpected(error: Exception) -> Response:
    """Anything else: log it with its traceback and answer a JSON 500."""
    current_app.logger.exception("unexpected error: %s", error)
    return error_response("internal_error", "unexpected server error", 500)


def describe_messages(messages: Mapping[str, object]) -> str:
    """Flatten webargs/marshmallow messages into `field.path: message; ...`."""
    parts = []
    for location, fields in messages.items():
        for path, text in _flatten(fields):
            name = ".".join(p for p in path if p != "_schema") or LOCATIONS.get(location, location)
            parts.append(f"{name}: {text}")
    return "; ".join(parts)


def _flatten(node: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(node, Mapping):
        return [item for key, value in node.items() for item in _flatten(value, (*path, str(key)))]
    if isinstance(node, list | tuple):
        return [(path, _lower_first(str(text))) for text in node]
    return [(path, _lower_first(str(node)))]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def init_app(app: Flask) -> None:
    """Register the JSON error handlers (after flask-smorest's, so they replace its handler)."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(KakehashiError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
