"""A text's words split at punctuation and stemmed, once per text, for the explanations.

An explanation looks up its chosen terms in the query's text; the ten (up to 100) explanations of
one ranking share that text, so its analysis is cached (`analysed`), and only the stretches that
hold a chosen stem are visited (`Analysed.where`): the cost follows the terms, not the text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from kakehashi.tokens import stem

_WORD = re.compile(r"\w+(?:[-']\w+)*")


@dataclass(frozen=True)
class Analysed:
    """A text's stretches between punctuation marks, word by word."""

    items: tuple[tuple[str, ...], ...]  # the words as written
    stems: tuple[tuple[str, ...], ...]  # each word's stem (case-folded)
    content: tuple[tuple[bool, ...], ...]  # whether each word is not a stop word
    written: frozenset[str]  # every stem the text writes, hyphenated parts included
    where: dict[str, tuple[int, ...]]  # the stretches each stem occurs in, in order


def items(text: str) -> list[list[str]]:
    """The words of each stretch of text between punctuation marks."""
    found: list[list[str]] = [[]]
    end = 0
    for match in _WORD.finditer(text):
        if text[end : match.start()].strip() and found[-1]:
            found.append([])
        found[-1].append(match.group())
        end = match.end()
    return [item for item in found if item]


@functools.lru_cache(maxsize=512)
def analysed(text: str) -> Analysed:
    """The analysis of a text (cached: the same query text serves every explanation)."""
    words = tuple(tuple(item) for item in items(text))
    stems = tuple(tuple(stem(t.casefold()) for t in item) for item in words)
    content = tuple(tuple(t.casefold() not in ENGLISH_STOP_WORDS for t in item) for item in words)
    written = {s for item in stems for s in item}
    written |= {stem(part) for item in words for t in item for part in t.casefold().split("-")}
    where: dict[str, list[int]] = {}
    for n, item in enumerate(stems):
        for s in dict.fromkeys(item):
            where.setdefault(s, []).append(n)
    return Analysed(
        words, stems, content, frozenset(written), {s: tuple(n) for s, n in where.items()}
    )
