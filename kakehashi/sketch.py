"""A live ranking's first stage for a long list: every candidate scored roughly, the best few
exactly (retrieve, then re-rank).

Below SKETCH_FROM candidates a live ranking is exact (kakehashi/shortlist.py): it walks the posting
lists of all the query's non-zeros and reads every candidate's dense row, which is linear in the
candidates and about 30 ms at 100k. Above it, the index keeps a sketch of the dense block instead
of its float32 copy (its DIMENSIONS principal directions, fitted on the candidates, and each
candidate's coordinates in float32: 256 bytes a candidate instead of 900), and a first stage
scores every candidate by
- the sparse part of the query's largest coefficients only, those that walk POSTINGS_SHARE of the
  posting entries its full sparse part would (the largest first), and
- the dense part through the sketch: coefficients . mean + (basis . coefficients) . coordinates.
The best `reranked(k)` candidates of that rough score are then scored exactly
(retrieval.exact_raw, the bits of a full pass) and the top k taken among them. This approximates:
a candidate of the exact top k can be missed when its rough score falls outside the re-ranked few.
`benchmarks/sketch_bench.py` measures the recall@10 against the exhaustive ranking (the issue's
bar: at least 0.99) with the parameters below, chosen on synthetic lists of 10k and 100k
(docs/benchmarks.md, "A first stage for long lists"); nothing here was fitted to the bundled list,
which is far below SKETCH_FROM and ranks exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kakehashi import retrieval
from kakehashi.postings import total_lengths

SKETCH_FROM = 20_000  # candidates of one country from which the index keeps a sketch
DIMENSIONS = 64  # principal directions of the dense block kept
POSTINGS_SHARE = 0.1  # share of the query's posting entries the first stage walks
RERANKED = 1_000  # candidates scored exactly after the first stage (at least)
RERANKED_PER_RESULT = 20  # and at least this many per result asked for
_BLOCK = 65_536  # rows projected at a time (bounds the centred copy's memory)


@dataclass(frozen=True)
class Sketch:
    """The candidates' dense rows in a few principal directions."""

    mean: np.ndarray  # the dense columns' mean over the candidates
    basis: np.ndarray  # dimensions x dense columns: orthonormal principal directions
    rows: np.ndarray  # candidates x dimensions, float32: coordinates, in `order`
    order: np.ndarray  # the candidates' positions by seeking group (each group contiguous)
    starts: np.ndarray  # where each group's candidates start in `order` (and the end)


def fit_sketch(
    dense: np.ndarray, groups: np.ndarray | None = None, dimensions: int = DIMENSIONS
) -> Sketch:
    """The principal directions of the dense rows (eigenvectors of their covariance) and each
    row's coordinates in them, stored group by group (one matrix-vector product a group)."""
    groups = np.zeros(dense.shape[0], dtype=np.int8) if groups is None else groups
    order = np.argsort(groups, kind="stable")
    starts = np.searchsorted(groups[order], np.arange(int(groups.max(initial=0)) + 2))
    mean = dense.mean(axis=0)
    covariance = np.zeros((dense.shape[1], dense.shape[1]))
    for start in range(0, dense.shape[0], _BLOCK):
        centred = dense[start : start + _BLOCK] - mean
        covariance += centred.T @ centred
    _, vectors = np.linalg.eigh(covariance)  # ascending eigenvalues
    basis = np.ascontiguousarray(vectors[:, ::-1][:, : min(dimensions, dense.shape[1])].T)
    rows = np.empty((dense.shape[0], basis.shape[0]), dtype=np.float32)
    for start in range(0, dense.shape[0], _BLOCK):
        rows[start : start + _BLOCK] = (dense[order[start : start + _BLOCK]] - mean) @ basis.T
    return Sketch(mean, basis, rows, order, starts)


def sketched(index: retrieval.CountryIndex, sketch_from: int) -> retrieval.CountryIndex:
    """The index with a sketch instead of its float32 block, from `sketch_from` candidates."""
    if index.groups.size < max(sketch_from, 1) or not index.dense.size:
        return index
    return dataclasses.replace(index, dense32=None, sketch=fit_sketch(index.dense, index.groups))


def rough_scores(index: retrieval.CountryIndex, query: retrieval.QueryColumns) -> np.ndarray:
    """The first stage's raw score of every candidate of a sketched index (the module doc)."""
    row, coefficients = retrieval.query_row(index, query)
    found = retrieval.postings_product(index, pruned(row, index, POSTINGS_SHARE))
    return found[0] + rough_dense(index.sketch, coefficients)


def rough_dense(sketch: Sketch, coefficients: dict) -> np.ndarray:
    """Each candidate's dense part through the sketch, with its group's coefficients: one
    float32 matrix-vector product over each group's coordinates."""
    found = np.zeros(sketch.order.size)
    for group, values in coefficients.items():
        block = slice(sketch.starts[group], sketch.starts[group + 1])
        projected = (sketch.basis @ values).astype(np.float32)
        found[sketch.order[block]] = sketch.rows[block] @ projected + float(sketch.mean @ values)
    return found


def pruned(row: sp.csr_matrix, index: retrieval.CountryIndex, share: float) -> sp.csr_matrix:
    """The query's sparse row keeping its largest coefficients (by magnitude) until they walk
    `share` of the posting entries the whole row would."""
    if row.nnz == 0:
        return row
    lengths = total_lengths(index, row.indices)
    order = np.argsort(-np.abs(row.data), kind="stable")
    reach = np.cumsum(lengths[order])
    count = min(int(np.searchsorted(reach, share * reach[-1])) + 1, order.size)
    kept = np.sort(order[:count])
    parts = (row.data[kept], row.indices[kept], np.array([0, kept.size]))
    return sp.csr_matrix(parts, shape=row.shape)


def reranked(k: int) -> int:
    """How many candidates a first stage hands to the exact scores for a top k."""
    return max(RERANKED, RERANKED_PER_RESULT * k)


def rough_shortlist(rough: np.ndarray, size: int) -> np.ndarray:
    """Positions (ascending) of the `size` best rough scores (all when there are no more)."""
    if rough.size <= size:
        return np.arange(rough.size)
    return np.sort(np.argpartition(-rough, size - 1)[:size])
