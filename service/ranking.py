"""Ranked partners: for a company the model knows, and for an ad-hoc profile."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from kakehashi.companies import company_from_profile
from kakehashi.queries import Filters, Query
from kakehashi.registry import LoadedModel
from service.feedback import hidden_partners
from service.holder import served_model
from service.params import reject_repeated_parameters, require_json_body, resolve_sectors
from service.schemas import MatchBody, PartnersQuery, Ranking

blp = Blueprint("ranking", __name__, url_prefix="/v1", description="Ranked partners")
blp.before_request(require_json_body)
blp.before_request(reject_repeated_parameters)


@blp.route("/companies/<company_id>/partners")
@blp.arguments(PartnersQuery, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, Ranking)
@blp.alt_response(404, description="no such company (code `unknown_company`)")
def partners(
    company_id: str,
    top_k: int = 10,
    sector=(),
    city: str = "",
    exclude_known: bool = False,
    exclude_group: bool = False,
    diversity: float = 0.0,
) -> dict:
    """Partners from the other country: Israeli firms for a Japanese id, and the reverse."""
    loaded = served_model()
    query = loaded.model.query_for(company_id)
    keys = resolve_sectors(loaded.model.taxonomy, sector, "sector")
    filters = Filters(
        sectors=keys,
        city=city.strip(),
        exclude_known=exclude_known,
        exclude_group=exclude_group,
        exclude_ids=hidden_partners(query.company.id),  # pairs marked not_relevant, both ways
    )
    return ranking(loaded, query, top_k, filters, diversity)


@blp.route("/match", methods=["POST"])
@blp.arguments(MatchBody)
@blp.response(200, Ranking)
def match(body: dict) -> dict:
    """Partners for an ad-hoc profile that is not in the model (country JP unless given)."""
    loaded = served_model()
    taxonomy = loaded.model.taxonomy
    profile = company_from_profile(body["profile"], taxonomy)
    keys = resolve_sectors(taxonomy, body["filters"]["sectors"], "filters.sectors")
    filters = Filters(sectors=keys, city=body["filters"]["city"].strip())
    query = loaded.model.query_for_profile(profile)
    return ranking(loaded, query, body["top_k"], filters, body["diversity"])


def ranking(
    loaded: LoadedModel, query: Query, top_k: int, filters: Filters, diversity: float = 0.0
) -> dict:
    """The ranking response: the query, the model version and the explained results."""
    model = loaded.model
    results = [
        {
            "rank": rank,
            "id": match.company.id,
            "name": match.company.name,
            "country": match.company.country,
            "sectors": list(match.company.sectors),
            "city": match.company.city,
            "parent_id": match.company.parent_id,
            "score": round(match.score, 4),
            "strength": match.strength,
            "known_partner": match.known_partner,
            "explanation": model.explain(query, match).to_dict(),
        }
        for rank, match in enumerate(model.rank(query, top_k, filters, diversity), start=1)
    ]
    company = query.company
    return {
        "query": {"id": company.id or None, "name": company.name, "country": company.country},
        "model_version": loaded.version,
        "results": results,
    }
