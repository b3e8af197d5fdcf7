"""A country's posting lists: built a block of candidates at a time, stored in tiles of candidates.

**Tiles.** A sparse product walks the query's posting lists and adds each entry into its
candidate's sum. Over one row of 900,000 sums (7 MB, at 1M) every addition misses the core's
cache; over a tile of TILE candidates (512 KB of sums) it stays in it. So past TILE candidates the
lists are cut into tiles: list l of tile t is row t x lists + l of the postings, its candidates
numbered from the tile's first, and a query's row is repeated once per tile (`tiled_rows`): one
scipy product then scores every tile, each candidate's sum running over the same lists in the same
order as over one long row, so the bits are the same (tested). Up to TILE candidates there is one
tile: the layout is the plain (lists x candidates) matrix.

**The build.** The one-shot build stacked every candidate's [profile | interests] row, re-keyed
its non-zeros by seeking group and transposed the result: three copies of the country's non-zeros
alive at once, the peak of a training (9.1 GB at 300k). Here the candidates are read in blocks of
BLOCK_ROWS (a tile holds whole blocks), twice: the first pass counts each list's entries in each
tile, which fixes every list's offsets; the second transposes each block's sparse entries
(scipy's counting sort: a block's candidates ascending in each list) and copies each list's
segment after the segments of the blocks before it, so each list holds its candidates ascending,
with one block of scratch above the index itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from kakehashi.stacking import stack

BLOCK_ROWS = 1 << 13  # candidates whose rows are re-keyed and transposed together
TILE = 1 << 16  # candidates per tile of the posting lists (a multiple of BLOCK_ROWS)


def tiling(candidates: int, tile: int) -> tuple[int, int]:
    """(tiles, candidates per tile) of a country's postings: one tile up to `tile` candidates."""
    if candidates <= tile:
        return 1, candidates
    return -(-candidates // tile), tile


class CandidateBlocks:
    """The rows `rows` of a country's profiles and interests, block by block, keyed by group."""

    def __init__(
        self,
        profiles: sp.csr_matrix,
        interests: sp.csr_matrix,
        rows: np.ndarray,
        groups: np.ndarray,
        groups_count: int,
    ):
        self.profiles, self.interests, self.rows, self.groups = profiles, interests, rows, groups
        self.width = profiles.shape[1]
        self.lists = groups_count * 2 * self.width  # posting lists: a group's stacked columns
        self.tiles, self.tile = tiling(rows.size, TILE)
        if self.tiles > 1 and TILE % BLOCK_ROWS:
            raise ValueError(f"TILE ({TILE}) must be a multiple of BLOCK_ROWS ({BLOCK_ROWS})")

    def list_lengths(self) -> np.ndarray:
        """Each posting list's length in each tile before any column is kept dense: the stored
        non-zeros of stacked column j among group g's candidates of tile t, at
        (t x GROUPS + g) x 2 width + j."""
        lengths = np.zeros(self.tiles * self.lists, dtype=np.int64)
        for start, _, keys in self._blocks():
            lengths[self._tile_lists(start)] += np.bincount(keys, minlength=self.lists)
        return lengths

    def split(
        self, dense_columns: np.ndarray, lengths: np.ndarray
    ) -> tuple[np.ndarray, sp.csr_matrix]:
        """The candidates' values in `dense_columns` (stacked columns, ascending) as a dense
        (candidates x columns) array, and every other non-zero as posting lists in tiles:
        a (tiles x lists, candidates per tile) CSR matrix, its candidates ascending in each row."""
        n = self.rows.size
        kept = lengths.reshape(-1, 2 * self.width).copy()
        kept[:, dense_columns] = 0
        indptr = np.concatenate([[0], np.cumsum(kept.ravel())])
        kind = np.int32 if max(int(indptr[-1]), n) < np.iinfo(np.int32).max else np.int64
        indices, data = np.empty(indptr[-1], dtype=kind), np.empty(indptr[-1])
        dense = np.zeros((n, dense_columns.size))
        filled = indptr[:-1].copy()  # where each list's next segment starts
        for start, stacked, keys in self._blocks():
            dense[start : start + stacked.shape[0]] = stacked[:, dense_columns].toarray()
            block = _sparse_part(stacked, keys, dense_columns, self.lists)
            counts = np.diff(block.indptr)
            lists = self._tile_lists(start)
            at = np.repeat(filled[lists] - block.indptr[:-1], counts) + np.arange(block.nnz)
            indices[at], data[at] = block.indices + start % self.tile, block.data
            filled[lists] += counts
        shape = (self.tiles * self.lists, self.tile)
        return dense, sp.csr_matrix((data, indices, indptr.astype(kind)), shape=shape)

    def _tile_lists(self, start: int) -> slice:
        """The rows of the postings that hold the lists of the tile of candidate `start`."""
        tile = start // self.tile
        return slice(tile * self.lists, (tile + 1) * self.lists)

    def _blocks(self) -> Iterator[tuple[int, sp.csr_matrix, np.ndarray]]:
        """Per block: its first candidate, its stacked rows and their non-zeros' posting keys."""
        for start in range(0, self.rows.size, BLOCK_ROWS):
            taken = self.rows[start : start + BLOCK_ROWS]
            stacked = stack(self.profiles[taken], self.interests[taken])
            groups = self.groups[start : start + BLOCK_ROWS].astype(np.int64)
            keys = stacked.indices + np.repeat(groups * 2 * self.width, np.diff(stacked.indptr))
            yield start, stacked, keys


def _sparse_part(
    stacked: sp.csr_matrix, keys: np.ndarray, dense_columns: np.ndarray, lists: int
) -> sp.csr_matrix:
    """A block's non-zeros outside `dense_columns`, feature-major: (lists x the block's rows),
    by scipy's transposition (csr_tocsc), so each list holds the block's rows ascending."""
    sparse = ~np.isin(stacked.indices, dense_columns)
    kept = np.concatenate([[0], np.cumsum(sparse)])[stacked.indptr]  # sparse entries before a row
    by_row = sp.csr_matrix(
        (stacked.data[sparse], keys[sparse], kept), shape=(stacked.shape[0], lists)
    )
    return by_row.T.tocsr()


def tiled_rows(rows: sp.csr_matrix, tiles: int, lists: int) -> sp.csr_matrix:
    """Each row of `rows` (queries x lists) once per tile, over that tile's lists: row q x tiles
    + t holds row q's coefficients at t x lists + l, so one product with the tiled postings
    scores every tile of candidates (`rows` itself when there is one tile)."""
    if tiles == 1:
        return rows
    offsets = np.arange(tiles, dtype=np.int64)[:, None] * lists
    indices, data = [np.empty(0, dtype=np.int64)], [np.empty(0)]
    for q in range(rows.shape[0]):
        part = slice(rows.indptr[q], rows.indptr[q + 1])
        indices.append((rows.indices[part].astype(np.int64) + offsets).ravel())
        data.append(np.tile(rows.data[part], tiles))
    indptr = np.concatenate([[0], np.cumsum(np.repeat(np.diff(rows.indptr), tiles))])
    shape = (rows.shape[0] * tiles, tiles * lists)
    return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=shape)


def total_lengths(index, lists: np.ndarray) -> np.ndarray:
    """The lengths of the posting lists `lists` of a retrieval.CountryIndex, all tiles summed."""
    rows = lists[None, :] + (np.arange(index.tiles) * index.lists)[:, None]
    return (index.postings.indptr[rows + 1] - index.postings.indptr[rows]).sum(axis=0)


def feature_major(index) -> sp.csr_matrix:
    """The postings of a retrieval.CountryIndex as one (lists x candidates) matrix, the tiles
    side by side (benchmarks read it; the index itself is the same when it has one tile)."""
    if index.tiles == 1:
        return index.postings
    coo = index.postings.tocoo()
    columns = coo.col.astype(np.int64) + (coo.row // index.lists) * index.postings.shape[1]
    shape = (index.lists, index.groups.size)
    return sp.csr_matrix((coo.data, (coo.row % index.lists, columns)), shape=shape)
