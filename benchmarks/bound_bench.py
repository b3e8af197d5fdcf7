"""Can an exact first stage skip candidates? The share that block bounds still have to score.

usage: python -m benchmarks.bound_bench --models-dir DIR [--queries 30] [--sizes 32,128,512]

A live ranking under the linear cost of scoring every candidate, with the exact top 10 kept, needs
a bound on the best final score inside a block of candidates: a block whose bound is below the
query's 10th best score is skipped (block-max WAND, cluster pruning), every other block is scored.
For Japanese query firms of the model against the Israeli candidates, this prints the share of
blocks, and of candidates, whose bound reaches the query's exact 10th best final score: what such a
first stage would still score exactly, whatever it costs to get there.

Bounds, each valid for every candidate of its block (so skipping below it loses nothing):
- "block max": the sparse part is at most the query's positive coefficients times each column's
  largest value in the block; the dense part at most, column by column, the larger of the
  coefficient times the block's largest and its smallest value; the hub penalty at least the
  block's smallest; clipped to [0, 1] as the final scores are.
- "radius, sparse exact": blocks are k-means clusters of the dense rows; the dense part is at most
  coefficients . centroid + |coefficients| x the cluster's radius (Cauchy-Schwarz), and the sparse
  part is taken at its exact largest value in the cluster: no sparse bound can be tighter, so this
  is a floor for any scheme that bounds the dense part by clusters.
Orderings: id order (as the index stores them); by seeking group, then k-means cluster of the
dense rows (clusters of about a block's size), which is what makes block-max bounds tight in
text retrieval.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import MiniBatchKMeans

from benchmarks.tables import machine, table
from kakehashi import postings, retrieval, similarity, stacking
from kakehashi.registry import load_promoted

TOP_K = 10
TOLERANCE = 1e-9  # the bounds' own float64 sums


@dataclass(frozen=True)
class Query:
    """One query firm's exact final scores with every candidate, and its scoring parts."""

    final: np.ndarray
    sparse_row: sp.csr_matrix  # its coefficients over the index's postings
    dense: dict[int, np.ndarray]  # its coefficients over the dense columns, per seeking group
    scale: float  # the share of the hub penalties its rankings take


@dataclass(frozen=True)
class Blocks:
    """Candidates cut into blocks (positions in the index), with what the bounds read."""

    order: np.ndarray
    starts: np.ndarray
    sparse_max: sp.csr_matrix  # blocks x postings columns: the largest value in the block
    dense_max: np.ndarray  # blocks x dense columns
    dense_min: np.ndarray
    hub_min: np.ndarray
    groups: np.ndarray  # blocks x GROUPS: whether the block holds a candidate of the group


def queries(model, count: int, seed: int = 0) -> Iterator[Query]:
    """Up to `count` Japanese firms of the model, as Query records against the Israeli firms."""
    index, japanese = model.candidates_["IL"], model.country_rows_["JP"]
    rows = np.random.default_rng(seed).permutation(japanese)[:count]
    for row in rows:
        query = model.query_for(model.companies_[row].id)
        stacked = stacking.stack(query.profile, query.interests)
        sparse_row, dense = retrieval.query_row(
            index, retrieval.query_columns(stacked, model.rules_)
        )
        final = model.score_all(query)[model.country_rows_["IL"]]
        yield Query(final, sparse_row, dense, model.query_scale(query))


@dataclass(frozen=True)
class Clusters:
    """k-means clusters of the candidates' dense rows, with what the radius bound reads."""

    labels: np.ndarray
    centers: np.ndarray
    radius: np.ndarray  # each cluster's largest distance from its centre
    hub_min: np.ndarray
    groups: np.ndarray  # clusters x GROUPS: whether the cluster holds a candidate of the group


def candidate_rows(model) -> sp.csr_matrix:
    """The Israeli candidates' rows over the postings' columns (the postings transposed)."""
    return postings.feature_major(model.candidates_["IL"]).T.tocsr()


def cut(model, rows: sp.csr_matrix, order: np.ndarray, size: int) -> Blocks:
    """The Israeli candidates (`rows`: candidate_rows) in `order`, cut into blocks of `size`."""
    index, hubs = model.candidates_["IL"], model.candidate_hubs_["IL"]
    starts = np.arange(0, order.size, size)
    rows = rows[order]
    sparse_max = sp.vstack([rows[s : s + size].max(axis=0) for s in starts]).tocsr()
    dense = index.dense[order]
    member = np.eye(retrieval.GROUPS, dtype=np.int64)[index.groups[order]]
    return Blocks(
        order,
        starts,
        sparse_max,
        np.maximum.reduceat(dense, starts, axis=0),
        np.minimum.reduceat(dense, starts, axis=0),
        np.minimum.reduceat(hubs[order], starts),
        np.add.reduceat(member, starts, axis=0) > 0,
    )


def block_max_bounds(blocks: Blocks, query: Query) -> np.ndarray:
    """Each block's upper bound on the query's final scores of its candidates."""
    positive = query.sparse_row.copy()
    positive.data = np.maximum(positive.data, 0.0)
    sparse = (positive @ blocks.sparse_max.T).toarray()[0]
    dense = np.full(blocks.starts.size, -np.inf)
    for group, values in query.dense.items():
        extreme = np.maximum(blocks.dense_max * values, blocks.dense_min * values).sum(axis=1)
        dense = np.where(blocks.groups[:, group], np.maximum(dense, extreme), dense)
    return np.clip(sparse + dense - query.scale * blocks.hub_min, 0.0, 1.0)


