"""The evaluation report: the model, its ablations and the peers on the same queries, for each
direction and each evaluated list, with the model's margins and 95% bootstrap intervals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.base import clone

from kakehashi.model import PartnerModel
from kakehashi.partnerships import partners_by
from kakehashi.scoring import default_weights
from kakehashi.similarity import COMPONENTS
from training.baselines import baseline_outcomes
from training.evaluate import (
    DIRECTIONS,
    FORWARD,
    QueryOutcome,
    candidate_ids,
    evaluate_model,
    hit_at,
    metric_names,
    reciprocal_rank,
    run_queries,
    summarize,
)
from training.train import Inputs, build_model

MODEL_NAME = "kakehashi"
BOOTSTRAP_SAMPLES = 2000
VECTORIZER_VARIANTS = {
    "without sector IDF": {"sector_idf": False},
    "without Japanese dictionary (glossary only)": {"japanese_dictionary": False},
    "without latent space (also inside interests)": {"latent_components": 0},
    # removed from the defaults (docs/model.md); measured still, so other lists can tell
    "with sector relations (0.3)": {"related_weight": 0.3},
    "without words of one document (min_df 2)": {"word_min_df": 2},
}


@dataclass(frozen=True)
class Row:
    """One method's outcomes and metrics on one list, in one direction."""

    method: str
    kind: str  # "model", "ablation" or "baseline"
    outcomes: tuple[QueryOutcome, ...]
    k: int = 10
    direction: str = FORWARD
    dataset: str = "bundled"

    @property
    def metrics(self) -> dict[str, float]:
        """The summary metrics of this row."""
        return summarize(self.outcomes, self.k)


@dataclass(frozen=True)
class Margin:
    """The model's lead over one peer, with a bootstrap confidence interval over queries."""

    baseline: str
    metric: str
    difference: float
    low: float
    high: float
    direction: str = FORWARD
    dataset: str = "bundled"


def compare(
    inputs: Inputs,
    k: int = 10,
    n_folds: int = 5,
    ablations: bool = True,
    dataset: str = "bundled",
    learn: bool = False,
) -> list[Row]:
    """For each direction: the model, optionally its ablations, then every peer.

    With `learn`, the model's weights are learned on folds grouped by query firm; otherwise it
    uses the defaults and the learned weights are one of the ablations.
    """
    model = _scoring_model(inputs, learn).fit(inputs.companies, inputs.partnerships)
    variants = _ablation_models(inputs, learn) if ablations else {}
    rows = []
    for direction, country in DIRECTIONS.items():
        like = Row("", "", (), k, direction, dataset)
        found = evaluate_model(model, inputs.partnerships, n_folds, query_country=country)
        rows.append(Row(MODEL_NAME, "model", tuple(found), k, direction, dataset))
        if ablations:
            rows += _ablations(inputs, model, variants, like, n_folds)
        peers = baseline_outcomes(inputs.companies, inputs.partnerships, country)
        rows += [
            Row(name, "baseline", tuple(o), k, direction, dataset) for name, o in peers.items()
        ]
    return rows


def _scoring_model(inputs: Inputs, learn: bool) -> PartnerModel:
    """An unfitted model for evaluation: it scores every candidate (`candidate_scores`), so it
    needs neither precomputed partners nor the explanations stored with them."""
    return build_model(inputs, learn=learn).set_params(precomputed=0)


def _ablation_models(inputs: Inputs, learn: bool) -> dict[str, PartnerModel]:
    """The model refitted with one part of its vectorizer changed (most often removed), or
    without the hub correction, and (for a model that does not learn) with learned weights."""
    found = {}
    for label, params in VECTORIZER_VARIANTS.items():
        variant = _scoring_model(inputs, learn)
        variant.vectorizer = clone(variant.vectorizer).set_params(**params)
        found[label] = variant.fit(inputs.companies, inputs.partnerships)
    unhubbed = _scoring_model(inputs, learn).set_params(hub_weight=0.0)
    found["without hub correction"] = unhubbed.fit(inputs.companies, inputs.partnerships)
    if not learn:
        learned = _scoring_model(inputs, learn=True)
        found["learned weights (grouped folds)"] = learned.fit(
            inputs.companies, inputs.partnerships
        )
    return found


