"""Reasons as a ranking hands them out: full ones (kept per model for its own pairs), brief ones.

A full explanation matches terms between the two profiles (about 1 ms each, more for a long
profile); a brief one gives the sectors, the component scores and a sentence naming the largest
part of the score, with the term matching left out, so that a ranking of 100 results costs a
bounded number of full explanations (docs/api.md, "Bounded cost").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kakehashi.explain import (
    Explanation,
    contributions,
    explain,
    rounded,
    sector_clauses,
    sector_facts,
    sentence,
)
from kakehashi.lru import caches_of
from kakehashi.similarity import COMPONENT_LABELS
from kakehashi.stored_reasons import stored

if TYPE_CHECKING:
    from kakehashi.model import PartnerModel
    from kakehashi.queries import Match, Query


EXPLAINED_IN_FULL = 10  # results past it get a brief reason: no term matching (Bounded cost)


def full(model: PartnerModel, query: Query, match: Match) -> Explanation:
    """The full explanation; for a firm of the model, the one stored at training time
    (kakehashi/stored_reasons.py), or else kept in the model's bounded cache.

    The key holds everything the explanation reads: both rows (the firms' texts and vectors are
    the model's, which never changes) and the match's own figures. An ad-hoc profile is
    explained afresh: its texts are the request's.
    """
    if query.row is None:
        return explain(model, query, match)
    found = stored(getattr(model, "explained_", None), query.row, match.row)
    if found is not None:
        return found
    key = (query.row, match.row, tuple(match.components.items()), match.hub_adjustment)
    return caches_of(model).explanations.get_or_compute(key, lambda: explain(model, query, match))


def brief(model: PartnerModel, query: Query, match: Match) -> Explanation:
    """The reason without the term matching: sectors, components, contributions, a sentence."""
    taxonomy = model.vectorizer_.taxonomy
    shared, related = sector_facts(query.company, match.company, taxonomy)
    parts = contributions(model, match)
    labels = [taxonomy.get(s).name_in_text for s in shared]
    clauses = sector_clauses(labels, related, taxonomy)
    largest = max(match.components, key=lambda k: (parts[k], k), default=None)
    if largest is not None and parts[largest] > 0:
        label = COMPONENT_LABELS[largest].split(" (")[0]  # "similar wording (character n-grams...)"
        clauses.append(f"the largest part of the score comes from {label}")
    return Explanation(
        shared_sectors=shared,
        related_sectors=related,
        matched_terms=(),
        interest_terms=(),
        components=rounded(match.components),
        contributions=parts,
        summary=sentence(clauses) if clauses else "Weak match: no shared sectors.",
    )
