"""Finding companies by name, country and sector, as staff type them.

A model folds its firms' names (NFKC, case) once, at training, into one UTF-8 buffer
(`FoldedNames`), which the artifact maps like the model's other arrays: a search is one regular
expression scan of that buffer (in C; a literal UTF-8 needle can only match whole characters of
UTF-8 text), and only the names and records of the firms it finds are decoded. Nothing of it is
built per process or per company at load.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from kakehashi.companies import Company


def fold(text: str) -> str:
    """Fold width and case so 'ＳＡＭＰＬＥ' and 'sample' compare equal."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


SEPARATOR = "\x00"  # ends each name in FoldedNames.text (taken out of names; finds nothing)


@dataclass(frozen=True)
class FoldedNames:
    """A list's folded English and Japanese names, in one buffer, to search them."""

    text: np.ndarray  # uint8: every name in UTF-8, each followed by SEPARATOR
    starts: np.ndarray  # int64: where each name begins in `text`, then len(text)
    first: np.ndarray  # int64: company n's names are names first[n] to first[n + 1] - 1

    def containing(self, needle: str) -> np.ndarray:
        """The positions of the companies with a name that contains `needle`, ascending (a
        match cannot cross a SEPARATOR, and each name that holds the needle holds the first of
        the non-overlapping matches that fall in it)."""
        pattern = re.escape(needle.encode("utf-8"))
        hits = [m.start() for m in re.finditer(pattern, memoryview(self.text))]
        entries = np.searchsorted(self.starts, np.array(hits, dtype=np.int64), side="right") - 1
        return np.unique(np.searchsorted(self.first, entries, side="right") - 1)

    def names_of(self, rows: np.ndarray) -> list[tuple[str, ...]]:
        """The folded names (English first) of the companies at `rows`, decoded in one pass."""
        counts = self.first[rows + 1] - self.first[rows]
        ahead = np.cumsum(counts) - counts  # names of the rows before each row
        entries = np.repeat(self.first[rows] - ahead, counts) + np.arange(counts.sum())
        view = memoryview(self.text)
        ends = (self.starts[entries + 1] - 1).tolist()  # each name's SEPARATOR
        bounds = zip(self.starts[entries].tolist(), ends, strict=True)
        flat = iter([str(view[start:end], "utf-8") for start, end in bounds])
        return [tuple(itertools.islice(flat, n)) for n in counts.tolist()]


def folded_names(companies: Sequence[Company]) -> FoldedNames:
    """Each company's folded English and Japanese names (the Japanese one when it has one)."""
    names = [[fold(n).replace(SEPARATOR, "") for n in (c.name, c.name_ja) if n] for c in companies]
    encoded = [name.encode("utf-8") for own in names for name in own]
    starts = np.cumsum([0] + [len(name) + 1 for name in encoded], dtype=np.int64)
    text = np.frombuffer(b"".join(name + b"\0" for name in encoded), dtype=np.uint8)
    counts = np.array([len(own) for own in names], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return FoldedNames(text, starts, first)


def matching_rows(
    folded: FoldedNames, text: str, eligible: np.ndarray, tiebreak: Callable[[int], object]
) -> np.ndarray:
    """The eligible rows (a boolean mask) whose name contains `text`: names that start with it
    first, then names with a word that starts with it, then the rest, each group by name, then
    by `tiebreak(row)`. Without `text`, every eligible row in order."""
    if not text:
        return np.flatnonzero(eligible)
    needle = fold(text)
    if not needle:  # blank once folded: every name contains it
        rows = np.arange(eligible.size)
    elif SEPARATOR in needle:  # no name holds it
        rows = np.empty(0, dtype=np.int64)
    else:
        rows = folded.containing(needle)
    rows = rows[eligible[rows]]
    names = folded.names_of(rows)
    keys = [
        _relevance(needle, own, tiebreak(row))
        for row, own in zip(rows.tolist(), names, strict=True)
    ]
    order = sorted(range(rows.size), key=keys.__getitem__)
    return rows[np.array(order, dtype=np.int64)]


def search_companies(
    companies: Sequence[Company],
    text: str = "",
    country: str | None = None,
    sectors: Collection[str] = (),
) -> list[Company]:
    """Companies of the country and any of the sectors whose name contains `text`.

    The English name and the Japanese one (`name_ja`) are both searched, width- and
    case-insensitively (ＴＯＹＯＴＡ, toyota and トヨタ all find Toyota when its name_ja is
    トヨタ自動車). Without `text` they keep their order; with it, names that start with it come
    first, then names with a word that starts with it, then the rest, each group by name and id.
    (A model searches its own names, folded at training: PartnerModel.search.)
    """
    wanted = set(sectors)
    eligible = np.array(
        [
            (country is None or c.country == country)
            and (not wanted or bool(wanted & set(c.sectors)))
            for c in companies
        ],
        dtype=bool,
    )
    rows = matching_rows(folded_names(companies), text, eligible, lambda row: companies[row].id)
    return [companies[row] for row in rows.tolist()]


def _relevance(needle: str, names: tuple[str, ...], tiebreak: object) -> tuple[int, str, object]:
    """Names that start with the text first, then a word that does, then the rest; by name."""
    if any(name.startswith(needle) for name in names):
        return (0, names[0], tiebreak)
    starts_word = any(word.startswith(needle) for name in names for word in name.split())
    return (1 if starts_word else 2, names[0], tiebreak)
