"""JMdict glosses read straight from the database: the same choice as jamdict's own lookup."""

from __future__ import annotations

import csv
import functools
import sys
from pathlib import Path

import pytest

from kakehashi import japanese, jmdict

REPO = Path(__file__).resolve().parents[2]


@functools.cache
def jamdict_reader():
    import jamdict_data
    from jamdict import Jamdict

    return Jamdict(db_file=jamdict_data.JAMDICT_DB_PATH, auto_config=False)


def jamdict_glosses(word: str, max_senses: int) -> tuple[str, ...]:
    """The reference: the same choice made on jamdict's `lookup` (every entry built whole)."""
    result = jamdict_reader().lookup(word, strict_lookup=True, lookup_chars=False, lookup_ne=False)
    entries = [e for e in result.entries if e.senses]
    if jmdict._HIRAGANA_ONLY.fullmatch(word):
        entries = [e for e in entries if jmdict.KANA_USUAL in e.senses[0].misc]
    if not entries:
        return ()

    def priority(entry) -> int:
        forms = [*entry.kanji_forms, *entry.kana_forms]
        return max((len(form.pri) for form in forms if form.text == word), default=-1)

    best = max(entries, key=priority)
    glosses = (jmdict.clean_gloss(g.text) for s in best.senses[:max_senses] for g in s.gloss)
    return tuple(dict.fromkeys(g for g in glosses if g))


def words_of_the_japanese_list() -> list[str]:
    """Every form a lookup tries for the words of the Japanese evaluation list, in all modes."""
    from sudachipy import SplitMode

    with open(REPO / "data/eval/japanese_firms_ja.csv", encoding="utf-8") as handle:
        texts = [f"{r['description']} {r['interests']} {r['tags']}" for r in csv.DictReader(handle)]
    tokenizer = japanese._tokenizer()
    found: set[str] = set()
    for text in texts:
        for _, run in japanese._runs(text):
            for mode in (SplitMode.A, SplitMode.B, SplitMode.C):
                for m in tokenizer.tokenize(run, mode):
                    found |= {m.dictionary_form(), m.normalized_form(), m.surface()}
    return sorted(found)


def test_glosses_equal_jamdicts_lookup_on_every_word_of_the_japanese_list():
    words = words_of_the_japanese_list()
    assert len(words) > 500
    found = {w: jmdict.word_glosses(w, 2) for w in words}
    assert sum(bool(g) for g in found.values()) > 300
    assert {w: g for w, g in found.items() if g != jamdict_glosses(w, 2)} == {}


@pytest.mark.parametrize(
    "word",
    ["がん", "こと", "ため", "当社", "データ", "AI", "cancer", "未登録の語", "取り組む", "映像"],
)
@pytest.mark.parametrize("max_senses", [1, 2, 99])
def test_glosses_equal_jamdicts_lookup_on_kana_gloss_and_unknown_words(word, max_senses):
    assert jmdict.word_glosses(word, max_senses) == jamdict_glosses(word, max_senses)


def test_a_forked_process_opens_its_own_connection(monkeypatch):
    parent = jmdict._connection()
    monkeypatch.setattr(jmdict.os, "getpid", lambda: -1)
    assert jmdict._connection() is not parent


def test_a_missing_database_package_is_named(monkeypatch):
    monkeypatch.setattr(jmdict, "_local", type(jmdict._local)())
    monkeypatch.setitem(sys.modules, "jamdict_data", None)
    with pytest.raises(jmdict.DictionaryMissing, match="jamdict-data"):
        jmdict._connection()
