"""Company records and the validation of company lists (CSV, JSON, JSON Lines)."""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kakehashi.errors import InvalidListError, InvalidProfileError, Problem
from kakehashi.readers import RawTable, read_table
from kakehashi.taxonomy import Taxonomy

REQUIRED = ("name", "country", "sectors")
KNOWN_COLUMNS = (
    "id", "name", "country", "sectors", "description", "interests", "tags",
    "city", "founded", "employees", "stage", "website",
)  # fmt: skip
LIST_COLUMNS = ("sectors", "tags")
MAX_CHARS = {"id": 100, "name": 200, "description": 5000, "interests": 5000, "tags": 1000}
MAX_OTHER_CHARS = 500
COUNTRIES = {
    "jp": "JP", "japan": "JP", "jpn": "JP", "日本": "JP",
    "il": "IL", "israel": "IL", "isr": "IL", "イスラエル": "IL",
}  # fmt: skip
COUNTRY_NAMES = {"JP": "Japan", "IL": "Israel"}
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LIST_SEPARATORS = re.compile(r"[;,|]")
LEADING_YEAR = re.compile(r"^(\d{4})\b")
EARLIEST_YEAR = 1600


@dataclass(frozen=True)
class Company:
    """One company of a list, validated and normalized."""

    id: str
    name: str
    country: str
    sectors: tuple[str, ...]
    description: str = ""
    interests: str = ""
    tags: tuple[str, ...] = ()
    city: str = ""
    founded: int | None = None
    employees: str = ""
    stage: str = ""
    website: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """The record as a JSON-ready dict; extra columns are passed through under their names."""
        record = {name: getattr(self, name) for name in KNOWN_COLUMNS}
        record["sectors"], record["tags"] = list(self.sectors), list(self.tags)
        record["extra"] = dict(self.extra)
        return record


def other_country(country: str) -> str:
    """JP for IL and IL for JP."""
    return "IL" if country == "JP" else "JP"


def normalize_country(value: str) -> str | None:
    """`JP` or `IL` for any accepted spelling, None when unknown."""
    return COUNTRIES.get(value.strip().casefold())


