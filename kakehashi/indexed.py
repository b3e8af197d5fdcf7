"""The model's candidate index: per-country feature-major indexes, exact scores, calibration.

A mixin of PartnerModel (kakehashi/model.py) holding the fitted attributes a ranking reads:
`country_rows_` (each country's rows, in id order), `positions_` (each row's place among its
country's rows), `candidates_` (per country, its retrieval.CountryIndex), `rules_`
(retrieval.ScoreRules of the weights), `candidate_hubs_` (per country, its rows' hub
penalties) and `query_scales_` (per row, the share of those penalties its rankings take).
Every score goes through retrieval.raw_scores, or retrieval.report for a few rows (the same
bits), so a full ranking, a calibration block, a precomputed list and the rows a ranking
reports agree exactly.
"""

from __future__ import annotations

import numpy as np

from kakehashi import calibration, retrieval, shortlist, similarity, sketch, stacking
from kakehashi.companies import other_country
from kakehashi.queries import Query
from kakehashi.similarity import COMPONENTS

BLOCK_QUERIES = 8  # query firms scored in one pass over a country's matrix
CALIBRATION_SAMPLE = 300  # query firms per country whose scores calibrate hubness and strength


class CandidateIndex:
    """Index building, exact per-country scoring and calibration for PartnerModel."""

    def _index(self) -> None:
        """Per country: its rows, and their retrieval.CountryIndex."""
        self.country_rows_ = {c: np.flatnonzero(self.countries_ == c) for c in ("JP", "IL")}
        self.positions_ = np.zeros(len(self.companies_), dtype=np.int64)
        self.candidates_ = {}
        latent = np.flatnonzero(self.masks_["latent"])
        for country, rows in self.country_rows_.items():
            self.positions_[rows] = np.arange(rows.size)
            seeks = np.column_stack(
                [self.seeks_["interests"][rows], self.seeks_["sought_sectors"][rows]]
            )
            index = retrieval.build_index(self.profiles_, self.interests_, seeks, latent, rows)
            self.candidates_[country] = sketch.sketched(index, self.sketch_from)

    def _set_weights(self, weights: dict[str, float]) -> None:
        self.weights_ = weights
        self.rules_ = retrieval.score_rules(self.masks_, weights)

    def _calibrate(self) -> None:
        """Hub penalties and strength cuts from the scores of a sample of query firms, streamed
        (memory grows with the firms, not with firms x sample)."""
        sample = self._calibration_rows()
        rng = np.random.default_rng(self.random_state)
        sampled = {c: sample[self.countries_[sample] == c] for c in self.country_rows_}
        hubs, kept = np.zeros(len(self.companies_)), []
        for country, rows in self.country_rows_.items():
            queries = sampled[other_country(country)]
            columns = calibration.pair_sample(queries.size, rows.size, rng)
            blocks = _keeping(self._raw_blocks(country, queries), columns, queries, kept)
            hubs[rows] = calibration.streamed_hubness(blocks, queries.size, rows.size)
        self.hub_penalties_ = calibration.hub_penalties(hubs, self.countries_, self.hub_weight)
        self.candidate_hubs_ = {c: self.hub_penalties_[r] for c, r in self.country_rows_.items()}
        self.query_scales_ = calibration.query_scales(hubs, self.countries_)
        self.hub_medians_ = {c: float(np.median(hubs[r])) for c, r in self.country_rows_.items()}
        self.hub_sample_ = {c: self.positions_[rows] for c, rows in sampled.items()}
        pairs = [
            np.clip(block - self._penalties(query_rows, columns), 0.0, 1.0).ravel()
            for columns, query_rows, block in kept
        ]
        self.strength_cuts_ = calibration.strength_cuts(np.concatenate(pairs or [np.empty(0)]))

    def _raw_blocks(self, country: str, query_rows: np.ndarray):
        """Raw scores (before hub penalties) of the query rows (all of the other country) with
        every firm of `country`, a block of rows at a time: (queries x firms) arrays."""
        for start in range(0, query_rows.size, BLOCK_QUERIES):
            block = self.stacked_rows(query_rows[start : start + BLOCK_QUERIES])
            yield retrieval.raw_scores(
                self.candidates_[country], retrieval.query_block(block, self.rules_)
            )

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
        index, hubs = self.candidates_[country], self.candidate_hubs_[country]
        if positions is None:
            raw = retrieval.raw_scores(index, [self._query_columns(query)])[0]
            partners = country == other_country(query.company.country)
            scale = self.query_scale(query, raw[self.hub_sample_[country]] if partners else None)
        else:
            raw, _ = self._report(query, country, positions)
            hubs, scale = hubs[positions], self.query_scale(query)
        return np.clip(raw - scale * hubs, 0.0, 1.0)

    def query_scale(self, query: Query, raw: np.ndarray | None = None) -> float:
        """The share of the candidates' hub penalties that the query's rankings take
        (calibration.query_scales): stored for a firm of the model; for an ad-hoc profile, from
        its raw scores against the other country's calibration sample (`raw`: those scores,
        when they are at hand)."""
        if query.row is not None:
            return float(self.query_scales_[query.row])
        rules, found = query.memo.get("scale", (None, None))
        if rules is not self.rules_:
            country = other_country(query.company.country)
            sample = self.hub_sample_[country]
            if raw is None:
                rows, index = self.country_rows_[country][sample], self.candidates_[country]
                columns = self._query_columns(query)
                raw = retrieval.exact_raw(
                    self.profiles_, self.interests_, rows, index, sample, columns
                )
            hub = float(calibration.best_mean(raw))
            found = float(calibration.query_scale(hub, self.hub_medians_[query.company.country]))
            query.memo["scale"] = (self.rules_, found)
        return found

    def _live_top(
        self, query: Query, country: str, eligible: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k best of the `eligible` positions of a country for the query, best first, and
        their final scores: what the full exact pass (`_country_scores`) would pick, from a
        float32 first pass and exact scores for its shortlist only (kakehashi/shortlist.py); for
        an index with a sketch, the best of the exactly re-ranked few (kakehashi/sketch.py)."""
        if self.candidates_[country].sketch is not None:
            return self._sketched_top(query, country, eligible, k)
        hubs = self.candidate_hubs_[country]
        live = shortlist.live_scores(self.candidates_[country], self._query_columns(query))
        sample = None if query.row is not None else live.exact(self.hub_sample_[country])
        scale = self.query_scale(query, sample)
        approximate = np.clip(live.approximate[eligible] - scale * hubs[eligible], 0.0, 1.0)
        listed = eligible[shortlist.shortlist(approximate, k, live.error)]
        exact = np.clip(live.exact(listed) - scale * hubs[listed], 0.0, 1.0)
        best = similarity.top_positions(exact, k)
        return listed[best], exact[best]

    def _sketched_top(
        self, query: Query, country: str, eligible: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k best of the `eligible` positions among the `sketch.reranked(k)` best of a
        rough first stage, by their exact final scores."""
        index, hubs = self.candidates_[country], self.candidate_hubs_[country]
        columns = self._query_columns(query)
        rough = sketch.rough_scores(index, columns)
        scale = self.query_scale(query)
        rough_final = rough[eligible] - scale * hubs[eligible]
        listed = eligible[sketch.rough_shortlist(rough_final, sketch.reranked(k))]
        rows = self.country_rows_[country][listed]
        raw = retrieval.exact_raw(self.profiles_, self.interests_, rows, index, listed, columns)
        exact = np.clip(raw - scale * hubs[listed], 0.0, 1.0)
        best = similarity.top_positions(exact, k)
        return listed[best], exact[best]

    def _penalties(self, query_rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """(queries x columns) hub penalties of the candidates at `columns` for those queries."""
        country = other_country(self.countries_[query_rows[0]])
        return self.query_scales_[query_rows][:, None] * self.candidate_hubs_[country][columns]

    def stacked_rows(self, rows: np.ndarray):
        """The given rows' profiles and interests side by side (stacking.stack)."""
        return stacking.stack_rows(self.profiles_, self.interests_, rows)

    def _query_columns(self, query: Query) -> retrieval.QueryColumns:
        """The query's retrieval.QueryColumns under this model's rules (kept on the query)."""
        rules, found = query.memo.get("columns", (None, None))
        if rules is not self.rules_:  # a twin with other weights scores it otherwise
            stacked = stacking.stack(query.profile, query.interests)
            found = retrieval.query_columns(stacked, self.rules_)
            query.memo["columns"] = (self.rules_, found)
        return found

    def _report(self, query: Query, country: str, positions: np.ndarray):
        """retrieval.report of the query with the firms of `country` at `positions` (the last
        one kept on the query: a ranking asks for its rows' scores, then their components)."""
        key = (self.rules_, country, np.asarray(positions, dtype=np.int64).tobytes())
        last, found = query.memo.get("report", (None, None))
        if last is None or last[0] is not key[0] or last[1:] != key[1:]:
            rows = self.stacked_rows(self.country_rows_[country][positions])
            index = self.candidates_[country]
            found = retrieval.report(rows, index, positions, self._query_columns(query))
            query.memo["report"] = (key, found)
        return found

    def components(self, query: Query, rows: np.ndarray | None) -> dict[str, np.ndarray]:
        """Each component's similarity of the query with the given rows (all rows when None)."""
        rows = np.arange(len(self.companies_)) if rows is None else np.asarray(rows, dtype=int)
        found = {name: np.zeros(rows.size) for name in COMPONENTS}
        for country in np.unique(self.countries_[rows]):
            at = np.flatnonzero(self.countries_[rows] == country)
            _, parts = self._report(query, str(country), self.positions_[rows[at]])
            for name, values in parts.items():
                found[name][at] = values
        return found


def _keeping(blocks, columns: np.ndarray, query_rows: np.ndarray, kept: list):
    """Yield each block of scores, keeping (columns, its query rows, its sampled columns)."""
    done = 0
    for raw in blocks:
        kept.append((columns, query_rows[done : done + raw.shape[0]], raw[:, columns]))
        done += raw.shape[0]
        yield raw
