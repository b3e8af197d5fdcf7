"""The partner-matching model: fit, rank a company or an ad-hoc profile, save and load."""

from __future__ import annotations

import copy
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from kakehashi.companies import Company, other_country
from kakehashi.errors import ArtifactError, NotFittedError, UnknownCompanyError
from kakehashi.features import TEXT_VIEWS, VIEWS, ProfileVectorizer
from kakehashi.partnerships import Partnership
from kakehashi.scoring import DEFAULT_WEIGHTS, learn_weights


@dataclass(frozen=True)
class Filters:
    """Restrictions on the candidates of a ranking."""

    sectors: tuple[str, ...] = ()
    city: str = ""
    exclude_known: bool = False


NO_FILTERS = Filters()
MMR_POOL = 50  # candidates the diversity re-ranking chooses from


@dataclass(frozen=True)
class Candidate:
    """One ranked candidate with its score and per-component similarities."""

    index: int
    score: float
    components: dict[str, float]


@dataclass(frozen=True)
class Query:
    """A company to rank partners for: a known one (index set) or an ad-hoc profile."""

    company: Company
    index: int | None
    profile: sp.csr_matrix
    interests: sp.csr_matrix
    partners: frozenset[str] = field(default_factory=frozenset)


class PartnerModel:
    """Scores Japan–Israel company pairs as a weighted sum of per-view cosine similarities."""

    def __init__(
        self,
        vectorizer: ProfileVectorizer | None = None,
        weights: dict[str, float] | None = None,
        learn: bool = True,
        random_state: int = 0,
    ):
        self.vectorizer = vectorizer
        self.weights = weights
        self.learn = learn
        self.random_state = random_state

    def fit(
        self, companies: Sequence[Company], partnerships: Sequence[Partnership] = ()
    ) -> PartnerModel:
        """Vectorize every company, index them, and set the component weights."""
        if self.vectorizer is None:
            raise ValueError("PartnerModel needs a ProfileVectorizer (with a taxonomy)")
        self.companies_ = tuple(sorted(companies, key=lambda c: c.id))
        self.index_ = {c.id: i for i, c in enumerate(self.companies_)}
        self.vectorizer_ = clone(self.vectorizer).fit(self.companies_)
        self.profiles_ = self.vectorizer_.transform(self.companies_)
        self.interests_ = self.vectorizer_.transform_interests(self.companies_)
        self.masks_ = _column_masks(self.vectorizer_.blocks_, self.profiles_.shape[1])
        self.seeks_ = {
            "interests": _has_any(self.interests_, self.masks_["text"]),
            "sought_sectors": _has_any(self.interests_, self.masks_["sectors"]),
        }
        self.countries_ = np.array([c.country for c in self.companies_])
        self.sector_members_ = self._sector_members()
        self.cities_ = np.array([c.city.casefold() for c in self.companies_])
        self.partnerships_ = tuple(partnerships)
        self.partners_ = _partner_index(partnerships)
        self.weights_ = dict(self.weights or DEFAULT_WEIGHTS)
        if self.learn and self.weights is None and partnerships:
            self.weights_ = learn_weights(self, partnerships, self.random_state)
        return self

    def with_weights(self, weights: dict[str, float]) -> PartnerModel:
        """A copy sharing the fitted matrices but scoring with other component weights."""
        self._check_fitted()
        twin = copy.copy(self)
        twin.weights_ = dict(weights)
        return twin

    def candidate_scores(self, company_id: str) -> np.ndarray:
        """Scores of a known company against every company of the other country, in id order."""
        query = self.query_for(company_id)
        return self.score_all(query)[self.countries_ == other_country(query.company.country)]

    @property
    def company_ids(self) -> tuple[str, ...]:
        """Ids of every company the model knows, sorted."""
        self._check_fitted()
        return tuple(c.id for c in self.companies_)

    def company(self, company_id: str) -> Company:
        """The company with this id (UnknownCompanyError when absent)."""
        self._check_fitted()
        if company_id not in self.index_:
            raise UnknownCompanyError(company_id)
        return self.companies_[self.index_[company_id]]

    def query_for(self, company_id: str) -> Query:
        """A query for a company the model knows."""
        company = self.company(company_id)
        i = self.index_[company_id]
        return Query(
            company,
            i,
            self.profiles_[i],
            self.interests_[i],
            self.partners_.get(company_id, frozenset()),
        )

    def query_for_profile(self, company: Company) -> Query:
        """A query for an ad-hoc profile, vectorized by the fitted vectorizer."""
        self._check_fitted()
        profile = self.vectorizer_.transform([company])
        interests = self.vectorizer_.transform_interests([company])
        return Query(company, None, profile, interests)

    def rank(
        self, query: Query, top_k: int = 10, filters: Filters = NO_FILTERS, diversity: float = 0.0
    ) -> list[Candidate]:
        """The top_k candidates of the other country, best first; ties broken by company id.

        With `diversity` > 0 the list is re-ranked by maximal marginal relevance: each next pick
        trades its score against its similarity to the picks above it, so the top ten are not ten
        near-copies. Scores stay the pair scores; only the order changes.
        """
        if not 0.0 <= diversity <= 1.0:
            raise ValueError("diversity must be between 0 and 1")
        mask = self.candidate_mask(query, filters)
        scores = self.score_all(query)
        candidates = np.flatnonzero(mask)
        if candidates.size == 0 or top_k <= 0:
            return []
        pool = max(top_k, MMR_POOL) if diversity else top_k
        chosen = candidates[_top(scores[candidates], pool)]
        if diversity:
            chosen = self._diversify(chosen, scores[chosen], top_k, diversity)
        parts = self.components(query, chosen)
        return [
            Candidate(int(i), float(scores[i]), {k: float(v[n]) for k, v in parts.items()})
            for n, i in enumerate(chosen)
        ]

    def candidate_mask(self, query: Query, filters: Filters) -> np.ndarray:
        """Boolean mask of the companies eligible as partners of the query."""
        mask = self.countries_ == other_country(query.company.country)
        if filters.sectors:
            columns = [self.vectorizer_.sector_keys_.index(s) for s in filters.sectors]
            mask &= self.sector_members_[:, columns].any(axis=1)
        if filters.city:
            mask &= self.cities_ == filters.city.casefold()
        if filters.exclude_known and query.partners:
            mask[[self.index_[p] for p in query.partners]] = False
        return mask

    def score_all(self, query: Query) -> np.ndarray:
        """The final score of the query against every company (vectorized, no Python loop)."""
        parts = self._similarities(query, None, weighted_views=True)
        total = parts.pop("views") + sum(self.weights_[name] * v for name, v in parts.items())
        return np.clip(total, 0.0, 1.0)

    def components(self, query: Query, rows: np.ndarray | None) -> dict[str, np.ndarray]:
        """Per-component similarities of the query with the given rows (all rows when None).

        One component per view of what both firms are, plus two that compare what one firm
        seeks with what the other is (its text, and the sectors it names), in both directions.
        """
        return self._similarities(query, rows, weighted_views=False)

    def _similarities(
        self, query: Query, rows: np.ndarray | None, weighted_views: bool
    ) -> dict[str, np.ndarray]:
        """Sparse-matrix products with masked dense query vectors: two passes, no Python loop.

        With `weighted_views` the four "what both are" views come back already weighted and
        summed under "views" (one column instead of four: what a full ranking needs).
        """
        profiles, interests, seeks = self.profiles_, self.interests_, self.seeks_
        if rows is not None:  # slicing copies, so the full ranking uses the matrices as they are
            profiles, interests = profiles[rows], interests[rows]
            seeks = {name: has[rows] for name, has in seeks.items()}
        masks = self.masks_
        p, i = _dense(query.profile), _dense(query.interests)
        if weighted_views:
            views = {"views": sum(self.weights_[v] * masks[v] for v in VIEWS)}
        else:
            views = {v: masks[v] for v in VIEWS}
        seeking = {"interests": masks["text"], "sought_sectors": masks["sectors"]}
        active = [name for name, mask in seeking.items() if (i * mask).any()]
        mine = profiles @ np.column_stack(
            [p * mask for mask in views.values()] + [i * seeking[name] for name in active]
        )
        theirs = interests @ np.column_stack([p * mask for mask in seeking.values()])
        parts = {view: mine[:, n] for n, view in enumerate(views)}
        for n, name in enumerate(seeking):
            forward = mine[:, len(views) + active.index(name)] if name in active else 0.0
            sides = seeks[name] + float(name in active)
            both = np.divide(
                forward + theirs[:, n], sides, out=np.zeros(len(sides)), where=sides > 0
            )
            parts[name] = both / (len(TEXT_VIEWS) if name == "interests" else 1)
        return parts

    def _diversify(self, pool: np.ndarray, scores: np.ndarray, k: int, weight: float) -> np.ndarray:
        """Greedy maximal marginal relevance over a pool already sorted by score."""
        vectors = self.profiles_[pool]
        similarity = (vectors @ vectors.T).toarray() / len(VIEWS)
        picked = [0]
        while len(picked) < min(k, len(pool)):
            redundancy = similarity[:, picked].max(axis=1)
            gain = (1 - weight) * scores - weight * redundancy
            gain[picked] = -np.inf
            picked.append(int(np.argmax(gain)))
        return pool[picked]

    def _sector_members(self) -> np.ndarray:
        keys = self.vectorizer_.sector_keys_
        members = np.zeros((len(self.companies_), len(keys)), dtype=bool)
        for row, company in enumerate(self.companies_):
            for key in company.sectors:
                members[row, keys.index(key)] = True
        return members

    def _check_fitted(self) -> None:
        if not hasattr(self, "companies_"):
            raise NotFittedError("the model has not been fitted")


