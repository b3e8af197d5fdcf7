"""What a retrain changed: which partners entered or left each firm's top k between two versions.

Uses only the models' public interface (`companies`, `query_for`, `rank`). The summary over all
firms ranks every firm known to both versions once per version: 2 x n rankings, a few
milliseconds each (docs/retraining.md gives a measured figure on the bundled list).
"""

from __future__ import annotations

from dataclasses import dataclass

from kakehashi.errors import UnknownCompanyError
from kakehashi.model import PartnerModel

DEFAULT_K = 10
MOST_CHANGED = 10
LISTED_MISSING = 50  # ids of firms in one version only, listed before "and n more"


@dataclass(frozen=True)
class FirmDiff:
    """One firm's top k in version a (before) and b (after)."""

    company_id: str
    name: str
    in_a: bool
    in_b: bool
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def entered(self) -> tuple[str, ...]:
        """Partners in b's top k, not in a's, in b's order."""
        return tuple(p for p in self.after if p not in self.before)

    @property
    def left(self) -> tuple[str, ...]:
        """Partners in a's top k, not in b's, in a's order."""
        return tuple(p for p in self.before if p not in self.after)

    @property
    def overlap(self) -> int:
        """How many partners both top k lists share."""
        return len(set(self.before) & set(self.after))

    @property
    def jaccard(self) -> float:
        """Shared partners over all partners of both lists (1.0 for two empty lists)."""
        union = set(self.before) | set(self.after)
        return len(set(self.before) & set(self.after)) / len(union) if union else 1.0

    @property
    def changed(self) -> bool:
        """True when the set of partners differs (a change of order alone is not counted)."""
        return set(self.before) != set(self.after)

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {
            "company_id": self.company_id,
            "name": self.name,
            "in_a": self.in_a,
            "in_b": self.in_b,
            "before": list(self.before),
            "after": list(self.after),
            "entered": list(self.entered),
            "left": list(self.left),
            "overlap": self.overlap,
            "jaccard": round(self.jaccard, 4),
        }


@dataclass(frozen=True)
class DiffSummary:
    """The change of top k lists over every firm both versions know."""

    k: int
    firms_compared: int
    firms_changed: int
    mean_overlap: float
    mean_jaccard: float
    most_changed: tuple[FirmDiff, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON-ready (the lists of firms in one version only are capped)."""
        return {
            "k": self.k,
            "firms_compared": self.firms_compared,
            "firms_changed": self.firms_changed,
            "mean_overlap": round(self.mean_overlap, 4),
            "mean_jaccard": round(self.mean_jaccard, 4),
            "most_changed": [firm.as_dict() for firm in self.most_changed],
            "only_in_a": _capped(self.only_in_a),
            "only_in_b": _capped(self.only_in_b),
        }


def _capped(ids: tuple[str, ...]) -> dict:
    return {"count": len(ids), "ids": list(ids[:LISTED_MISSING])}


def top_ids(model: PartnerModel, company_id: str, k: int = DEFAULT_K) -> tuple[str, ...]:
    """The ids of a firm's top k partners in a model."""
    return tuple(match.company.id for match in model.rank(model.query_for(company_id), top_k=k))


def firm_diff(a: PartnerModel, b: PartnerModel, company_id: str, k: int = DEFAULT_K) -> FirmDiff:
    """One firm's top k in both versions; a firm in one version only has an empty other list."""
    known_a = {c.id: c for c in a.companies()}
    known_b = {c.id: c for c in b.companies()}
    company = known_b.get(company_id) or known_a.get(company_id)
    if company is None:
        raise UnknownCompanyError(company_id)
    before = top_ids(a, company_id, k) if company_id in known_a else ()
    after = top_ids(b, company_id, k) if company_id in known_b else ()
    return FirmDiff(
        company_id, company.name, company_id in known_a, company_id in known_b, before, after
    )


def summarize(
    a: PartnerModel, b: PartnerModel, k: int = DEFAULT_K, most: int = MOST_CHANGED
) -> DiffSummary:
    """Compare the top k of every firm both versions know; list the firms only one knows."""
    names_a = {c.id: c.name for c in a.companies()}
    names_b = {c.id: c.name for c in b.companies()}
    shared = sorted(names_a.keys() & names_b.keys())
    firms = [
        FirmDiff(cid, names_b[cid], True, True, top_ids(a, cid, k), top_ids(b, cid, k))
        for cid in shared
    ]
    changed = [firm for firm in firms if firm.changed]
    ordered = sorted(changed, key=lambda firm: (firm.jaccard, firm.company_id))
    count = len(firms) or 1
    return DiffSummary(
        k=k,
        firms_compared=len(firms),
        firms_changed=len(changed),
        mean_overlap=sum(firm.overlap for firm in firms) / count if firms else 0.0,
        mean_jaccard=sum(firm.jaccard for firm in firms) / count if firms else 1.0,
        most_changed=tuple(ordered[:most]),
        only_in_a=tuple(sorted(names_a.keys() - names_b.keys())),
        only_in_b=tuple(sorted(names_b.keys() - names_a.keys())),
    )
