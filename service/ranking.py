"""Ranked partners: for a company the model knows, and for an ad-hoc profile."""

from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE

from kakehashi.companies import Company, company_from_profile
from kakehashi.lru import caches_of
from kakehashi.model import PartnerModel
from kakehashi.queries import Filters, Query
from kakehashi.reasons import EXPLAINED_IN_FULL
from kakehashi.registry import LoadedModel
from service.feedback import hidden_partners
from service.holder import served_model
from service.match_schemas import MatchBody
from service.params import reject_repeated_parameters, require_json_body, resolve_sectors
from service.schemas import PartnersQuery, Ranking

# The views return `jsonify(ranking(...))`: `Ranking` documents the body in the OpenAPI document,
# and `ranking` builds it in that schema's shape already, so marshmallow's dump (about 2 ms for ten
# results, more than a cached /partners request takes without it) is skipped;
# tests/service/test_ranking_cost.py holds the body equal to what the schema dumps.

# One instance of each request schema: given the class, webargs builds one per request (a tenth
# of a cached /partners request); loading keeps no state on the schema.
PARTNERS_QUERY, MATCH_BODY = PartnersQuery(), MatchBody()

blp = Blueprint("ranking", __name__, url_prefix="/v1", description="Ranked partners")
blp.before_request(require_json_body)
blp.before_request(reject_repeated_parameters)


@blp.route("/companies/<company_id>/partners")
@blp.arguments(PARTNERS_QUERY, location="query", as_kwargs=True, unknown=RAISE)
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
) -> Response:
    """Partners from the other country: Israeli firms for a Japanese id, and the reverse."""
    loaded = served_model()
    company = loaded.model.company(company_id)
    keys = resolve_sectors(loaded.model.taxonomy, sector, "sector")
    filters = Filters(
        sectors=keys,
        city=city.strip(),
        exclude_known=exclude_known,
        exclude_group=exclude_group,
        exclude_ids=hidden_partners(company.id),  # pairs marked not_relevant, both ways
    )
    return jsonify(known_ranking(loaded, company, top_k, filters, diversity))


@blp.route("/match", methods=["POST"])
@blp.arguments(MATCH_BODY)
@blp.response(200, Ranking)
def match(body: dict) -> Response:
    """Partners for an ad-hoc profile that is not in the model (country JP unless given)."""
    loaded = served_model()
    taxonomy = loaded.model.taxonomy
    profile = company_from_profile(body["profile"], taxonomy)
    keys = resolve_sectors(taxonomy, body["filters"]["sectors"], "filters.sectors")
    filters = Filters(sectors=keys, city=body["filters"]["city"].strip())
    return jsonify(profile_ranking(loaded, profile, body["top_k"], filters, body["diversity"]))


def known_ranking(
    loaded: LoadedModel, company: Company, top_k: int, filters: Filters, diversity: float
) -> dict:
    """The ranking response of a firm of the model, its results kept in the model's bounded
    cache (kakehashi/lru.py): they depend only on the model and the arguments, all in the key,
    the ids hidden by feedback among them (a new verdict is a new key, never a stale answer)."""
    model = loaded.model
    key = (company.id, top_k, filters, diversity)
    results = caches_of(model).rankings.get_or_compute(
        key, lambda: tuple(explained(model, model.query_for(company.id), top_k, filters, diversity))
    )
    return _response(loaded, company, list(results))


def profile_ranking(
    loaded: LoadedModel, profile: Company, top_k: int, filters: Filters, diversity: float = 0.0
) -> dict:
    """The ranking response of an ad-hoc profile, its results kept in the model's bounded cache
    of profiles: the same profile sent again (a form submitted twice, a script asking again) is
    not vectorized, ranked and explained again. The key is the whole profile record and the
    arguments, all the results depend on."""
    model = loaded.model
    key = (profile, top_k, filters, diversity)
    results = caches_of(model).profiles.get_or_compute(
        key,
        lambda: tuple(
            explained(model, model.query_for_profile(profile), top_k, filters, diversity)
        ),
    )
    return _response(loaded, profile, list(results))


def ranking(
    loaded: LoadedModel, query: Query, top_k: int, filters: Filters, diversity: float = 0.0
) -> dict:
    """The ranking response: the query, the model version and the explained results."""
    return _response(
        loaded, query.company, explained(loaded.model, query, top_k, filters, diversity)
    )


def explained(
    model: PartnerModel, query: Query, top_k: int, filters: Filters, diversity: float
) -> list[dict]:
    """The ranked results, explained in full for the first EXPLAINED_IN_FULL and briefly past
    them (docs/api.md, "Bounded cost")."""
    return [
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
            "explanation": model.explain(query, match, rank <= EXPLAINED_IN_FULL).to_dict(),
        }
        for rank, match in enumerate(model.rank(query, top_k, filters, diversity), start=1)
    ]


def _response(loaded: LoadedModel, company: Company, results: list[dict]) -> dict:
    return {
        "query": {"id": company.id or None, "name": company.name, "country": company.country},
        "model_version": loaded.version,
        "results": results,
    }
