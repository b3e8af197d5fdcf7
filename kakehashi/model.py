"""The partner-matching model: fit on a company list, rank partners, explain them.

The service uses only the public methods below (look up, search, rank, explain and the
catalogue facts); the fitted attributes (trailing underscore) are the model's own.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence

import numpy as np
from sklearn.base import BaseEstimator, clone

from kakehashi import calibration, lru, precompute, reasons, similarity, sketch, stored_reasons
from kakehashi import explain as explanations
from kakehashi.catalogue import Catalogue
from kakehashi.companies import Company, group_root, other_country
from kakehashi.company_table import CompanyTable
from kakehashi.errors import NotFittedError
from kakehashi.features import ProfileVectorizer
from kakehashi.indexed import CandidateIndex
from kakehashi.partnerships import Partnership, partners_of_each
from kakehashi.queries import NO_FILTERS, Filters, Match, Query
from kakehashi.scoring import DEFAULT_WEIGHTS, fit_weights, pairwise_differences
from kakehashi.search import folded_names
from kakehashi.similarity import COMPONENTS
from kakehashi.stacking import csr_row

MMR_POOL = 50  # candidates the diversity re-ranking chooses from


class PartnerModel(Catalogue, CandidateIndex, BaseEstimator):
    """Scores Japan–Israel company pairs as a weighted sum of per-component similarities."""

    def __init__(
        self,
        vectorizer: ProfileVectorizer | None = None,
        weights: dict[str, float] | None = None,
        learn: bool = False,  # learned weights did not beat the defaults (docs/model.md)
        hub_weight: float = 1.0,
        random_state: int = 0,
        precomputed: int = precompute.PRECOMPUTED_PARTNERS,  # partners kept per firm; 0: none
        n_jobs: int | None = -1,  # joblib workers of the precomputation (-1: every core)
        sketch_from: int = sketch.SKETCH_FROM,  # candidates from which live ranking re-ranks
    ):
        self.vectorizer = vectorizer
        self.weights = weights
        self.learn = learn
        self.hub_weight = hub_weight
        self.random_state = random_state
        self.precomputed = precomputed
        self.n_jobs = n_jobs
        self.sketch_from = sketch_from

    def fit(
        self, companies: Sequence[Company], partnerships: Sequence[Partnership] = ()
    ) -> PartnerModel:
        """Vectorize every company, index them, and set the component weights."""
        if self.vectorizer is None:
            raise ValueError("PartnerModel needs a ProfileVectorizer (with a taxonomy)")
        self.companies_ = CompanyTable.of(sorted(companies, key=lambda c: c.id))
        self.names_ = folded_names(self.companies_)
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
        self._index()
        self._set_weights(dict(self.weights or DEFAULT_WEIGHTS))
        if self.learn and self.weights is None and partnerships:
            self._set_weights(self.learned_weights(partnerships))
        self._calibrate()
        self.partner_rows_ = self.partner_scores_ = self.explained_ = None
        if self.precomputed:
            self.partner_rows_, self.partner_scores_ = precompute.top_partners(
                self, self.precomputed, self.n_jobs
            )
            self.explained_ = stored_reasons.store(self, reasons.EXPLAINED_IN_FULL)
        return self

    # ----- ranking -----

    def query_for(self, company_id: str) -> Query:
        """A query for a company the model knows."""
        company = self.company(company_id)
        return self._query_at(self.row_of_[company.id])

    def _query_at(self, row: int) -> Query:
        company = self.companies_[row]
        partners = self.partners_.get(company.id, frozenset())
        profile, interests = (csr_row(m, row) for m in (self.profiles_, self.interests_))
        return Query(company, row, profile, interests, partners)

    def query_for_profile(self, company: Company) -> Query:
        """A query for an ad-hoc profile, vectorized by the fitted vectorizer."""
        self._check_fitted()
        profile, interests = self.vectorizer_.transform_both([company])
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
        country = other_country(query.company.country)
        pool_size = max(top_k, MMR_POOL) if diversity else top_k
        chosen, stored = self._precomputed_pool(query, filters, pool_size), None
        if chosen is None:  # live: score every candidate
            eligible = np.flatnonzero(
                self.candidate_mask(query, filters)[self.country_rows_[country]]
            )
            chosen, scores = self._live_top(query, country, eligible, pool_size)
        else:  # the same scores: those stored at training, or computed for the listed rows
            stored = None if diversity else self._stored_report(query, country, chosen)
            scores = stored[0] if stored else self._country_scores(query, country, chosen)
        rows = self.country_rows_[country][chosen]
        if diversity and rows.size:
            order = similarity.diversify(scores, self._likeness(rows), top_k, diversity)
            rows, scores = rows[order], scores[order]
        parts = stored[1] if stored else self.components(query, rows)
        share = self.query_scale(query)
        return [
            Match(
                company=self.companies_[row],
                score=float(scores[n]),
                components={name: float(values[n]) for name, values in parts.items()},
                known_partner=self.companies_[row].id in query.partners,
                row=int(row),
                strength=calibration.strength(float(scores[n]), self.strength_cuts_),
                hub_adjustment=-share * float(self.hub_penalties_[row]),
            )
            for n, row in enumerate(rows)
        ]

    def _precomputed_pool(self, query: Query, filters: Filters, size: int) -> np.ndarray | None:
        """Positions (in the other country) of the best `size` eligible candidates from the
        precomputed partners, or None when there are none or filters leave too few."""
        if query.row is None or getattr(self, "partner_rows_", None) is None:
            return None
        listed = self.partner_rows_[query.row]
        listed = listed[listed >= 0]
        if filters != NO_FILTERS:
            listed = listed[self.candidate_mask(query, filters)[listed]]
        complete = (
            self.partner_rows_.shape[1]
            >= self.country_rows_[other_country(query.company.country)].size
        )
        if listed.size < size and not complete:
            return None
        return self.positions_[listed[:size]]

    def _stored_report(self, query: Query, country: str, positions: np.ndarray):
        """The scores and components stored at training for these partners of a known firm
        (kakehashi/stored_reasons.py), or None unless all of them are stored."""
        rows = self.country_rows_[country][positions]
        return stored_reasons.reported(getattr(self, "explained_", None), query.row, rows)

    def precomputed_partners(
        self, company_id: str, top_k: int = 10
    ) -> tuple[np.ndarray, np.ndarray]:
        """The precomputed best partners of a known firm: (rows, scores as float32), best first."""
        row = self.row_of_[self.company(company_id).id]
        if getattr(self, "partner_rows_", None) is None:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        listed = self.partner_rows_[row, :top_k]
        kept = listed >= 0
        return listed[kept], self.partner_scores_[row, :top_k][kept]

    def explain(self, query: Query, match: Match, terms: bool = True) -> explanations.Explanation:
        """Why a match was ranked where it was: sectors, matched terms and a summary (without
        `terms`: a brief reason with no term matching, kakehashi/reasons.py)."""
        self._check_fitted()
        return reasons.full(self, query, match) if terms else reasons.brief(self, query, match)

    def candidate_mask(self, query: Query, filters: Filters) -> np.ndarray:
        """Boolean mask of the companies eligible as partners of the query."""
        mask = self.countries_ == other_country(query.company.country)
        if filters.sectors:
            mask &= self.in_sectors(filters.sectors)
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
        found = np.zeros(len(self.companies_))
        for country, rows in self.country_rows_.items():
            found[rows] = self._country_scores(query, country)
        return found

    def candidate_scores(self, company_id: str) -> np.ndarray:
        """Scores of a known company against every company of the other country, in id order."""
        query = self.query_for(company_id)
        return self._country_scores(query, other_country(query.company.country))

    def _likeness(self, rows: np.ndarray) -> np.ndarray:
        """Mean per-view cosine between the profiles of the given rows (for diversity)."""
        return similarity.likeness(self.profiles_[rows])

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
        twin._set_weights(dict(weights))
        twin._calibrate()
        twin.partner_rows_ = twin.partner_scores_ = None  # ranked with other weights: live only
        twin.explained_ = None  # and explained afresh (contributions change with the weights)
        return twin

    def __getstate__(self) -> dict:
        """The pickled state: the fitted attributes, without the serving caches."""
        return lru.without_caches(super().__getstate__())

    def _check_fitted(self) -> None:
        # check_is_fitted(self, "companies_") without its tag lookup (0.1 ms: once an explanation)
        if "companies_" not in vars(self):
            raise NotFittedError("the model has not been fitted")