def _dense(vector: sp.csr_matrix) -> np.ndarray:
    return vector.toarray().ravel()


def _column_masks(blocks: dict[str, slice], width: int) -> dict[str, np.ndarray]:
    """0/1 vectors selecting each view's columns, and all text columns together."""
    masks = {}
    for view, columns in blocks.items():
        masks[view] = np.zeros(width)
        masks[view][columns] = 1.0
    masks["text"] = sum(masks[view] for view in TEXT_VIEWS)
    return masks


def _has_any(matrix: sp.csr_matrix, mask: np.ndarray) -> np.ndarray:
    """1.0 for rows with a non-zero entry in the masked columns, else 0.0."""
    return (abs(matrix) @ mask > 0).astype(float)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores; equal scores keep their (id-sorted) order."""
    k = min(k, scores.size)
    threshold = np.partition(scores, scores.size - k)[scores.size - k]
    contenders = np.flatnonzero(scores >= threshold)
    order = np.lexsort((contenders, -scores[contenders]))
    return contenders[order][:k]


def _partner_index(partnerships: Sequence[Partnership]) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for p in partnerships:
        index.setdefault(p.japanese_id, set()).add(p.israeli_id)
        index.setdefault(p.israeli_id, set()).add(p.japanese_id)
    return {k: frozenset(v) for k, v in index.items()}


ARTIFACT_FORMAT = 3  # bump whenever fitted attributes change, so old artifacts fail clearly


def save_model(model: PartnerModel, path: Path) -> str:
    """Write the fitted model to `path` atomically; return the artifact's sha256."""
    model._check_fitted()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
        joblib.dump({"format": ARTIFACT_FORMAT, "model": model}, handle, compress=3)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)
    return file_sha256(path)


def load_model(path: Path, expected_sha256: str | None = None) -> PartnerModel:
    """Read a model artifact, checking its checksum when one is given."""
    path = Path(path)
    if expected_sha256 and file_sha256(path) != expected_sha256:
        raise ArtifactError(f"{path}: checksum does not match the manifest")
    try:
        payload = joblib.load(path)
    except FileNotFoundError:
        raise ArtifactError(f"{path}: artifact not found") from None
    except Exception as exc:  # joblib/pickle raise many types for a damaged file
        raise ArtifactError(f"{path}: unreadable artifact ({type(exc).__name__}: {exc})") from None
    if not isinstance(payload, dict) or "format" not in payload:
        raise ArtifactError(f"{path}: not a Kakehashi artifact")
    if payload["format"] != ARTIFACT_FORMAT:
        found = payload["format"]
        raise ArtifactError(
            f"{path}: artifact format {found}, this code reads format {ARTIFACT_FORMAT}; retrain it"
        )
    return payload["model"]


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
