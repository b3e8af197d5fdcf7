"""The chosen (stemmed) terms of an explanation as the text writes them: short phrases, and the
Japanese a term was translated from."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kakehashi.japanese import glossed_words
from kakehashi.text_items import analysed
from kakehashi.tokens import stem, stemmed_text

MAX_TERMS = 6
# Words that say nothing on their own in "X seeks ..., which Y works on" (fine inside a phrase).
VACUOUS_STEMS = frozenset(  # technology, products, solutions, services, platforms, invests...
    ("busi", "compani", "develop", "invest", "new", "partner", "platform", "product", "servic",
     "solut", "startup", "technolog")
)  # fmt: skip


def phrases(terms: Sequence[str], text: str) -> tuple[str, ...]:
    """The chosen (stemmed) terms as the text writes them, as short phrases.

    Chosen words side by side in the text form one phrase: from "vehicles for autonomous driving",
    'autonom', 'drive' and 'vehicl' read 'vehicles' and 'autonomous driving'. Within one
    comma-separated item, a phrase also spans up to two words that are not chosen when one of them
    says something ("cell and gene therapy", at most four words), but not a mere "and". A word the
    text writes only inside a hyphenated word ('based' of 'camera-based') is dropped, and so is a
    lone word that says nothing in a sentence ('technologies', 'products').
    """
    first_seen: dict[str, int] = {}
    for position, term in enumerate(terms):
        for word in term.split():
            first_seen.setdefault(word, position)
    found: dict[str, int] = {}
    text_of = analysed(text)
    for n in sorted({n for word in first_seen for n in text_of.where.get(word, ())}):
        item, stems = text_of.items[n], text_of.stems[n]
        for span in _spans([s in first_seen for s in stems], text_of.content[n]):
            words = item[span[0] : span[1] + 1]
            phrase = " ".join(_display(w) for w in words)
            chosen = [first_seen[s] for s in stems[span[0] : span[1] + 1] if s in first_seen]
            if len(words) > 1 or stem(phrase.casefold()) not in VACUOUS_STEMS:
                found.setdefault(phrase, min(chosen))
    for position, term in enumerate(terms):
        if not any(word in text_of.written for word in term.split()):
            found.setdefault(term, position)
    return _distinct(found)


def _spans(
    chosen: Sequence[bool], content: Sequence[bool], bridge: int = 2, longest: int = 4
) -> list[tuple[int, int]]:
    """(first, last) positions of runs of chosen words; a gap of at most `bridge` words with a
    content word in it is bridged while the phrase stays within `longest` words."""
    spans: list[tuple[int, int]] = []
    for position in (p for p, is_chosen in enumerate(chosen) if is_chosen):
        gap = range(spans[-1][1] + 1, position) if spans else range(0)
        adjacent = bool(spans) and not gap
        bridged = (
            bool(spans)
            and 0 < len(gap) <= bridge
            and any(content[g] for g in gap)
            and position - spans[-1][0] < longest
        )
        if adjacent or bridged:
            spans[-1] = (spans[-1][0], position)
        else:
            spans.append((position, position))
    return spans


def _distinct(found: dict[str, int]) -> tuple[str, ...]:
    """The phrases in order, each stemmed phrase once, none inside a longer one, at most six."""
    stems = {phrase: stemmed_text(phrase) for phrase in found}
    first_written: dict[str, str] = {}
    for phrase in found:  # the first way the text writes a stemmed phrase is the one shown
        first_written.setdefault(stems[phrase], phrase)
    distinct = list(first_written.values())
    # stemmed phrases are single-spaced words: whole-word containment is a padded substring
    padded = {p: f" {stems[p]} " for p in distinct}
    whole = [p for p in distinct if not any(p != q and padded[p] in padded[q] for q in distinct)]
    return tuple(sorted(whole, key=lambda phrase: found[phrase]))[:MAX_TERMS]


def _display(word: str) -> str:
    """A word as shown in a sentence: acronyms and names keep their capitals (ADAS, iPhone)."""
    return word if any(c.isupper() for c in word[1:]) else word.casefold()


def translation_pairs(raw: str, vectorizer) -> list[tuple[str, str]]:
    """The (Japanese, English) pairs a text holds: the glossary's entries, longest first, then
    (with `japanese_dictionary`) each dictionary gloss of its other Japanese words."""
    pattern, glossary = vectorizer.glossary_pattern_, vectorizer.glossary_map_
    matches = list(pattern.finditer(raw)) if pattern is not None else []
    present = {m.group() for m in matches}
    pairs = [(ja, glossary[ja]) for ja in sorted(present, key=lambda ja: (-len(ja), ja))]
    if vectorizer.japanese_dictionary:
        words = glossed_words(raw, [m.span() for m in matches])
        pairs += [(ja, en) for ja, glosses in words for en in glosses]
    return pairs


@dataclass(frozen=True)
class Translations:
    """Where the English of a text's Japanese came from: each English term, and each word of one,
    with the Japanese it translates (the first pair that gives it)."""

    terms: dict[str, str]
    words: dict[str, str]

    @classmethod
    def of(cls, pairs: Sequence[tuple[str, str]]) -> Translations:
        """From (Japanese, English) pairs, most specific first."""
        terms: dict[str, str] = {}
        words: dict[str, str] = {}
        for ja, en in pairs:
            terms.setdefault(en, ja)
            for word in re.split(r"[\s-]", en):
                words.setdefault(word, ja)
        return cls(terms, words)


def as_written(
    terms: Sequence[str], raw: str, translations: Callable[[str], Translations]
) -> tuple[str, ...]:
    """The terms as a firm's raw text writes them: one that came from Japanese shows its Japanese
    too, and the glosses of one Japanese word are shown together ("映像 (video, footage)")."""
    written, found = raw.casefold(), translations(raw)
    shown: dict[str, list[str]] = {}
    for term in terms:
        head, aside = (term, "") if term.casefold() in written else _translated(term, found)
        asides = shown.setdefault(head, [])
        if aside and aside not in asides:
            asides.append(aside)
    return tuple(f"{head} ({', '.join(notes)})" if notes else head for head, notes in shown.items())


def _translated(term: str, found: Translations) -> tuple[str, str]:
    """A term that came from Japanese, and what to show beside it in parentheses: a whole term
    shows as its Japanese with the term beside it; a word of a longer term, with its Japanese."""
    if term in found.terms:
        return found.terms[term], term
    if term in found.words:
        return term, found.words[term]
    return term, ""
