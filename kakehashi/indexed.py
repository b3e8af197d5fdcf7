"""The model's candidate index: per-country stacked matrices, exact scores, and calibration.

A mixin of PartnerModel (kakehashi/model.py) holding the fitted attributes a ranking reads:
`country_rows_` (each country's rows, in id order), `positions_` (each row's place among its
country's rows), `stacked_` (per country, retrieval.stack of its profiles and interests),
`stacked_seeks_`, `rules_` (retrieval.ScoreRules of the weights) and `candidate_hubs_` (per
country, its rows' hub penalties). Every score goes through retrieval.raw_scores, so a full
ranking, a calibration block, a precomputed list and the rows a ranking reports agree exactly.
"""

from __future__ import annotations

import numpy as np

from kakehashi import calibration, retrieval
from kakehashi.companies import other_country
from kakehashi.queries import Query
from kakehashi.similarity import COMPONENTS

BLOCK_QUERIES = 8  # query firms scored in one pass over a country's matrix
CALIBRATION_SAMPLE = 300  # query firms per country whose scores calibrate hubness and strength


class CandidateIndex:
    """Index building, exact per-country scoring and calibration for PartnerModel."""

    def _index(self) -> None:
        """Per country: its rows, and their profiles and interests stacked (retrieval.stack)."""
        self.country_rows_ = {c: np.flatnonzero(self.countries_ == c) for c in ("JP", "IL")}
        self.positions_ = np.zeros(len(self.companies_), dtype=np.int64)
        self.stacked_, self.stacked_seeks_ = {}, {}
        for country, rows in self.country_rows_.items():
            self.positions_[rows] = np.arange(rows.size)
            self.stacked_[country] = retrieval.stack(self.profiles_[rows], self.interests_[rows])
            self.stacked_seeks_[country] = np.column_stack(
                [self.seeks_["interests"][rows], self.seeks_["sought_sectors"][rows]]
            )

    def _set_weights(self, weights: dict[str, float]) -> None:
        self.weights_ = weights
        self.rules_ = retrieval.score_rules(self.masks_, weights)

    def _calibrate(self) -> None:
        """Hub penalties and strength cuts from the scores of a sample of query firms, streamed
        (memory grows with the firms, not with firms x sample)."""
        sample = self._calibration_rows()
        rng = np.random.default_rng(self.random_state)
        hubs, kept = np.zeros(len(self.companies_)), []
        for country, rows in self.country_rows_.items():
            queries = sample[self.countries_[sample] == other_country(country)]
            columns = calibration.pair_sample(queries.size, rows.size, rng)
            blocks = _keeping(self._raw_blocks(country, queries), country, columns, kept)
            hubs[rows] = calibration.streamed_hubness(blocks, queries.size, rows.size)
        self.hub_penalties_ = calibration.hub_penalties(hubs, self.countries_, self.hub_weight)
        self.candidate_hubs_ = {c: self.hub_penalties_[r] for c, r in self.country_rows_.items()}
        pairs = [
            np.clip(block - self.candidate_hubs_[country][columns], 0.0, 1.0).ravel()
            for country, columns, block in kept
        ]
        self.strength_cuts_ = calibration.strength_cuts(np.concatenate(pairs or [np.empty(0)]))

    def _raw_blocks(self, country: str, query_rows: np.ndarray):
        """Raw scores (before hub penalties) of the query rows (all of the other country) with
        every firm of `country`, a block of rows at a time: (queries x firms) arrays."""
        own = other_country(country)
        for start in range(0, query_rows.size, BLOCK_QUERIES):
            block = self.positions_[query_rows[start : start + BLOCK_QUERIES]]
            yield retrieval.raw_scores(
                self.stacked_[country], self.stacked_seeks_[country], self.stacked_[own][block],
                self.rules_,
            ).T  # fmt: skip

    def _calibration_rows(self) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        found = []
        for country in ("JP", "IL"):
            members = np.flatnonzero(self.countries_ == country)
            size = min(CALIBRATION_SAMPLE, members.size)
            found.append(np.sort(rng.choice(members, size=size, replace=False)))
        return np.concatenate(found)

    def _country_scores(
        self, query: Query, country: str, positions: np.ndarray | None = None
    ) -> np.ndarray:
        """Final scores of the query with the firms of a country (those at `positions` only)."""
        candidates, seeks = self.stacked_[country], self.stacked_seeks_[country]
        hubs = self.candidate_hubs_[country]
        if positions is not None:
            candidates, seeks, hubs = candidates[positions], seeks[positions], hubs[positions]
        raw = retrieval.raw_scores(candidates, seeks, self._stacked_query(query), self.rules_)
        return np.clip(raw[:, 0] - hubs, 0.0, 1.0)

    def _stacked_query(self, query: Query):
        if query.row is not None:
            own = self.countries_[query.row]
            return self.stacked_[own][self.positions_[query.row : query.row + 1]]
        if "stacked" not in query.memo:
            query.memo["stacked"] = retrieval.stack(query.profile, query.interests)
        return query.memo["stacked"]

    def components(self, query: Query, rows: np.ndarray | None) -> dict[str, np.ndarray]:
        """Each component's similarity of the query with the given rows (all rows when None)."""
        rows = np.arange(len(self.companies_)) if rows is None else np.asarray(rows, dtype=int)
        found = {name: np.zeros(rows.size) for name in COMPONENTS}
        stacked = self._stacked_query(query)
        for country in np.unique(self.countries_[rows]):
            at = np.flatnonzero(self.countries_[rows] == country)
            positions = self.positions_[rows[at]]
            parts = retrieval.components(
                self.stacked_[country][positions], self.stacked_seeks_[country][positions],
                stacked, self.rules_,
            )  # fmt: skip
            for name, values in parts.items():
                found[name][at] = values
        return found


def _keeping(blocks, country: str, columns: np.ndarray, kept: list):
    """Yield each block of scores, keeping (country, columns, its sampled columns) in `kept`."""
    for raw in blocks:
        kept.append((country, columns, raw[:, columns]))
        yield raw
