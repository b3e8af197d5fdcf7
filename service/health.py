"""Liveness and readiness probes."""

from __future__ import annotations

from flask_smorest import Blueprint

from service.holder import holder
from service.schemas import Health, Ready

blp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators")


@blp.route("/healthz")
@blp.response(200, Health)
def healthz() -> dict:
    """Always ok while the process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, Ready)
@blp.alt_response(503, description="no model loaded (code `no_model`)")
def readyz() -> dict:
    """Ready when a model is loaded (with `problem` when it is not the promoted one); 503 else."""
    model_holder = holder()
    ready = {"status": "ready", "model_version": model_holder.require().version}
    if model_holder.degraded:  # e.g. the promoted version is damaged: an older one serves
        ready["problem"] = model_holder.degraded
    return ready
