"""The word view's tokens: stems from Snowball's English stemmer, in its C build."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from snowballstemmer.english_stemmer import EnglishStemmer

from kakehashi import tokens

REPO = Path(__file__).resolve().parents[2]


def test_the_stemmer_is_the_c_build():
    import Stemmer  # PyStemmer, a dependency

    assert isinstance(tokens._stemmer(), Stemmer.Stemmer)


def test_stems_equal_the_pure_python_stemmer_on_every_word_of_the_bundled_list():
    text = (REPO / "data/companies.csv").read_text(encoding="utf-8").lower()
    words = sorted(set(re.findall(r"(?u)\b\w\w+\b", text)))
    reference = EnglishStemmer()
    assert len(words) > 3000
    assert [tokens.stem(w) for w in words] == [reference.stemWord(w) for w in words]


def test_word_tokens_drop_stop_words_and_stem():
    assert tokens.word_tokens("The vehicles and their autonomous driving") == [
        "vehicl",
        "autonom",
        "drive",
    ]


def test_each_thread_has_its_own_stemmer():
    found = []
    thread = threading.Thread(target=lambda: found.append(tokens._stemmer()))
    thread.start()
    thread.join()
    assert found[0] is not tokens._stemmer()
