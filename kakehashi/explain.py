"""Reasons a person can read: shared sectors, matched terms, component scores and a summary.

Every word of a summary comes from the two profiles or from the taxonomy's labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kakehashi.companies import Company
from kakehashi.lru import caches_of
from kakehashi.phrases import MAX_TERMS, Translations, as_written, translation_pairs
from kakehashi.phrases import phrases as _phrases
from kakehashi.row_terms import Vector, block, shared_by_weight
from kakehashi.tokens import stemmed_text

if TYPE_CHECKING:  # the model calls explain(); only its types are needed here
    from kakehashi.model import PartnerModel
    from kakehashi.queries import Match, Query

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
            "components": dict(self.components),  # copies: a cached explanation stays intact
            "contributions": dict(self.contributions),
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, found: dict) -> Explanation:
        """The explanation `to_dict` gave (as stored at training time)."""
        related = tuple((pair["query"], pair["candidate"]) for pair in found["related_sectors"])
        return cls(
            shared_sectors=tuple(found["shared_sectors"]),
            related_sectors=related,
            matched_terms=tuple(found["matched_terms"]),
            interest_terms=tuple(found["interest_terms"]),
            components=dict(found["components"]),
            contributions=dict(found["contributions"]),
            summary=found["summary"],
        )


def explain(model: PartnerModel, query: Query, match: Match) -> Explanation:
    """Explain one ranked match of a query (call it as `model.explain(query, match)`)."""
    other = match.company
    taxonomy = model.vectorizer_.taxonomy
    shared, related = sector_facts(query.company, other, taxonomy)
    words = model.vectorizer_.blocks_["words"]
    names = model.vectorizer_.word_names_  # word_features() without its fitted check (0.07 ms)
    other_profile = block(model.profiles_, match.row, words)
    mine, theirs = _sides(model, query)
    # both full texts, stemmed word by word and padded, to check that a two-word term is written
    # verbatim: stems are single-spaced words, so whole-word containment is a substring test
    texts = (mine.stemmed(_raw_text(query.company)), theirs.stemmed(_raw_text(other)))
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
    side = mine if seeker is query.company else theirs
    matched = _phrases(matched, mine.expand(_raw_text(query.company), TERM_BREAK))
    interest_terms = _phrases(interest_terms, side.expand(seeker.interests or _raw_text(seeker)))
    matched = as_written(matched, _raw_text(query.company), mine.translations)
    interest_terms = as_written(interest_terms, _raw_text(seeker), side.translations)
    labels = tuple(taxonomy.get(s).name_in_text for s in shared)
    summary = _summary(labels, related, taxonomy, matched, interest_terms, seeker, provider)
    return Explanation(
        shared_sectors=shared,
        related_sectors=related,
        matched_terms=matched,
        interest_terms=interest_terms,
        components=rounded(match.components),
        contributions=contributions(model, match),
        summary=summary,
    )


def sector_facts(mine: Company, other: Company, taxonomy) -> tuple[tuple, tuple]:
    """The sectors both have, and the (mine, theirs) pairs the taxonomy declares related."""
    shared = tuple(s for s in mine.sectors if s in other.sectors)
    related = tuple(
        (a, b)
        for a in mine.sectors
        for b in other.sectors
        if a != b and a not in shared and b not in shared and taxonomy.related(a, b)
    )
    return shared, related


def rounded(values: dict[str, float]) -> dict[str, float]:
    """The values to four decimals."""
    return {k: _round(v) for k, v in values.items()}


def contributions(model: PartnerModel, match: Match) -> dict[str, float]:
    """Each component times its weight, and the hub adjustment: they add up to the score."""
    found = {k: _round(model.weights_[k] * v) for k, v in match.components.items()}
    found["hub_adjustment"] = _round(match.hub_adjustment)
    return found


def _round(value: float) -> float:
    """Four decimals, without the '-0.0' that rounding a tiny negative number gives."""
    return round(value, 4) + 0.0


def _raw_text(company: Company) -> str:
    """Everything a company wrote about itself: description, interests and tags."""
    return f"{company.description} {company.interests} {' '.join(company.tags)}"


def _memo(query: Query, name: str, compute):
    """`compute`, remembered on the query under `name`: the query's own vectors are sliced once
    per ranking, not once per explained match."""

    def remembered(*args):
        key = (name, *args)
        if key not in query.memo:
            query.memo[key] = compute(*args)
        return query.memo[key]

    return remembered


@dataclass(frozen=True)
class _Texts:
    """What one side's texts become (expanded, stemmed, glossary entries), kept in `store`.

    A firm of the model keeps them in the model's bounded cache (`kakehashi.lru`), across
    rankings; an ad-hoc profile on its query, for one ranking (a long Japanese profile would
    otherwise cost seconds over 100 explanations)."""

    store: Callable[[tuple, Callable[[], object]], object]
    vectorizer: object

    def expand(self, text: str, separator: str = TERM_BREAK) -> str:
        """The text with the English of its Japanese appended."""
        key = ("expand", text, separator)
        return self.store(key, lambda: self.vectorizer.expand_text(text, separator))

    def stemmed(self, raw: str) -> str:
        """The expanded text stemmed word by word, stop words kept, a space at both ends."""
        return self.store(("stemmed", raw), lambda: f" {stemmed_text(self.expand(raw, ' '))} ")

    def translations(self, raw: str) -> Translations:
        """The English a text's Japanese was given, by English term."""
        compute = lambda: Translations.of(translation_pairs(raw, self.vectorizer))  # noqa: E731
        return self.store(("translations", raw), compute)


