"""The evaluation report: the model, its ablations and the baselines on the same queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from training.baselines import BASELINES
from training.evaluate import (
    evaluate_model,
    israeli_ids,
    metric_names,
    partners_by_query,
    run_queries,
    summarize,
)
from training.model import PartnerModel
from training.scoring import COMPONENTS, default_weights
from training.train import Inputs, build_model

MODEL_NAME = "kakehashi (hybrid)"


@dataclass(frozen=True)
class Row:
    """One method's metrics."""

    method: str
    metrics: dict[str, float]
    kind: str  # "model", "ablation" or "baseline"


def compare(inputs: Inputs, k: int = 10, n_folds: int = 5, ablations: bool = True) -> list[Row]:
    """Metrics of the model (grouped folds), optionally its ablations, then every baseline."""
    model = build_model(inputs).fit(inputs.companies, inputs.partnerships)
    rows = [
        Row(MODEL_NAME, summarize(evaluate_model(model, inputs.partnerships, n_folds), k), "model")
    ]
    if ablations:
        rows += _ablations(inputs, model, k, n_folds)
    queries = partners_by_query(inputs.partnerships)
    candidates = israeli_ids(inputs.companies)
    for name, make in BASELINES.items():
        outcomes = run_queries(make(inputs.companies), candidates, queries)
        rows.append(Row(name, summarize(outcomes, k), "baseline"))
    return rows


def _ablations(inputs: Inputs, model: PartnerModel, k: int, n_folds: int) -> list[Row]:
    partnerships = inputs.partnerships
    queries, candidates = partners_by_query(partnerships), israeli_ids(inputs.companies)
    fixed = model.with_weights(default_weights())
    rows = [
        Row(
            "  default weights (nothing learned)",
            summarize(run_queries(fixed.candidate_scores, candidates, queries), k),
            "ablation",
        )
    ]
    for component in COMPONENTS:
        outcomes = evaluate_model(model, partnerships, n_folds, drop={component})
        rows.append(Row(f"  without {component}", summarize(outcomes, k), "ablation"))
    flat = build_model(inputs)
    flat.vectorizer = replace_params(flat.vectorizer, related_weight=0.0)
    flat.fit(inputs.companies, partnerships)
    rows.append(
        Row(
            "  without sector relations",
            summarize(evaluate_model(flat, partnerships, n_folds), k),
            "ablation",
        )
    )
    return rows


def replace_params(estimator, **params):
    """A clone of a scikit-learn estimator with some parameters changed."""
    from sklearn.base import clone

    return clone(estimator).set_params(**params)


def format_table(rows: Sequence[Row], k: int = 10) -> str:
    """A plain-text table, one method per line."""
    names = metric_names(k)
    width = max(len(r.method) for r in rows) + 2
    lines = [f"{'method':<{width}}" + "".join(f"{n:>9}" for n in names)]
    lines.append("-" * len(lines[0]))
    for row in rows:
        lines.append(f"{row.method:<{width}}" + "".join(f"{row.metrics[n]:>9.3f}" for n in names))
    queries = rows[0].metrics["queries"] if rows else 0
    lines.append(
        f"({queries} queries; ties broken pessimistically; "
        "the model's weights are learned on folds grouped by Japanese firm)"
    )
    return "\n".join(lines)


def as_json(rows: Sequence[Row]) -> str:
    """The rows as a JSON document."""
    return json.dumps(
        [{"method": r.method.strip(), "kind": r.kind, **r.metrics} for r in rows], indent=2
    )
