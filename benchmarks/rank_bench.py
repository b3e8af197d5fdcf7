"""Ranking core latency: the model against peers on the same vectors, for one Japanese firm.

Peers see the model's own fitted profiles (`profiles_`): the query firm's row and the rows of
every Israeli firm. Their reference is the exhaustive cosine ranking of those rows; the model's
reference is the full sort of its own `score_all`. The model is timed live (its precomputed
partners set aside: what an ad-hoc profile or a filtered query costs), with the ten explanations,
with a sector filter, answering from its precomputed partners, and the bare precomputed lookup,
and answering from them with the ten explanations stored at training time.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize

from benchmarks.tables import percentile
from kakehashi.companies import Company
from kakehashi.explain import explain
from kakehashi.queries import Filters
from kakehashi.registry import load_promoted

TOP_K = 10
DENSE_LIMIT_BYTES = 2 * 2**30  # faiss needs a dense float32 copy of the candidates


@dataclass(frozen=True)
class Timed:
    """One method's latencies (ms) and its top-10 overlap with its exhaustive ranking."""

    method: str
    p50: float
    p99: float
    overlap: float | None
    note: str = ""


def top_of(scores: np.ndarray, k: int = TOP_K) -> np.ndarray:
    """Positions of the k highest scores, best first, ties by position (the exhaustive ranking)."""
    return np.argsort(-scores, kind="stable")[:k]


def overlap(found: np.ndarray, exact: np.ndarray) -> float:
    """Share of the exact top-k that a method found."""
    return len(set(found.tolist()) & set(exact.tolist())) / len(exact)


def measure(run: Callable[[], np.ndarray], repeat: int) -> tuple[list[float], np.ndarray]:
    """Latencies in ms of `repeat` calls (after one warm-up) and the last call's top positions."""
    found = run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        found = run()
        times.append((time.perf_counter() - started) * 1000)
    return times, np.asarray(found)


Call = Callable[[], np.ndarray]  # a method's call: its top-10 candidate positions, best first


def peers(query: sp.csr_matrix, candidates: sp.csr_matrix) -> Iterator[tuple[str, Callable]]:
    """Each peer as (name, build): build() fits it (fitting is not timed) and returns its call.
    bench_rank builds one at a time and drops it before the next: at 1M a normalized copy of
    the candidates is 5.5 GB, and every peer's at once would not fit in memory."""
    yield "NearestNeighbors(cosine, brute)", lambda: _neighbors(query, candidates)
    yield "cosine_similarity + argsort", lambda: _cosine(query, candidates)
    yield "CSR q @ X.T + argpartition", lambda: _csr_argpartition(query, candidates)
    if _has("sparse_dot_topn"):
        yield "sparse_dot_topn sp_matmul_topn", lambda: _topn(query, candidates)
    if _has("faiss") and _dense_bytes(candidates) <= DENSE_LIMIT_BYTES:
        yield "faiss IndexFlatIP (dense view)", lambda: _faiss(query, candidates)


def _neighbors(query: sp.csr_matrix, candidates: sp.csr_matrix) -> Call:
    neighbors = NearestNeighbors(n_neighbors=TOP_K, metric="cosine", algorithm="brute")
    neighbors.fit(candidates)
    return lambda: neighbors.kneighbors(query)[1][0]


def _cosine(query: sp.csr_matrix, candidates: sp.csr_matrix) -> Call:
    return lambda: top_of(cosine_similarity(query, candidates)[0])


def _csr_argpartition(query: sp.csr_matrix, candidates: sp.csr_matrix) -> Call:
    unit_t = normalize(candidates).T.tocsr()

    def csr_argpartition() -> np.ndarray:
        scores = (normalize(query) @ unit_t).toarray().ravel()
        part = np.argpartition(-scores, TOP_K)[:TOP_K]
        return part[np.argsort(-scores[part], kind="stable")]

    return csr_argpartition


def _topn(query: sp.csr_matrix, candidates: sp.csr_matrix) -> Call:
    from sparse_dot_topn import sp_matmul_topn

    unit_t = normalize(candidates).T.tocsr()
    return lambda: sp_matmul_topn(normalize(query), unit_t, top_n=TOP_K, sort=True).indices


def _faiss(query: sp.csr_matrix, candidates: sp.csr_matrix) -> Call:
    import faiss

    index = faiss.IndexFlatIP(candidates.shape[1])
    index.add(normalize(candidates).toarray().astype(np.float32))

    def search() -> np.ndarray:
        dense = normalize(query).toarray().astype(np.float32)
        return index.search(dense, TOP_K)[1][0]

    return search


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _dense_bytes(candidates: sp.csr_matrix) -> int:
    return candidates.shape[0] * candidates.shape[1] * 4  # faiss's float32 copy


