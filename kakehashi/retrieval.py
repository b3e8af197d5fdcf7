"""Exact pair scores of query firms against every firm of one country, in one matrix pass.

At fit time the firms of each country become one CSR matrix, each row a firm's profile and its
interests side by side ([profile | interests], 2 x width columns: `stack`). A query becomes three
dense columns over those positions (`SCORE_COLUMNS`): its profile weighted by each column's view
weight (the four views, already summed), then, for each seeking component, its interests facing
the candidate's profile and its profile facing the candidate's interests. One product of the
country's matrix with those columns gives the weighted views and both directions of both seeking
components for every candidate at once; only the per-candidate mean over the firms that seek is
left, a few vector operations. `component_columns` does the same with one column per view, for
the few rows whose components a ranking reports (a sparse product there).

The columns are written into a pooled scratch buffer and cleared after, so a query costs its
own non-zeros plus the one pass, not a dense vector of the whole vocabulary.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kakehashi.features import VIEWS

SCORE_COLUMNS = ("views", "interests", "sought_sectors")
_POOL: dict[tuple[int, int], list[np.ndarray]] = {}  # free scratch buffers, by shape
_POOL_LOCK = threading.Lock()


@dataclass(frozen=True)
class ScoreRules:
    """What turns a query's stacked row into its score columns: column masks and weights."""

    width: int  # columns of a profile (the stacked rows have twice as many)
    view_weights: np.ndarray  # per profile column, the weight of its view
    views: Mapping[str, np.ndarray]  # per view, 1.0 on its columns
    text: np.ndarray  # 1.0 on every text column (what `interests` compares)
    sectors: np.ndarray  # 1.0 on the sector columns (what `sought_sectors` compares)
    interests: float  # the weight of the interests component
    sought_sectors: float  # the weight of the sought-sectors component


