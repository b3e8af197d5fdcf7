"""Feedback on pairs: record a verdict, list or export them, and hide pairs marked not relevant.

The store (`app.extensions["kakehashi.feedback"]`, a kakehashi.feedback.FeedbackStore) lives in
`<KAKEHASHI_DATA_DIR>/feedback.sqlite3`; a verdict is committed to disk before its 201.
"""

from __future__ import annotations

import csv
import io

from flask import Flask, Response, current_app
from flask_smorest import Blueprint
from marshmallow import RAISE

from kakehashi.companies import COUNTRY_NAMES
from kakehashi.errors import UnknownCompanyError
from kakehashi.feedback import COLUMNS, Feedback, FeedbackQuery, FeedbackStore
from kakehashi.model import PartnerModel
from kakehashi.sqlite import data_dir
from service.errors import ApiError
from service.feedback_schemas import FeedbackBody, FeedbackPage, FeedbackQueryArgs, FeedbackRecord
from service.holder import served_model
from service.params import reject_repeated_parameters, require_json_body

EXTENSION = "kakehashi.feedback"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# `format=csv` answers text/csv: both types documented (doc() replaces the response's content).
LISTING_CONTENT = {
    "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackPage"}},
    "text/csv": {"schema": {"type": "string"}},
}

blp = Blueprint("feedback", __name__, url_prefix="/v1", description="People's verdicts on pairs")
blp.before_request(require_json_body)
blp.before_request(reject_repeated_parameters)


def feedback_store() -> FeedbackStore:
    """The current app's feedback store."""
    return current_app.extensions[EXTENSION]


def hidden_partners(company_id: str) -> frozenset[str]:
    """The firms left out of a company's partners: the other side of its not_relevant pairs."""
    return feedback_store().hidden_for(company_id)


@blp.route("/feedback", methods=["POST"])
@blp.arguments(FeedbackBody)
@blp.response(201, FeedbackRecord)
@blp.alt_response(404, description="an id names no company (code `unknown_company`)")
def record(body: dict) -> dict:
    """Record a verdict on a pair (stored durably before the answer)."""
    model = served_model().model
    for field, country in (("japanese_id", "JP"), ("israeli_id", "IL")):
        check_company(model, field, body[field], country)
    found = feedback_store().record(
        body["japanese_id"], body["israeli_id"], body["label"], body["note"], body["user"]
    )
    return found.to_dict()


def check_company(model: PartnerModel, field: str, company_id: str, country: str) -> None:
    """404 unless the served model has this company, 422 unless it is of this country."""
    try:
        company = model.company(company_id)
    except UnknownCompanyError:
        raise ApiError("unknown_company", f"{field}: no company with id {company_id!r}") from None
    if company.country != country:
        found, expected = COUNTRY_NAMES[company.country], COUNTRY_NAMES[country]
        message = f"{field}: {company_id!r} is a company of {found}, expected {expected}"
        raise ApiError("invalid_body", message)


@blp.route("/feedback")
@blp.arguments(FeedbackQueryArgs, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, FeedbackPage)
@blp.doc(responses={"200": {"content": LISTING_CONTENT}})
def listing(
    limit: int = 100, offset: int = 0, format: str = "json", **filters: object
) -> dict | Response:
    """Verdicts, oldest first, filtered; `format=csv` exports every match as CSV."""
    query = FeedbackQuery(**filters)
    store = feedback_store()
    if format == "csv":
        return csv_response(store.find(query)[0])
    items, total = store.find(query, limit, offset)
    return {"items": [item.to_dict() for item in items], "total": total}


def neutralize(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made inert by a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(items: list[Feedback]) -> Response:
    """The verdicts as a UTF-8 CSV (with a BOM, so Excel reads Japanese notes right)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow([neutralize(getattr(item, column)) for column in COLUMNS])
    response = Response("\ufeff" + text.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="feedback.csv"'
    return response


def init_app(app: Flask) -> None:
    """The feedback store of the configured data directory (opened lazily, per thread)."""
    store = FeedbackStore.in_dir(data_dir(app.config.get("DATA_DIR")))
    app.extensions[EXTENSION] = store
    app.teardown_appcontext(lambda _error: store.close())
