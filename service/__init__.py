"""Kakehashi's HTTP API: ranked Japan–Israel partners from the promoted model."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """Build the app: config, error handlers, the model holder, the endpoints and the docs."""
    from service import (
        admin,
        catalog,
        delegations,
        docs,
        errors,
        feedback,
        health,
        holder,
        ranking,
        security,
    )
    from service.json_provider import JsonProvider
    from service.openapi_enums import init_app as declare_enums
    from service.web import init_app as init_web

    app = Flask(__name__)
    app.json = JsonProvider(app)  # keys in schema order (rank, id, name...), text as UTF-8
    configure(app, test_config)
    app.logger.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())
    security.init_app(app)  # first: its URL map settings apply to the routes added below
    api = docs.OpenApi(app)
    errors.init_app(app)
    feedback.init_app(app)
    holder.init_app(app)
    for module in (health, catalog, ranking, admin, feedback, delegations):
        api.register_blueprint(module.blp)
    docs.init_app(app, api)
    declare_enums(app, api)  # sector and country enums in /openapi.json, from the taxonomy
    init_web(app)  # the pages for people, at /
    return app


def configure(app: Flask, test_config: Mapping[str, object] | None = None) -> None:
    """The app's settings: defaults, then KAKEHASHI_* environment variables, then test_config."""
    app.config.from_mapping(
        MODEL_DIR="models",
        DATA_DIR=None,  # the feedback database's folder; None: kakehashi.sqlite.data_dir()
        API_KEYS="",  # comma-separated keys for the /v1 read endpoints; empty: no keys needed
        ADMIN_TOKEN=None,
        MAX_CONTENT_LENGTH=64 * 1024,
        RELOAD_CHECK_SECONDS=2,
        API_TITLE="Kakehashi partner matching",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}}
        },
    )
    app.config.from_prefixed_env("KAKEHASHI")
    # from_prefixed_env would turn "123" into 123: these stay text
    for name in ("ADMIN_TOKEN", "MODEL_DIR", "DATA_DIR", "API_KEYS"):
        if f"KAKEHASHI_{name}" in os.environ:
            app.config[name] = os.environ[f"KAKEHASHI_{name}"]
    if test_config is not None:
        app.config.from_mapping(test_config)


def preload_model(logger: logging.Logger) -> None:
    """In gunicorn's master, before it forks the workers: load the promoted model of the
    configured models directory, so that every worker starts serving it at once and shares its
    pages copy-on-write (service/holder.py, `preload`)."""
    from service import holder

    settings = Flask(__name__)
    configure(settings)
    holder.preload(Path(str(settings.config["MODEL_DIR"])), logger)
