"""Known Japan–Israel partnerships: records and validation against a company list."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kakehashi.companies import COUNTRY_NAMES, Company
from kakehashi.errors import InvalidListError, Problem
from kakehashi.readers import RawTable, read_table

REQUIRED = ("japanese_id", "israeli_id")
KNOWN_COLUMNS = (*REQUIRED, "kind", "year", "note")
LEADING_YEAR = re.compile(r"^(\d{4})\b")


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


def load_partnerships(
    path: Path | str, companies: Iterable[Company], sheet: str | None = None
) -> tuple[Partnership, ...]:
    """Read and validate a partnerships list against the companies it refers to."""
    table = read_table(path, sheet)
    partnerships = parse_partnerships(table, {c.id: c for c in companies})
    if table.problems:
        raise InvalidListError(sorted(table.problems, key=lambda p: p.line))
    return partnerships


def parse_partnerships(table: RawTable, by_id: dict[str, Company]) -> tuple[Partnership, ...]:
    """Turn raw rows into partnerships, appending every problem found to `table.problems`."""
    if not table.check_columns(REQUIRED, KNOWN_COLUMNS):
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
    year = _text(row, "year")
    if year and _year(year) is None:
        problems.append(
            Problem(path, line, "year", f"expected a year such as 2017, found {year!r}")
        )
    for column, limit in (("kind", 100), ("note", 1000)):
        if len(_text(row, column)) > limit:
            problems.append(Problem(path, line, column, f"value is longer than {limit} characters"))
    return problems


def _year(value: str) -> int | None:
    """The year a value starts with ('2017', '2017-03-01'), or None."""
    match = LEADING_YEAR.match(value)
    return int(match.group(1)) if match and 1900 <= int(match.group(1)) <= 2100 else None


def _record(row: dict[str, object]) -> Partnership:
    return Partnership(
        japanese_id=_text(row, "japanese_id"),
        israeli_id=_text(row, "israeli_id"),
        kind=_text(row, "kind").casefold(),
        year=_year(_text(row, "year")),
        note=_text(row, "note"),
    )
