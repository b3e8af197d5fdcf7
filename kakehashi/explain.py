"""Reasons a person can read: shared sectors, matched terms, component scores and a summary.

Every word of a summary comes from the two profiles or from the taxonomy's labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kakehashi.companies import Company
from kakehashi.row_terms import Vector, block, shared_by_weight
from kakehashi.text_items import analysed
from kakehashi.tokens import stem, stemmed_text

if TYPE_CHECKING:  # the model calls explain(); only its types are needed here
    from kakehashi.model import PartnerModel
    from kakehashi.queries import Match, Query

MAX_TERMS = 6
# Words that say nothing on their own in "X seeks ..., which Y works on" (fine inside a phrase).
VACUOUS_STEMS = frozenset(  # technology, products, solutions, services, platforms, invests...
    ("busi", "compani", "develop", "invest", "new", "partner", "platform", "product", "servic",
     "solut", "startup", "technolog")
)  # fmt: skip
TERM_BREAK = "; "  # between the English terms added for Japanese text, so phrases stay apart


@dataclass(frozen=True)
class Explanation:
    """Why a candidate was ranked where it was."""

    shared_sectors: tuple[str, ...]
    related_sectors: tuple[tuple[str, str], ...]
    matched_terms: tuple[str, ...]
    interest_terms: tuple[str, ...]
    components: dict[str, float]
    contributions: dict[str, float]
    summary: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "shared_sectors": list(self.shared_sectors),
            "related_sectors": [{"query": a, "candidate": b} for a, b in self.related_sectors],
            "matched_terms": list(self.matched_terms),
            "interest_terms": list(self.interest_terms),
            "components": self.components,
            "contributions": self.contributions,
            "summary": self.summary,
        }


def explain(model: PartnerModel, query: Query, match: Match) -> Explanation:
    """Explain one ranked match of a query (call it as `model.explain(query, match)`)."""
    other = match.company
    taxonomy = model.vectorizer_.taxonomy
    shared = tuple(s for s in query.company.sectors if s in other.sectors)
    related = tuple(
        (a, b)
        for a in query.company.sectors
        for b in other.sectors
        if a != b and a not in shared and b not in shared and taxonomy.related(a, b)
    )
    words = model.vectorizer_.blocks_["words"]
    names = model.vectorizer_.word_features()
    other_profile = block(model.profiles_, match.row, words)
    vectorizer = model.vectorizer_
    expand = _memo(query, "expand", vectorizer.expand_text)
    # both full texts, stemmed word by word, to check that a two-word term is written verbatim
    stemmed = _memo(query, "stemmed", stemmed_text)
    texts = (stemmed(expand(_raw_text(query.company))), stemmed_text(expand(_raw_text(other))))
    in_words = _memo(
        query, "words", lambda: (block(query.profile, 0, words), block(query.interests, 0, words))
    )
    profile_words, interest_words = in_words()
    matched = _top_terms(profile_words, other_profile, names, texts)
    seeks_forward = _top_terms(interest_words, other_profile, names, texts)
    seeks_backward = _top_terms(
        block(model.interests_, match.row, words), profile_words, names, texts
    )
    if seeks_forward or not seeks_backward:
        seeker, provider, interest_terms = query.company, other, seeks_forward
    else:
        seeker, provider, interest_terms = other, query.company, seeks_backward
    matched = _phrases(matched, expand(_raw_text(query.company), TERM_BREAK))
    seeker_text = expand(seeker.interests or _raw_text(seeker), TERM_BREAK)
    interest_terms = _phrases(interest_terms, seeker_text)
    found_in = _memo(query, "glossary", lambda raw: _glossary_terms(raw, vectorizer))
    matched = tuple(dict.fromkeys(_as_written(t, query.company, found_in) for t in matched))
    interest_terms = tuple(dict.fromkeys(_as_written(t, seeker, found_in) for t in interest_terms))
    contributions = {k: _round(model.weights_[k] * v) for k, v in match.components.items()}
    contributions["hub_adjustment"] = _round(match.hub_adjustment)
    labels = tuple(taxonomy.get(s).name_in_text for s in shared)
    summary = _summary(labels, related, taxonomy, matched, interest_terms, seeker, provider)
    return Explanation(
        shared_sectors=shared,
        related_sectors=related,
        matched_terms=matched,
        interest_terms=interest_terms,
        components={k: _round(v) for k, v in match.components.items()},
        contributions=contributions,
        summary=summary,
    )


def _written(phrase: str, text: str) -> bool:
    """Whether the phrase occurs as whole words ('camera-based driver' has no 'based driver')."""
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _round(value: float) -> float:
    """Four decimals, without the '-0.0' that rounding a tiny negative number gives."""
    return round(value, 4) + 0.0


def _raw_text(company: Company) -> str:
    """Everything a company wrote about itself: description, interests and tags."""
    return f"{company.description} {company.interests} {' '.join(company.tags)}"


def _memo(query: Query, name: str, compute):
    """`compute`, remembered on the query under `name`: the query's own texts are derived once
    per ranking, not once per explained match (a long Japanese profile would cost seconds)."""

    def remembered(*args):
        key = (name, *args)
        if key not in query.memo:
            query.memo[key] = compute(*args)
        return query.memo[key]

    return remembered


def _glossary_terms(raw: str, vectorizer) -> list[tuple[str, str]]:
    """The glossary's (Japanese, English) entries that a text contains."""
    pattern, glossary = vectorizer.glossary_pattern_, vectorizer.glossary_map_
    present = set(pattern.findall(raw)) if pattern is not None else set()
    return [(ja, glossary[ja]) for ja in sorted(present, key=lambda ja: (-len(ja), ja))]


