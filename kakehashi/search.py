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

    Without `text` they keep their order; with it, names that start with it come first, then
    names with a word that starts with it, then the rest, each group by name.
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
        name = fold(company.name)
        if name.startswith(needle):
            return (0, name, company.id)
        starts_word = any(word.startswith(needle) for word in name.split())
        return (1 if starts_word else 2, name, company.id)

    return sorted((c for c in found if needle in fold(c.name)), key=relevance)
