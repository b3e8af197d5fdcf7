"""Component weights of the pair score: defaults, or learned from known partnerships.

Pure functions of arrays: the model computes the component similarities, this module turns
them into weights.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from kakehashi.partnerships import Partnership, partners_by
from kakehashi.similarity import COMPONENTS

PairComponents = Callable[
    [str, Sequence[str]], np.ndarray
]  # (firm, partners) -> rows of components

# Chosen by tools/quality_sweep.py for the worst case, not the best one, over three lists
# (bundled, Japanese, rewritten), smaller lists drawn from each in the shapes of the unseen lists
# (tools/sublists.py), and both directions: text weighs more than sectors (sector priors drowned
# the text; halving both sector components again raised the worst margin on the smaller lists),
# and the latent view alone weighs nothing: the latent space earns its place inside `interests`
# (what one firm seeks against what the other does), not as a view of its own.
DEFAULT_WEIGHTS = {
    "sectors": 0.10,
    "words": 0.25,
    "chars": 0.12,
    "latent": 0.0,
    "interests": 0.43,
    "sought_sectors": 0.10,
}
PRIOR_PAIRS = 20  # how many partnerships the defaults are worth when blending with learned weights
NEGATIVES_PER_PARTNER = 10


def default_weights(drop: Collection[str] = ()) -> dict[str, float]:
    """The default weights, with the dropped components at zero and the rest renormalized."""
    kept = {c: (0.0 if c in drop else w) for c, w in DEFAULT_WEIGHTS.items()}
    total = sum(kept.values())
    return {c: w / total for c, w in kept.items()}


def fit_weights(
    differences: np.ndarray, n_pairs: int, drop: Collection[str] = ()
) -> dict[str, float]:
    """Non-negative weights from pairwise differences: a partner's components minus a non-partner's.

    A logistic model on feature differences is a linear pairwise ranker (RankNet/RankSVM style);
    its coefficients, clipped at zero and normalized, become the weights. They are blended with the
    defaults in proportion to how many partnerships (`n_pairs`) support them: a short list moves
    them little.
    """
    defaults = default_weights(drop)
    if len(differences) == 0:
        return defaults
    differences = differences.copy()
    differences[:, [COMPONENTS.index(c) for c in drop]] = 0.0
    examples = np.vstack([differences, -differences])
    labels = np.r_[np.ones(len(differences)), np.zeros(len(differences))]
    ranker = LogisticRegression(fit_intercept=False, C=1.0).fit(examples, labels)
    learned = np.clip(ranker.coef_.ravel(), 0.0, None)
    if learned.sum() == 0:
        return defaults
    learned /= learned.sum()
    share = n_pairs / (n_pairs + PRIOR_PAIRS)
    default = np.array([defaults[c] for c in COMPONENTS])
    blended = (1 - share) * default + share * learned
    return {c: float(w) for c, w in zip(COMPONENTS, blended / blended.sum(), strict=True)}


def pairwise_differences(
    pair_components: PairComponents,
    israeli_ids: Sequence[str],
    partnerships: Sequence[Partnership],
    rng: np.random.Generator,
) -> np.ndarray:
    """For each Japanese firm, each known partner's components minus a sampled non-partner's."""
    found = []
    for japanese_id, partners in partners_by(partnerships, "JP").items():
        others = [i for i in israeli_ids if i not in partners]
        if not others:
            continue
        negatives = rng.choice(others, size=min(NEGATIVES_PER_PARTNER, len(others)), replace=False)
        differences = (
            pair_components(japanese_id, partners)[:, None, :]
            - pair_components(japanese_id, list(negatives))[None, :, :]
        )
        found.append(differences.reshape(-1, len(COMPONENTS)))
    return np.vstack(found) if found else np.empty((0, len(COMPONENTS)))
