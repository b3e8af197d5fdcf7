"""Name search: English or Japanese names, prefix matches first, case and width folded."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakehashi.company_list import load_companies
from kakehashi.search import search_companies

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "companies.csv"


@pytest.fixture(scope="module")
def bundled(taxonomy):
    return load_companies(BUNDLED, taxonomy)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("トヨタ", "toyota-motor"), ("日立", "hitachi"), ("ＴＯＹＯＴＡ", "toyota-motor")],
)
def test_search_finds_bundled_firms_by_their_japanese_or_english_name(bundled, text, expected):
    assert expected in [c.id for c in search_companies(bundled, text)[:3]]


def test_search_puts_prefix_matches_before_substrings(bundled):
    ids = [c.id for c in search_companies(bundled, "sony")]
    assert ids[0] == "sony" and len(ids) >= 1


def test_search_filters_by_country_and_sector(bundled):
    found = search_companies(bundled, "", country="IL", sectors={"cyber"})
    assert found and all(c.country == "IL" and "cyber" in c.sectors for c in found)
