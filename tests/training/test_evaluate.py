"""Metrics with pessimistic ties, and a protocol that never lets a firm's partners train its ranker."""

from __future__ import annotations

import numpy as np
import pytest

from kakehashi.model import PartnerModel
from training import evaluate
from training.evaluate import QueryOutcome, ndcg_at, pessimistic_ranks, summarize
from training.train import build_model


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


@pytest.mark.parametrize(("query_country", "side"), [("JP", 0), ("IL", 1)])
def test_evaluate_model_never_trains_on_the_held_out_firms_partners(
    monkeypatch, inputs, model, query_country, side
):
    learning = build_model(inputs, learn=True).fit(inputs.companies, inputs.partnerships)
    seen: list[set[str]] = []
    real = PartnerModel.learned_weights

    def spy(model_, pairs, *args):
        seen.append({p.pair[side] for p in pairs})
        return real(model_, pairs, *args)

    monkeypatch.setattr(PartnerModel, "learned_weights", spy)
    real_run = evaluate.run_queries

    def run_spy(scorer, candidates, queries):
        assert not set(queries) & seen[-1], "a held-out firm's partners trained its ranker"
        return real_run(scorer, candidates, queries)

    monkeypatch.setattr(evaluate, "run_queries", run_spy)
    outcomes = evaluate.evaluate_model(
        learning, inputs.partnerships, n_folds=3, query_country=query_country
    )
    assert len(seen) == 3
    assert {o.query_id for o in outcomes} == {p.pair[side] for p in inputs.partnerships}


def test_evaluate_model_backward_ranks_the_japanese_partner_among_japanese_firms(inputs, model):
    outcomes = evaluate.evaluate_model(model, inputs.partnerships, query_country="IL")
    japanese = sum(c.country == "JP" for c in inputs.companies)
    assert all(o.candidates == japanese for o in outcomes)
    by_query = {o.query_id: o.partner_ids for o in outcomes}
    assert by_query["il-fraud"] == ("jp-bank",)


def test_apply_variant_replaces_only_the_texts_of_the_firms_it_lists(tmp_path, inputs):
    from training.variants import apply_variant

    path = tmp_path / "variant.csv"
    path.write_text("id,description,tags\njp-auto,自動車メーカー,車;EV\n", encoding="utf-8")
    variant = {c.id: c for c in apply_variant(inputs, path).companies}
    original = {c.id: c for c in inputs.companies}
    assert variant["jp-auto"].description == "自動車メーカー"
    assert variant["jp-auto"].tags == ("車", "EV")
    assert variant["jp-auto"].interests == original["jp-auto"].interests
    assert variant["jp-auto"].sectors == original["jp-auto"].sectors
    assert {k: v for k, v in variant.items() if k != "jp-auto"} == {
        k: v for k, v in original.items() if k != "jp-auto"
    }


def test_apply_variant_names_an_unknown_id_with_its_line(tmp_path, inputs):
    from kakehashi.errors import InvalidListError
    from training.variants import apply_variant

    path = tmp_path / "variant.csv"
    path.write_text("id,description\njp-auto,x\nnobody,y\n", encoding="utf-8")
    with pytest.raises(InvalidListError) as caught:
        apply_variant(inputs, path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:3: id: unknown company id 'nobody'"]
