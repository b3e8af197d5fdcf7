"""The evaluation lists under data/eval: a Japanese-language copy of the bundled Japanese firms."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
JA_COLUMNS = ["id", "name", "name_ja", "description", "interests", "tags"]
# Israeli names that are ordinary words and would match unrelated text as substrings. None is
# needed today: the Japanese texts hold no such word. Add one here, with the text it matched,
# only when a false positive shows up.
ORDINARY_WORD_NAMES: frozenset[str] = frozenset()


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _is_japanese(char: str) -> bool:
    """Hiragana, katakana (with the long-vowel mark) or a CJK ideograph (with 々)."""
    code = ord(char)
    return 0x3040 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or char == "々"


def _japanese_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(map(_is_japanese, letters)) / len(letters) if letters else 0.0


@pytest.fixture(scope="module")
def ja_rows() -> list[dict[str, str]]:
    return _read(DATA / "eval" / "japanese_firms_ja.csv")


@pytest.fixture(scope="module")
def bundled_rows() -> list[dict[str, str]]:
    return _read(DATA / "companies.csv")


@pytest.fixture(scope="module")
def english_jp(bundled_rows) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in bundled_rows if r["country"] == "JP"}


def test_japanese_firms_ja_header_is_exactly_the_six_columns():
    with open(DATA / "eval" / "japanese_firms_ja.csv", encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == JA_COLUMNS


def test_japanese_firms_ja_has_no_byte_order_mark():
    assert not (DATA / "eval" / "japanese_firms_ja.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_japanese_firms_ja_ids_are_the_bundled_japanese_ids_each_once(ja_rows, english_jp):
    ids = [r["id"] for r in ja_rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(english_jp)


def test_japanese_firms_ja_names_equal_the_english_rows(ja_rows, english_jp):
    assert [r["id"] for r in ja_rows if r["name"] != english_jp[r["id"]]["name"]] == []


@pytest.mark.parametrize("column", ["name_ja", "description", "interests", "tags"])
def test_japanese_firms_ja_column_is_filled(ja_rows, column):
    assert [r["id"] for r in ja_rows if not r[column].strip()] == []


@pytest.mark.parametrize("column", ["name_ja", "description", "interests"])
def test_japanese_firms_ja_column_contains_japanese_script(ja_rows, column):
    assert [r["id"] for r in ja_rows if not any(map(_is_japanese, r[column]))] == []


def test_japanese_firms_ja_descriptions_are_mostly_japanese(ja_rows):
    assert [r["id"] for r in ja_rows if _japanese_share(r["description"]) < 0.5] == []


def test_japanese_firms_ja_texts_differ_from_the_english_rows(ja_rows, english_jp):
    for column in ("description", "interests", "tags"):
        assert [r["id"] for r in ja_rows if r[column] == english_jp[r["id"]][column]] == []


def test_japanese_firms_ja_never_names_an_israeli_company(ja_rows, bundled_rows):
    # Substrings, not \b-bounded words as in test_bundled_data: Japanese has no spaces, and a Latin
    # name glued to kana (as in 「Wiz社と提携」) has no word boundary, so \b would let it through.
    # Names under four characters (Wix, Wiz) are skipped: as substrings they would match inside
    # unrelated Latin words.
    names = {
        r["name"].casefold()
        for r in bundled_rows
        if r["country"] == "IL" and len(r["name"]) >= 4 and r["name"] not in ORDINARY_WORD_NAMES
    }
    for row in ja_rows:
        text = f"{row['description']} {row['interests']} {row['tags']}".casefold()
        assert sorted(n for n in names if n in text) == [], row["id"]
