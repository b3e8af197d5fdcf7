"""Service fixtures: a model trained once into a temporary models directory, the app and client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from training.train import Inputs, load_inputs, train

FIXTURES = Path(__file__).parent.parent / "fixtures"
ADMIN_TOKEN = "test-admin-token"


@pytest.fixture(scope="session")
def service_inputs() -> Inputs:
    """The validated fixture lists (22 companies, 7 partnerships)."""
    return load_inputs(FIXTURES / "companies.csv", FIXTURES / "partnerships.csv")


@pytest.fixture(scope="session")
def trained_models(tmp_path_factory: pytest.TempPathFactory, service_inputs: Inputs) -> Path:
    """A models directory with one promoted version, trained once per session (do not modify)."""
    models_dir = tmp_path_factory.mktemp("models")
    train(service_inputs, models_dir)
    return models_dir


@pytest.fixture
def models_dir(tmp_path: Path, trained_models: Path) -> Path:
    """A private copy of the trained models directory, free to promote into or damage."""
    copy = tmp_path / "models"
    shutil.copytree(trained_models, copy)
    return copy


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every service test's feedback database in its own temporary folder, never ./var."""
    folder = tmp_path / "data-dir"
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(folder))
    return folder


def make_app(models_dir: Path, **config: object) -> Flask:
    """An app serving `models_dir`, with the admin token set and reload checks on every request."""
    settings = {
        "TESTING": True,
        "MODEL_DIR": str(models_dir),
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "RELOAD_CHECK_SECONDS": 0,
    }
    return create_app({**settings, **config})


@pytest.fixture
def app(trained_models: Path) -> Flask:
    """The app serving the session's trained model."""
    return make_app(trained_models)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture
def empty_client(tmp_path: Path) -> FlaskClient:
    """A client of an app whose models directory holds no promoted model."""
    return make_app(tmp_path / "no-models").test_client()
