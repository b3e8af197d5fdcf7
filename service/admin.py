"""Operator endpoints, guarded by a bearer token compared in constant time."""

from __future__ import annotations

import hmac

from flask import current_app, request
from flask_smorest import Blueprint

from service.errors import ApiError
from service.holder import holder
from service.schemas import Reloaded

blp = Blueprint("admin", __name__, url_prefix="/v1/admin", description="Operator endpoints")


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


blp.before_request(require_token)


@blp.route("/reload", methods=["POST"])
@blp.response(200, Reloaded)
@blp.doc(security=[{"bearerAuth": []}])
def reload() -> dict:
    """Re-read promoted.json now and load its version if it is not the one served."""
    previous, current = holder().reload()
    return {"previous_version": previous, "model_version": current, "changed": previous != current}
