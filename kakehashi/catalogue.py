"""The model's catalogue: its companies by id, name search, corporate groups, sector counts.

A mixin of PartnerModel (kakehashi/model.py) over its fitted `companies_` (a CompanyTable:
records decoded on demand), `names_` (their folded names, kakehashi/search.py), `countries_`,
`sector_members_` and `groups_`: a search or a count reads those arrays and decodes only the
records it returns, so nothing here costs a pass over every record of a large list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np

from kakehashi.companies import Company
from kakehashi.company_table import IdRows, Rows
from kakehashi.errors import UnknownCompanyError
from kakehashi.search import matching_rows
from kakehashi.taxonomy import Taxonomy


class Catalogue:
    """Look-ups and search over a fitted PartnerModel's companies."""

    @property
    def taxonomy(self) -> Taxonomy:
        """The sector taxonomy the model was fitted with."""
        self._check_fitted()
        return self.vectorizer_.taxonomy

    def company(self, company_id: str) -> Company:
        """The company with this id (UnknownCompanyError when absent)."""
        self._check_fitted()
        row = self.companies_.row_of(company_id)
        if row is None:
            raise UnknownCompanyError(company_id)
        return self.companies_[row]

    @property
    def row_of_(self) -> IdRows:
        """Each company's row, by id (a binary search of the stored ids)."""
        return IdRows(self.companies_)

    def companies(self) -> Sequence[Company]:
        """Every company the model knows, sorted by id."""
        self._check_fitted()
        return self.companies_

    def search(
        self, text: str = "", country: str | None = None, sectors: Collection[str] = ()
    ) -> Sequence[Company]:
        """Companies of a country and any of the sectors whose name contains `text`
        (kakehashi.search.search_companies' order), decoded as they are read."""
        self._check_fitted()
        eligible = np.ones(len(self.companies_), dtype=bool)
        if country is not None:
            eligible &= self.countries_ == country
        if sectors:
            eligible &= self.in_sectors(sectors)
        return Rows(self.companies_, matching_rows(self.names_, text, eligible))

    def in_sectors(self, sectors: Collection[str]) -> np.ndarray:
        """Whether each company works in any of the sectors (unknown keys match nobody)."""
        keys = self.vectorizer_.taxonomy.keys
        columns = [keys.index(key) for key in sectors if key in keys]
        return self.sector_members_[:, columns].any(axis=1)

    def group(self, company_id: str) -> tuple[Company, ...]:
        """The companies of a company's corporate group (linked by parent_id), itself included."""
        row = self.row_of_[self.company(company_id).id]
        return tuple(self.companies_[r] for r in np.flatnonzero(self.groups_ == self.groups_[row]))

    def sector_counts(self) -> Counter[tuple[str, str]]:
        """How many companies of each country work in each sector: {(sector, country): n}."""
        self._check_fitted()
        found: Counter[tuple[str, str]] = Counter()
        for country in np.unique(self.countries_).tolist():
            counts = self.sector_members_[self.countries_ == country].sum(axis=0)
            for key, count in zip(self.taxonomy.keys, counts.tolist(), strict=True):
                if count:
                    found[key, country] = count
        return found
