"""Hubness correction and strength labels, both read off a sample of all cross-country pair scores.

Hubs: a firm with a broad profile (an investor, a conglomerate) scores well with everyone and tops
every list of the other country. As in CSLS (Conneau et al., 2018, "Word translation without
parallel data"), each firm's hubness is the mean of its k best scores with the other country; a
ranking subtracts each candidate's hubness above its country's typical hubness, so a hub must beat
a niche firm by more than its general popularity. A query takes the penalties in proportion to
its own hubness against its country's median, at most in full (`query_scales`): a profile with
little to match (sectors only, a line of text) scores low against everyone, and full penalties
would outweigh its scores and rank niche firms of any sector first.

Strength: where a pair's score falls among all cross-country pairs of the list, so a label means
the same on any list: "strong" for the top 1% of pairs, "good" for the next 4%, else "weak".
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

HUB_NEIGHBOURS = 10  # k of the hubness score
STRENGTH_PAIRS = 2_000_000  # most sampled pair scores kept for the strength cuts (memory bound)
STRENGTHS = (("strong", 99.0), ("good", 95.0))  # label and the pair-score percentile it starts at
WEAK = "weak"


def hubness(scores: np.ndarray, query_countries: np.ndarray, countries: np.ndarray) -> np.ndarray:
    """Each firm's mean of its k best scores against the sampled queries of the other country.

    `scores` has one row per sampled query (its country in `query_countries`) and one column per
    firm (its country in `countries`).
    """
    found = np.zeros(scores.shape[1])
    for country in np.unique(countries):
        columns = np.flatnonzero(countries == country)
        rows = scores[query_countries != country][:, columns]
        if rows.shape[0] == 0:
            continue
        found[columns] = best_mean(rows)
    return found


def best_mean(scores: np.ndarray) -> np.ndarray:
    """The hubness of each column of scores (one row per query): the mean of its HUB_NEIGHBOURS
    best, or of all when there are fewer; 0 without any."""
    k = min(HUB_NEIGHBOURS, scores.shape[0])
    if k == 0:
        return np.zeros(scores.shape[1:])
    return np.sort(scores, axis=0)[-k:].mean(axis=0)


def streamed_hubness(blocks: Iterable[np.ndarray], n_queries: int, n_firms: int) -> np.ndarray:
    """`hubness` of one country's firms from blocks of their scores (one row per sampled query
    of the other country), keeping only each firm's k best so far: memory O(k x firms)."""
    k = min(HUB_NEIGHBOURS, n_queries)
    best = None
    for block in blocks:
        best = block if best is None else np.vstack([best, block])
        if best.shape[0] > k:
            best = np.partition(best, best.shape[0] - k, axis=0)[-k:]
    return np.zeros(n_firms) if best is None else best_mean(best)


def pair_sample(n_queries: int, n_firms: int, rng: np.random.Generator) -> np.ndarray:
    """The firms whose pair scores with every sampled query feed the strength cuts: all of them
    while the pairs fit in STRENGTH_PAIRS, else a seeded random subset (sorted)."""
    keep = max(1, STRENGTH_PAIRS // max(n_queries, 1))
    if n_firms <= keep:
        return np.arange(n_firms)
    return np.sort(rng.choice(n_firms, size=keep, replace=False))


def hub_penalties(hubs: np.ndarray, countries: np.ndarray, weight: float) -> np.ndarray:
    """What each firm's scores lose as a candidate: its hubness above its country's median.

    Centred on the median, a typical firm keeps its score; hubs lose, niche firms gain.
    """
    penalties = np.zeros_like(hubs)
    for country in np.unique(countries):
        members = countries == country
        penalties[members] = weight * (hubs[members] - np.median(hubs[members]))
    return penalties


def query_scales(hubs: np.ndarray, countries: np.ndarray) -> np.ndarray:
    """How much of the candidates' hub penalties each firm's rankings take, in [0, 1]."""
    scales = np.ones_like(hubs)
    for country in np.unique(countries):
        members = countries == country
        scales[members] = query_scale(hubs[members], float(np.median(hubs[members])))
    return scales


def query_scale(hub: np.ndarray | float, median: float) -> np.ndarray:
    """A query's share of the hub penalties: its hubness over its country's median, at most 1."""
    hub = np.asarray(hub, dtype=float)
    return np.minimum(np.maximum(hub, 0.0) / median, 1.0) if median > 0 else np.ones_like(hub)


def strength_cuts(pair_scores: np.ndarray) -> dict[str, float]:
    """The score each label starts at, from a sample of cross-country pair scores."""
    if pair_scores.size == 0:
        return {label: 1.0 for label, _ in STRENGTHS}
    return {label: float(np.percentile(pair_scores, q)) for label, q in STRENGTHS}


def strength(score: float, cuts: dict[str, float]) -> str:
    """The label of a pair score: strong, good or weak."""
    for label, _ in STRENGTHS:
        if score >= cuts[label]:
            return label
    return WEAK
