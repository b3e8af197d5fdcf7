"""A live ranking's exact top k from a cheaper first pass: float32 to shortlist, float64 to rank.

A raw score is an exact sparse part (the posting lists, kakehashi/retrieval.py) plus a dense
part: each candidate's row of the dense block times the query's coefficients. Reading that block
is half of a live ranking at 100k candidates, and memory-bound, so the first pass reads its
float32 copy (half the bytes). Each approximate score is within `error` of the exact one:

    |fl32(sum D'v') - sum Dv| <= (gamma_n (1 + u)^2 + 2u + u^2) * sum |D v|,   sum |D v| <= |D| |v|

for any order of summation (Higham, "Accuracy and Stability of Numerical Algorithms", 3.1), with
u = 2^-24, n the dense columns, gamma_n = n u / (1 - n u), |D| the largest L2 norm of a dense row
(`CountryIndex.dense_norm`) and |v| the coefficients' norm; doubled, with 1e-12 added for the
float64 sums on both sides. Subtracting the hub penalty and clipping to [0, 1] move no score by
more than that. So if T is the k-th best approximate final score, every candidate whose exact
score can reach the exact top k (ties included) has an approximate one of at least T - 2 error:
those few are scored exactly (`LiveScores.exact`, raw_scores' own bits) and ranked, and the top k
is the one a full exact pass gives (tests/kakehashi/test_shortlist.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kakehashi import retrieval, similarity

UNIT_ROUNDOFF = 2.0**-24  # float32
SLACK = 1e-12  # the float64 sums around the dense part, on both sides


@dataclass(frozen=True)
class LiveScores:
    """One query's raw scores with every candidate of an index: approximate, and exact on demand."""

    index: retrieval.CountryIndex
    sparse: np.ndarray  # the exact sparse part of every candidate's raw score
    coefficients: dict[int, np.ndarray]  # the query's dense coefficients, per group
    approximate: np.ndarray  # every raw score, within `error` of the exact one
    error: float

    def exact(self, positions: np.ndarray) -> np.ndarray:
        """The exact raw scores of the candidates at `positions` (raw_scores' to the bit)."""
        index = self.index
        dense = index.dense[positions]
        return self.sparse[positions] + retrieval.dense_products(
            dense, index.groups[positions], self.coefficients
        )


def live_scores(index: retrieval.CountryIndex, query: retrieval.QueryColumns) -> LiveScores:
    """The query's approximate raw scores with every candidate, and their error bound."""
    (sparse,), (coefficients,) = retrieval.sparse_parts(index, [query])
    dense = retrieval.dense_products(index.dense32, index.groups, coefficients)
    error = scores_error(index, coefficients)
    return LiveScores(index, sparse, coefficients, sparse + dense, error)


def scores_error(
    index: retrieval.CountryIndex, coefficients: dict, unit_roundoff: float = UNIT_ROUNDOFF
) -> float:
    """How far an approximate raw score of the query with these dense coefficients may be from
    the exact one: `dense_error` on both sides, and the float64 sums around them."""
    norm = max((float(np.linalg.norm(values)) for values in coefficients.values()), default=0.0)
    return 2 * dense_error(index.dense.shape[1], norm, index.dense_norm, unit_roundoff) + SLACK


def dense_error(
    columns: int, coefficients_norm: float, rows_norm: float, unit_roundoff: float = UNIT_ROUNDOFF
) -> float:
    """The bound of the module doc on a float32 dot product's distance from the exact one (or,
    with float64's `unit_roundoff`, a float64 one's computed in another order)."""
    u = unit_roundoff
    gamma = columns * u / (1 - columns * u)
    return (gamma * (1 + u) ** 2 + 2 * u + u**2) * coefficients_norm * rows_norm


def shortlist(final: np.ndarray, k: int, error: float) -> np.ndarray:
    """Positions (ascending) of the approximate final scores that can be in the exact top k."""
    if final.size <= k:
        return np.arange(final.size)
    return np.flatnonzero(final >= similarity.kth_highest(final, k) - 2 * error)
