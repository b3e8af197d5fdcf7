"""Company records, and the validation of their fields shared by lists and ad-hoc profiles."""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kakehashi.errors import InvalidProfileError
from kakehashi.taxonomy import Taxonomy

REQUIRED = ("name", "country", "sectors")
KNOWN_COLUMNS = (
    "id", "name", "country", "sectors", "description", "interests", "tags",
    "city", "founded", "employees", "stage", "website",
    "parent_id", "hq_country", "hq_city", "as_of", "source", "name_ja",
)  # fmt: skip
LIST_COLUMNS = ("sectors", "tags")
MAX_CHARS = {
    "id": 100,
    "name": 200,
    "name_ja": 200,
    "description": 5000,
    "interests": 5000,
    "tags": 1000,
}
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
    parent_id: str = ""
    hq_country: str = ""
    hq_city: str = ""
    as_of: str = ""
    source: str = ""
    name_ja: str = ""  # the name as the firm writes it in Japanese (found by the name search)
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


def text_field(value: object, column: str, problem) -> str:
    """A cell as stripped text (a JSON list joined by ';'); too long or not text is a problem."""
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


def country_field(value: str, problem) -> str:
    """JP or IL for a country cell; an unknown spelling is a problem."""
    country = normalize_country(value) if value else ""
    if value and country is None:
        problem("country", f"unknown country {value!r} (expected JP/Japan/JPN or IL/Israel/ISR)")
    return country or ""


def sectors_field(value: object, taxonomy: Taxonomy, problem) -> tuple[str, ...]:
    """Sector keys of a sectors cell; each unknown name is a problem with the closest key."""
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


def year_field(value: str, problem) -> int | None:
    """The founding year of a cell; a value that does not start with one is a problem."""
    if not value:
        return None
    year = leading_year(value)
    if year is None:
        latest = datetime.date.today().year + 1
        problem("founded", f"expected a year between {EARLIEST_YEAR} and {latest}, found {value!r}")
    return year


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
    values = {
        k: text_field(profile.get(k), k, problem) for k in PROFILE_FIELDS if k not in LIST_COLUMNS
    }
    country = country_field(values["country"] or "JP", problem)
    sectors = sectors_field(profile.get("sectors") or "", taxonomy, problem)
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


def group_root(company_id: str, companies: Sequence[Company], row_of: dict[str, int]) -> str:
    """The id at the top of a company's parent_id chain (the list guarantees no cycle)."""
    seen = {company_id}
    parent = companies[row_of[company_id]].parent_id
    while parent in row_of and parent not in seen:
        company_id = parent
        seen.add(parent)
        parent = companies[row_of[parent]].parent_id
    return company_id
