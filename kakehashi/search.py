"""Finding companies by name, country and sector, as staff type them."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable

from kakehashi.companies import Company


def fold(text: str) -> str:
    """Fold width and case so 'ＳＡＭＰＬＥ' and 'sample' compare equal."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def search_companies(
    companies: Iterable[Company],
    text: str = "",
    country: str | None = None,
    sectors: Collection[str] = (),
) -> list[Company]:
    """Companies of the country and any of the sectors whose name contains `text`.

    The English name and the Japanese one (`name_ja`) are both searched, width- and
    case-insensitively (ＴＯＹＯＴＡ, toyota and トヨタ all find Toyota when its name_ja is
    トヨタ自動車). Without `text` they keep their order; with it, names that start with it come
    first, then names with a word that starts with it, then the rest, each group by name.
    """
    wanted = set(sectors)
    found = [
        c
        for c in companies
        if (country is None or c.country == country) and (not wanted or wanted & set(c.sectors))
    ]
    if not text:
        return found
    needle = fold(text)

    def relevance(company: Company) -> tuple[int, str, str]:
        names = [fold(n) for n in (company.name, company.name_ja) if n]
        if any(name.startswith(needle) for name in names):
            return (0, names[0], company.id)
        starts_word = any(word.startswith(needle) for name in names for word in name.split())
        return (1 if starts_word else 2, names[0], company.id)

    return sorted((c for c in found if _matches(c, needle)), key=relevance)


def _matches(company: Company, needle: str) -> bool:
    """Whether the folded English or Japanese name contains the folded search text."""
    return needle in fold(company.name) or bool(company.name_ja and needle in fold(company.name_ja))
