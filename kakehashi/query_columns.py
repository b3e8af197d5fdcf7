"""A query as coefficients: what its candidates' stacked rows are multiplied by, per seeking group.

A pair score is the weighted views plus, for each seeking component, both directions averaged over
the firms of the pair that seek; the divisor depends on the candidate only through its seeking
group (2 x seeks in text + seeks in sectors), so within a group the score is linear in the
candidate's row: one coefficient per stacked column ([profile | interests], 2 x width columns).
kakehashi.retrieval multiplies the candidates by these coefficients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kakehashi.features import TEXT_VIEWS, VIEWS

GROUPS = 4  # seeking groups: 2 x (seeks in text) + (seeks in sectors)


@dataclass(frozen=True)
class ScoreRules:
    """What turns a query's stacked row into its score columns: column masks and weights."""

    width: int  # columns of a profile (the stacked rows have twice as many)
    view_weights: np.ndarray  # per profile column, the weight of its view
    views: Mapping[str, np.ndarray]  # per view, 1.0 on its columns
    text: np.ndarray  # 1.0 on every text column (what `interests` compares)
    sectors: np.ndarray  # 1.0 on the sector columns (what `sought_sectors` compares)
    interests: float  # the weight of the interests component
    sought_sectors: float  # the weight of the sought-sectors component


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
        interests=weights["interests"],
        sought_sectors=weights["sought_sectors"],
    )


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
