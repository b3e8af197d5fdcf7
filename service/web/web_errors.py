"""Errors on the pages: an HTML page (or results fragment) in the user's language, never JSON.

The JSON API keeps its own handlers (service/errors.py); these are the web blueprint's, which
Flask tries first for errors raised by its views.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, make_response, render_template
from werkzeug.exceptions import HTTPException

from kakehashi.errors import KakehashiError
from service.errors import ERROR_CODES, HTTP_CODES, ApiError
from service.web import i18n
from service.web.pages import FRAGMENT_HEADER, wants_fragment
from service.web.render import lang


def error_page(code: str, detail: str, status: int) -> Response:
    """The error as a page in the user's language, or as the results fragment for the script."""
    key = f"error.{code}"
    if key not in i18n.catalogue():
        key = "error.internal_error" if status >= 500 else "error.http_error"
    problem = {"code": code, "title": i18n.translate(key, lang()), "detail": detail}
    template = "web/_error.html" if wants_fragment() else "web/error.html"
    response = make_response(render_template(template, problem=problem), status)
    response.headers["Vary"] = FRAGMENT_HEADER
    return response


def handle_api_error(error: ApiError) -> Response:
    """An ApiError raised by a page."""
    return error_page(error.code, error.message, error.status)


def handle_domain_error(error: KakehashiError) -> Response:
    """A domain error (unknown company, no model...) raised by a page."""
    code = error.code if error.code in ERROR_CODES else "internal_error"
    status = ERROR_CODES[code][0]
    if status >= 500:
        current_app.logger.error("%s: %s", type(error).__name__, error)
    return error_page(code, str(error), status)


def handle_http_exception(error: HTTPException) -> Response:
    """A werkzeug HTTP error (405, 413...) on a page."""
    status = error.code or 500
    return error_page(HTTP_CODES.get(status, "http_error"), error.description or "", status)


def handle_unexpected(error: Exception) -> Response:
    """Anything else: logged with its traceback, shown as a generic error page."""
    current_app.logger.exception("unexpected error on a page: %s", error)
    return error_page("internal_error", "", 500)


def register(blp: Blueprint) -> None:
    """Register the HTML error handlers on the web blueprint."""
    blp.register_error_handler(ApiError, handle_api_error)
    blp.register_error_handler(KakehashiError, handle_domain_error)
    blp.register_error_handler(HTTPException, handle_http_exception)
    blp.register_error_handler(Exception, handle_unexpected)