def _sides(model: PartnerModel, query: Query) -> tuple[_Texts, _Texts]:
    """The texts of the query's side and of the candidates' side."""
    theirs = _Texts(caches_of(model).texts.get_or_compute, model.vectorizer_)
    if query.row is not None:
        return theirs, theirs

    def on_query(key: tuple, compute: Callable[[], object]) -> object:
        if key not in query.memo:
            query.memo[key] = compute()
        return query.memo[key]

    return _Texts(on_query, model.vectorizer_), theirs


def _top_terms(a: Vector, b: Vector, names: np.ndarray, texts: tuple[str, ...]) -> tuple[str, ...]:
    """Terms weighing most in both vectors, as written in both texts; words inside phrases dropped.

    The word view drops stop words before forming bigrams, so a bigram such as 'security
    intrusion' can come from 'security and intrusion': a phrase is shown only when one of the
    two profiles writes it verbatim.
    """
    chosen: list[str] = []
    for term in (str(names[position]) for position in shared_by_weight(a, b)):
        if " " in term and not any(f" {term} " in text for text in texts):
            continue
        if any(term in longer.split() for longer in chosen):
            continue
        chosen = [c for c in chosen if c not in term.split()]
        chosen.append(term)
        if len(chosen) == MAX_TERMS:
            break
    return tuple(chosen)


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
    clauses = sector_clauses(labels, related, taxonomy)
    if interest_terms:
        clauses.append(
            f"{seeker.name} seeks {_join(interest_terms[:3])}, which {provider.name} works on"
        )
    elif matched:
        clauses.append(f"both profiles mention {_join(matched[:3])}")
    if not clauses:
        return "Weak match: no shared sectors or terms."
    return sentence(clauses)


def sector_clauses(labels: Sequence[str], related: Sequence[tuple[str, str]], taxonomy) -> list:
    """'Both work in X', else 'X and Y are related fields', else nothing."""
    if labels:
        return [f"Both work in {_join(labels)}"]
    if related:
        first, second = (taxonomy.get(key).name_in_text for key in related[0])
        return [f"{first} and {second} are related fields"]
    return []


def sentence(clauses: Sequence[str]) -> str:
    """Clauses joined by semicolons as one sentence."""
    joined = "; ".join(clauses)
    return joined[0].upper() + joined[1:] + "."
