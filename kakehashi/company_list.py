"""Company lists: every row validated, every problem reported with its line, nothing half-read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kakehashi.companies import (
    ID_PATTERN,
    KNOWN_COLUMNS,
    REQUIRED,
    Company,
    country_field,
    sectors_field,
    slugify,
    split_list,
    text_field,
    year_field,
)  # fmt: skip
from kakehashi.errors import InvalidListError, Problem
from kakehashi.readers import RawTable, read_table
from kakehashi.taxonomy import Taxonomy

AS_OF = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")

Row = tuple[int, dict[str, object]]  # the line a row starts on, and its parsed fields


@dataclass(frozen=True)
class CompanyList:
    """A validated company list and how it was read."""

    companies: tuple[Company, ...]
    read_as: str  # e.g. "CSV, encoding cp932, delimiter ';'" or "XLSX, sheet 'Companies'"
    derived_ids: tuple[str, ...]  # ids made from names because the list gave none


def read_company_list(
    path: Path | str, taxonomy: Taxonomy, sheet: str | None = None
) -> CompanyList:
    """Read and validate a company list; raise InvalidListError listing every problem."""
    table = read_table(path, sheet)
    companies = parse_companies(table, taxonomy)
    if table.problems:
        raise InvalidListError(sorted(table.problems, key=lambda p: p.line))
    given = given_ids(table)
    derived = tuple(c.id for c in companies if c.id not in given)
    return CompanyList(companies, how_read(table), derived)


def load_companies(
    path: Path | str, taxonomy: Taxonomy, sheet: str | None = None
) -> tuple[Company, ...]:
    """The companies of a valid list (InvalidListError listing every problem otherwise)."""
    return read_company_list(path, taxonomy, sheet).companies


def how_read(table: RawTable) -> str:
    """The format, encoding, delimiter or sheet a table was read with, for people."""
    delimiters = {",": "','", ";": "';'", "\t": "tab"}
    parts = [table.kind.upper()]
    if table.encoding:
        parts.append(f"encoding {table.encoding}")
    if table.delimiter:
        parts.append(f"delimiter {delimiters.get(table.delimiter, repr(table.delimiter))}")
    if table.sheet:
        parts.append(f"sheet {table.sheet!r}")
    return ", ".join(parts)


def parse_companies(table: RawTable, taxonomy: Taxonomy) -> tuple[Company, ...]:
    """Turn raw rows into companies, appending every problem of every row to `table.problems`.

    Rows with a problem still take part in the checks across rows (duplicate ids, parents), so
    one pass reports everything; only rows without a problem become companies.
    """
    if not table.check_columns(REQUIRED, KNOWN_COLUMNS):
        return ()
    if not table.rows and not table.problems:
        message = "the list has no companies"
        table.problems.append(Problem(table.path, table.header_line, "file", message))
    rows, valid_lines = [], set()
    for line, raw in table.rows:
        fields, problems = _parse_row(table.path, line, raw, taxonomy)
        table.problems.extend(problems)
        rows.append((line, fields))
        if not problems:
            valid_lines.add(line)
    _assign_ids(table, rows)
    bad_parents = _check_parents(table, rows)
    usable = valid_lines - bad_parents  # once: per row it made reading a list quadratic
    return tuple(Company(**fields) for line, fields in rows if line in usable)


def given_ids(table: RawTable) -> set[str]:
    """The ids the list itself gives (the others were derived from names)."""
    return {str(row.get("id") or "").strip() for _, row in table.rows} - {""}


def _parse_row(
    path: str, line: int, row: Mapping[str, object], taxonomy: Taxonomy
) -> tuple[dict[str, object], list[Problem]]:
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(path, line, column, message))

    values = {name: text_field(row.get(name), name, problem) for name in row}
    for column in REQUIRED:
        if not values.get(column):
            problem(column, "missing required field" if column not in row else "empty value")
    fields: dict[str, object] = {
        name: values.get(name, "")
        for name in KNOWN_COLUMNS
        if name not in {"country", "sectors", "tags", "founded", "hq_country"}
    }
    fields |= {
        "country": country_field(values.get("country", ""), problem),
        "sectors": sectors_field(row.get("sectors"), taxonomy, problem),
        "tags": tuple(split_list(row.get("tags") or "")),
        "founded": year_field(values.get("founded", ""), problem),
        "hq_country": values.get("hq_country", "").upper(),
        "extra": tuple((k, v) for k, v in values.items() if k not in KNOWN_COLUMNS),
    }
    _check_formats(fields, problem)
    return fields, problems


def _check_formats(fields: Mapping[str, object], problem) -> None:
    if fields["id"] and not ID_PATTERN.match(str(fields["id"])):
        problem("id", "ids may hold only letters, digits, '.', '_' and '-'")
    if fields["as_of"] and not AS_OF.match(str(fields["as_of"])):
        problem("as_of", f"expected a date as YYYY-MM or YYYY-MM-DD, found {fields['as_of']!r}")
    if fields["hq_country"] and not COUNTRY_CODE.match(str(fields["hq_country"])):
        found = fields["hq_country"]
        problem("hq_country", f"expected a two-letter country code such as US, found {found!r}")


def _assign_ids(table: RawTable, rows: list[Row]) -> None:
    """Report duplicate given ids; derive the missing ones from names, unique within the list."""
    first_line: dict[str, int] = {}
    for line, fields in rows:
        given = str(fields["id"])
        if not given:
            continue
        if given in first_line:
            message = f"duplicate id {given!r} (first used on line {first_line[given]})"
            table.problems.append(Problem(table.path, line, "id", message))
        first_line.setdefault(given, line)
    taken = set(first_line)
    for _, fields in rows:
        if not fields["id"]:
            fields["id"] = _unique(slugify(str(fields["name"])), taken)


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _check_parents(table: RawTable, rows: list[Row]) -> set[int]:
    """Report parent ids that name no row, the row itself, or a cycle; return their lines."""
    parent_of = {str(f["id"]): str(f["parent_id"]) for _, f in rows if f["parent_id"]}
    ids = {str(f["id"]) for _, f in rows}
    bad = set()
    for line, fields in rows:
        company_id, parent = str(fields["id"]), str(fields["parent_id"])
        message = ""
        if not parent:
            continue
        if parent == company_id:
            message = "a company cannot be its own parent"
        elif parent not in ids:
            message = f"unknown parent id {parent!r}"
        elif _in_cycle(company_id, parent_of):
            message = f"parent ids form a cycle through {company_id!r}"
        if message:
            table.problems.append(Problem(table.path, line, "parent_id", message))
            bad.add(line)
    return bad


def _in_cycle(company_id: str, parent_of: Mapping[str, str]) -> bool:
    seen, current = set(), company_id
    while current in parent_of:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of[current]
    return current == company_id
