"""The evaluation report: the model, its ablations and the baselines on the same queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from kakehashi.model import PartnerModel
from kakehashi.partnerships import partners_by_japanese
from kakehashi.scoring import default_weights
from kakehashi.similarity import COMPONENTS
from training.baselines import baseline_outcomes
from training.evaluate import (
    QueryOutcome,
    evaluate_model,
    hit_at,
    israeli_ids,
    metric_names,
    reciprocal_rank,
    run_queries,
    summarize,
)
from training.train import Inputs, build_model

MODEL_NAME = "kakehashi (hybrid)"
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class Row:
    """One method's outcomes and metrics."""

    method: str
    kind: str  # "model", "ablation" or "baseline"
    outcomes: tuple[QueryOutcome, ...]
    k: int = 10

    @property
    def metrics(self) -> dict[str, float]:
        """The summary metrics of this row."""
        return summarize(self.outcomes, self.k)


@dataclass(frozen=True)
class Margin:
    """The model's lead over one baseline, with a bootstrap confidence interval over queries."""

    baseline: str
    metric: str
    difference: float
    low: float
    high: float


def compare(inputs: Inputs, k: int = 10, n_folds: int = 5, ablations: bool = True) -> list[Row]:
    """Rows for the model (grouped folds), optionally its ablations, then every baseline."""
    model = build_model(inputs).fit(inputs.companies, inputs.partnerships)
    rows = [Row(MODEL_NAME, "model", tuple(evaluate_model(model, inputs.partnerships, n_folds)), k)]
    if ablations:
        rows += _ablations(inputs, model, k, n_folds)
    return rows + baseline_rows(inputs, k)


def baseline_rows(inputs: Inputs, k: int = 10) -> list[Row]:
    """Every available baseline's outcomes on the inputs' partnerships."""
    found = baseline_outcomes(inputs.companies, inputs.partnerships)
    return [Row(name, "baseline", tuple(outcomes), k) for name, outcomes in found.items()]


def _ablations(inputs: Inputs, model: PartnerModel, k: int, n_folds: int) -> list[Row]:
    partnerships = inputs.partnerships
    queries, candidates = partners_by_japanese(partnerships), israeli_ids(inputs.companies)
    fixed = model.with_weights(default_weights())
    rows = [
        Row(
            "  default weights (nothing learned)",
            "ablation",
            tuple(run_queries(fixed.candidate_scores, candidates, queries)),
            k,
        )
    ]
    for component in COMPONENTS:
        outcomes = evaluate_model(model, partnerships, n_folds, drop={component})
        rows.append(Row(f"  without {component}", "ablation", tuple(outcomes), k))
    for label, params in (
        ("sector relations", {"related_weight": 0.0}),
        ("sector IDF", {"sector_idf": False}),
    ):
        variant = build_model(inputs)
        variant.vectorizer = clone(variant.vectorizer).set_params(**params)
        variant.fit(inputs.companies, partnerships)
        outcomes = evaluate_model(variant, partnerships, n_folds)
        rows.append(Row(f"  without {label}", "ablation", tuple(outcomes), k))
    return rows


def margins(rows: Sequence[Row], seed: int = 0) -> list[Margin]:
    """MRR and hit@k of the model minus each baseline, with 95% paired bootstrap intervals."""
    model = next(r for r in rows if r.kind == "model")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(model.outcomes), size=(BOOTSTRAP_SAMPLES, len(model.outcomes)))
    found = []
    for baseline in (r for r in rows if r.kind == "baseline"):
        for metric, value in (
            ("mrr", reciprocal_rank),
            (f"hit@{model.k}", lambda r: hit_at(r, model.k)),
        ):
            delta = _per_query(model, value) - _per_query(baseline, value)
            samples = delta[draws].mean(axis=1)
            low, high = np.percentile(samples, [2.5, 97.5])
            found.append(
                Margin(baseline.method, metric, float(delta.mean()), float(low), float(high))
            )
    return found


def _per_query(row: Row, value) -> np.ndarray:
    ordered = sorted(row.outcomes, key=lambda o: o.japanese_id)
    return np.array([value(o.ranks) for o in ordered])


def format_table(rows: Sequence[Row], k: int = 10) -> str:
    """A plain-text table, one method per line, then the model's margins over the baselines."""
    names = metric_names(k)
    width = max(len(r.method) for r in rows) + 2
    lines = [f"{'method':<{width}}" + "".join(f"{n:>9}" for n in names)]
    lines.append("-" * len(lines[0]))
    for row in rows:
        metrics = row.metrics
        lines.append(f"{row.method:<{width}}" + "".join(f"{metrics[n]:>9.3f}" for n in names))
    queries = rows[0].metrics["queries"] if rows else 0
    lines.append(
        f"({queries} queries; ties broken pessimistically; "
        "the model's weights are learned on folds grouped by Japanese firm)"
    )
    lines.append("")
    lines.append("model minus baseline (95% paired bootstrap interval over queries):")
    for m in margins(rows):
        lines.append(
            f"  {m.baseline:<26}{m.metric:>8} {m.difference:+.3f}  [{m.low:+.3f}, {m.high:+.3f}]"
        )
    return "\n".join(lines)


def as_json(rows: Sequence[Row]) -> str:
    """The rows and margins as a JSON document."""
    document = {
        "methods": [{"method": r.method.strip(), "kind": r.kind, **r.metrics} for r in rows],
        "margins": [m.__dict__ for m in margins(rows)],
    }
    return json.dumps(document, indent=2)
