"""A country's candidate index built a block of candidates at a time (retrieval.build_index).

The one-shot build stacked every candidate's [profile | interests] row, re-keyed its non-zeros by
seeking group and transposed the result: three copies of the country's non-zeros alive at once,
the peak of a training (9.1 GB at 300k). Here the candidates are read in blocks of BLOCK_ROWS,
twice: the first pass counts the non-zeros of each posting list (group g's stacked column j is
list g x 2 width + j), which fixes every list's offsets; the second transposes each block's sparse
entries (scipy's counting sort: a block's candidates ascending in each list) and copies each
list's segment after the segments of the blocks before it. Blocks come in candidate order, so
every list holds its candidates ascending, as the one-shot transposition did: the same arrays, to
the bit, with one block of scratch above the index itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from kakehashi.stacking import stack

BLOCK_ROWS = 1 << 13  # candidates whose rows are re-keyed and transposed together


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

    def list_lengths(self) -> np.ndarray:
        """Each posting list's length before any column is kept dense: the stored non-zeros of
        stacked column j among group g's candidates, at g x 2 width + j."""
        lengths = np.zeros(self.lists, dtype=np.int64)
        for _, _, keys in self._blocks():
            lengths += np.bincount(keys, minlength=self.lists)
        return lengths

    def split(
        self, dense_columns: np.ndarray, lengths: np.ndarray
    ) -> tuple[np.ndarray, sp.csr_matrix]:
        """The candidates' values in `dense_columns` (stacked columns, ascending) as a dense
        (candidates x columns) array, and every other non-zero as feature-major posting lists:
        a (lists x candidates) CSR matrix, its candidates ascending in each row."""
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
            at = np.repeat(filled - block.indptr[:-1], counts) + np.arange(block.nnz)
            indices[at], data[at] = block.indices + start, block.data
            filled += counts
        return dense, sp.csr_matrix((data, indices, indptr.astype(kind)), shape=(self.lists, n))

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
