"""Ranking metrics and the evaluation protocol over known partnerships, in both directions.

Forward (JP -> IL), each Japanese firm with known Israeli partners is a query and every Israeli
firm a candidate; backward (IL -> JP), each Israeli firm with Japanese partners is a query and
every Japanese firm a candidate. Ties are broken pessimistically: a partner tied with
non-partners is ranked after all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import GroupKFold

from kakehashi.companies import Company
from kakehashi.model import PartnerModel
from kakehashi.partnerships import Partnership, partners_by


def metric_names(k: int = 10) -> tuple[str, ...]:
    """The reported metrics for a cutoff k (hit@1 and hit@5 always, then hit@k, MRR, nDCG@k)."""
    return ("hit@1", "hit@5", f"hit@{k}", "mrr", f"ndcg@{k}")


Scorer = Callable[[str], np.ndarray]  # a query id -> scores of the other country's firms, by id
DIRECTIONS = {"JP -> IL": "JP", "IL -> JP": "IL"}  # each direction and the country of its queries
FORWARD = next(iter(DIRECTIONS))  # a Japanese firm's Israeli partners, where delegations start


@dataclass(frozen=True)
class QueryOutcome:
    """Where one query firm's known partners landed in its ranking (1-based ranks)."""

    query_id: str
    partner_ids: tuple[str, ...]
    ranks: tuple[int, ...]
    candidates: int


def pessimistic_ranks(scores: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    """1-based rank of each relevant item; ties with any other item count against it."""
    ranks = []
    for i in np.flatnonzero(relevant):
        better = np.count_nonzero(scores > scores[i])
        tied_others = np.count_nonzero(scores == scores[i]) - 1
        ranks.append(better + tied_others + 1)
    return np.array(ranks, dtype=int)


def hit_at(ranks: Sequence[int], k: int) -> float:
    """1.0 when any relevant item is in the top k."""
    return float(min(ranks) <= k)


def reciprocal_rank(ranks: Sequence[int]) -> float:
    """1 / rank of the first relevant item."""
    return 1.0 / min(ranks)


def ndcg_at(ranks: Sequence[int], k: int) -> float:
    """Binary-relevance nDCG@k."""
    dcg = sum(1.0 / np.log2(r + 1) for r in ranks if r <= k)
    ideal = sum(1.0 / np.log2(r + 1) for r in range(1, min(len(ranks), k) + 1))
    return dcg / ideal


def summarize(outcomes: Sequence[QueryOutcome], k: int = 10) -> dict[str, float]:
    """Mean of every metric over the queries, plus the number of queries."""
    names = metric_names(k)
    if not outcomes:
        return {name: 0.0 for name in names} | {"queries": 0}
    rows = [
        (
            hit_at(o.ranks, 1),
            hit_at(o.ranks, 5),
            hit_at(o.ranks, k),
            reciprocal_rank(o.ranks),
            ndcg_at(o.ranks, k),
        )
        for o in outcomes
    ]
    means = np.mean(rows, axis=0)
    return {n: round(float(v), 4) for n, v in zip(names, means, strict=True)} | {
        "queries": len(outcomes)
    }


def run_queries(
    scorer: Scorer, candidates: Sequence[str], queries: dict[str, tuple[str, ...]]
) -> list[QueryOutcome]:
    """Rank every candidate for each query and record where the known partners land."""
    position = {c: i for i, c in enumerate(candidates)}
    outcomes = []
    for query_id, partners in queries.items():
        scores = np.asarray(scorer(query_id), dtype=float)
        relevant = np.zeros(len(candidates), dtype=bool)
        relevant[[position[p] for p in partners]] = True
        ranks = pessimistic_ranks(scores, relevant)
        outcomes.append(
            QueryOutcome(query_id, partners, tuple(int(r) for r in ranks), len(candidates))
        )
    return outcomes


def grouped_folds(queries: dict[str, tuple[str, ...]], n_folds: int) -> list[list[str]]:
    """Split the query firms into folds so that no firm is in two folds."""
    ids = list(queries)
    n_folds = max(2, min(n_folds, len(ids)))
    splitter = GroupKFold(n_splits=n_folds)
    return [[ids[i] for i in test] for _, test in splitter.split(ids, groups=ids)]


def candidate_ids(companies: Sequence[Company], query_country: str = "JP") -> list[str]:
    """Ids of the candidates of a query country's firms (the other country's firms), sorted."""
    return sorted(c.id for c in companies if c.country != query_country)


def evaluate_model(
    model: PartnerModel,
    partnerships: Sequence[Partnership],
    n_folds: int = 5,
    drop: Collection[str] = (),
    query_country: str = "JP",
) -> list[QueryOutcome]:
    """Outcomes of the fitted model; when it learns weights, with folds grouped by query firm.

    The weights that rank a firm are learned only from the partnerships of the other folds'
    firms, so a firm's own partners never train the model that ranks it.
    """
    queries = partners_by(partnerships, query_country)
    candidates = candidate_ids(model.companies(), query_country)
    if not (model.learn and model.weights is None):
        return run_queries(model.candidate_scores, candidates, queries)
    side = 0 if query_country == "JP" else 1
    outcomes = []
    for fold in grouped_folds(queries, n_folds):
        held_out = set(fold)
        training_pairs = [p for p in partnerships if p.pair[side] not in held_out]
        fold_model = model.with_weights(model.learned_weights(training_pairs, drop))
        outcomes += run_queries(
            fold_model.candidate_scores, candidates, {q: queries[q] for q in fold}
        )
    return sorted(outcomes, key=lambda o: o.query_id)
