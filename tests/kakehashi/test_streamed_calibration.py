"""Calibration streamed in blocks equals calibration on the whole score matrix (up to rounding)."""

from __future__ import annotations

import numpy as np
import pytest

from kakehashi import calibration


@pytest.mark.parametrize(("queries", "block"), [(25, 8), (3, 2), (12, 12)])
def test_streamed_hubness_equals_hubness_of_the_whole_matrix(queries, block):
    rng = np.random.default_rng(queries)
    scores = rng.random((queries, 40))
    countries = np.array(["IL"] * 40)
    expected = calibration.hubness(scores, np.array(["JP"] * queries), countries)
    blocks = (scores[start : start + block] for start in range(0, queries, block))
    found = calibration.streamed_hubness(blocks, queries, 40)
    assert np.allclose(found, expected, rtol=0, atol=1e-12)  # summation order only


def test_streamed_hubness_without_queries_is_zero():
    assert np.array_equal(calibration.streamed_hubness(iter(()), 0, 5), np.zeros(5))


def test_pair_sample_keeps_every_firm_below_the_bound_and_a_seeded_subset_above(monkeypatch):
    rng = np.random.default_rng(0)
    assert np.array_equal(calibration.pair_sample(10, 50, rng), np.arange(50))
    monkeypatch.setattr(calibration, "STRENGTH_PAIRS", 100)
    sampled = calibration.pair_sample(10, 50, np.random.default_rng(0))
    assert sampled.size == 10 and np.all(np.diff(sampled) > 0)
    assert np.array_equal(sampled, calibration.pair_sample(10, 50, np.random.default_rng(0)))
