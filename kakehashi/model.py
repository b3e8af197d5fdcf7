"""The partner-matching model: fit on a company list, rank partners, explain them.

The service uses only the public methods below (look up, search, rank, explain and the
catalogue facts); the fitted attributes (trailing underscore) are the model's own.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError as SklearnNotFitted
from sklearn.utils.validation import check_is_fitted

from kakehashi import calibration, similarity
from kakehashi import explain as explanations
from kakehashi.companies import Company, group_root, other_country
from kakehashi.errors import NotFittedError, UnknownCompanyError
from kakehashi.features import VIEWS, ProfileVectorizer
from kakehashi.partnerships import Partnership, partners_of_each
from kakehashi.queries import NO_FILTERS, Filters, Match, Query
from kakehashi.scoring import DEFAULT_WEIGHTS, fit_weights, pairwise_differences
from kakehashi.search import search_companies
from kakehashi.similarity import COMPONENTS
from kakehashi.taxonomy import Taxonomy

MMR_POOL = 50  # candidates the diversity re-ranking chooses from
CALIBRATION_SAMPLE = 300  # query firms per country whose scores calibrate hubness and strength


class PartnerModel(BaseEstimator):
    """Scores Japan–Israel company pairs as a weighted sum of per-component similarities."""

    def __init__(
        self,
        vectorizer: ProfileVectorizer | None = None,
        weights: dict[str, float] | None = None,
        learn: bool = False,  # learned weights did not beat the defaults (docs/model.md)
        hub_weight: float = 1.0,
        random_state: int = 0,
    ):
        self.vectorizer = vectorizer
        self.weights = weights
        self.learn = learn
        self.hub_weight = hub_weight
        self.random_state = random_state

    def fit(
        self, companies: Sequence[Company], partnerships: Sequence[Partnership] = ()
    ) -> PartnerModel:
        """Vectorize every company, index them, and set the component weights."""
        if self.vectorizer is None:
            raise ValueError("PartnerModel needs a ProfileVectorizer (with a taxonomy)")
        self.companies_ = tuple(sorted(companies, key=lambda c: c.id))
        self.row_of_ = {c.id: row for row, c in enumerate(self.companies_)}
        self.vectorizer_ = clone(self.vectorizer).fit(self.companies_)
        self.profiles_ = self.vectorizer_.transform(self.companies_)
        self.interests_ = self.vectorizer_.transform_interests(self.companies_)
        self.masks_ = similarity.view_masks(self.vectorizer_.blocks_, self.profiles_.shape[1])
        self.seeks_ = similarity.seeking_rows(self.interests_, self.masks_)
        self.countries_ = np.array([c.country for c in self.companies_])
        self.cities_ = np.array([c.city.casefold() for c in self.companies_])
        self.sector_members_ = self.vectorizer_.sector_memberships(self.companies_)
        self.groups_ = np.array(
            [group_root(c.id, self.companies_, self.row_of_) for c in self.companies_]
        )
        self.partners_ = partners_of_each(partnerships)
        self.weights_ = dict(self.weights or DEFAULT_WEIGHTS)
        if self.learn and self.weights is None and partnerships:
            self.weights_ = self.learned_weights(partnerships)
        self._calibrate()
        return self

    def _calibrate(self) -> None:
        """Hub penalties and strength cuts from the scores of a sample of query firms."""
        sample = self._calibration_rows()
        raw = np.vstack([self._raw_scores(self._query_at(row)) for row in sample])
        hubs = calibration.hubness(raw, self.countries_[sample], self.countries_)
        self.hub_penalties_ = calibration.hub_penalties(hubs, self.countries_, self.hub_weight)
        adjusted = np.clip(raw - self.hub_penalties_, 0.0, 1.0)
        other_country = self.countries_[sample][:, None] != self.countries_[None, :]
        self.strength_cuts_ = calibration.strength_cuts(adjusted[other_country])

    def _calibration_rows(self) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        found = []
        for country in ("JP", "IL"):
            members = np.flatnonzero(self.countries_ == country)
            size = min(CALIBRATION_SAMPLE, members.size)
            found.append(np.sort(rng.choice(members, size=size, replace=False)))
        return np.concatenate(found)

    # ----- the catalogue -----

    @property
    def taxonomy(self) -> Taxonomy:
        """The sector taxonomy the model was fitted with."""
        self._check_fitted()
        return self.vectorizer_.taxonomy

    def company(self, company_id: str) -> Company:
        """The company with this id (UnknownCompanyError when absent)."""
        self._check_fitted()
        if company_id not in self.row_of_:
            raise UnknownCompanyError(company_id)
        return self.companies_[self.row_of_[company_id]]

    def companies(self) -> tuple[Company, ...]:
        """Every company the model knows, sorted by id."""
        self._check_fitted()
        return self.companies_

    def search(
        self, text: str = "", country: str | None = None, sectors: Collection[str] = ()
    ) -> list[Company]:
        """Companies of a country and any of the sectors whose name contains `text`."""
        self._check_fitted()
        return search_companies(self.companies_, text, country, sectors)

    def group(self, company_id: str) -> tuple[Company, ...]:
        """The companies of a company's corporate group (linked by parent_id), itself included."""
        row = self.row_of_[self.company(company_id).id]
        return tuple(self.companies_[r] for r in np.flatnonzero(self.groups_ == self.groups_[row]))

    def sector_counts(self) -> Counter[tuple[str, str]]:
        """How many companies of each country work in each sector: {(sector, country): n}."""
        self._check_fitted()
        return Counter((key, c.country) for c in self.companies_ for key in c.sectors)

    # ----- ranking -----

    def query_for(self, company_id: str) -> Query:
        """A query for a company the model knows."""
        company = self.company(company_id)
        return self._query_at(self.row_of_[company.id])

    def _query_at(self, row: int) -> Query:
        company = self.companies_[row]
        partners = self.partners_.get(company.id, frozenset())
        return Query(company, row, self.profiles_[row], self.interests_[row], partners)

    def query_for_profile(self, company: Company) -> Query:
        """A query for an ad-hoc profile, vectorized by the fitted vectorizer."""
        self._check_fitted()
        profile = self.vectorizer_.transform([company])
        interests = self.vectorizer_.transform_interests([company])
        return Query(company, None, profile, interests)

    def rank(
        self, query: Query, top_k: int = 10, filters: Filters = NO_FILTERS, diversity: float = 0.0
    ) -> list[Match]:
        """The top_k partners of the other country, best first; ties broken by company id.

        With `diversity` > 0 the list is re-ranked by maximal marginal relevance: each next pick
        trades its score against its likeness to the picks above it, so the top ten are not ten
        near-copies. Scores stay the pair scores; only the order changes.
        """
        if not 0.0 <= diversity <= 1.0:
            raise ValueError("diversity must be between 0 and 1")
        eligible = np.flatnonzero(self.candidate_mask(query, filters))
        scores = self.score_all(query)
        pool_size = max(top_k, MMR_POOL) if diversity else top_k
        chosen = eligible[similarity.top_positions(scores[eligible], pool_size)]
        if diversity and chosen.size:
            chosen = chosen[
                similarity.diversify(scores[chosen], self._likeness(chosen), top_k, diversity)
            ]
        parts = self.components(query, chosen)
        return [
            Match(
                company=self.companies_[row],
                score=float(scores[row]),
                components={name: float(values[n]) for name, values in parts.items()},
                known_partner=self.companies_[row].id in query.partners,
                row=int(row),
                strength=calibration.strength(float(scores[row]), self.strength_cuts_),
                hub_adjustment=-float(self.hub_penalties_[row]),
            )
            for n, row in enumerate(chosen)
        ]

    def explain(self, query: Query, match: Match) -> explanations.Explanation:
        """Why a match was ranked where it was: sectors, matched terms and a summary."""
        self._check_fitted()
        return explanations.explain(self, query, match)

    def candidate_mask(self, query: Query, filters: Filters) -> np.ndarray:
        """Boolean mask of the companies eligible as partners of the query."""
        mask = self.countries_ == other_country(query.company.country)
        if filters.sectors:
            keys = self.vectorizer_.taxonomy.keys
            mask &= self.sector_members_[:, [keys.index(k) for k in filters.sectors]].any(axis=1)
        if filters.city:
            mask &= self.cities_ == filters.city.casefold()
        if filters.exclude_known and query.partners:
            mask[[self.row_of_[p] for p in query.partners]] = False
        if filters.exclude_group and query.row is not None:
            mask &= self.groups_ != self.groups_[query.row]
        if filters.exclude_ids:
            mask[[self.row_of_[i] for i in filters.exclude_ids if i in self.row_of_]] = False
        return mask

    def score_all(self, query: Query) -> np.ndarray:
        """The final score of the query against every company: the weighted components less
        each candidate's hub penalty, within [0, 1] (vectorized, no Python loop)."""
        return np.clip(self._raw_scores(query) - self.hub_penalties_, 0.0, 1.0)

    def _raw_scores(self, query: Query) -> np.ndarray:
        parts = self._similarities(query, None, view_weights=self.weights_)
        return parts.pop("views") + sum(self.weights_[name] * v for name, v in parts.items())

    def candidate_scores(self, company_id: str) -> np.ndarray:
        """Scores of a known company against every company of the other country, in id order."""
        query = self.query_for(company_id)
        return self.score_all(query)[self.countries_ == other_country(query.company.country)]

    def components(self, query: Query, rows: np.ndarray | None) -> dict[str, np.ndarray]:
        """Each component's similarity of the query with the given rows (all rows when None)."""
        return self._similarities(query, rows, view_weights=None)

    def _similarities(self, query: Query, rows, view_weights) -> dict[str, np.ndarray]:
        profiles, interests, seeks = self.profiles_, self.interests_, self.seeks_
        if rows is not None:  # slicing copies, so the full ranking uses the matrices as they are
            profiles, interests = profiles[rows], interests[rows]
            seeks = {name: seeking[rows] for name, seeking in seeks.items()}
        return similarity.similarities(
            query.profile, query.interests, profiles, interests, seeks, self.masks_, view_weights
        )

    def _likeness(self, rows: np.ndarray) -> np.ndarray:
        """Mean per-view cosine between the profiles of the given rows (for diversity)."""
        vectors = self.profiles_[rows]
        return (vectors @ vectors.T).toarray() / len(VIEWS)

    # ----- weights -----

    def learned_weights(
        self, partnerships: Sequence[Partnership], drop: Collection[str] = ()
    ) -> dict[str, float]:
        """Component weights learned from partnerships (a partner vs sampled non-partners)."""
        self._check_fitted()
        israeli = [c.id for c in self.companies_ if c.country == "IL"]
        rng = np.random.default_rng(self.random_state)
        found = pairwise_differences(self.pair_components, israeli, partnerships, rng)
        return fit_weights(found, len({p.pair for p in partnerships}), drop)

    def pair_components(self, company_id: str, partner_ids: Sequence[str]) -> np.ndarray:
        """One row of component similarities per (company, partner) pair, in COMPONENTS order."""
        rows = np.array([self.row_of_[i] for i in partner_ids], dtype=int)
        parts = self.components(self.query_for(company_id), rows)
        return np.column_stack([parts[name] for name in COMPONENTS])

    def with_weights(self, weights: dict[str, float]) -> PartnerModel:
        """A copy sharing the fitted matrices but scoring with other component weights."""
        self._check_fitted()
        twin = copy.copy(self)
        twin.weights_ = dict(weights)
        twin._calibrate()
        return twin

    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "companies_")
        except SklearnNotFitted:
            raise NotFittedError("the model has not been fitted") from None
