"""Component weights: learned from pairwise differences, blended with the defaults by evidence."""

from __future__ import annotations

import numpy as np
import pytest

from kakehashi.scoring import DEFAULT_WEIGHTS, PRIOR_PAIRS, default_weights, fit_weights
from kakehashi.similarity import COMPONENTS


def differences_where_only(component: str, rows: int = 200, seed: int = 0) -> np.ndarray:
    """Partner-minus-non-partner rows: noise everywhere, a clear lead in one component."""
    rng = np.random.default_rng(seed)
    found = rng.normal(0, 0.1, size=(rows, len(COMPONENTS)))
    found[:, COMPONENTS.index(component)] += 0.5
    return found


@pytest.mark.parametrize("component", ["words", "latent", "chars"])
def test_fit_weights_moves_weight_to_the_component_that_separates_partners(component):
    weights = fit_weights(differences_where_only(component), n_pairs=100)
    assert weights[component] > DEFAULT_WEIGHTS[component] + 0.2
    assert sum(weights.values()) == pytest.approx(1.0)
    assert all(w >= 0 for w in weights.values())


def test_fit_weights_moves_less_with_fewer_partnerships():
    few = fit_weights(differences_where_only("words"), n_pairs=2)["words"]
    many = fit_weights(differences_where_only("words"), n_pairs=10 * PRIOR_PAIRS)["words"]
    assert DEFAULT_WEIGHTS["words"] < few < many


def test_fit_weights_without_evidence_returns_the_defaults():
    assert fit_weights(np.empty((0, len(COMPONENTS))), n_pairs=0) == default_weights()


def test_fit_weights_keeps_dropped_components_at_zero():
    weights = fit_weights(differences_where_only("words"), n_pairs=50, drop={"words"})
    assert weights["words"] == 0.0 and sum(weights.values()) == pytest.approx(1.0)


def test_default_weights_renormalize_without_the_dropped_component():
    weights = default_weights({"sectors"})
    assert weights["sectors"] == 0 and sum(weights.values()) == pytest.approx(1.0)