def bench_rank(models_dir: Path, repeat: int) -> tuple[list[Timed], dict[str, object]]:
    """Time the model and every peer on the promoted model of `models_dir`."""
    started = time.perf_counter()
    model = load_promoted(models_dir).model
    load_s = time.perf_counter() - started
    row = int(np.flatnonzero(model.countries_ == "JP")[0])
    il_rows = np.flatnonzero(model.countries_ == "IL")
    query = model._query_at(row)
    firm = model.companies_[row]
    profile = Company("adhoc", "Ad hoc", "JP", firm.sectors, firm.description, firm.interests)
    own = top_of(model.score_all(query)[il_rows])
    row_of = {r: n for n, r in enumerate(il_rows)}
    results = []
    for name, run, with_overlap in model_methods(model, query, profile):
        times, found = measure(run, repeat)
        share = overlap(np.array([row_of[m.row] for m in found]), own) if with_overlap else None
        results.append(Timed(name, percentile(times, 50), percentile(times, 99), share))
    candidates = model.profiles_[il_rows].tocsr()
    vector = model.profiles_[row]
    exact = top_of(cosine_similarity(vector, candidates)[0])
    for name, build in peers(vector, candidates):
        run = build()
        times, found = measure(run, repeat)
        del run  # the peer's copy of the candidates goes before the next one is fitted
        results.append(
            Timed(name, percentile(times, 50), percentile(times, 99), overlap(found, exact))
        )
    dense_gb = _dense_bytes(candidates) / 2**30
    if _has("faiss") and _dense_bytes(candidates) > DENSE_LIMIT_BYTES:
        nan = float("nan")
        name = f"faiss IndexFlatIP: skipped, dense view {dense_gb:.1f} GiB"
        results.append(Timed(name, nan, nan, None))
    info = {
        "load_s": load_s,
        "shape": model.profiles_.shape,
        "nnz": model.profiles_.nnz,
        "candidates": il_rows.size,
    }
    return results, info


def model_methods(model, query, profile: Company) -> list[tuple[str, Callable, bool]]:
    """(name, call, whether it returns matches to compare) of each way the model ranks."""
    live = copy.copy(model)
    live.partner_rows_ = live.partner_scores_ = None
    sectors = Filters(sectors=tuple(query.company.sectors[:1]))

    def fresh():  # each call a new request's query: nothing its memo kept from the calls before
        return dataclasses.replace(query, memo={})

    def explained() -> list:
        asked = fresh()
        found = live.rank(asked, TOP_K)
        for match in found:  # not live.explain: the model keeps its pairs' explanations
            explain(live, asked, match)
        return found

    methods = [
        ("model.rank live (top 10, no explanations)", lambda: live.rank(fresh(), TOP_K), True),
        ("model.rank live + 10 explanations", explained, True),
        ("model.rank live, sector filter", lambda: live.rank(fresh(), TOP_K, sectors), False),
        ("model.score_all (all scores)", lambda: live.score_all(fresh()), False),
        (
            "query_for_profile + rank (ad hoc)",
            lambda: live.rank(live.query_for_profile(profile), TOP_K),
            False,
        ),
    ]
    if getattr(model, "partner_rows_", None) is not None:
        company_id = query.company.id
        methods += [
            ("model.rank from precomputed partners", lambda: model.rank(fresh(), TOP_K), True),
            (
                "precomputed lookup (rows + scores)",
                lambda: model.precomputed_partners(company_id),
                False,
            ),
        ]
    if getattr(model, "explained_", None) is not None:

        def stored() -> list:  # what a known firm's first /partners request runs
            asked = fresh()
            found = model.rank(asked, TOP_K)
            for match in found:
                model.explain(asked, match)  # the explanations stored at training time
            return found

        methods.append(("precomputed partners + 10 stored explanations", stored, True))
    return methods


def rank_rows(n: int, results: list[Timed]) -> list[list[object]]:
    """Rows of the ranking table: p50, p99, ratio to the model's rank p50, overlap."""
    base = results[0].p50
    return [
        [
            f"{n:,}",
            r.method,
            f"{r.p50:.2f}",
            f"{r.p99:.2f}",
            f"{r.p50 / base:.3g}",
            "-" if r.overlap is None else f"{r.overlap:.1f}",
        ]
        for r in results
    ]


RANK_HEADER = ["N", "method", "p50 ms", "p99 ms", "p50 / model.rank", "top-10 overlap"]