def _ablations(
    inputs: Inputs, model: PartnerModel, variants: dict[str, PartnerModel], like: Row, n_folds: int
) -> list[Row]:
    """The model with one part removed at a time, on the same queries as `like`."""
    partnerships, country = inputs.partnerships, DIRECTIONS[like.direction]
    queries = partners_by(partnerships, country)
    candidates = candidate_ids(inputs.companies, country)
    found = {}
    if model.learn:
        fixed = model.with_weights(default_weights())
        found["default weights (nothing learned)"] = run_queries(
            fixed.candidate_scores, candidates, queries
        )
    for component in COMPONENTS:
        if model.learn:
            found[f"without {component}"] = evaluate_model(
                model, partnerships, n_folds, drop={component}, query_country=country
            )
        elif model.weights_[component] > 0:
            fixed = model.with_weights(default_weights({component}))
            found[f"without {component}"] = run_queries(fixed.candidate_scores, candidates, queries)
    for label, variant in variants.items():
        found[label] = evaluate_model(variant, partnerships, n_folds, query_country=country)
    return [
        Row(f"  {name}", "ablation", tuple(outcomes), like.k, like.direction, like.dataset)
        for name, outcomes in found.items()
    ]


def groups(rows: Sequence[Row]) -> dict[tuple[str, str], list[Row]]:
    """The rows of each (list, direction), in order of appearance."""
    grouped: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        grouped.setdefault((row.dataset, row.direction), []).append(row)
    return grouped


def margins(rows: Sequence[Row], seed: int = 0) -> list[Margin]:
    """MRR and hit@k of the model minus each peer, with 95% paired bootstrap intervals."""
    found = []
    for (dataset, direction), members in groups(rows).items():
        model = next(r for r in members if r.kind == "model")
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, len(model.outcomes), size=(BOOTSTRAP_SAMPLES, len(model.outcomes)))
        for baseline in (r for r in members if r.kind == "baseline"):
            for metric, value in (
                ("mrr", reciprocal_rank),
                (f"hit@{model.k}", lambda r, k=model.k: hit_at(r, k)),
            ):
                delta = _per_query(model, value) - _per_query(baseline, value)
                samples = delta[draws].mean(axis=1)
                low, high = np.percentile(samples, [2.5, 97.5])
                found.append(
                    Margin(
                        baseline.method,
                        metric,
                        float(delta.mean()),
                        float(low),
                        float(high),
                        direction,
                        dataset,
                    )
                )
    return found


def _per_query(row: Row, value) -> np.ndarray:
    ordered = sorted(row.outcomes, key=lambda o: o.query_id)
    return np.array([value(o.ranks) for o in ordered])


def format_table(rows: Sequence[Row], k: int = 10) -> str:
    """One table per (list, direction): a method per line, then the model's margins."""
    names = metric_names(k)
    width = max(len(r.method) for r in rows) + 2
    all_margins = margins(rows)
    lines = []
    for (dataset, direction), members in groups(rows).items():
        queries = members[0].metrics["queries"]
        lines.append(f"== {dataset} list, {direction}: {queries} queries ==")
        lines.append(f"{'method':<{width}}" + "".join(f"{n:>9}" for n in names))
        lines.append("-" * (width + 9 * len(names)))
        for row in members:
            metrics = row.metrics
            lines.append(f"{row.method:<{width}}" + "".join(f"{metrics[n]:>9.3f}" for n in names))
        lines.append("model minus peer (95% paired bootstrap interval over queries):")
        for m in all_margins:
            if (m.dataset, m.direction) == (dataset, direction):
                interval = f"[{m.low:+.3f}, {m.high:+.3f}]"
                lines.append(f"  {m.baseline:<40}{m.metric:>8} {m.difference:+.3f}  {interval}")
        lines.append("")
    lines.append(
        "(ties broken pessimistically; the model's weights are learned on folds grouped by"
        " query firm)"
    )
    return "\n".join(lines)


def as_json(rows: Sequence[Row]) -> str:
    """The rows and margins as a JSON document."""
    methods = [
        {
            "dataset": r.dataset,
            "direction": r.direction,
            "method": r.method.strip(),
            "kind": r.kind,
            **r.metrics,
        }
        for r in rows
    ]
    return json.dumps({"methods": methods, "margins": [asdict(m) for m in margins(rows)]}, indent=2)
