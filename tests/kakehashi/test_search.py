"""Name search: English or Japanese names, prefix matches first, case and width folded."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kakehashi import model as model_module
from kakehashi.artifact import load_model, save_model
from kakehashi.company_list import load_companies
from kakehashi.safe_load import unmapped_arrays
from kakehashi.search import WHITESPACE, fold, search_companies

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
    if not text:  # no text: every firm of the country and sectors, in the list's order
        return found

    def relevance(c):
        names = [fold(n) for n in (c.name, c.name_ja) if n]
        if any(name.startswith(needle) for name in names):
            return (0, names[0], c.id)
        words = any(w.startswith(needle) for name in names for w in name.split())
        return (1 if words else 2, names[0], c.id)

    return sorted(found, key=relevance)


TEXTS = ["a", "tech", "ＴＥＣＨ", "トヨタ", "電", "s", "zz-none", "  ", "a\x00b", ""]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("country", [None, "JP", "IL"])
def test_search_of_a_list_finds_what_folding_every_name_at_each_call_finds(bundled, text, country):
    expected = [c.id for c in reference_search(bundled, text, country)]
    assert [c.id for c in search_companies(bundled, text, country)] == expected


@pytest.mark.parametrize("text", [*TEXTS, "ａｌｐｈａ", "ー"])
@pytest.mark.parametrize(("country", "sectors"), [(None, ()), ("IL", ()), (None, ("cyber", "ai"))])
def test_a_model_searches_its_names_folded_at_training_as_specified(model, text, country, sectors):
    expected = [c.id for c in reference_search(model.companies(), text, country, sectors)]
    assert [c.id for c in model.search(text, country, sectors)] == expected


def test_a_model_does_not_fold_its_names_again_to_search(model, monkeypatch):
    first = list(model.search("a"))
    monkeypatch.setattr(model_module, "folded_names", lambda _: pytest.fail("folded again"))
    assert list(model.search("a")) == first == search_companies(model.companies(), "a")


def test_a_loaded_model_decodes_only_the_records_a_search_returns(model, tmp_path):
    path = tmp_path / "artifact.joblib"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.companies_._decoded == {}
    found = loaded.search("a", country="IL")
    page = found[:2]
    assert len(found) > 2 and [c.id for c in page] == [c.id for c in model.search("a", "IL")[:2]]
    assert set(loaded.companies_._decoded) == {loaded.row_of_[c.id] for c in page}
    assert unmapped_arrays(loaded.names_) == []


NAMES = [
    "Beta Systems", "Alpha Beta", "alphabet", "Gamma\u3000Beta", "Delta\u2028Beta", "Betamax",
    "ababa aba", "x-beta", "Beta\x85Ray", "ab ab", "Zeta  Beta", "ベータ電機", "電気ベータ",
]  # fmt: skip


@pytest.mark.parametrize("text", ["beta", "aba", "ab", "ab ab", "a b", "ベータ", "ray", "b"])
def test_search_orders_by_where_the_name_matches_for_every_kind_of_whitespace(bundled, text):
    """A name's start, then a word's start (after any whitespace str.split knows), then inside."""
    named = [dataclasses.replace(c, name=n) for c, n in zip(bundled, NAMES, strict=False)]
    expected = [c.id for c in reference_search(named, text)]
    assert expected  # every needle finds a name
    assert [c.id for c in search_companies(named, text)] == expected


def test_whitespace_is_what_str_split_splits_on():
    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
