"""Ranking metrics and the evaluation protocol over known partnerships.

Each Japanese firm with known Israeli partners is a query; every Israeli firm is a candidate.
Ties are broken pessimistically: a partner tied with non-partners is ranked after all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import GroupKFold

from kakehashi.companies import Company
from kakehashi.model import PartnerModel
from kakehashi.partnerships import Partnership, partners_by_japanese


def metric_names(k: int = 10) -> tuple[str, ...]:
    """The reported metrics for a cutoff k (hit@1 and hit@5 always, then hit@k, MRR, nDCG@k)."""
    return ("hit@1", "hit@5", f"hit@{k}", "mrr", f"ndcg@{k}")


Scorer = Callable[[str], np.ndarray]


@dataclass(frozen=True)
class QueryOutcome:
    """Where one Japanese firm's known partners landed in its ranking (1-based ranks)."""

    japanese_id: str
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
    for japanese_id, partners in queries.items():
        scores = np.asarray(scorer(japanese_id), dtype=float)
        relevant = np.zeros(len(candidates), dtype=bool)
        relevant[[position[p] for p in partners]] = True
        ranks = pessimistic_ranks(scores, relevant)
        outcomes.append(
            QueryOutcome(japanese_id, partners, tuple(int(r) for r in ranks), len(candidates))
        )
    return outcomes


def grouped_folds(queries: dict[str, tuple[str, ...]], n_folds: int) -> list[list[str]]:
    """Split the query firms into folds so that no firm is in two folds."""
    ids = list(queries)
    n_folds = max(2, min(n_folds, len(ids)))
    splitter = GroupKFold(n_splits=n_folds)
    return [[ids[i] for i in test] for _, test in splitter.split(ids, groups=ids)]


def israeli_ids(companies: Sequence[Company]) -> list[str]:
    """Ids of the candidate (Israeli) companies, sorted."""
    return sorted(c.id for c in companies if c.country == "IL")


def evaluate_model(
    model: PartnerModel,
    partnerships: Sequence[Partnership],
    n_folds: int = 5,
    drop: Collection[str] = (),
) -> list[QueryOutcome]:
    """Outcomes of the fitted model; when it learns weights, with folds grouped by Japanese firm.

    The weights that rank a firm are learned only from the other folds' partnerships, so a firm's
    own partners never train the model that ranks it.
    """
    queries = partners_by_japanese(partnerships)
    candidates = israeli_ids(model.companies())
    if not (model.learn and model.weights is None):
        return run_queries(model.candidate_scores, candidates, queries)
    outcomes = []
    for fold in grouped_folds(queries, n_folds):
        held_out = set(fold)
        training_pairs = [p for p in partnerships if p.japanese_id not in held_out]
        fold_model = model.with_weights(model.learned_weights(training_pairs, drop))
        outcomes += run_queries(
            fold_model.candidate_scores, candidates, {q: queries[q] for q in fold}
        )
    return sorted(outcomes, key=lambda o: o.japanese_id)
