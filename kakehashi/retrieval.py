"""Exact pair scores of query firms against every firm of one country, in one pass.

A pair score is the weighted views plus, for each seeking component, both directions (the query's
interests facing the candidate's profile, its profile facing the candidate's interests) averaged
over the firms of the pair that seek. That average is the only non-linear part, and its divisor
depends on the candidate only through its two "does it seek" flags: its seeking group (4 at most).
Within a group the divisors are constants, so the weighted views and both seeking components fold
into ONE coefficient per column of [profile | interests] (`QueryColumns`), and a score is one dot
product of the candidate's stacked row with its group's column.

At fit time each country's candidates become a `CountryIndex`, feature-major: `postings` is the
transposed stacked matrix with group g's rows in column block g (row g * 2 * width + j lists the
candidates of group g with a non-zero in stacked column j), so a query's one sparse row (its four
group columns side by side) times `postings` touches only the posting lists of its own non-zeros
(scipy's sparse x sparse product); the profiles' dense latent block (a value on every row) is kept
apart as a dense (candidates x latent) array, one dot product per row (numpy einsum: each row's
sum is computed the same way whatever the rows around it). `report` computes the same score for
a few rows from their row-major rows (sums in the same column order, so the same bits), with each
component's (unweighted) similarity beside it, in one product with a pooled scratch buffer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kakehashi.features import TEXT_VIEWS, VIEWS

GROUPS = 4  # seeking groups: 2 x (seeks in text) + (seeks in sectors)
DENSE_SHARE = 0.5  # a column on at least this share of the candidates is stored dense (below)
REPORT_COLUMNS = GROUPS + len(VIEWS) + 2  # report's product: a score per group, each component
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
    latent: np.ndarray  # the latent columns (kept dense in a CountryIndex), ascending
    interests: float  # the weight of the interests component
    sought_sectors: float  # the weight of the sought-sectors component


@dataclass(frozen=True)
class CountryIndex:
    """The candidates of one country, laid out for the one-pass score (see the module doc)."""

    postings: sp.csr_matrix  # (GROUPS x 2 width) x candidates, the dense columns left out
    dense: np.ndarray  # candidates x dense columns (C order)
    dense_columns: np.ndarray  # the stacked columns kept dense, ascending
    groups: np.ndarray  # int8 per candidate: its seeking group
    seeks: np.ndarray  # candidates x 2: seeks in text (column 0), in sectors (1), as 0.0 / 1.0
    present: tuple[int, ...]  # the groups that have candidates


@dataclass(frozen=True)
class QueryColumns:
    """One query as the coefficients its candidates' rows are multiplied by, per group."""

    width: int  # columns of a profile
    columns: tuple  # per group: (its stacked columns, ascending; their coefficients)
    components: tuple  # per component column of `report`: (stacked columns, values)
    wants: np.ndarray  # the query seeks in text, in sectors (0.0 / 1.0)


