"""Known Japan–Israel partnerships: records and validation against a company list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kakehashi.companies import COUNTRY_NAMES, Company, leading_year
from kakehashi.errors import InvalidListError, Problem
from kakehashi.readers import RawTable, read_table

REQUIRED = ("japanese_id", "israeli_id")
KNOWN_COLUMNS = (*REQUIRED, "kind", "year", "note")


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
    if year and leading_year(year) is None:
        problems.append(
            Problem(path, line, "year", f"expected a year such as 2017, found {year!r}")
        )
    for column, limit in (("kind", 100), ("note", 1000)):
        if len(_text(row, column)) > limit:
            problems.append(Problem(path, line, column, f"value is longer than {limit} characters"))
    return problems


def _record(row: dict[str, object]) -> Partnership:
    return Partnership(
        japanese_id=_text(row, "japanese_id"),
        israeli_id=_text(row, "israeli_id"),
        kind=_text(row, "kind").casefold(),
        year=leading_year(_text(row, "year")),
        note=_text(row, "note"),
    )


def partners_by(
    partnerships: Iterable[Partnership], country: str = "JP"
) -> dict[str, tuple[str, ...]]:
    """The known partners of each firm of one country (JP or IL) that has any, both sorted."""
    grouped: dict[str, set[str]] = {}
    for partnership in partnerships:
        firm, partner = partnership.pair if country == "JP" else partnership.pair[::-1]
        grouped.setdefault(firm, set()).add(partner)
    return {firm: tuple(sorted(partners)) for firm, partners in sorted(grouped.items())}


def partners_of_each(partnerships: Iterable[Partnership]) -> dict[str, frozenset[str]]:
    """The known partners of every firm of either country."""
    grouped: dict[str, set[str]] = {}
    for japanese_id, partners in partners_by(partnerships, "JP").items():
        grouped.setdefault(japanese_id, set()).update(partners)
        for israeli_id in partners:
            grouped.setdefault(israeli_id, set()).add(japanese_id)
    return {firm: frozenset(partners) for firm, partners in grouped.items()}
