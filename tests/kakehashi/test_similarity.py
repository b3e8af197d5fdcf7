"""The one-pass scoring kernel (kakehashi.retrieval) against the per-component reference formula."""

from __future__ import annotations

import numpy as np
import pytest

from kakehashi import retrieval, similarity
from kakehashi.companies import Company


def reference(model, query) -> dict[str, np.ndarray]:
    """Each component over every row by the reference formula (similarity.similarities)."""
    return similarity.similarities(
        query.profile, query.interests, model.profiles_, model.interests_, model.seeks_,
        model.masks_,
    )  # fmt: skip


def queries(model):
    yield from (model.query_for(c.id) for c in model.companies())
    yield model.query_for_profile(
        Company(
            "adhoc", "Ad hoc", "JP", ("cyber",), "Connected car security", "intrusion detection"
        )
    )


def test_components_equal_the_reference_formula_for_every_query(model):
    for query in queries(model):
        expected = reference(model, query)
        found = model.components(query, None)
        for name in similarity.COMPONENTS:
            assert np.allclose(found[name], expected[name], atol=1e-12), name


def test_scores_equal_the_weighted_reference_less_hub_penalties(model):
    for query in queries(model):
        expected = reference(model, query)
        raw = sum(model.weights_[name] * expected[name] for name in similarity.COMPONENTS)
        found = model.score_all(query)
        penalties = model.query_scale(query) * model.hub_penalties_
        assert np.allclose(found, np.clip(raw - penalties, 0, 1), atol=1e-12)


def test_raw_scores_of_a_block_equal_one_query_at_a_time(model):
    index = model.candidates_["IL"]
    block = model.stacked_rows(model.country_rows_["JP"])
    together = retrieval.raw_scores(index, retrieval.query_block(block, model.rules_))
    for n in range(block.shape[0]):
        alone = retrieval.raw_scores(index, retrieval.query_block(block[n], model.rules_))[0]
        assert np.array_equal(together[n], alone)


def test_report_leaves_the_scratch_clean(model):
    model.components(model.query_for("jp-auto"), np.arange(len(model.companies())))
    buffers = retrieval._POOL[(2 * model.rules_.width, retrieval.REPORT_COLUMNS)]
    assert buffers and not any(buffer.any() for buffer in buffers)


@pytest.mark.parametrize("scores", [np.array([0.5, 0.9, 0.9, 0.1]), np.array([0.2])])
def test_top_positions_breaks_ties_by_position(scores):
    found = similarity.top_positions(scores, 3)
    assert found.tolist() == sorted(range(scores.size), key=lambda i: (-scores[i], i))[:3]


def test_scratch_pool_holds_one_buffer_per_shape_when_used_one_at_a_time(model):
    query = model.query_for("jp-auto")
    for _ in range(5):
        model.rank(query, 3)
    assert len(retrieval._POOL[(2 * model.rules_.width, retrieval.REPORT_COLUMNS)]) == 1


def test_likeness_is_the_mean_cosine_of_the_views_for_every_pair(model):
    rows = np.arange(len(model.companies()))
    found = similarity.likeness(model.profiles_[rows])
    masks = [model.masks_[view].astype(bool) for view in similarity.VIEWS]
    expected = sum(
        (model.profiles_[:, mask] @ model.profiles_[:, mask].T).toarray() for mask in masks
    ) / len(masks)
    assert np.allclose(found, expected, atol=1e-12)


def reference_diversify(scores, likeness, k, weight):
    """Maximal marginal relevance as defined: each pick against its likeness to every pick so far."""
    picked = [0]
    while len(picked) < min(k, len(scores)):
        gain = (1 - weight) * scores - weight * likeness[:, picked].max(axis=1)
        gain[picked] = -np.inf
        picked.append(int(np.argmax(gain)))
    return picked


@pytest.mark.parametrize("seed", range(20))
def test_diversify_picks_what_the_definition_picks(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    scores = np.sort(rng.choice([0.1, 0.2, 0.3, 0.5], n) if seed % 2 else rng.random(n))[::-1]
    vectors = rng.random((n, 4))
    likeness = vectors @ vectors.T / 4
    k, weight = int(rng.integers(1, n + 2)), float(rng.choice([0.0, 0.3, 0.7, 1.0]))
    found = similarity.diversify(scores, likeness, k, weight)
    assert found == reference_diversify(scores, likeness, k, weight)
    assert len(set(found)) == len(found) == min(k, n)


def test_diversify_passes_over_a_near_copy_of_the_first_pick():
    scores = np.array([0.9, 0.89, 0.5])
    likeness = np.array([[1.0, 0.99, 0.0], [0.99, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert similarity.diversify(scores, likeness, 2, 0.5) == [0, 2]
    assert similarity.diversify(scores, likeness, 2, 0.0) == [0, 1]
