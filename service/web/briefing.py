"""The briefing pack: a delegation's top partners per firm, on one printable page."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from kakehashi.queries import Filters
from service.errors import ApiError
from service.feedback import hidden_partners
from service.holder import served_model
from service.ranking import ranking

MAX_FIRMS = 100
SPLIT = re.compile(r"[\s,、，]+")  # commas, Japanese commas, spaces or one id a line


def firm_ids(text: str) -> list[str]:
    """The ids of the text in order, each once."""
    return list(dict.fromkeys(part for part in SPLIT.split(text) if part))


def briefing() -> str:
    """Choose firms (ids), then read each one's top partners, ready to print."""
    loaded = served_model()
    text = request.args.get("ids", "")
    top_k = request.args.get("top_k", "5")
    if not top_k.isdigit() or not 1 <= int(top_k) <= 20:
        raise ApiError("invalid_parameter", "top_k: must be between 1 and 20")
    ids = firm_ids(text)
    if len(ids) > MAX_FIRMS:
        raise ApiError("invalid_parameter", f"ids: at most {MAX_FIRMS} firms, got {len(ids)}")
    known = {c.id for c in loaded.model.companies()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ApiError("unknown_company", f"ids: no company with id {', '.join(unknown)}")
    sections = []
    for company_id in ids:
        query = loaded.model.query_for(company_id)
        filters = Filters(exclude_ids=hidden_partners(company_id))
        sections.append(ranking(loaded, query, int(top_k), filters))
    japanese = all(section["query"]["country"] == "JP" for section in sections)
    return render_template(
        "web/briefing.html",
        text=text,
        top_k=int(top_k),
        sections=sections,
        downloads=ids if japanese else [],  # the export of /v1/delegations/briefing: JP firms
    )


def register(blp: Blueprint) -> None:
    """Add the briefing page to the web blueprint."""
    blp.add_url_rule("/briefing", "briefing", briefing)
