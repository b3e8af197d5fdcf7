"""Off-the-shelf rankers the model must beat: random, sector overlap, TF-IDF cosine, BM25, and a
pretrained sentence-embedding model when one is installed.

Each baseline is built once per company list and then scores a query firm (of either country)
against every firm of the other country, in id order, as the model's `candidate_scores` does.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence

import numpy as np
from rank_bm25 import BM25Okapi
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from kakehashi.companies import Company
from kakehashi.partnerships import Partnership, partners_by
from training.embeddings import embedding_scorer
from training.evaluate import QueryOutcome, Scorer, candidate_ids, run_queries

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def baseline_text(company: Company) -> str:
    """Name, sectors, description and interests: the text the text baselines see."""
    return " ".join(
        (company.name, " ".join(company.sectors), company.description, company.interests)
    )


class Candidates:
    """The companies of a list, and for each country the other country's firms, by id."""

    def __init__(self, companies: Sequence[Company]):
        self.by_id = {c.id: c for c in companies}
        ordered = sorted(companies, key=lambda c: c.id)
        self.of = {
            country: [c for c in ordered if c.country != country] for country in ("JP", "IL")
        }

    def for_query(self, query_id: str) -> list[Company]:
        """The candidates of a query firm: every firm of the other country."""
        return self.of[self.by_id[query_id].country]


def random_scorer(companies: Sequence[Company], seed: int = 0) -> Scorer:
    """Uniform random scores, reproducible per query."""
    candidates = Candidates(companies)

    def score(query_id: str) -> np.ndarray:
        rng = np.random.default_rng([seed, zlib.crc32(query_id.encode())])
        return rng.random(len(candidates.for_query(query_id)))

    return score


def sector_overlap_scorer(companies: Sequence[Company]) -> Scorer:
    """Jaccard similarity of the two sector sets."""
    candidates = Candidates(companies)

    def score(query_id: str) -> np.ndarray:
        mine = set(candidates.by_id[query_id].sectors)
        theirs = (set(c.sectors) for c in candidates.for_query(query_id))
        return np.array([len(mine & s) / len(mine | s) if mine | s else 0.0 for s in theirs])

    return score


def tfidf_scorer(companies: Sequence[Company]) -> Scorer:
    """Cosine of scikit-learn's default TF-IDF (English stop words) over the baseline text."""
    candidates = Candidates(companies)
    vectorizer = TfidfVectorizer(stop_words="english").fit([baseline_text(c) for c in companies])
    matrices = {
        country: vectorizer.transform([baseline_text(c) for c in others])
        for country, others in candidates.of.items()
    }

    def score(query_id: str) -> np.ndarray:
        query = candidates.by_id[query_id]
        vector = vectorizer.transform([baseline_text(query)])
        return linear_kernel(vector, matrices[query.country]).ravel()

    return score


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens without English stop words (for BM25)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def bm25_scorer(companies: Sequence[Company]) -> Scorer:
    """Okapi BM25 (rank-bm25) with the query firm's text as the query."""
    candidates = Candidates(companies)
    indexes = {
        country: BM25Okapi([tokenize(baseline_text(c)) or ["_"] for c in others])
        for country, others in candidates.of.items()
    }

    def score(query_id: str) -> np.ndarray:
        query = candidates.by_id[query_id]
        return np.asarray(indexes[query.country].get_scores(tokenize(baseline_text(query))))

    return score


BASELINES: dict[str, Callable[[Sequence[Company]], Scorer | None]] = {
    "random": random_scorer,
    "sector overlap (Jaccard)": sector_overlap_scorer,
    "TF-IDF cosine": tfidf_scorer,
    "BM25": bm25_scorer,
    "sentence embeddings (all-MiniLM-L6-v2)": lambda companies: embedding_scorer(
        companies, baseline_text
    ),
}


def baseline_outcomes(
    companies: Sequence[Company], partnerships: Sequence[Partnership], query_country: str = "JP"
) -> dict[str, list[QueryOutcome]]:
    """Each available baseline's outcomes on the partnerships, queries from one country.

    The sentence-embedding peer is left out when its optional packages are not installed.
    """
    queries = partners_by(partnerships, query_country)
    candidates = candidate_ids(companies, query_country)
    found = {}
    for name, make in BASELINES.items():
        scorer = make(companies)
        if scorer is not None:
            found[name] = run_queries(scorer, candidates, queries)
    return found
