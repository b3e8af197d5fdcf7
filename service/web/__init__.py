"""The web app for business-development staff, served at `/` beside the JSON API under `/v1`.

Server-rendered pages in English and Japanese built on the same core calls as the API (the views
call `service.ranking.ranking` and the model's search; the page scripts call the `/v1` endpoints),
plus a few small ES modules in `static/` for suggestions, filter updates without a reload and
feedback. Everything the pages load is served from here: no CDN, no outside fonts, no inline
scripts (CSP `default-src 'self'` holds).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request

from service.errors import ApiError
from service.web import admin, assets, briefing, pages, planner, render, web_errors


def closed_with_api_keys() -> None:
    """With KAKEHASHI_API_KEYS set, the pages are closed: they would show rankings without a key,
    and their scripts' /v1 calls carry none (assets stay, for the error page's own styles)."""
    if current_app.config.get("API_KEYS") and request.endpoint != "web.asset":
        raise ApiError(
            "api_key_required",
            "the web pages are switched off while KAKEHASHI_API_KEYS is set; use the /v1 API",
        )


def init_app(app: Flask) -> None:
    """Register the pages, their template helpers and their HTML error pages (a blueprint per
    app, so that several apps in one process, as in the tests, each get their own)."""
    blp = Blueprint("web", __name__, template_folder="templates")
    assets.register(blp)
    pages.register(blp)
    briefing.register(blp)
    planner.register(blp)
    admin.register(blp)
    web_errors.register(blp)
    blp.before_request(closed_with_api_keys)
    blp.app_context_processor(render.template_context)
    app.register_blueprint(blp)
