"""The pages: find a company, a company's partners (both directions), a firm not in the list."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, redirect, render_template, request
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from kakehashi.companies import company_from_profile
from kakehashi.errors import KakehashiError
from kakehashi.feedback import LABELS, MAX_NOTE, MAX_USER, Feedback, FeedbackQuery
from kakehashi.queries import Filters
from service.errors import ApiError, describe_messages
from service.feedback import feedback_store, hidden_partners
from service.holder import served_model
from service.match_schemas import ProfileSchema
from service.params import resolve_sectors
from service.ranking import profile_ranking, ranking
from service.schemas import CompaniesQuery, PartnersQuery
from service.web import i18n

FRAGMENT_HEADER = "X-Kakehashi-Fragment"  # set by static/filters.js: answer the results only
SEARCH_LIMIT = 50
COOKIE_SECONDS = 365 * 24 * 3600
PROFILE = ProfileSchema()  # one instance: loading keeps no state on the schema


def query_options(schema: Schema, args: MultiDict, lists: tuple[str, ...]) -> dict:
    """Validated query parameters (empty form fields left out), or an invalid_parameter error."""
    data: dict[str, object] = {}
    for name in args:
        values = [value for value in args.getlist(name) if value.strip()]
        if values:
            data[name] = values if name in lists else values[-1]
    try:
        return schema.load(data)
    except ValidationError as error:
        message = describe_messages({"query": error.messages})
        raise ApiError("invalid_parameter", message) from None


def wants_fragment() -> bool:
    """Whether the page script asked for the results alone (to swap them in place)."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def find() -> str:
    """Find a company: name search (English or Japanese), country and sector filters."""
    loaded = served_model()
    options = query_options(CompaniesQuery(), request.args, ("sector",))
    keys = resolve_sectors(loaded.model.taxonomy, options.get("sector", ()), "sector")
    searched = bool(request.args)
    found = loaded.model.search(options.get("q", ""), options.get("country"), keys)
    return render_template(
        "web/find.html",
        options=options,
        keys=keys,
        searched=searched,
        found=found[:SEARCH_LIMIT] if searched else [],
        total=len(found),
        sectors=loaded.model.taxonomy.keys,
    )


def company(company_id: str) -> str | Response:
    """A company's record and its ranked partners from the other country, with filters."""
    loaded = served_model()
    record = loaded.model.company(company_id)
    options = query_options(PartnersQuery(), request.args, ("sector",))
    keys = resolve_sectors(loaded.model.taxonomy, options["sector"], "sector")
    filters = Filters(
        sectors=keys,
        city=options["city"].strip(),
        exclude_known=options["exclude_known"],
        exclude_group=options["exclude_group"],
        exclude_ids=hidden_partners(company_id),  # as the API: pairs marked not_relevant
    )
    query = loaded.model.query_for(company_id)
    result = ranking(loaded, query, options["top_k"], filters, options["diversity"])
    context = {
        "record": record,
        "options": options,
        "keys": keys,
        "result": result,
        "feedback": recorded_feedback(record.id, record.country),
        "labels": LABELS,
        "hidden": len(filters.exclude_ids),
        "max_note": MAX_NOTE,
        "max_user": MAX_USER,
    }
    if wants_fragment():
        return _fragment(render_template("web/_partners.html", **context))
    parent = _parent(record.parent_id)
    return render_template(
        "web/company.html", parent=parent, sectors=loaded.model.taxonomy.keys, **context
    )


def recorded_feedback(company_id: str, country: str) -> dict[str, list[Feedback]]:
    """The verdicts already recorded on this company's pairs, newest first, by partner id."""
    side = "japanese_id" if country == "JP" else "israeli_id"
    other = "israeli_id" if country == "JP" else "japanese_id"
    found: dict[str, list[Feedback]] = {}
    for item in reversed(feedback_store().find(FeedbackQuery(**{side: company_id}))[0]):
        found.setdefault(getattr(item, other), []).append(item)
    return found


def _parent(parent_id: str):
    """The group parent's record, None when there is none (or it is not in the list)."""
    if not parent_id:
        return None
    try:
        return served_model().model.company(parent_id)
    except KakehashiError:
        return None


def _fragment(html: str, status: int = 200) -> Response:
    response = make_response(html, status)
    response.headers["Vary"] = FRAGMENT_HEADER
    return response


def match() -> str | tuple[str, int]:
    """A firm not in the list: an ad-hoc profile form, and its ranked partners."""
    loaded = served_model()
    sectors = loaded.model.taxonomy.keys
    if request.method == "GET":
        return render_template("web/match.html", form={}, sectors=sectors, result=None)
    form = request.form
    profile = {
        "name": form.get("name", "").strip() or None,
        "country": form.get("country", "JP"),
        "sectors": form.getlist("sector"),
        "description": form.get("description", ""),
        "interests": form.get("interests", ""),
        "tags": [tag.strip() for tag in form.get("tags", "").split(",") if tag.strip()],
        "city": form.get("city", ""),
    }
    profile = {name: value for name, value in profile.items() if value is not None}
    try:
        PROFILE.load(profile)  # the caps of POST /v1/match (docs/api.md, Bounded cost)
        record = company_from_profile(profile, loaded.model.taxonomy)
        result = profile_ranking(loaded, record, 10, Filters())
    except ValidationError as error:
        problem = {"code": "invalid_body", "message": describe_messages({"form": error.messages})}
    except KakehashiError as error:
        problem = {"code": error.code, "message": str(error)}
    else:
        return render_template("web/match.html", form=form, sectors=sectors, result=result)
    page = render_template(
        "web/match.html", form=form, sectors=sectors, result=None, problem=problem
    )
    return page, 422


def set_language(code: str) -> Response:
    """Switch the interface language and remember it in a cookie; back to the page it came from."""
    response = redirect(i18n.safe_next(request.args.get("next")), code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE, code, max_age=COOKIE_SECONDS, samesite="Lax", httponly=False
        )
    return response


def register(blp: Blueprint) -> None:
    """Add the pages to the web blueprint."""
    blp.add_url_rule("/", "find", find)
    blp.add_url_rule("/companies/<company_id>", "company", company)
    blp.add_url_rule("/match", "match", match, methods=["GET", "POST"])
    blp.add_url_rule("/language/<code>", "set_language", set_language)