def score_rules(masks: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> ScoreRules:
    """The rules of a model's masks (similarity.view_masks) and component weights."""
    view_weights = sum(weights[view] * masks[view] for view in VIEWS)
    return ScoreRules(
        width=len(masks["text"]),
        view_weights=view_weights,
        views={view: masks[view] for view in VIEWS},
        text=masks["text"],
        sectors=masks["sectors"],
        interests=weights["interests"],
        sought_sectors=weights["sought_sectors"],
    )


def stack(profiles: sp.csr_matrix, interests: sp.csr_matrix) -> sp.csr_matrix:
    """Each row's profile and interests side by side: the matrix a country's candidates form."""
    return sp.csr_matrix(sp.hstack([profiles, interests], format="csr"))


def seeking(stacked: sp.csr_matrix, rules: ScoreRules) -> np.ndarray:
    """Per row, 1.0 where its interests say anything in text (column 0) and in sectors (1)."""
    interests = abs(stacked[:, rules.width :])
    return np.column_stack([interests @ rules.text > 0, interests @ rules.sectors > 0]).astype(
        float
    )


def raw_scores(
    candidates: sp.csr_matrix, seeks: np.ndarray, queries: sp.csr_matrix, rules: ScoreRules
) -> np.ndarray:
    """The weighted pair scores (before hub penalties) of each query row with each candidate row.

    One column per query; `seeks` is `seeking(candidates)`.
    """
    products, query_seeks = _product(candidates, queries, rules, _score_columns)
    found = np.empty((candidates.shape[0], queries.shape[0]))
    for n in range(queries.shape[0]):
        views, forward_backward = products[:, 3 * n], products[:, 3 * n + 1 : 3 * n + 3]
        means = _means(forward_backward, seeks, query_seeks[n])
        found[:, n] = views + (0 + rules.interests * means[0] + rules.sought_sectors * means[1])
    return found


def components(
    candidates: sp.csr_matrix, seeks: np.ndarray, query: sp.csr_matrix, rules: ScoreRules
) -> dict[str, np.ndarray]:
    """Each component's (unweighted) similarity of one query row with each candidate row.

    For the few rows a ranking reports: a sparse product, no scratch of the vocabulary's size.
    """
    built, wants = _component_columns(query.indices, query.data, rules)
    at = np.concatenate([positions for positions, _ in built])
    values = np.concatenate([v for _, v in built])
    columns = np.repeat(np.arange(len(built)), [len(positions) for positions, _ in built])
    shape = (2 * rules.width, len(built))
    products = (candidates @ sp.csc_matrix((values, (at, columns)), shape=shape)).toarray()
    found = {view: products[:, n] for n, view in enumerate(VIEWS)}
    found["interests"], found["sought_sectors"] = _means(products[:, len(VIEWS) :], seeks, wants)
    return found


def _means(forward_backward: np.ndarray, seeks: np.ndarray, query_seeks: np.ndarray) -> list:
    """Both directions of each seeking component, averaged over the firms of the pair that seek."""
    found = []
    for n, scale in enumerate((3.0, 1.0)):  # the text mask spans three normalized blocks
        seekers = seeks[:, n] + query_seeks[n]
        total = forward_backward[:, n]
        mean = np.divide(total, seekers, out=np.zeros(len(seekers)), where=seekers > 0)
        found.append(mean / scale)
    return found


def _product(candidates, queries, rules, columns_of) -> tuple[np.ndarray, list[np.ndarray]]:
    """Fill a scratch buffer with each query's columns, multiply, and clear what was written."""
    per_query = []
    query_seeks = []
    for n in range(queries.shape[0]):
        start, end = queries.indptr[n], queries.indptr[n + 1]
        built, wants = columns_of(queries.indices[start:end], queries.data[start:end], rules)
        per_query.append(built)
        query_seeks.append(wants)
    width = len(SCORE_COLUMNS)
    with _scratch(2 * rules.width, width * len(per_query)) as scratch:
        written = []
        try:
            for n, built in enumerate(per_query):
                for offset, (positions, values) in enumerate(built):
                    scratch[positions, n * width + offset] = values
                    written.append((positions, n * width + offset))
            return candidates @ scratch, query_seeks
        finally:
            for positions, column in written:
                scratch[positions, column] = 0.0


def _halves(indices: np.ndarray, values: np.ndarray, rules: ScoreRules):
    left = indices < rules.width
    profile = (indices[left], values[left])
    interests = (indices[~left] - rules.width, values[~left])
    wants = np.array(
        [
            bool((rules.text[interests[0]] * interests[1]).any()),
            bool((rules.sectors[interests[0]] * interests[1]).any()),
        ]
    )
    return profile, interests, wants.astype(float)


def _crossed(profile, interests, mask: np.ndarray, wanted: float, rules: ScoreRules):
    """One seeking column: the query's interests face the candidate's profile (left half, only
    when the query seeks), its profile faces the candidate's interests (right half)."""
    (p_at, p_values), (i_at, i_values) = profile, interests
    at, values = [p_at + rules.width], [p_values * mask[p_at]]
    if wanted:
        at.append(i_at)
        values.append(i_values * mask[i_at])
    return np.concatenate(at), np.concatenate(values)


def _score_columns(indices, values, rules: ScoreRules):
    profile, interests, wants = _halves(indices, values, rules)
    at, weighted = profile[0], profile[1] * rules.view_weights[profile[0]]
    return [
        (at, weighted),
        _crossed(profile, interests, rules.text, wants[0], rules),
        _crossed(profile, interests, rules.sectors, wants[1], rules),
    ], wants


def _component_columns(indices, values, rules: ScoreRules):
    profile, interests, wants = _halves(indices, values, rules)
    per_view = [(profile[0], profile[1] * rules.views[view][profile[0]]) for view in VIEWS]
    seeking = [
        _crossed(profile, interests, rules.text, wants[0], rules),
        _crossed(profile, interests, rules.sectors, wants[1], rules),
    ]
    return [*per_view, *seeking], wants


@contextmanager
def _scratch(rows: int, columns: int) -> Iterator[np.ndarray]:
    """A zeroed (rows x columns) buffer, borrowed from a pool and given back clean.

    A pool rather than one buffer per thread: under gevent a "thread" is a greenlet, one per
    request, and each would keep its own buffer of the vocabulary's size; the pool holds only as
    many as run at once.
    """
    key = (rows, columns)
    with _POOL_LOCK:
        free = _POOL.setdefault(key, [])
        buffer = free.pop() if free else None
    if buffer is None:
        buffer = np.zeros((rows, columns))
    try:
        yield buffer
    finally:
        with _POOL_LOCK:
            _POOL[key].append(buffer)
