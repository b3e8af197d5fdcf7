"""Model behaviour on the bundled data: it beats every baseline, and Japanese profiles match."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakehashi.companies import Company
from training.evaluate import summarize
from training.report import compare
from training.train import build_model, load_inputs

BUNDLED = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def bundled():
    return load_inputs(BUNDLED / "companies.csv", BUNDLED / "partnerships.csv")


@pytest.fixture(scope="module")
def bundled_model(bundled):
    model = build_model(bundled).set_params(precomputed=0)  # these tests rank live
    return model.fit(bundled.companies, bundled.partnerships)


@pytest.mark.parametrize("direction", ["JP -> IL", "IL -> JP"])
def test_model_beats_every_baseline_on_mrr_in_both_directions(bundled, direction):
    rows = [r for r in compare(bundled, ablations=False) if r.direction == direction]
    model, baselines = rows[0], rows[1:]
    assert model.kind == "model"
    assert {r.method for r in baselines} >= {
        "random",
        "sector overlap (Jaccard)",
        "TF-IDF cosine",
        "BM25",
    }
    for baseline in baselines:
        assert model.metrics["mrr"] > baseline.metrics["mrr"], baseline.method


def test_japanese_profile_of_an_automotive_cyber_firm_finds_israeli_automotive_cyber(bundled_model):
    profile = Company(
        id="", name="試験自動車", country="JP", sectors=(),
        description="自動車メーカー。コネクテッドカーと自動運転を開発。",
        interests="車載サイバーセキュリティ、侵入検知、コネクテッドカーのセキュリティ",
    )  # fmt: skip
    top = [m.company for m in bundled_model.rank(bundled_model.query_for_profile(profile), 5)]
    automotive_cyber = [c.name for c in top if {"automotive", "cyber"} <= set(c.sectors)]
    assert len(automotive_cyber) >= 4, [c.name for c in top]


def test_japanese_and_english_profiles_agree(bundled_model):
    english = Company(
        id="",
        name="E",
        country="JP",
        sectors=("life_sciences",),
        interests="drug discovery and gene therapy",
    )
    japanese = Company(
        id="", name="J", country="JP", sectors=("life_sciences",), interests="創薬と遺伝子治療"
    )
    top = lambda p: {m.row for m in bundled_model.rank(bundled_model.query_for_profile(p), 10)}  # noqa: E731
    assert len(top(english) & top(japanese)) >= 5


def test_learned_weights_are_a_convex_combination(bundled_model):
    weights = bundled_model.weights_
    assert sum(weights.values()) == pytest.approx(1.0)
    assert all(w >= 0 for w in weights.values())


def test_evaluation_outcomes_cover_every_query(bundled, bundled_model):
    from training.evaluate import evaluate_model

    outcomes = evaluate_model(bundled_model, bundled.partnerships)
    assert summarize(outcomes)["queries"] == len({p.japanese_id for p in bundled.partnerships})
