"""The bundled data is part of the product: schema, ids, sector coverage, partnerships, glossary."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from kakehashi.companies import KNOWN_COLUMNS, load_companies
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


@pytest.mark.parametrize(
    "name", ["Mitsubishi Tanabe Pharma", "Toshiba", "Hitachi", "Sony", "Mitsubishi Electric"]
)
def test_bundled_list_includes_firms_named_in_public_delegation_reports(companies, name):
    assert name in {c.name for c in companies}


def test_bundled_partnerships_are_valid_and_enough(partnerships):
    assert len({p.pair for p in partnerships}) >= 20
    assert ("mitsubishi-tanabe-pharma", "neuroderm") in {p.pair for p in partnerships}


def test_bundled_descriptions_do_not_name_the_partner(companies, partnerships):
    """Naming the partner in a profile would leak the evaluation's answer into the text features."""
    by_id = {c.id: c for c in companies}
    for p in partnerships:
        japanese, israeli = by_id[p.japanese_id], by_id[p.israeli_id]
        assert japanese.name.casefold() not in israeli.description.casefold(), p
        assert (
            israeli.name.casefold() not in f"{japanese.description} {japanese.interests}".casefold()
        ), p


def test_bundled_glossary_has_a_few_hundred_japanese_terms():
    glossary = load_glossary()
    assert len(glossary) >= 300
    assert {e.ja: e.en for e in glossary}["自動運転"] == "autonomous driving"


def test_data_readme_documents_every_column():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for column in (*KNOWN_COLUMNS, "japanese_id", "israeli_id", "kind", "year", "note"):
        assert f"`{column}`" in readme, column
