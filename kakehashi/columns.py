"""Match a list's column names to the known ones: any case, and a suggestion for a near miss."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# 'sector'/'sectors' is 0.92, 'countries'/'country' 0.75; 'country_code'/'country' (0.74) is a
# different column. Only known columns absent from the list are suggested, which keeps it quiet.
SIMILARITY = 0.75
SEPARATORS = re.compile(r"[\s\-]+")


@dataclass
class Header:
    """What matching column names against the known ones found."""

    renames: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str | None] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def dropped(self) -> set[str]:
        """Names that repeat a known column already matched; their values are not read."""
        return {name for name, _, _ in self.duplicates}

    @property
    def usable(self) -> bool:
        """True when every required column is there, once."""
        return not self.missing and not self.duplicates

    def problems(self, noun: str = "column", missing: bool = True) -> list[tuple[str, str]]:
        """(column, message) pairs; a missing column and its near miss make one message.

        `noun` is 'column' for a header, 'field' for a JSON object; `missing=False` leaves
        missing columns out (row checks report them) and suggests for every near miss.
        """
        found = []
        for column, typo in self.missing.items() if missing else ():
            hint = f" (found {typo!r}: did you mean {column!r}?)" if typo else ""
            found.append((column, f"missing required {noun}{hint}"))
        for name, first, canonical in self.duplicates:
            found.append((canonical, f"{noun}s {first!r} and {name!r} are both {canonical!r}"))
        for name, canonical in self.suggestions.items():
            if not (missing and canonical in self.missing):
                found.append(("header", f"unknown {noun} {name!r}: did you mean {canonical!r}?"))
        return found


def match_header(names: Sequence[str], required: Sequence[str], known: Sequence[str]) -> Header:
    """Match names to known columns (case-insensitive, surrounding spaces ignored)."""
    canonical = {column.casefold(): column for column in known}
    header, first = Header(), {}
    for name in names:
        column = canonical.get(name.strip().casefold())
        if column is None:
            continue
        if column in first:
            header.duplicates.append((name, first[column], column))
        else:
            first[column] = name
            header.renames[name] = column
    absent = [column for column in known if column not in first]
    for name in names:
        if name not in header.renames and name not in header.dropped and name.strip():
            close = _closest(name, absent)
            if close is not None:
                header.suggestions[name] = close
    for column in required:
        if column not in first:
            typos = [name for name, close in header.suggestions.items() if close == column]
            header.missing[column] = typos[0] if typos else None
    return header


def _closest(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate `name` most probably misspells, if any ('japanese id' for 'japanese_id')."""
    folded = SEPARATORS.sub("_", name.strip().casefold())
    close = difflib.get_close_matches(folded, candidates, n=1, cutoff=SIMILARITY)
    return close[0] if close else None