def _top_terms(a: Vector, b: Vector, names: np.ndarray, texts: tuple[str, ...]) -> tuple[str, ...]:
    """Terms weighing most in both vectors, as written in both texts; words inside phrases dropped.

    The word view drops stop words before forming bigrams, so a bigram such as 'security
    intrusion' can come from 'security and intrusion': a phrase is shown only when one of the
    two profiles writes it verbatim.
    """
    chosen: list[str] = []
    for term in (str(names[position]) for position in shared_by_weight(a, b)):
        if " " in term and not any(_written(term, text) for text in texts):
            continue
        if any(term in longer.split() for longer in chosen):
            continue
        chosen = [c for c in chosen if c not in term.split()]
        chosen.append(term)
        if len(chosen) == MAX_TERMS:
            break
    return tuple(chosen)


def _phrases(terms: Sequence[str], text: str) -> tuple[str, ...]:
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
    whole = [
        p for p in distinct if not any(p != q and _written(stems[p], stems[q]) for q in distinct)
    ]
    return tuple(sorted(whole, key=lambda phrase: found[phrase]))[:MAX_TERMS]


def _display(word: str) -> str:
    """A word as shown in a sentence: acronyms and names keep their capitals (ADAS, iPhone)."""
    return word if any(c.isupper() for c in word[1:]) else word.casefold()


def _as_written(term: str, company: Company, glossary_terms) -> str:
    """The term as the company wrote it: one that came from the glossary shows its Japanese too.

    `glossary_terms(raw)` gives the glossary's (Japanese, English) entries a raw text contains.
    """
    raw = _raw_text(company)
    if term.casefold() in raw.casefold():
        return term
    found = glossary_terms(raw)
    for ja, en in found:
        if term == en:
            return f"{ja} ({en})"
    for ja, en in found:  # a word of a longer term: say only that word matched
        if term in re.split(r"[\s-]", en):
            return f"{term} ({ja})"
    return term


def _join(items) -> str:
    """'a', 'a and b', 'a, b and c'; with a comma before the last 'and' when an item has its own."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    last = ", and " if any(" and " in item for item in items) else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def _summary(
    labels, related, taxonomy, matched, interest_terms, seeker: Company, provider: Company
) -> str:
    clauses = []
    if labels:
        clauses.append(f"Both work in {_join(labels)}")
    elif related:
        a, b = related[0]
        first, second = taxonomy.get(a).name_in_text, taxonomy.get(b).name_in_text
        clauses.append(f"{first} and {second} are related fields")
    if interest_terms:
        clauses.append(
            f"{seeker.name} seeks {_join(interest_terms[:3])}, which {provider.name} works on"
        )
    elif matched:
        clauses.append(f"both profiles mention {_join(matched[:3])}")
    if not clauses:
        return "Weak match: no shared sectors or terms."
    sentence = "; ".join(clauses)
    return sentence[0].upper() + sentence[1:] + "."
