"""Component weights of the pair score: sensible defaults, or learned from known partnerships."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression

from kakehashi.partnerships import Partnership

if TYPE_CHECKING:
    from kakehashi.model import PartnerModel

COMPONENTS = ("sectors", "words", "chars", "latent", "interests", "sought_sectors")
# What both firms are and what one seeks in the other weigh about the same: matching is about
# complementary needs, not only look-alikes.
DEFAULT_WEIGHTS = {
    "sectors": 0.25,
    "words": 0.10,
    "chars": 0.05,
    "latent": 0.10,
    "interests": 0.25,
    "sought_sectors": 0.25,
}
PRIOR_PAIRS = 20  # how many partnerships the defaults are worth when blending with learned weights


def pair_features(model: PartnerModel, japanese_id: str, israeli_ids: Sequence[str]) -> np.ndarray:
    """One row of component similarities per (japanese_id, israeli_id) pair."""
    query = model.query_for(japanese_id)
    rows = np.array([model.index_[i] for i in israeli_ids], dtype=int)
    parts = model.components(query, rows)
    return np.column_stack([parts[name] for name in COMPONENTS])


def default_weights(drop: Collection[str] = ()) -> dict[str, float]:
    """The default weights, with the dropped components at zero and the rest renormalized."""
    kept = {c: (0.0 if c in drop else w) for c, w in DEFAULT_WEIGHTS.items()}
    total = sum(kept.values())
    return {c: w / total for c, w in kept.items()}


def learn_weights(
    model: PartnerModel,
    partnerships: Sequence[Partnership],
    random_state: int = 0,
    drop: Collection[str] = (),
) -> dict[str, float]:
    """Fit non-negative weights on pairwise differences (a partner vs a sampled non-partner).

    A logistic model on feature differences is a linear pairwise ranker (RankNet/RankSVM style);
    its coefficients, clipped at zero and normalized, become the weights. They are blended with the
    defaults in proportion to how many partnerships support them: a short list moves them little.
    """
    differences = _pairwise_differences(model, partnerships, np.random.default_rng(random_state))
    defaults = default_weights(drop)
    if len(differences) == 0:
        return defaults
    differences[:, [COMPONENTS.index(c) for c in drop]] = 0.0
    x = np.vstack([differences, -differences])
    y = np.r_[np.ones(len(differences)), np.zeros(len(differences))]
    ranker = LogisticRegression(fit_intercept=False, C=1.0).fit(x, y)
    learned = np.clip(ranker.coef_.ravel(), 0.0, None)
    if learned.sum() == 0:
        return defaults
    learned /= learned.sum()
    n = len({p.pair for p in partnerships})
    share = n / (n + PRIOR_PAIRS)
    default = np.array([defaults[c] for c in COMPONENTS])
    blended = (1 - share) * default + share * learned
    return {c: float(w) for c, w in zip(COMPONENTS, blended / blended.sum(), strict=True)}


def _pairwise_differences(
    model: PartnerModel,
    partnerships: Sequence[Partnership],
    rng: np.random.Generator,
    per_positive: int = 10,
) -> np.ndarray:
    israeli = [c.id for c in model.companies_ if c.country == "IL"]
    by_japanese: dict[str, set[str]] = {}
    for p in partnerships:
        by_japanese.setdefault(p.japanese_id, set()).add(p.israeli_id)
    rows = []
    for japanese_id in sorted(by_japanese):
        positives = sorted(by_japanese[japanese_id])
        pool = [i for i in israeli if i not in by_japanese[japanese_id]]
        if not pool:
            continue
        negatives = list(rng.choice(pool, size=min(per_positive, len(pool)), replace=False))
        pos = pair_features(model, japanese_id, positives)
        neg = pair_features(model, japanese_id, negatives)
        rows.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, len(COMPONENTS)))
    return np.vstack(rows) if rows else np.empty((0, len(COMPONENTS)))
