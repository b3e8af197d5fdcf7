"""Metrics with pessimistic ties, and a protocol that never lets a firm's partners train its ranker."""

from __future__ import annotations

import numpy as np
import pytest

from kakehashi.model import PartnerModel
from training import evaluate
from training.evaluate import QueryOutcome, ndcg_at, pessimistic_ranks, summarize


@pytest.mark.parametrize(
    ("scores", "relevant", "ranks"),
    [
        ([0.9, 0.5, 0.1], [False, True, False], [2]),
        ([0.5, 0.5, 0.5], [True, False, False], [3]),  # a tie counts against the model
        ([0.9, 0.9, 0.1], [True, True, False], [2, 2]),
        ([0.0, 0.0], [False, True], [2]),
    ],
)
def test_pessimistic_ranks(scores, relevant, ranks):
    assert pessimistic_ranks(np.array(scores), np.array(relevant)).tolist() == ranks


def test_summarize_computes_hits_mrr_and_ndcg():
    outcomes = [QueryOutcome("a", ("x",), (1,), 10), QueryOutcome("b", ("y", "z"), (4, 12), 10)]
    metrics = summarize(outcomes)
    assert metrics["hit@1"] == 0.5 and metrics["hit@5"] == 1.0 and metrics["hit@10"] == 1.0
    assert metrics["mrr"] == pytest.approx((1 + 1 / 4) / 2, abs=1e-4)
    assert metrics["queries"] == 2


def test_ndcg_is_one_for_a_perfect_ranking_and_less_otherwise():
    assert ndcg_at([1, 2], 10) == pytest.approx(1.0)
    assert ndcg_at([2, 3], 10) < 1.0
    assert ndcg_at([11], 10) == 0.0


def test_evaluate_model_never_trains_on_the_held_out_firms_partners(monkeypatch, inputs, model):
    seen: list[set[str]] = []
    real = PartnerModel.learned_weights

    def spy(model_, pairs, *args):
        seen.append({p.japanese_id for p in pairs})
        return real(model_, pairs, *args)

    monkeypatch.setattr(PartnerModel, "learned_weights", spy)
    real_run = evaluate.run_queries

    def run_spy(scorer, candidates, queries):
        assert not set(queries) & seen[-1], "a held-out firm's partners trained its ranker"
        return real_run(scorer, candidates, queries)

    monkeypatch.setattr(evaluate, "run_queries", run_spy)
    outcomes = evaluate.evaluate_model(model, inputs.partnerships, n_folds=3)
    assert len(seen) == 3
    assert {o.japanese_id for o in outcomes} == {p.japanese_id for p in inputs.partnerships}
