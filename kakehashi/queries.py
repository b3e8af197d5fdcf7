"""What a ranking takes and gives: the query, its filters, and the ranked matches."""

from __future__ import annotations

from dataclasses import dataclass, field

import scipy.sparse as sp

from kakehashi.companies import Company


@dataclass(frozen=True)
class Filters:
    """Restrictions on the candidates of a ranking."""

    sectors: tuple[str, ...] = ()
    city: str = ""
    exclude_known: bool = False
    exclude_group: bool = False  # leave out the firms of the query's own corporate group
    exclude_ids: frozenset[str] = frozenset()  # leave out these firms (e.g. marked not relevant)


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Query:
    """A company to rank partners for: a known one (row set) or an ad-hoc profile (row None)."""

    company: Company
    row: int | None
    profile: sp.csr_matrix
    interests: sp.csr_matrix
    partners: frozenset[str] = field(default_factory=frozenset)
    # Texts derived from the query once and reused by each explanation of its ranking.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Match:
    """One ranked partner: the company, its pair score and each component's similarity."""

    company: Company
    score: float
    components: dict[str, float]
    known_partner: bool
    row: int
    strength: str = ""  # strong, good or weak: where the score falls among all pairs of the list
    hub_adjustment: float = 0.0  # what the candidate's hubness took off (or added to) its score