def slugify(name: str) -> str:
    """An ASCII slug of a company name; a hash-based slug when nothing ASCII is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")
    return slug or "company-" + hashlib.sha1(name.encode()).hexdigest()[:8]


def split_list(value: object) -> list[str]:
    """Split a `;`-separated string (`,` and `|` work too) or take a JSON list; drop empty items."""
    items = value if isinstance(value, list) else LIST_SEPARATORS.split(str(value))
    return [str(item).strip() for item in items if str(item).strip()]


def load_companies(
    path: Path | str, taxonomy: Taxonomy, sheet: str | None = None
) -> tuple[Company, ...]:
    """Read and validate a company list; raise InvalidListError listing every problem."""
    table = read_table(path, sheet)
    companies = parse_companies(table, taxonomy)
    if table.problems:
        raise InvalidListError(sorted(table.problems, key=lambda p: p.line))
    return companies


def parse_companies(table: RawTable, taxonomy: Taxonomy) -> tuple[Company, ...]:
    """Turn raw rows into companies, appending every problem found to `table.problems`."""
    if not table.check_columns(REQUIRED, KNOWN_COLUMNS):
        return ()
    if not table.rows and not table.problems:
        message = "the list has no companies"
        table.problems.append(Problem(table.path, table.header_line, "file", message))
    parsed = [(line, _parse_row(table, line, row, taxonomy)) for line, row in table.rows]
    return _assign_ids(table, [(line, fields) for line, fields in parsed if fields is not None])


def _column_name(name: str) -> str:
    """Known columns match case-insensitively ('Name' is `name`); extra columns keep their case."""
    folded = name.strip().casefold()
    return folded if folded in KNOWN_COLUMNS else name


def _parse_row(
    table: RawTable, line: int, row: Mapping[str, object], taxonomy: Taxonomy
) -> dict[str, object] | None:
    problems: list[Problem] = []
    row = {_column_name(k): v for k, v in row.items()}

    def problem(column: str, message: str) -> None:
        problems.append(Problem(table.path, line, column, message))

    values = {name: _text(row.get(name), name, problem) for name in row}
    for column in REQUIRED:
        if not values.get(column):
            problem(column, "missing required field" if column not in row else "empty value")
    fields: dict[str, object] = {
        "id": values.get("id", ""),
        "name": values.get("name", ""),
        "country": _country(values.get("country", ""), problem),
        "sectors": _sectors(row.get("sectors"), taxonomy, problem),
        "description": values.get("description", ""),
        "interests": values.get("interests", ""),
        "tags": tuple(split_list(row.get("tags") or "")),
        "city": values.get("city", ""),
        "founded": _year(values.get("founded", ""), problem),
        "employees": values.get("employees", ""),
        "stage": values.get("stage", ""),
        "website": values.get("website", ""),
        "extra": tuple((k, v) for k, v in values.items() if k not in KNOWN_COLUMNS),
    }
    if fields["id"] and not ID_PATTERN.match(str(fields["id"])):
        problem("id", "ids may hold only letters, digits, '.', '_' and '-'")
    table.problems.extend(problems)
    return None if problems else fields


def _text(value: object, column: str, problem) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) or (isinstance(value, list) and column not in LIST_COLUMNS):
        problem(column, f"expected text, found a JSON {type(value).__name__}")
        return ""
    text = ";".join(split_list(value)) if isinstance(value, list) else str(value).strip()
    limit = MAX_CHARS.get(column, MAX_OTHER_CHARS)
    if len(text) > limit:
        problem(column, f"value is {len(text)} characters long; the limit is {limit}")
        return ""
    return text


def _country(value: str, problem) -> str:
    country = normalize_country(value) if value else ""
    if value and country is None:
        problem("country", f"unknown country {value!r} (expected JP/Japan/JPN or IL/Israel/ISR)")
    return country or ""


def _sectors(value: object, taxonomy: Taxonomy, problem) -> tuple[str, ...]:
    keys: list[str] = []
    for name in split_list(value or ""):
        found = taxonomy.resolve_compound(name)
        if not found:
            problem("sectors", taxonomy.unknown_message(name))
        keys.extend(k for k in found if k not in keys)
    return tuple(keys)


def leading_year(value: str) -> int | None:
    """The year a value starts with ('1937', '1937-04', '2017-03-01'), or None when it does not
    start with a plausible year (1600 to next year)."""
    match = LEADING_YEAR.match(value.strip())
    if not match or not EARLIEST_YEAR <= int(match.group(1)) <= datetime.date.today().year + 1:
        return None
    return int(match.group(1))


def _year(value: str, problem) -> int | None:
    if not value:
        return None
    year = leading_year(value)
    if year is None:
        latest = datetime.date.today().year + 1
        problem("founded", f"expected a year between {EARLIEST_YEAR} and {latest}, found {value!r}")
    return year


def _assign_ids(table: RawTable, rows: Iterable[tuple[int, dict[str, object]]]) -> tuple:
    rows = list(rows)
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
    companies = []
    for _, fields in rows:
        if not fields["id"]:
            fields["id"] = _unique(slugify(str(fields["name"])), taken)
        companies.append(Company(**fields))
    return tuple(companies)


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


PROFILE_FIELDS = ("name", "country", "sectors", "description", "interests", "tags", "city")


def company_from_profile(profile: Mapping[str, object], taxonomy: Taxonomy) -> Company:
    """A Company for an ad-hoc profile (not in any list); InvalidProfileError names the bad field.

    Defaults: name 'Ad-hoc profile', country JP. At least one of sectors, description,
    interests or tags must say something, or there is nothing to match on.
    """
    problems: list[tuple[str, str]] = []

    def problem(column: str, message: str) -> None:
        problems.append((column, message))

    unknown = sorted(set(profile) - set(PROFILE_FIELDS))
    if unknown:
        problem(unknown[0], f"unknown field (known: {', '.join(PROFILE_FIELDS)})")
    values = {k: _text(profile.get(k), k, problem) for k in PROFILE_FIELDS if k not in LIST_COLUMNS}
    country = _country(values["country"] or "JP", problem)
    sectors = _sectors(profile.get("sectors") or "", taxonomy, problem)
    tags = tuple(split_list(profile.get("tags") or ""))
    if not problems and not (sectors or values["description"] or values["interests"] or tags):
        problem("sectors", "give at least one of sectors, description, interests or tags")
    if problems:
        raise InvalidProfileError(*problems[0])
    return Company(
        id="",
        name=values["name"] or "Ad-hoc profile",
        country=country,
        sectors=sectors,
        description=values["description"],
        interests=values["interests"],
        tags=tags,
        city=values["city"],
    )
