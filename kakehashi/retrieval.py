"""Exact pair scores of query firms against every firm of one country, in one pass.

A pair score is the weighted views plus, for each seeking component, both directions (the query's
interests facing the candidate's profile, its profile facing the candidate's interests) averaged
over the firms of the pair that seek. That average is the only non-linear part, and its divisor
depends on the candidate only through its two "does it seek" flags: its seeking group (4 at most).
Within a group the divisors are constants, so the weighted views and both seeking components fold
into ONE coefficient per column of [profile | interests] (`QueryColumns`), and a score is one dot
product of the candidate's stacked row with its group's coefficients.

At fit time each country's candidates become a `CountryIndex` in two parts:
- `dense`: the columns that are on at least DENSE_SHARE of the candidates (and the profiles'
  latent block, on every row), as a dense (candidates x columns) array: a long posting list costs
  more to walk than a dense dot product, and half-filled it takes 8 bytes a row, not 6 (sparse).
- `dense32`: that block in float32, a live ranking's first pass (shortlist.py; a sketch instead
  from sketch.SKETCH_FROM candidates).
- `postings`: every other non-zero, feature-major, group g's candidates in row block g (row
  g x 2 width + j lists group g's candidates with a non-zero in stacked column j; past
  postings.TILE candidates, per tile). A query's sparse row (its group coefficients side by side)
  times `postings` walks only the lists of its own non-zeros (scipy's sparse x sparse product).
The dense part is one np.vecdot per distinct set of group coefficients: each row's sum is
computed the same way whatever the rows around it, unlike a BLAS matrix-vector product. `report`
computes the same scores for a few rows from their row-major rows (the sparse sums run in the same
column order, so the bits are the same), with each component's (unweighted) similarity beside
them, in one product with a pooled scratch buffer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

try:  # scipy's own routines behind `@` of CSR matrices (private, so checked)
    from scipy.sparse._sparsetools import csr_matmat, csr_matvec
except ImportError:  # pragma: no cover - a scipy that moved them: `@` gives the same bits
    csr_matmat = csr_matvec = None

from kakehashi.features import TEXT_VIEWS, VIEWS
from kakehashi.postings import CandidateBlocks, tiled_rows
from kakehashi.query_columns import (  # noqa: F401 (re-exported: the scoring interface)
    GROUPS,
    QueryColumns,
    ScoreRules,
    query_block,
    query_columns,
    score_rules,
)
from kakehashi.stacking import stack_rows

if TYPE_CHECKING:  # sketch.py builds on this module
    from kakehashi.sketch import Sketch

DENSE_SHARE = 0.5  # a column on at least this share of the candidates is stored dense (below)
REPORT_COLUMNS = GROUPS + len(VIEWS) + 2  # report's product: a score per group, each component
_POOL: dict[tuple[int, int], list[np.ndarray]] = {}  # free scratch buffers, by shape
_POOL_LOCK = threading.Lock()


@dataclass(frozen=True)
class CountryIndex:
    """The candidates of one country, laid out for the one-pass score (see the module doc)."""

    postings: sp.csr_matrix  # tiles x lists (postings.py); the dense columns left out
    dense: np.ndarray  # candidates x dense columns (C order)
    dense32: np.ndarray | None  # the same in float32: a live ranking's first pass (shortlist.py)
    dense_norm: float  # the largest L2 norm of a candidate's dense row (bounds float32's error)
    dense_columns: np.ndarray  # the stacked columns kept dense, ascending
    groups: np.ndarray  # int8 per candidate: its seeking group
    seeks: np.ndarray  # candidates x 2: seeks in text (column 0), in sectors (1), as 0.0 / 1.0
    present: tuple[int, ...]  # the groups that have candidates
    sketch: Sketch | None = None  # a long list's first stage instead of dense32 (sketch.py)
    tiles: int = 1  # tiles of candidates the postings are cut into (postings.py)

    @property
    def lists(self) -> int:  # posting lists per tile: GROUPS x 2 width
        return self.postings.shape[0] // self.tiles


def build_index(
    profiles: sp.csr_matrix,
    interests: sp.csr_matrix,
    seeks: np.ndarray,
    latent: np.ndarray,
    rows: np.ndarray | None = None,
) -> CountryIndex:
    """The CountryIndex of one country's `rows` (in id order; all when None), built in blocks."""
    rows = np.arange(profiles.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    groups = (2 * seeks[:, 0] + seeks[:, 1]).astype(np.int8)
    blocks = CandidateBlocks(profiles, interests, rows, groups, GROUPS)
    lengths = blocks.list_lengths()
    counts = lengths.reshape(-1, 2 * profiles.shape[1]).sum(axis=0)  # per stacked column
    frequent = np.flatnonzero(counts >= DENSE_SHARE * rows.size) if rows.size else counts[:0]
    dense_columns = np.union1d(latent, frequent).astype(np.int64)
    dense, postings = blocks.split(dense_columns, lengths)
    present = tuple(int(g) for g in np.unique(groups))
    seeks = np.ascontiguousarray(seeks, dtype=float)
    norm = float(np.linalg.norm(dense, axis=1).max()) if dense.size else 0.0
    found = (postings, dense, dense.astype(np.float32), norm, dense_columns, groups, seeks)
    return CountryIndex(*found, present, tiles=blocks.tiles)


def raw_scores(index: CountryIndex, queries: list[QueryColumns]) -> np.ndarray:
    """The weighted pair scores (before hub penalties) of each query with each candidate of the
    index: one row per query."""
    found, coefficients = sparse_parts(index, queries)
    for n, dense in enumerate(coefficients):
        found[n] += dense_products(index.dense, index.groups, dense)
    return found


def sparse_parts(index: CountryIndex, queries: list[QueryColumns]) -> tuple[np.ndarray, list]:
    """Each query's raw scores in two parts: the sparse part's sum for every candidate (a row per
    query), and its coefficients over the dense columns per group; raw_scores' row n is, to the
    bit, `sparse[n] + dense_products(index.dense, index.groups, coefficients[n])`."""
    split = [_split(index, query) for query in queries]
    return postings_product(index, _sparse_rows(index, split)), [d for _, d in split]


def query_row(index: CountryIndex, query: QueryColumns) -> tuple[sp.csr_matrix, dict]:
    """The query's sparse coefficients as one row over the index's postings, and its
    coefficients over the dense columns per group."""
    split = _split(index, query)
    return _sparse_rows(index, [split]), split[1]


def _sparse_rows(index: CountryIndex, split: list[tuple[dict, dict]]) -> sp.csr_matrix:
    """The queries' sparse coefficients (from `_split`) as rows over the index's postings."""
    at = [np.concatenate([at for at, _ in sparse.values()]) for sparse, _ in split]
    values = [np.concatenate([v for _, v in sparse.values()]) for sparse, _ in split]
    indptr = np.concatenate([[0], np.cumsum([a.size for a in at])])
    shape = (len(split), index.lists)
    return sp.csr_matrix((np.concatenate(values), np.concatenate(at), indptr), shape=shape)


def postings_product(index: CountryIndex, rows: sp.csr_matrix) -> np.ndarray:
    """`rows` (queries x lists: coefficients over the posting lists) times the index's postings,
    tile by tile in one product (postings.tiled_rows): a (queries x candidates) array."""
    tiled = tiled_rows(rows, index.tiles, index.lists)
    found = product_array(tiled, index.postings).reshape(rows.shape[0], -1)
    return found[:, : index.groups.size]


def product_array(rows: sp.csr_matrix, columns: sp.csr_matrix) -> np.ndarray:
    """`(rows @ columns).toarray()` of two CSR matrices, by scipy's own sparse product routine
    (the same sums in the same order, so the same bits) in one pass: `@` first walks every row of
    `columns` once more only to count the product's non-zeros, where the lengths of the rows it
    meets (and the product's size) bound them."""
    height, width = rows.shape[0], columns.shape[1]
    lengths = columns.indptr[rows.indices + 1] - columns.indptr[rows.indices]  # not np.diff of all
    bound = min(int(lengths.sum(dtype=np.int64)), height * width)
    kind = columns.indices.dtype
    if csr_matmat is None or bound >= np.iinfo(kind).max or columns.indptr.dtype != kind:
        return (rows @ columns).toarray()
    indptr, indices = np.empty(height + 1, dtype=kind), np.empty(bound, dtype=kind)
    data = np.empty(bound)
    csr_matmat(
        height, width, rows.indptr.astype(kind), rows.indices.astype(kind), rows.data,
        columns.indptr, columns.indices, columns.data, indptr, indices, data,
    )  # fmt: skip
    found = np.zeros((height, width))
    owners = np.repeat(np.arange(height), np.diff(indptr))
    found[owners, indices[: indptr[-1]]] = data[: indptr[-1]]
    return found


def report(
    rows: sp.csr_matrix, index: CountryIndex, positions: np.ndarray, query: QueryColumns
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """For a few candidates (their stacked rows, at `positions` of the index): the raw scores,
    equal to raw_scores' to the bit, and each component's (unweighted) similarity."""
    groups, seeks = index.groups[positions], index.seeks[positions]
    offset = 2 * query.width
    sparse, dense = _split(index, query)
    columns = [(np.empty(0, dtype=np.int64), np.empty(0))] * GROUPS  # column g: group g's
    for group, (at, values) in sparse.items():
        columns[group] = (at - group * offset, values)
    products = _product(rows, [*columns, *query.components], offset)
    raw = products[np.arange(groups.size), groups]
    raw += dense_products(index.dense[positions], groups, dense)
    found = {view: products[:, GROUPS + n] for n, view in enumerate(VIEWS)}
    seeking = products[:, GROUPS + len(VIEWS) :]
    found["interests"], found["sought_sectors"] = _means(seeking, seeks, query.wants)
    return raw, found


def exact_raw(
    profiles: sp.csr_matrix,
    interests: sp.csr_matrix,
    rows: np.ndarray,
    index: CountryIndex,
    positions: np.ndarray,
    query: QueryColumns,
) -> np.ndarray:
    """report's raw scores (raw_scores' bits) of the candidates at `positions` of the index,
    `rows` of the profiles and interests, without stacking them: scipy's matrix-vector routine
    adds into its output, so the profile's products then the interests' continue one sum per
    row, in the stacked row's column order (what a re-ranking of a thousand candidates needs)."""
    if csr_matvec is None:  # pragma: no cover - see the import
        return report(stack_rows(profiles, interests, rows), index, positions, query)[0]
    groups, width = index.groups[positions], profiles.shape[1]
    sparse, dense = _split(index, query)
    raw = np.zeros(groups.size)
    for group, (at, values) in sparse.items():
        members = np.flatnonzero(groups == group)
        if not members.size:
            continue
        coefficients = np.zeros(2 * width)
        coefficients[at - group * 2 * width] = values
        found = np.zeros(members.size)
        for matrix, half in ((profiles, slice(0, width)), (interests, slice(width, None))):
            part = matrix[rows[members]]
            if not part.has_sorted_indices:
                part.sort_indices()
            vector = np.ascontiguousarray(coefficients[half])
            csr_matvec(members.size, width, part.indptr, part.indices, part.data, vector, found)
        raw[members] = found
    return raw + dense_products(index.dense[positions], groups, dense)


def _split(index: CountryIndex, query: QueryColumns) -> tuple[dict, dict]:
    """Per group of the index: the query's sparse columns (offset into the group's block of
    postings) and its coefficients over the index's dense columns."""
    sparse, dense = {}, {}
    for group in index.present:
        at, values = query.columns[group]
        place = np.searchsorted(index.dense_columns, at)
        inside = place < index.dense_columns.size
        inside[inside] = index.dense_columns[place[inside]] == at[inside]
        sparse[group] = (at[~inside] + group * 2 * query.width, values[~inside])
        dense[group] = np.zeros(index.dense_columns.size)
        dense[group][place[inside]] = values[inside]
    return sparse, dense


def dense_products(block: np.ndarray, groups: np.ndarray, coefficients: dict) -> np.ndarray:
    """Each row's dot product with its group's dense coefficients (one np.vecdot per distinct
    set: a dot product per row, computed the same way whatever the rows around it, unlike a BLAS
    matrix-vector product, whose result for a row depends on its place in the blocking), in the
    block's precision."""
    distinct, which = [], np.zeros(GROUPS, dtype=np.int64)
    for group, values in coefficients.items():
        same = [n for n, seen in enumerate(distinct) if np.array_equal(seen, values)]
        which[group] = same[0] if same else len(distinct)
        if not same:
            distinct.append(values)
    found = [np.vecdot(block, values.astype(block.dtype, copy=False)) for values in distinct]
    if len(found) == 1:
        return found[0]
    return np.stack(found)[which[groups], np.arange(groups.size)]


def _means(forward_backward: np.ndarray, seeks: np.ndarray, query_seeks: np.ndarray) -> list:
    """Both directions of each seeking component, averaged over the firms of the pair that seek."""
    found = []
    for n, scale in enumerate((len(TEXT_VIEWS), 1.0)):
        seekers = seeks[:, n] + query_seeks[n]
        total = forward_backward[:, n]
        mean = np.divide(total, seekers, out=np.zeros(len(seekers)), where=seekers > 0)
        found.append(mean / scale)
    return found


def _product(rows: sp.csr_matrix, columns: list, height: int) -> np.ndarray:
    """`rows` times the sparse columns given as (positions, values), through a pooled dense
    scratch buffer cleared after use (a query costs its own non-zeros, not the vocabulary)."""
    with _scratch(height, len(columns)) as scratch:
        try:
            for n, (positions, values) in enumerate(columns):
                scratch[positions, n] = values
            return rows @ scratch
        finally:
            for n, (positions, _) in enumerate(columns):
                scratch[positions, n] = 0.0


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
