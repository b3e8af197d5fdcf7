"""The bundled data is part of the product: schema, ids, sector coverage, partnerships, glossary."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from kakehashi.companies import KNOWN_COLUMNS
from kakehashi.company_list import load_companies
from kakehashi.glossary import load_glossary
from kakehashi.partnerships import load_partnerships

DATA = Path(__file__).resolve().parents[2] / "data"
FOCUS_MINIMUM = {
    "cyber": 30,
    "life_sciences": 30,
    "ai": 30,
    "digital_health": 30,
    "automotive": 30,
    "vr": 15,
}


@pytest.fixture(scope="module")
def companies(taxonomy):
    return load_companies(DATA / "companies.csv", taxonomy)


NEW_COLUMNS = ("parent_id", "hq_country", "hq_city", "as_of", "source")
RELATED_GROUPS = [
    ("mitsui-sumitomo-insurance", "ms-ad-insurance-group"),
    ("softbank-corp", "softbank-group"),
    ("ntt-docomo", "ntt"),
    ("ntt-data", "ntt"),
    ("kyowa-kirin", "kirin"),
    ("zebra-medical-vision", "nanox"),
    ("moovit", "mobileye"),
    ("altair-semiconductor", "sony"),
]


@pytest.fixture(scope="module")
def raw_rows():
    """The bundled list read with the standard csv module, independent of the list readers."""
    with open(DATA / "companies.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def partnerships(companies):
    return load_partnerships(DATA / "partnerships.csv", companies)


def test_bundled_companies_cover_a_delegation_and_its_counterparts(companies):
    counts = Counter(c.country for c in companies)
    assert counts["JP"] >= 90 and counts["IL"] >= 300


@pytest.mark.parametrize(("sector", "minimum"), FOCUS_MINIMUM.items())
def test_bundled_israeli_companies_cover_each_focus_sector(companies, sector, minimum):
    assert sum(sector in c.sectors for c in companies if c.country == "IL") >= minimum


def test_bundled_ids_are_unique_slugs(companies):
    ids = [c.id for c in companies]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_bundled_companies_have_descriptions_and_japanese_firms_interests(companies):
    assert all(c.description for c in companies)
    assert all(c.interests for c in companies if c.country == "JP")


def test_bundled_names_are_unique(companies):
    names = Counter(c.name.casefold() for c in companies)
    assert [n for n, k in names.items() if k > 1] == []


# Mitsubishi Tanabe Pharma was renamed Tanabe Pharma in 2025; the id keeps the old name.
@pytest.mark.parametrize("name", ["Tanabe Pharma", "Toshiba", "Hitachi", "Sony", "Mitsubishi Electric"])
def test_bundled_list_includes_firms_named_in_public_delegation_reports(companies, name):
    assert name in {c.name for c in companies}


def test_bundled_partnerships_are_valid_and_enough(partnerships):
    assert len({p.pair for p in partnerships}) >= 20
    assert ("mitsubishi-tanabe-pharma", "neuroderm") in {p.pair for p in partnerships}


def test_bundled_partnerships_keep_the_historical_pair_of_a_renamed_firm(companies):
    assert {c.id: c.name for c in companies}["mitsubishi-tanabe-pharma"] == "Tanabe Pharma"


def test_bundled_descriptions_do_not_name_the_partner(companies, partnerships):
    """Naming the partner in a profile would leak the evaluation's answer into the text features."""
    by_id = {c.id: c for c in companies}
    for p in partnerships:
        japanese, israeli = by_id[p.japanese_id], by_id[p.israeli_id]
        assert japanese.name.casefold() not in israeli.description.casefold(), p
        assert (
            israeli.name.casefold() not in f"{japanese.description} {japanese.interests}".casefold()
        ), p


def test_bundled_profiles_never_name_a_firm_of_the_other_country(companies):
    """The rule holds for every row, not only partnered pairs: a future deal must not leak either."""
    names = {c.country: [] for c in companies}
    for c in companies:
        names[c.country].append(re.compile(rf"\b{re.escape(c.name.casefold())}\b"))
    for c in companies:
        text = f"{c.description} {c.interests}".casefold()
        other = "IL" if c.country == "JP" else "JP"
        assert [p.pattern for p in names[other] if p.search(text)] == [], c.id


def test_bundled_header_has_the_new_columns(raw_rows):
    header = list(raw_rows[0])
    assert header[header.index("website") + 1 :] == list(NEW_COLUMNS)


def test_bundled_parent_ids_exist_and_are_not_the_row_itself(raw_rows):
    ids = {r["id"] for r in raw_rows}
    for r in raw_rows:
        if r["parent_id"]:
            assert r["parent_id"] in ids, r["id"]
            assert r["parent_id"] != r["id"], r["id"]


def test_bundled_parent_ids_have_no_cycles(raw_rows):
    parent = {r["id"]: r["parent_id"] for r in raw_rows if r["parent_id"]}
    for start in parent:
        seen, node = {start}, parent[start]
        while node in parent:
            assert node not in seen, f"cycle through {start}"
            seen.add(node)
            node = parent[node]


@pytest.mark.parametrize(("child", "parent"), RELATED_GROUPS)
def test_bundled_related_groups_are_linked(raw_rows, child, parent):
    assert {r["id"]: r["parent_id"] for r in raw_rows}[child] == parent


def _as_of_date(value: str) -> dt.date:
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return dt.date.fromisoformat(f"{value}-01")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
    return dt.date.fromisoformat(value)


def test_bundled_as_of_parses_and_is_not_in_the_future(raw_rows):
    for r in raw_rows:
        assert _as_of_date(r["as_of"]) <= dt.date.today(), r["id"]


@pytest.mark.parametrize("value", ["", "2026", "2026-13", "26-11", "2026/11", "2026-11-31", "soon"])
def test_as_of_date_rejects_malformed_values(value):
    with pytest.raises((AssertionError, ValueError)):
        _as_of_date(value)


def test_bundled_hq_country_is_a_foreign_alpha2_code(raw_rows):
    for r in raw_rows:
        if r["hq_country"]:
            assert re.fullmatch(r"[A-Z]{2}", r["hq_country"]), r["id"]
            assert r["hq_country"] != r["country"], r["id"]


def test_bundled_hq_city_is_filled_exactly_when_hq_country_is(raw_rows):
    assert [r["id"] for r in raw_rows if bool(r["hq_city"]) != bool(r["hq_country"])] == []


def test_bundled_rows_all_have_a_source(raw_rows):
    assert [r["id"] for r in raw_rows if not r["source"].strip()] == []


def test_bundled_japanese_rows_all_have_a_city(raw_rows):
    assert [r["id"] for r in raw_rows if r["country"] == "JP" and not r["city"].strip()] == []


def test_bundled_blank_cities_are_marked_unconfirmed_in_the_source(raw_rows):
    blank = [r for r in raw_rows if not r["city"].strip()]
    assert [r["id"] for r in blank if "not confirmed" not in r["source"]] == []


def test_bundled_glossary_has_a_few_hundred_japanese_terms():
    glossary = load_glossary()
    assert len(glossary) >= 300
    assert {e.ja: e.en for e in glossary}["自動運転"] == "autonomous driving"


def test_data_readme_documents_every_column(raw_rows):
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for column in (*KNOWN_COLUMNS, *raw_rows[0], "japanese_id", "israeli_id", "kind", "year", "note"):
        assert f"`{column}`" in readme, column
