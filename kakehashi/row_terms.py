"""One row's non-zeros within a block of columns, and the columns two such rows share.

Read straight off the CSR arrays: slicing a scipy matrix costs more than a whole explanation
(kakehashi/explain.py calls these ten times per ranking).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

Vector = tuple[np.ndarray, np.ndarray]  # sorted positions within the block, and their values


def block(matrix: sp.csr_matrix, row: int, columns: slice) -> Vector:
    """The row's non-zeros within `columns`: (sorted positions in the block, values)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    indices, data = matrix.indices[start:end], matrix.data[start:end]
    inside = (indices >= columns.start) & (indices < columns.stop) & (data != 0)
    order = np.argsort(indices[inside], kind="stable")
    return indices[inside][order] - columns.start, data[inside][order]


def shared_by_weight(a: Vector, b: Vector) -> np.ndarray:
    """Positions non-zero in both, by the product of their values, best first (ties: position)."""
    common, in_a, in_b = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return common[np.argsort(-(a[1][in_a] * b[1][in_b]), kind="stable")]
