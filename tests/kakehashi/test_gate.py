"""The quality gate: floors, margins against the promoted version, and versions without metrics."""

from __future__ import annotations

import dataclasses

import pytest

from kakehashi.gate import GateConfig, GateVerdict, judge, parse_metrics

NEW = {"JP -> IL": {"mrr": 0.40, "hit@10": 0.6}, "IL -> JP": {"mrr": 0.30, "hit@10": 0.5}}
CURRENT = {"JP -> IL": {"mrr": 0.42, "hit@10": 0.6}, "IL -> JP": {"mrr": 0.45, "hit@10": 0.7}}


def test_gate_off_passes_anything():
    assert judge(GateConfig(), None).passed
    assert judge(GateConfig(), NEW, CURRENT).passed


def test_gate_floor_rejects_the_direction_below_it():
    verdict = judge(GateConfig(floor=0.35), NEW)
    assert not verdict.passed
    (failure,) = verdict.failures
    assert (failure.check, failure.direction, failure.metric) == ("floor", "IL -> JP", "mrr")
    assert (failure.value, failure.threshold) == (0.30, 0.35)
    assert "mrr IL -> JP = 0.3 is below the floor 0.35" in verdict.describe()


def test_gate_floor_passes_values_at_or_above_it():
    assert judge(GateConfig(floor=0.30), NEW).passed


def test_gate_margin_compares_with_the_promoted_version():
    verdict = judge(GateConfig(margin=0.05), NEW, CURRENT, "v-current")
    assert not verdict.passed
    (failure,) = verdict.failures
    assert (failure.check, failure.direction, failure.current) == ("margin", "IL -> JP", 0.45)
    assert failure.threshold == pytest.approx(0.40)
    assert verdict.compared_with == "v-current"
    assert "promoted version's 0.45" in verdict.describe()


def test_gate_margin_without_a_promoted_version_passes():
    assert judge(GateConfig(margin=0.0), NEW, None).passed


def test_gate_margin_skips_directions_the_promoted_version_lacks():
    assert judge(GateConfig(margin=0.0), NEW, {"JP -> IL": {"mrr": 0.40}}).passed


def test_gate_checks_every_configured_metric():
    verdict = judge(GateConfig(floor=0.55, metrics=("hit@10",)), NEW)
    assert [(f.direction, f.metric) for f in verdict.failures] == [("IL -> JP", "hit@10")]


@pytest.mark.parametrize("metrics", [None, {}])
def test_gate_rejects_a_version_without_metrics_when_configured(metrics):
    verdict = judge(GateConfig(floor=0.1), metrics)
    assert not verdict.passed
    assert verdict.failures[0].check == "no_metrics"
    assert "without partnerships" in verdict.describe()


def test_gate_rejects_a_missing_or_non_numeric_metric():
    verdict = judge(GateConfig(floor=0.1), {"JP -> IL": {"mrr": "high"}})
    assert [f.check for f in verdict.failures] == ["no_metrics"]


def test_gate_verdict_is_frozen_and_serializable():
    verdict = judge(GateConfig(floor=0.35), NEW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.passed = True
    data = verdict.as_dict()
    assert data["passed"] is False
    assert data["failures"][0]["metric"] == "mrr"
    assert data["reason"].startswith("rejected by the quality gate")
    assert GateVerdict(True).as_dict()["reason"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mrr", ("mrr",)),
        ("mrr, hit@10", ("mrr", "hit@10")),
        ("", ("mrr",)),
        (["ndcg@10"], ("ndcg@10",)),
    ],
)
def test_gate_parse_metrics(text, expected):
    assert parse_metrics(text) == expected
