"""Known Japan–Israel partnerships: records and validation against a company list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from training.companies import COUNTRY_NAMES, Company
from training.errors import InvalidListError, Problem
from training.readers import RawTable, read_table

REQUIRED = ("japanese_id", "israeli_id")
KINDS = ("acquisition", "investment", "joint_venture", "partnership", "licensing", "distribution")


@dataclass(frozen=True)
class Partnership:
    """A publicly reported deal between a Japanese and an Israeli company."""

    japanese_id: str
    israeli_id: str
    kind: str = ""
    year: int | None = None
    note: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        """(japanese_id, israeli_id)."""
        return self.japanese_id, self.israeli_id


def load_partnerships(path: Path | str, companies: Iterable[Company]) -> tuple[Partnership, ...]:
    """Read and validate a partnerships list against the companies it refers to."""
    table = read_table(path)
    partnerships = parse_partnerships(table, {c.id: c for c in companies})
    if table.problems:
        raise InvalidListError(sorted(table.problems, key=lambda p: p.line))
    return partnerships


def parse_partnerships(table: RawTable, by_id: dict[str, Company]) -> tuple[Partnership, ...]:
    """Turn raw rows into partnerships, appending every problem found to `table.problems`."""
    if not table.path.lower().endswith((".json", ".jsonl", ".ndjson")):
        missing = [c for c in REQUIRED if c not in table.columns]
        for column in missing:
            table.problems.append(Problem(table.path, 1, column, "missing required column"))
        if missing:
            return ()
    parsed = []
    for line, row in table.rows:
        problems = _row_problems(table.path, line, row, by_id)
        table.problems.extend(problems)
        if not problems:
            parsed.append(_record(row))
    return tuple(parsed)


def _text(row: dict[str, object], column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _row_problems(path: str, line: int, row: dict, by_id: dict[str, Company]) -> list[Problem]:
    problems = []
    for column, country in (("japanese_id", "JP"), ("israeli_id", "IL")):
        value = _text(row, column)
        if not value:
            problems.append(Problem(path, line, column, "empty value"))
        elif value not in by_id:
            problems.append(Problem(path, line, column, f"unknown company id {value!r}"))
        elif by_id[value].country != country:
            found = COUNTRY_NAMES[by_id[value].country]
            message = f"{value!r} is a company of {found}, expected {COUNTRY_NAMES[country]}"
            problems.append(Problem(path, line, column, message))
    year, kind = _text(row, "year"), _text(row, "kind")
    if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
        problems.append(Problem(path, line, "year", f"expected a year, found {year!r}"))
    if kind and kind.casefold() not in KINDS:
        problems.append(Problem(path, line, "kind", f"unknown kind {kind!r} (known: {KINDS})"))
    if len(_text(row, "note")) > 1000:
        problems.append(Problem(path, line, "note", "value is longer than 1000 characters"))
    return problems


def _record(row: dict[str, object]) -> Partnership:
    year = _text(row, "year")
    return Partnership(
        japanese_id=_text(row, "japanese_id"),
        israeli_id=_text(row, "israeli_id"),
        kind=_text(row, "kind").casefold(),
        year=int(year) if year else None,
        note=_text(row, "note"),
    )
