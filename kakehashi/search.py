"""Finding companies by name, country and sector, as staff type them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kakehashi.companies import Company


def fold(text: str) -> str:
    """Fold width and case so 'ＳＡＭＰＬＥ' and 'sample' compare equal."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


SEPARATOR = "\x00"  # ends each name in FoldedNames.text (taken out of names; finds nothing)


@dataclass(frozen=True)
class FoldedNames:
    """A list's folded names, kept to search them: per company, and all in one text, so that
    finding the names that contain a text is one regular-expression scan of one string (C), not
    a Python loop over every name."""

    names: tuple[tuple[str, ...], ...]  # each company's folded English and Japanese names
    text: str  # every name, each followed by SEPARATOR
    starts: np.ndarray  # where each name begins in `text` (ascending)
    owners: np.ndarray  # the company (its position in the list) of each name

    def containing(self, needle: str) -> np.ndarray:
        """The positions of the companies with a name that contains `needle`, ascending (a
        match cannot cross a SEPARATOR, and each name that holds the needle holds the first of
        the non-overlapping matches that fall in it)."""
        hits = [m.start() for m in re.finditer(re.escape(needle), self.text)]
        entries = np.searchsorted(self.starts, np.array(hits, dtype=np.int64), side="right") - 1
        return np.unique(self.owners[entries])


def folded_names(companies: Iterable[Company]) -> FoldedNames:
    """Each company's folded English and Japanese names (the Japanese one when it has one)."""
    names = tuple(tuple(fold(n) for n in (c.name, c.name_ja) if n) for c in companies)
    owners = [row for row, own in enumerate(names) for _ in own]
    flat = [name.replace(SEPARATOR, "") for own in names for name in own]
    starts = np.cumsum([0] + [len(name) + 1 for name in flat[:-1]]) if flat else np.zeros(0)
    text = "".join(name + SEPARATOR for name in flat)
    return FoldedNames(
        names, text, np.asarray(starts, dtype=np.int64), np.array(owners, dtype=np.int64)
    )


def search_companies(
    companies: Sequence[Company],
    text: str = "",
    country: str | None = None,
    sectors: Collection[str] = (),
    folded: FoldedNames | None = None,
) -> list[Company]:
    """Companies of the country and any of the sectors whose name contains `text`.

    The English name and the Japanese one (`name_ja`) are both searched, width- and
    case-insensitively (ＴＯＹＯＴＡ, toyota and トヨタ all find Toyota when its name_ja is
    トヨタ自動車). Without `text` they keep their order; with it, names that start with it come
    first, then names with a word that starts with it, then the rest, each group by name.
    `folded` is `folded_names(companies)`, when the caller keeps it (a model folds its names
    once, not at every search).
    """
    wanted = set(sectors)

    def kept(company: Company) -> bool:
        return (country is None or company.country == country) and (
            not wanted or bool(wanted & set(company.sectors))
        )

    if not text:
        return [c for c in companies if kept(c)]
    folded = folded_names(companies) if folded is None else folded
    needle = fold(text)
    if not needle:  # blank once folded: every name contains it
        rows = range(len(companies))
    elif SEPARATOR in needle:  # no name holds it
        rows = []
    else:
        rows = folded.containing(needle).tolist()
    found = [(companies[row], folded.names[row]) for row in rows if kept(companies[row])]
    return [c for c, _ in sorted(found, key=lambda pair: _relevance(needle, *pair))]


def _relevance(needle: str, company: Company, names: tuple[str, ...]) -> tuple[int, str, str]:
    """Names that start with the text first, then a word that does, then the rest; by name."""
    if any(name.startswith(needle) for name in names):
        return (0, names[0], company.id)
    starts_word = any(word.startswith(needle) for name in names for word in name.split())
    return (1 if starts_word else 2, names[0], company.id)
