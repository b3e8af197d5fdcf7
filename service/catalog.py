"""What the served model knows: its manifest, the sector taxonomy and the company records."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from kakehashi.similarity import COMPONENT_LABELS
from service.holder import served_model
from service.params import reject_repeated_parameters, resolve_sectors
from service.schemas import CompaniesQuery, CompanyPage, CompanyRecord, ModelInfo, SectorList

blp = Blueprint("catalog", __name__, url_prefix="/v1", description="The served model's data")
blp.before_request(reject_repeated_parameters)

MANIFEST_FIELDS = (
    "version", "created_at", "companies", "partnerships", "sectors", "weights",
    "metrics", "baselines",
)  # fmt: skip


@blp.route("/model")
@blp.response(200, ModelInfo)
def model_info() -> dict:
    """The served version: when it was trained, on how many companies, its metrics and baselines."""
    manifest = served_model().manifest
    return {name: manifest.get(name) for name in MANIFEST_FIELDS} | {
        "component_labels": COMPONENT_LABELS
    }


@blp.route("/sectors")
@blp.response(200, SectorList)
def sectors() -> dict:
    """The sector taxonomy with the number of companies per country in each sector."""
    loaded = served_model()
    counts = loaded.model.sector_counts()
    items = [
        {
            "key": sector.key,
            "label": sector.label,
            "aliases": list(sector.aliases),
            "counts": {country: counts[sector.key, country] for country in ("JP", "IL")},
        }
        for sector in loaded.model.taxonomy.sectors
    ]
    return {"model_version": loaded.version, "items": items}


@blp.route("/companies")
@blp.arguments(CompaniesQuery, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, CompanyPage)
def companies(country=None, q="", sector=(), limit=20, offset=0) -> dict:
    """Company records, filtered; `q` searches names (prefix matches first, then substrings)."""
    model = served_model().model
    keys = resolve_sectors(model.taxonomy, sector, "sector")
    found = model.search(q, country, keys)
    page = found[offset : offset + limit]
    return {"items": [c.to_dict() for c in page], "total": len(found)}


@blp.route("/companies/<company_id>")
@blp.response(200, CompanyRecord)
@blp.alt_response(404, description="no such company (code `unknown_company`)")
def company(company_id: str) -> dict:
    """One company's record."""
    return served_model().model.company(company_id).to_dict()
