"""The web app for business-development staff, served at `/` beside the JSON API under `/v1`.

Server-rendered pages in English and Japanese built on the same core calls as the API (the views
call `service.ranking.ranking` and the model's search; the page scripts call the `/v1` endpoints),
plus a few small ES modules in `static/` for suggestions, filter updates without a reload and
feedback. Everything the pages load is served from here: no CDN, no outside fonts, no inline
scripts (CSP `default-src 'self'` holds).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from service.web import admin, assets, briefing, pages, planner, render, web_errors


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
    blp.app_context_processor(render.template_context)
    app.register_blueprint(blp)