def score_rules(masks: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> ScoreRules:
    """The rules of a model's masks (similarity.view_masks) and component weights."""
    view_weights = sum(weights[view] * masks[view] for view in VIEWS)
    return ScoreRules(
        width=len(masks["text"]),
        view_weights=view_weights,
        views={view: masks[view] for view in VIEWS},
        text=masks["text"],
        sectors=masks["sectors"],
        latent=np.flatnonzero(masks["latent"]),
        interests=weights["interests"],
        sought_sectors=weights["sought_sectors"],
    )


def stack(profiles: sp.csr_matrix, interests: sp.csr_matrix) -> sp.csr_matrix:
    """Each row's profile and interests side by side: [profile | interests], columns sorted
    (a row's sum then runs in column order on every path: the bits do not depend on the path)."""
    if profiles.shape[0] == 1:  # a query: skip scipy's general (and slower) hstack
        indices = np.concatenate([profiles.indices, interests.indices + profiles.shape[1]])
        data = np.concatenate([profiles.data, interests.data])
        shape = (1, profiles.shape[1] + interests.shape[1])
        found = sp.csr_matrix((data, indices, np.array([0, data.size])), shape=shape)
    else:
        found = sp.csr_matrix(sp.hstack([profiles, interests], format="csr"))
    if not found.has_sorted_indices:
        found.sort_indices()
    return found


def stack_rows(profiles: sp.csr_matrix, interests: sp.csr_matrix, rows) -> sp.csr_matrix:
    """`stack` of the given rows of two CSR matrices, read straight off their arrays (scipy's
    row indexing and hstack cost more than the few rows a ranking reports)."""
    width, indices, data = profiles.shape[1], [], []
    for row in rows:
        for matrix, offset in ((profiles, 0), (interests, width)):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            indices.append(matrix.indices[start:end] + offset)
            data.append(matrix.data[start:end])
    lengths = np.array([a.size for a in indices], dtype=np.int64).reshape(-1, 2).sum(axis=1)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    found = sp.csr_matrix(
        (np.concatenate(data or [[]]), np.concatenate(indices or [[]]), indptr.astype(np.int64)),
        shape=(len(rows), 2 * width),
    )
    if not found.has_sorted_indices:
        found.sort_indices()
    return found


def build_index(
    profiles: sp.csr_matrix, interests: sp.csr_matrix, seeks: np.ndarray, latent: np.ndarray
) -> CountryIndex:
    """The CountryIndex of one country's profiles and interests (rows in id order)."""
    width, n = profiles.shape[1], profiles.shape[0]
    groups = (2 * seeks[:, 0] + seeks[:, 1]).astype(np.int8)
    stacked = stack(profiles, interests)
    counts = np.bincount(stacked.indices, minlength=2 * width)
    frequent = np.flatnonzero(counts >= DENSE_SHARE * n) if n else np.empty(0, dtype=np.int64)
    dense_columns = np.union1d(latent, frequent).astype(np.int64)
    dense = np.ascontiguousarray(stacked[:, dense_columns].toarray())
    sparse = ~np.isin(stacked.indices, dense_columns)
    columns = stacked.indices.astype(np.int64)
    columns += np.repeat(groups.astype(np.int64) * (2 * width), np.diff(stacked.indptr))
    kept = np.concatenate([[0], np.cumsum(sparse)])[stacked.indptr]  # sparse entries before a row
    by_row = sp.csr_matrix(
        (stacked.data[sparse], columns[sparse], kept),
        shape=(n, GROUPS * 2 * width),
    )
    del stacked, columns
    postings = sp.csr_matrix(by_row.T.tocsr())  # csr_tocsc: candidates ascending in each row
    present = tuple(int(g) for g in np.unique(groups))
    seeks = np.ascontiguousarray(seeks, dtype=float)
    return CountryIndex(postings, dense, dense_columns, groups, seeks, present)


def query_columns(stacked: sp.csr_matrix, rules: ScoreRules) -> QueryColumns:
    """The coefficients of one stacked query row (1 x 2 width), for every seeking group."""
    (p_at, p_values), (i_at, i_values), wants = _halves(stacked.indices, stacked.data, rules)
    width = rules.width
    left = np.union1d(p_at, i_at) if wants.any() else p_at
    base = _placed(left, p_at, p_values * rules.view_weights[p_at])
    seeking = [
        _placed(left, i_at, i_values * mask[i_at] * want) for mask, want in _masks(rules, wants)
    ]
    columns = []
    for group in range(GROUPS):
        text, sectors = _factors(group, wants, rules)
        values = np.concatenate(
            [
                base + text * seeking[0] + sectors * seeking[1],
                p_values * (text * rules.text[p_at] + sectors * rules.sectors[p_at]),
            ]
        )
        at = np.concatenate([left, p_at + width])
        columns.append((at[values != 0], values[values != 0]))
    parts = _component_columns((p_at, p_values), (i_at, i_values), wants, rules)
    return QueryColumns(width, tuple(columns), parts, wants)


def query_block(stacked: sp.csr_matrix, rules: ScoreRules) -> list[QueryColumns]:
    """The QueryColumns of each stacked query row."""
    if stacked.shape[0] == 1:
        return [query_columns(stacked, rules)]
    return [query_columns(stacked[n], rules) for n in range(stacked.shape[0])]


def raw_scores(index: CountryIndex, queries: list[QueryColumns]) -> np.ndarray:
    """The weighted pair scores (before hub penalties) of each query with each candidate of the
    index: one row per query."""
    split = [_split(index, query) for query in queries]
    at = [np.concatenate([at for at, _ in sparse.values()]) for sparse, _ in split]
    values = [np.concatenate([v for _, v in sparse.values()]) for sparse, _ in split]
    indptr = np.concatenate([[0], np.cumsum([a.size for a in at])])
    rows = sp.csr_matrix(
        (np.concatenate(values), np.concatenate(at), indptr),
        shape=(len(queries), index.postings.shape[0]),
    )
    found = (rows @ index.postings).toarray()
    for n, (_, dense) in enumerate(split):
        found[n] += _dense(index.dense, index.groups, dense)
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
    raw += _dense(index.dense[positions], groups, dense)
    found = {view: products[:, GROUPS + n] for n, view in enumerate(VIEWS)}
    seeking = products[:, GROUPS + len(VIEWS) :]
    found["interests"], found["sought_sectors"] = _means(seeking, seeks, query.wants)
    return raw, found


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


def _dense(block: np.ndarray, groups: np.ndarray, coefficients: dict) -> np.ndarray:
    """Each row's dot product with its group's dense coefficients (one einsum per distinct set:
    each row's sum is computed the same way whatever the rows around it)."""
    distinct, which = [], np.zeros(GROUPS, dtype=np.int64)
    for group, values in coefficients.items():
        same = [n for n, seen in enumerate(distinct) if np.array_equal(seen, values)]
        which[group] = same[0] if same else len(distinct)
        if not same:
            distinct.append(values)
    found = [np.einsum("ij,j->i", block, values) for values in distinct]
    if len(found) == 1:
        return found[0]
    return np.stack(found)[which[groups], np.arange(groups.size)]


def _factors(group: int, wants: np.ndarray, rules: ScoreRules) -> tuple[float, float]:
    """The factor of each seeking column in a group: the weight over the pair's seekers (over 3
    more for text: its mask spans three normalized blocks)."""
    found = []
    for n, (weight, scale) in enumerate(
        ((rules.interests, len(TEXT_VIEWS)), (rules.sought_sectors, 1))
    ):
        seekers = (group >> (1 - n) & 1) + wants[n]
        found.append(weight / (scale * seekers) if seekers else 0.0)
    return found[0], found[1]


def _masks(rules: ScoreRules, wants: np.ndarray):
    return [(rules.text, wants[0]), (rules.sectors, wants[1])]


def _placed(at: np.ndarray, where: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` (at columns `where`) as a vector over the sorted columns `at` (others dropped)."""
    found = np.zeros(at.size)
    if at.size:
        place = np.minimum(np.searchsorted(at, where), at.size - 1)
        inside = at[place] == where
        found[place[inside]] = values[inside]
    return found


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


def _component_columns(profile, interests, wants: np.ndarray, rules: ScoreRules) -> tuple:
    per_view = [(profile[0], profile[1] * rules.views[view][profile[0]]) for view in VIEWS]
    seeking = [
        _crossed(profile, interests, rules.text, wants[0], rules),
        _crossed(profile, interests, rules.sectors, wants[1], rules),
    ]
    return (*per_view, *seeking)


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
