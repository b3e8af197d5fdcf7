"""The pages' own files (CSS, ES modules, icon), served from the package at /assets/.

Read into memory rather than streamed: they are a few kilobytes each, and a streamed file stays
open when a browser drops the connection halfway.
"""

from __future__ import annotations

import mimetypes
from importlib import resources

from flask import Blueprint, Response, abort, request

CACHE_SECONDS = 300
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def asset(name: str) -> Response:
    """One file of service/web/static (404 for anything else, including other folders)."""
    folder = resources.files("service.web").joinpath("static")
    if "/" in name or name.startswith(".") or not folder.joinpath(name).is_file():
        abort(404)
    suffix = name[name.rfind(".") :]
    mimetype = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = Response(folder.joinpath(name).read_bytes(), mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.add_etag()
    return response.make_conditional(request)


def register(blp: Blueprint) -> None:
    """Add /assets/<name> to the web blueprint."""
    blp.add_url_rule("/assets/<path:name>", "asset", asset)
