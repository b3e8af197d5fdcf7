"""English words as the word view sees them: lower-cased, stop words out, Snowball-stemmed.

Stemming lets "vehicles" meet "vehicle" and "autonomously" meet "autonomous", which two writers of
the same facts rarely share word for word. These are module-level functions because the fitted
vectorizer inside a model artifact refers to them by name (joblib pickles functions by reference).

snowballstemmer hands out PyStemmer's C build of the same Snowball algorithm when it is installed
(a dependency: the same stems on every word of JMdict's glosses and the bundled lists, about 20x
faster, which matters for a profile's new words); a stemmer holds state between calls, so each
thread has its own.
"""

from __future__ import annotations

import functools
import re
import threading

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


_local = threading.local()


def _stemmer():
    """This thread's English (Porter 2) stemmer."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@functools.lru_cache(maxsize=262_144)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one lower-cased word."""
    return _stemmer().stemWord(word)


def word_tokens(text: str) -> list[str]:
    """The stems of a text's words without English stop words: the word view's tokens."""
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def stemmed_text(text: str) -> str:
    """Every word of a text stemmed, stop words kept, so a phrase check stays verbatim."""
    return " ".join(stem(t) for t in _TOKEN.findall(text.lower()))
