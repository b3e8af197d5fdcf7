"""Each known firm's top partners, computed at training time in chunks through joblib.

Ranking every firm against every firm of the other country is an all-pairs job (N_jp x N_il
pair scores). It is cut into chunks of query firms (`chunk` firms each); each chunk is one joblib
task that scores its firms `BLOCK_QUERIES` at a time in one pass over the candidates' matrix
(`block_scores`: the dense part of a block in one BLAS product, within a proven bound of the
exact scores) and keeps each firm's `k` best, the few that can be among them scored exactly.
The tasks are pure functions of arrays, so they run on any joblib backend: threads on one
machine by default (scipy's sparse products release the GIL), or a cluster without code
changes, e.g.

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
from kakehashi.retrieval import CountryIndex, ScoreRules, query_block, sparse_parts
from kakehashi.shortlist import LiveScores, scores_error, shortlist
from kakehashi.similarity import top_positions

FLOAT64 = 2.0**-53  # the unit roundoff of the dense part's matrix product

PRECOMPUTED_PARTNERS = 100  # partners kept per firm (documented in docs/model.md)
CHUNK_QUERIES = 256  # query firms per joblib task
BLOCK_SCORES = 2**23  # scores held at once per task (64 MiB of float64)


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
    size = block_size(candidates.groups.size)
    for start in range(0, queries.shape[0], size):
        block = query_block(queries[start : start + size], rules)
        for n, scores in enumerate(block_scores(candidates, block)):
            top, final = exact_top(scores, hubs, scales[start + n], k)
            positions[start + n, : top.size] = top
            best[start + n, : top.size] = final
    return positions, best


def block_size(candidates: int) -> int:
    """Query firms scored in one pass: up to 64 (the dense part's product gains little past it),
    while a block's scores (queries x candidates float64) stay within `BLOCK_SCORES`."""
    return int(np.clip(BLOCK_SCORES // max(candidates, 1), BLOCK_QUERIES, 64))


def block_scores(candidates: CountryIndex, block: list) -> list[LiveScores]:
    """Each query's raw scores, the dense part of all of them from one matrix product.

    The sparse part is exact (raw_scores' product). The dense part of a block of queries is one
    BLAS product of the candidates' dense block with every coefficient vector of the block
    (about a tenth of the time of one dot product per row and query, at 64 queries). Its
    values differ from the exact per-row dot products in the last bits only, within
    shortlist.dense_error at float64's unit roundoff."""
    sparse, coefficients = sparse_parts(candidates, block)
    vectors = [values for dense in coefficients for values in dense.values()]
    products = candidates.dense @ np.stack(vectors).T  # candidates x every (query, group)
    found, column, every = [], 0, np.arange(candidates.groups.size)
    for n, dense in enumerate(coefficients):
        which = np.zeros(max(dense) + 1, dtype=np.int64)
        which[list(dense)] = column + np.arange(len(dense))
        column += len(dense)
        approximate = sparse[n] + products[every, which[candidates.groups]]
        error = scores_error(candidates, dense, FLOAT64)
        found.append(LiveScores(candidates, sparse[n], dense, approximate, error))
    return found


def exact_top(
    scores: LiveScores, hubs: np.ndarray, share: float, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the k best final scores and those scores, exactly as a full exact pass
    ranks them (ties in position order): the shortlist of the approximate scores, scored
    exactly."""
    approximate = np.clip(scores.approximate - share * hubs, 0.0, 1.0)
    kept = shortlist(approximate, k, scores.error)
    final = np.clip(scores.exact(kept) - share * hubs[kept], 0.0, 1.0)
    top = top_positions(final, k)
    return kept[top], final[top]
