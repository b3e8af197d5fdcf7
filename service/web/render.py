"""What the templates need: the language, translated labels, names, sectors and highlights."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import g, request
from markupsafe import Markup, escape

from kakehashi.errors import UnknownCompanyError
from kakehashi.registry import LoadedModel
from service.holder import holder
from service.web import i18n


def lang() -> str:
    """This request's language (decided once per request)."""
    if "web_lang" not in g:
        g.web_lang = i18n.language()
    return g.web_lang


def t(key: str, **values: object) -> str:
    """A label of the catalogue in this request's language."""
    return i18n.translate(key, lang(), **values)


def _loaded() -> LoadedModel | None:
    """The model this request pinned, else the one being served, else None."""
    return g.get("loaded_model") or holder().loaded


def sector_name(key: str) -> str:
    """A sector's name in this request's language (the key itself without a model)."""
    loaded = _loaded()
    if loaded is None:
        return key
    return i18n.sector_label(loaded.model.taxonomy, key, lang())


def company_name(company_id: str, fallback: str = "") -> str:
    """A company's name as staff read it: its Japanese name on Japanese pages when it has one."""
    loaded = _loaded()
    if loaded is None:
        return fallback or company_id
    try:
        company = loaded.model.company(company_id)
    except UnknownCompanyError:
        return fallback or company_id
    if lang() == "ja" and company.name_ja:
        return company.name_ja
    return company.name


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """`text` escaped, with each of `terms` marked (longest first, case-insensitively)."""
    wanted = sorted({term for term in terms if term.strip()}, key=len, reverse=True)
    if not wanted:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(term) for term in wanted), re.IGNORECASE)
    parts, last = [], 0
    for found in pattern.finditer(text):
        parts.append(escape(text[last : found.start()]))
        parts.append(Markup("<mark>%s</mark>") % found.group(0))
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def current_path() -> str:
    """This page's path and query, to come back to after switching the language."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def template_context() -> dict[str, object]:
    """The helpers every page template can use."""
    language = lang()
    other = "ja" if language == "en" else "en"
    return {
        "lang": language,
        "other_lang": other,
        "t": t,
        "sector_name": sector_name,
        "company_name": company_name,
        "highlight": highlight,
        "current_path": current_path,
        "js_messages": i18n.messages(language, ("js.", "error.", "feedback.label.")),
        "model_version": holder().version,
    }
