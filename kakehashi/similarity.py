"""Per-component similarities between one query and many candidates, as sparse-matrix products.

Profiles and interests share one column layout ([sectors | words | chars | latent], each block
L2-normalized), so a masked dot product is the cosine of one view. Two components compare what
one firm seeks with what the other is, in both directions: forward (the query seeks, the
candidate is) and backward (the candidate seeks, the query is).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from kakehashi.features import TEXT_VIEWS, VIEWS
from kakehashi.retrieval import product_array

# The components of a pair score, and the columns each seeking component reads.
SEEKING = {"interests": "text", "sought_sectors": "sectors"}
COMPONENTS = (*VIEWS, *SEEKING)
# What each component (and the hub adjustment of a score) means, for people.
COMPONENT_LABELS = {
    "sectors": "shared sectors (rare sectors count more)",
    "words": "shared words and two-word phrases of the profiles",
    "chars": "similar wording (character n-grams; catches spelling variants)",
    "latent": "related topics (a latent semantic space of the list's texts)",
    "interests": "what one firm seeks, written in its interests, against what the other does",
    "sought_sectors": "the sectors one firm's interests name, against the other's sectors",
    "hub_adjustment": "correction for firms whose broad profiles match almost everyone",
}


def view_masks(blocks: Mapping[str, slice], width: int) -> dict[str, np.ndarray]:
    """0/1 vectors selecting each view's columns, and all text columns together as "text"."""
    masks = {}
    for view, columns in blocks.items():
        masks[view] = np.zeros(width)
        masks[view][columns] = 1.0
    masks["text"] = sum(masks[view] for view in TEXT_VIEWS)
    return masks


def seeking_rows(
    interests: sp.csr_matrix, masks: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """For each seeking component, 1.0 for the rows whose interests say anything in its columns."""
    return {
        name: (abs(interests) @ masks[columns] > 0).astype(float)
        for name, columns in SEEKING.items()
    }


def similarities(
    query_profile: sp.csr_matrix,
    query_interests: sp.csr_matrix,
    profiles: sp.csr_matrix,
    interests: sp.csr_matrix,
    candidates_seek: Mapping[str, np.ndarray],
    masks: Mapping[str, np.ndarray],
    view_weights: Mapping[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """Each component's similarity of the query with every row of `profiles` / `interests`.

    With `view_weights`, the four views come back already weighted and summed under "views":
    one matrix column instead of four, which is what a full ranking needs.
    """
    is_dense, seeks_dense = _dense(query_profile), _dense(query_interests)
    if view_weights is None:
        view_columns = {view: masks[view] for view in VIEWS}
    else:
        view_columns = {"views": sum(view_weights[view] * masks[view] for view in VIEWS)}
    query_seeks = [name for name, cols in SEEKING.items() if (seeks_dense * masks[cols]).any()]
    against_profiles = profiles @ np.column_stack(
        [is_dense * mask for mask in view_columns.values()]
        + [seeks_dense * masks[SEEKING[name]] for name in query_seeks]
    )
    against_interests = interests @ np.column_stack(
        [is_dense * masks[columns] for columns in SEEKING.values()]
    )
    found = {view: against_profiles[:, n] for n, view in enumerate(view_columns)}
    for n, name in enumerate(SEEKING):
        forward = 0.0
        if name in query_seeks:
            forward = against_profiles[:, len(view_columns) + query_seeks.index(name)]
        backward = against_interests[:, n]
        seekers = candidates_seek[name] + float(name in query_seeks)
        mean = np.divide(forward + backward, seekers, out=np.zeros(len(seekers)), where=seekers > 0)
        # the text mask spans three normalized blocks, so its dot product reaches 3
        found[name] = mean / (len(TEXT_VIEWS) if SEEKING[name] == "text" else 1)
    return found


def top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores; equal scores keep their (id-sorted) order."""
    k = min(k, scores.size)
    if k <= 0:
        return np.empty(0, dtype=int)
    contenders = np.flatnonzero(scores >= kth_highest(scores, k))
    order = np.lexsort((contenders, -scores[contenders]))
    return contenders[order][:k]


def kth_highest(scores: np.ndarray, k: int) -> float:
    """The k-th highest of the scores (1 <= k <= scores.size)."""
    return float(np.partition(scores, scores.size - k)[scores.size - k])


def likeness(profiles: sp.csr_matrix) -> np.ndarray:
    """Mean per-view cosine between each pair of the given profiles (their blocks are
    L2-normalized): the rows' Gram matrix, by the one-pass product (the same bits as `@`)."""
    return product_array(profiles, sp.csr_matrix(profiles.T)) / len(VIEWS)


def diversify(scores: np.ndarray, likeness: np.ndarray, k: int, weight: float) -> list[int]:
    """Greedy maximal marginal relevance over a pool sorted by score; positions in the pool.

    Each next pick maximizes (1 - weight) * score - weight * (its likeness to the picks so far).
    """
    picked, redundancy = [0], likeness[:, 0].copy()  # each one's likeness to its closest pick
    while len(picked) < min(k, len(scores)):
        gain = (1 - weight) * scores - weight * redundancy
        gain[picked] = -np.inf
        picked.append(int(np.argmax(gain)))
        np.maximum(redundancy, likeness[:, picked[-1]], out=redundancy)  # a max: exact
    return picked


def _dense(vector: sp.csr_matrix) -> np.ndarray:
    return vector.toarray().ravel()
