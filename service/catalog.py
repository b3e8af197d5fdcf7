"""What the served model knows: its manifest, the sector taxonomy and the company records."""

from __future__ import annotations

import unicodedata
from collections import Counter

from flask_smorest import Blueprint
from marshmallow import RAISE

from kakehashi.companies import Company
from service.holder import served_model
from service.params import resolve_sectors
from service.schemas import CompaniesQuery, CompanyPage, CompanyRecord, ModelInfo, SectorList

blp = Blueprint("catalog", __name__, url_prefix="/v1", description="The served model's data")

MANIFEST_FIELDS = (
    "version", "created_at", "companies", "partnerships", "sectors", "weights",
    "metrics", "baselines",
)  # fmt: skip


@blp.route("/model")
@blp.response(200, ModelInfo)
def model_info() -> dict:
    """The served version: when it was trained, on how many companies, its metrics and baselines."""
    manifest = served_model().manifest
    return {name: manifest.get(name) for name in MANIFEST_FIELDS}


@blp.route("/sectors")
@blp.response(200, SectorList)
def sectors() -> dict:
    """The sector taxonomy with the number of companies per country in each sector."""
    loaded = served_model()
    counts = Counter(
        (key, company.country) for company in loaded.model.companies_ for key in company.sectors
    )
    items = [
        {
            "key": sector.key,
            "label": sector.label,
            "aliases": list(sector.aliases),
            "counts": {country: counts[sector.key, country] for country in ("JP", "IL")},
        }
        for sector in loaded.model.vectorizer_.taxonomy.sectors
    ]
    return {"model_version": loaded.version, "items": items}


@blp.route("/companies")
@blp.arguments(CompaniesQuery, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, CompanyPage)
def companies(country=None, q="", sector=(), limit=20, offset=0) -> dict:
    """Company records, filtered; `q` searches names (prefix matches first, then substrings)."""
    model = served_model().model
    keys = set(resolve_sectors(model.vectorizer_.taxonomy, sector, "sector"))
    found = [
        c
        for c in model.companies_
        if (country is None or c.country == country) and (not keys or keys & set(c.sectors))
    ]
    if q:
        found = search_names(found, q)
    page = found[offset : offset + limit]
    return {"items": [c.to_dict() for c in page], "total": len(found)}


@blp.route("/companies/<company_id>")
@blp.response(200, CompanyRecord)
@blp.alt_response(404, description="no such company (code `unknown_company`)")
def company(company_id: str) -> dict:
    """One company's record."""
    return served_model().model.company(company_id).to_dict()


def fold(text: str) -> str:
    """Fold width and case so 'ＳＡＭＰＬＥ' and 'sample' compare equal."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def search_names(companies: list[Company], q: str) -> list[Company]:
    """Companies whose name contains q: prefix matches (of the name or a word) first."""
    needle = fold(q)

    def rank(company: Company) -> tuple[int, str, str]:
        name = fold(company.name)
        if name.startswith(needle):
            return (0, name, company.id)
        starts_word = any(word.startswith(needle) for word in name.split())
        return (1 if starts_word else 2, name, company.id)

    return sorted((c for c in companies if needle in fold(c.name)), key=rank)
