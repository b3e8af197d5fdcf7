"""Shared fixtures: the tiny fixture lists and a session-scoped model trained on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakehashi.model import PartnerModel
from kakehashi.taxonomy import Taxonomy, load_taxonomy
from training.train import Inputs, build_model, load_inputs

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixture_companies() -> Path:
    """The fixture company list (fictional companies with clear profiles)."""
    return FIXTURES / "companies.csv"


@pytest.fixture(scope="session")
def fixture_partnerships() -> Path:
    """The fixture partnerships list."""
    return FIXTURES / "partnerships.csv"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The bundled taxonomy."""
    return load_taxonomy()


@pytest.fixture(scope="session")
def inputs(fixture_companies: Path, fixture_partnerships: Path) -> Inputs:
    """Validated fixture inputs."""
    return load_inputs(fixture_companies, fixture_partnerships)


@pytest.fixture(scope="session")
def model(inputs: Inputs) -> PartnerModel:
    """A model fitted on the fixture lists (do not mutate)."""
    return build_model(inputs).fit(inputs.companies, inputs.partnerships)
