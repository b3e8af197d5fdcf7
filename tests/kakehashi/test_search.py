"""Name search: English or Japanese names, prefix matches first, case and width folded."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakehashi import model as model_module
from kakehashi.company_list import load_companies
from kakehashi.search import fold, folded_names, search_companies

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


def reference_search(companies, text, country=None, sectors=()):
    """The search as specified, folding every name at every call."""
    needle = fold(text)
    found = [
        c
        for c in companies
        if (country is None or c.country == country)
        and (not sectors or set(sectors) & set(c.sectors))
        and any(needle in fold(n) for n in (c.name, c.name_ja) if n)
    ]

    def relevance(c):
        names = [fold(n) for n in (c.name, c.name_ja) if n]
        if any(name.startswith(needle) for name in names):
            return (0, names[0], c.id)
        words = any(w.startswith(needle) for name in names for w in name.split())
        return (1 if words else 2, names[0], c.id)

    return sorted(found, key=relevance)


@pytest.mark.parametrize(
    "text", ["a", "tech", "ＴＥＣＨ", "トヨタ", "電", "s", "zz-none", "  ", "a\x00b"]
)
@pytest.mark.parametrize("country", [None, "JP", "IL"])
def test_search_with_names_folded_once_finds_what_folding_at_each_call_finds(
    bundled, text, country
):
    folded = folded_names(bundled)
    expected = [c.id for c in reference_search(bundled, text, country)]
    assert [c.id for c in search_companies(bundled, text, country, folded=folded)] == expected
    assert [c.id for c in search_companies(bundled, text, country)] == expected


def test_a_model_folds_its_names_once_for_every_search(model, monkeypatch):
    first = model.search("a")
    monkeypatch.setattr(model_module, "folded_names", lambda _: pytest.fail("folded again"))
    assert model.search("a") == first == search_companies(model.companies(), "a")
    assert model.search("tech", country="IL") == search_companies(model.companies(), "tech", "IL")
