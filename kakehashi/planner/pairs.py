"""The scored pairs a schedule chooses from: each delegation firm's pool partners, ranked by the
served model exactly as `/partners` ranks them (so a pair's score is the same in both places)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from kakehashi.companies import Company
from kakehashi.errors import PlannerRequestError
from kakehashi.model import PartnerModel
from kakehashi.planner.request import Pool
from kakehashi.queries import Filters, Match, Query


@dataclass(frozen=True)
class Ranked:
    """One Japanese firm of the delegation: its query and its pool partners, best first."""

    query: Query
    matches: tuple[Match, ...]


def delegation(model: PartnerModel, ids: Collection[str], field: str) -> tuple[Company, ...]:
    """The Japanese companies of a delegation (PlannerRequestError naming a wrong id)."""
    found = []
    known = {c.id: c for c in model.companies()}
    for n, company_id in enumerate(ids):
        company = known.get(company_id)
        if company is None:
            raise PlannerRequestError(f"{field}[{n}]", f"no company with id {company_id!r}")
        if company.country != "JP":
            raise PlannerRequestError(f"{field}[{n}]", f"{company_id!r} is not a Japanese firm")
        found.append(company)
    return tuple(found)


def israeli_id(model: PartnerModel, company_id: str, field: str) -> str:
    """An Israeli company id the model knows (PlannerRequestError naming the field otherwise)."""
    known = {c.id: c for c in model.companies()}
    if company_id not in known:
        raise PlannerRequestError(field, f"no company with id {company_id!r}")
    if known[company_id].country != "IL":
        raise PlannerRequestError(field, f"{company_id!r} is not an Israeli firm")
    return company_id


def pool_ids(model: PartnerModel, pool: Pool) -> frozenset[str]:
    """The Israeli ids of the pool: those matching the sector and city filters, plus the ids.

    With neither sectors nor cities, the pool is every Israeli firm, or only the ids when given.
    """
    keys = []
    for n, name in enumerate(pool.sectors):
        key = model.taxonomy.resolve(name)
        if key is None:
            message = model.taxonomy.unknown_message(name)
            raise PlannerRequestError(f"pool.sectors[{n}]", message)
        keys.append(key)
    cities = {city.casefold() for city in pool.cities}
    listed = {israeli_id(model, i, f"pool.ids[{n}]") for n, i in enumerate(pool.ids)}
    israeli = [c for c in model.companies() if c.country == "IL"]
    if not keys and not cities:
        return frozenset(listed) if listed else frozenset(c.id for c in israeli)
    matching = {
        c.id
        for c in israeli
        if (not keys or set(keys) & set(c.sectors)) and (not cities or c.city.casefold() in cities)
    }
    return frozenset(matching | listed)


def rank_pool(
    model: PartnerModel,
    japanese_id: str,
    pool: frozenset[str],
    limit: int,
    pinned: frozenset[str] = frozenset(),
    skip_known: bool = False,
) -> Ranked:
    """One Japanese firm's best `limit` pool partners (plus its known partners when they are
    skipped, and its pinned firms wherever they rank), as the model ranks them."""
    query = model.query_for(japanese_id)
    israeli = frozenset(c.id for c in model.companies() if c.country == "IL")
    top_k = limit + (len(query.partners & pool) if skip_known else 0)
    outside = israeli - pool
    matches = model.rank(
        query, top_k=max(min(top_k, len(pool)), 1), filters=Filters(exclude_ids=outside)
    )
    missing = pinned - {m.company.id for m in matches}
    if missing:
        only = Filters(exclude_ids=israeli - missing)
        matches += model.rank(query, top_k=len(missing), filters=only)
        matches.sort(key=lambda m: (-m.score, m.company.id))
    return Ranked(query, tuple(matches))
