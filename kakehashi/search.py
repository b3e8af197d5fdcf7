"""Finding companies by name, country and sector, as staff type them.

A model folds its firms' names (NFKC, case) once, at training, into one UTF-8 buffer
(`FoldedNames`), which the artifact maps like the model's other arrays: a search is one scan of
that buffer in numpy (a UTF-8 needle only matches whole characters of UTF-8 text). Where each
match falls says how relevant its firm is (at a name's start, at a word's start, inside a word),
and each firm's place in name order is stored at training, so ordering the matches is array work:
no name is decoded to search, and only the records of the results a request returns are. Nothing
of it is built per process or per company at load.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from kakehashi.companies import Company


def fold(text: str) -> str:
    """Fold width and case so 'ＳＡＭＰＬＥ' and 'sample' compare equal."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


SEPARATOR = "\x00"  # ends each name in FoldedNames.text (taken out of names; finds nothing)
# What str.split() splits on (str.isspace), in UTF-8: a word of a name starts after one of these.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
AT_NAME, AT_WORD, INSIDE = 0, 1, 2  # where a match falls, most relevant first


@dataclass(frozen=True)
class FoldedNames:
    """A list's folded English and Japanese names, in one buffer, to search them."""

    text: np.ndarray  # uint8: every name in UTF-8, each followed by SEPARATOR
    starts: np.ndarray  # int64: where each name begins in `text`, then len(text)
    first: np.ndarray  # int64: company n's names are names first[n] to first[n + 1] - 1
    rank: np.ndarray  # int64: company n's place when sorted by its first name, then id

    def containing(self, needle: str) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the companies with a name that contains `needle`, ascending, and
        where their best match falls (AT_NAME, AT_WORD or INSIDE: `matching_rows`' order).

        Every occurrence counts, overlapping ones too; none crosses a SEPARATOR (the needle
        holds none). A needle with whitespace never starts a word (words hold none).
        """
        hits = _occurrences(self.text, np.frombuffer(needle.encode("utf-8"), dtype=np.uint8))
        entries = np.searchsorted(self.starts, hits, side="right") - 1
        where = np.where(hits == self.starts[entries], AT_NAME, INSIDE)
        if not any(c.isspace() for c in needle):
            where[(where == INSIDE) & _after_whitespace(self.text, hits)] = AT_WORD
        hit_rows = np.searchsorted(self.first, entries, side="right") - 1
        rows, of_hit = np.unique(hit_rows, return_inverse=True)
        best = np.full(rows.size, INSIDE)
        np.minimum.at(best, of_hit, where)
        return rows, best


def folded_names(companies: Sequence[Company]) -> FoldedNames:
    """Each company's folded English and Japanese names (the Japanese one when it has one)."""
    names = [[fold(n).replace(SEPARATOR, "") for n in (c.name, c.name_ja) if n] for c in companies]
    encoded = [name.encode("utf-8") for own in names for name in own]
    starts = np.cumsum([0] + [len(name) + 1 for name in encoded], dtype=np.int64)
    text = np.frombuffer(b"".join(name + b"\0" for name in encoded), dtype=np.uint8)
    counts = np.array([len(own) for own in names], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    order = sorted(range(len(companies)), key=lambda n: (names[n][:1], companies[n].id))
    rank = np.empty(len(companies), dtype=np.int64)
    rank[order] = np.arange(len(companies))
    return FoldedNames(text, starts, first, rank)


def matching_rows(folded: FoldedNames, text: str, eligible: np.ndarray) -> np.ndarray:
    """The eligible rows (a boolean mask) whose name contains `text`: names that start with it
    first, then names with a word that starts with it, then the rest, each group by first name,
    then id. Without `text`, every eligible row in order."""
    if not text:
        return np.flatnonzero(eligible)
    needle = fold(text)
    if not needle:  # blank once folded: every name contains it (and starts with it)
        rows = np.arange(eligible.size)
        where = np.full(rows.size, AT_NAME)
    elif SEPARATOR in needle:  # no name holds it
        rows = where = np.empty(0, dtype=np.int64)
    else:
        rows, where = folded.containing(needle)
    keep = eligible[rows]
    rows, where = rows[keep], where[keep]
    return rows[np.lexsort((folded.rank[rows], where))]


def _occurrences(text: np.ndarray, needle: np.ndarray) -> np.ndarray:
    """Every position where `needle` starts in `text` (overlapping ones too), ascending: the
    positions holding its first and its last byte, narrowed by the bytes between (a UTF-8
    needle only matches whole characters of UTF-8 text)."""
    size = text.size - needle.size + 1
    if size <= 0:
        return np.empty(0, dtype=np.int64)
    ends = text[needle.size - 1 :] == needle[-1]
    found = np.flatnonzero((text[:size] == needle[0]) & ends)
    for offset in range(1, needle.size - 1):
        found = found[text[found + offset] == needle[offset]]
    return found.astype(np.int64)


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
    rows = matching_rows(folded_names(companies), text, eligible)
    return [companies[row] for row in rows.tolist()]


def _after_whitespace(text: np.ndarray, hits: np.ndarray) -> np.ndarray:
    """Whether the character before each position of `text` (UTF-8) is whitespace: one table
    look-up of the byte before, and the wider spaces checked only where that byte is not ASCII."""
    before = text[np.maximum(hits - 1, 0)]
    found = _ascii_spaces()[before] & (hits > 0)
    wide = hits[before >= 0x80]
    for space in WHITESPACE:
        code = np.frombuffer(space.encode("utf-8"), dtype=np.uint8)
        if code.size == 1:
            continue
        fits = wide[wide >= code.size]
        same = np.ones(fits.size, dtype=bool)
        for back, byte in enumerate(code[::-1], start=1):
            same &= text[fits - back] == byte
        found[np.isin(hits, fits[same])] = True
    return found


@functools.cache
def _ascii_spaces() -> np.ndarray:
    """A table of the 256 byte values: True for the ASCII whitespace str.split knows."""
    table = np.zeros(256, dtype=bool)
    table[[ord(c) for c in WHITESPACE if ord(c) < 0x80]] = True
    return table