def radius_bounds(model, clusters: Clusters, query: Query) -> np.ndarray:
    """Each cluster's bound with the dense part by Cauchy-Schwarz and the sparse part exact."""
    sparse = retrieval.postings_product(model.candidates_["IL"], query.sparse_row)[0]
    best_sparse = np.full(len(clusters.centers), -np.inf)
    np.maximum.at(best_sparse, clusters.labels, sparse)
    dense = np.full(len(clusters.centers), -np.inf)
    for group, values in query.dense.items():
        reach = clusters.centers @ values + np.linalg.norm(values) * clusters.radius
        dense = np.where(clusters.groups[:, group], np.maximum(dense, reach), dense)
    return np.clip(best_sparse + dense - query.scale * clusters.hub_min, 0.0, 1.0)


def block_best(final: np.ndarray, starts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Each block's best exact final score."""
    return np.maximum.reduceat(final[order], starts)


def clusters(model, size: int, seed: int = 0) -> Clusters:
    """k-means clusters of the Israeli candidates' dense rows, about `size` a cluster."""
    index, hubs = model.candidates_["IL"], model.candidate_hubs_["IL"]
    count = max(1, min(index.dense.shape[0], index.dense.shape[0] // size))
    fitted = MiniBatchKMeans(n_clusters=count, random_state=seed, n_init=1).fit(index.dense)
    labels, centers = fitted.labels_, fitted.cluster_centers_
    radius, hub_min = np.zeros(count), np.full(count, np.inf)
    np.maximum.at(radius, labels, np.linalg.norm(index.dense - centers[labels], axis=1))
    np.minimum.at(hub_min, labels, hubs)
    groups = np.zeros((count, retrieval.GROUPS), dtype=bool)
    groups[labels, index.groups] = True
    return Clusters(labels, centers, radius, hub_min, groups)


def shares(model, query_list: list[Query], sizes: Sequence[int]) -> list[list[object]]:
    """The table's rows: per bound, ordering and size, the shares a first stage must score."""
    index, rows = model.candidates_["IL"], candidate_rows(model)
    found = []
    for size in sizes:
        clustered = clusters(model, size)
        labels, count = clustered.labels, len(clustered.centers)
        grouped = np.lexsort((labels, index.groups))
        for name, order in (
            ("id order", np.arange(index.groups.size)),
            ("group, k-means", grouped),
        ):
            blocks = cut(model, rows, order, size)
            needed = [block_max_bounds(blocks, q) >= _threshold(q) for q in query_list]
            found.append(_row("block max", name, size, blocks, needed, index.postings.nnz))
        sizes_of = np.bincount(labels, minlength=count)
        needed = [radius_bounds(model, clustered, q) >= _threshold(q) for q in query_list]
        share = [sizes_of[n].sum() / labels.size for n in needed]
        found.append(["radius, sparse exact", "k-means", size, count, "-",
                      *_spread([n.mean() for n in needed]), float(np.mean(share))])  # fmt: skip
    return found


def _threshold(query: Query) -> float:
    return similarity.kth_highest(query.final, TOP_K) - TOLERANCE


def _row(bound: str, name: str, size: int, blocks: Blocks, needed: list, nnz: int) -> list:
    lengths = np.diff(np.append(blocks.starts, blocks.order.size))
    share = [lengths[n].sum() / blocks.order.size for n in needed]
    nonzeros = blocks.sparse_max.nnz / max(nnz, 1)
    return [bound, name, size, blocks.starts.size, nonzeros, *_spread([n.mean() for n in needed]),
            float(np.mean(share))]  # fmt: skip


def _spread(values: list[float]) -> tuple[float, float]:
    return float(np.mean(values)), float(np.max(values))


def contrast(query_list: list[Query]) -> list[list[object]]:
    """How far the 10th best final score stands above the rest: the quantiles beside it."""
    rows = []
    for label, q in (("10th best", None), ("99th percentile", 99), ("median", 50)):
        picked = [
            similarity.kth_highest(x.final, TOP_K) if q is None else np.percentile(x.final, q)
            for x in query_list
        ]
        rows.append([label, float(np.mean(picked)), float(np.min(picked)), float(np.max(picked))])
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--sizes", default="32,128,512", help="block sizes, comma-separated")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    model = load_promoted(args.models_dir).model
    query_list = list(queries(model, args.queries))
    sizes = [int(s) for s in args.sizes.split(",")]
    candidates = model.country_rows_["IL"].size
    print(table(
        f"Final scores of {len(query_list)} JP firms with {candidates:,} IL firms",
        ["score", "mean", "min", "max"], contrast(query_list),
    ))  # fmt: skip
    print(table(
        "What an exact first stage must score (blocks whose bound reaches the 10th best)",
        ["bound", "ordering", "block size", "blocks", "bound non-zeros / postings",
         "blocks to score, mean", "max", "candidates to score, mean"],
        shares(model, query_list, sizes),
    ))  # fmt: skip


if __name__ == "__main__":
    main()
