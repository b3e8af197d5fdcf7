"""Each known firm's top partners, computed at training time in chunks through joblib.

Ranking every firm against every firm of the other country is an all-pairs job (N_jp x N_il
pair scores). It is cut into chunks of query firms (`chunk` firms each); each chunk is one joblib
task that scores its firms `BLOCK_QUERIES` at a time in one pass over the candidates' matrix
(retrieval.raw_scores) and keeps each firm's `k` best. The tasks are pure functions of arrays, so
they run on any joblib backend: threads on one machine by default (scipy's sparse products release
the GIL), or a cluster without code changes, e.g.

    with joblib.parallel_config(backend="dask"):   # after dask.distributed.Client(...)
        model.fit(companies, partnerships)

The result is two arrays of shape (n firms, k): partner rows (int32, -1 past the end when the
other country has fewer than k firms) and their scores (float32, NaN past the end), best first,
ties in id order, exactly as a live ranking without filters orders them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed

from kakehashi.companies import other_country
from kakehashi.indexed import BLOCK_QUERIES
from kakehashi.retrieval import CountryIndex, ScoreRules, query_block, raw_scores
from kakehashi.similarity import top_positions

PRECOMPUTED_PARTNERS = 100  # partners kept per firm (documented in docs/model.md)
CHUNK_QUERIES = 256  # query firms per joblib task


def top_partners(
    model, k: int = PRECOMPUTED_PARTNERS, n_jobs: int | None = -1, chunk: int = CHUNK_QUERIES
) -> tuple[np.ndarray, np.ndarray]:
    """The k best partners of every firm of a fitted PartnerModel: (rows int32, scores float32)."""
    n = len(model.companies_)
    rows = np.full((n, k), -1, dtype=np.int32)
    scores = np.full((n, k), np.nan, dtype=np.float32)
    tasks = list(_tasks(model, chunk))
    found = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(chunk_top)(
            model.candidates_[country],
            model.candidate_hubs_[country],
            queries,
            model.rules_,
            k,
            model.query_scales_[query_rows],
        )
        for country, query_rows, queries in tasks
    )
    for (country, query_rows, _), (positions, best) in zip(tasks, found, strict=True):
        listed = positions >= 0
        partner_rows = np.where(listed, model.country_rows_[country][positions], -1)
        rows[query_rows] = partner_rows
        scores[query_rows] = np.where(listed, best, np.nan)
    return rows, scores


def _tasks(model, chunk: int) -> Iterator[tuple[str, np.ndarray, sp.csr_matrix]]:
    """(candidate country, query rows, the queries' stacked rows) per chunk of query firms."""
    for country, query_rows in model.country_rows_.items():
        candidates = other_country(country)
        if candidates not in model.candidates_:
            continue
        for start in range(0, len(query_rows), chunk):
            block = query_rows[start : start + chunk]
            yield candidates, block, model.stacked_rows(block)


def chunk_top(
    candidates: CountryIndex,
    hubs: np.ndarray,
    queries: sp.csr_matrix,
    rules: ScoreRules,
    k: int,
    scales: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each stacked query row, the positions (int32, -1 padded) and scores of its k best
    candidates (`scales`: each query's share of the hub penalties)."""
    positions = np.full((queries.shape[0], k), -1, dtype=np.int32)
    best = np.full((queries.shape[0], k), np.nan, dtype=np.float32)
    for start in range(0, queries.shape[0], BLOCK_QUERIES):
        block = queries[start : start + BLOCK_QUERIES]
        shares = scales[start : start + BLOCK_QUERIES, None]
        final = np.clip(raw_scores(candidates, query_block(block, rules)) - shares * hubs, 0.0, 1.0)
        for n in range(block.shape[0]):
            top = top_positions(final[n], k)
            positions[start + n, : top.size] = top
            best[start + n, : top.size] = final[n, top]
    return positions, best
