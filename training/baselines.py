"""Off-the-shelf rankers the model must beat: random, sector overlap, TF-IDF cosine and BM25."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from kakehashi.companies import Company
from kakehashi.partnerships import Partnership, partners_by_japanese
from training.evaluate import QueryOutcome, Scorer, israeli_ids, run_queries

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def baseline_text(company: Company) -> str:
    """Name, sectors, description and interests: the text the text baselines see."""
    return " ".join(
        (company.name, " ".join(company.sectors), company.description, company.interests)
    )


def _split(companies: Sequence[Company]) -> tuple[dict[str, Company], list[Company]]:
    by_id = {c.id: c for c in companies}
    israeli = sorted((c for c in companies if c.country == "IL"), key=lambda c: c.id)
    return by_id, israeli


def random_scorer(companies: Sequence[Company], seed: int = 0) -> Scorer:
    """Uniform random scores, reproducible per query."""
    _, israeli = _split(companies)

    def score(japanese_id: str) -> np.ndarray:
        rng = np.random.default_rng([seed, zlib.crc32(japanese_id.encode())])
        return rng.random(len(israeli))

    return score


def sector_overlap_scorer(companies: Sequence[Company]) -> Scorer:
    """Jaccard similarity of the two sector sets."""
    by_id, israeli = _split(companies)
    sets = [set(c.sectors) for c in israeli]

    def score(japanese_id: str) -> np.ndarray:
        mine = set(by_id[japanese_id].sectors)
        return np.array([len(mine & s) / len(mine | s) if mine | s else 0.0 for s in sets])

    return score


def tfidf_scorer(companies: Sequence[Company]) -> Scorer:
    """Cosine of scikit-learn's default TF-IDF (English stop words) over the baseline text."""
    by_id, israeli = _split(companies)
    vectorizer = TfidfVectorizer(stop_words="english").fit([baseline_text(c) for c in companies])
    candidates = vectorizer.transform([baseline_text(c) for c in israeli])

    def score(japanese_id: str) -> np.ndarray:
        query = vectorizer.transform([baseline_text(by_id[japanese_id])])
        return linear_kernel(query, candidates).ravel()

    return score


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens without English stop words (for BM25)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def bm25_scorer(companies: Sequence[Company]) -> Scorer:
    """Okapi BM25 (rank-bm25) with the Japanese firm's text as the query."""
    from rank_bm25 import BM25Okapi  # a dev/eval dependency, imported only when asked for

    by_id, israeli = _split(companies)
    index = BM25Okapi([tokenize(baseline_text(c)) or ["_"] for c in israeli])

    def score(japanese_id: str) -> np.ndarray:
        return np.asarray(index.get_scores(tokenize(baseline_text(by_id[japanese_id]))))

    return score


BASELINES: dict[str, Callable[[Sequence[Company]], Scorer]] = {
    "random": random_scorer,
    "sector overlap (Jaccard)": sector_overlap_scorer,
    "TF-IDF cosine": tfidf_scorer,
    "BM25": bm25_scorer,
}


def baseline_outcomes(
    companies: Sequence[Company], partnerships: Sequence[Partnership]
) -> dict[str, list[QueryOutcome]]:
    """Each baseline's outcomes on the partnerships; BM25 is skipped where rank-bm25 is absent."""
    queries = partners_by_japanese(partnerships)
    candidates = israeli_ids(companies)
    found = {}
    for name, make in BASELINES.items():
        try:
            scorer = make(companies)
        except ImportError:  # rank-bm25 comes with the dev extra only
            continue
        found[name] = run_queries(scorer, candidates, queries)
    return found
