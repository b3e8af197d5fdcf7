"""The delegation planner: a meeting schedule for a delegation, its exports, and briefing packs."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import RAISE

from kakehashi.planner import exports
from kakehashi.planner.briefing import briefing_csv, briefing_xlsx, build_briefing
from kakehashi.planner.parse import parse_briefing, parse_request
from kakehashi.planner.records import Schedule
from kakehashi.planner.schedule import build_schedule
from service.delegation_schemas import (
    BriefingBody,
    BriefingQuery,
    BriefingResponse,
    ScheduleBody,
    ScheduleQuery,
    ScheduleResponse,
)
from service.errors import ApiError
from service.holder import off_the_event_loop, served_model
from service.params import reject_repeated_parameters, require_json_body

blp = Blueprint(
    "delegations", __name__, url_prefix="/v1/delegations", description="Delegation planner"
)
blp.before_request(require_json_body)
blp.before_request(reject_repeated_parameters)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = {  # format -> (media type, file name)
    "csv": ("text/csv; charset=utf-8", "schedule.csv"),
    "xlsx": (XLSX, "schedule.xlsx"),
    "ics": ("application/zip", "schedule-calendars.zip"),
}
BINARY = {"schema": {"type": "string", "format": "binary"}}
SCHEDULE_FILES = {
    200: {
        "content": {
            "text/csv": BINARY,
            XLSX: BINARY,
            "application/zip": BINARY,
            "text/calendar": BINARY,
        }
    }
}


def not_relevant_pairs() -> frozenset[tuple[str, str]]:
    """The (japanese_id, israeli_id) pairs the feedback store marks not relevant (none without)."""
    store = current_app.extensions.get("kakehashi.feedback")
    return frozenset(store.not_relevant_pairs()) if store is not None else frozenset()


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """A file download with its media type and name."""
    return Response(
        data,
        mimetype=mimetype.split(";")[0],
        content_type=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/schedule", methods=["POST"])
@blp.arguments(ScheduleQuery, location="query", unknown=RAISE)
@blp.arguments(ScheduleBody)
@blp.response(200, ScheduleResponse, description="the schedule as JSON, or as a file (format)")
@blp.doc(responses=SCHEDULE_FILES)
@blp.alt_response(422, description="invalid request, or pins that cannot all fit (named)")
def schedule(query: dict, body: dict) -> dict | Response:
    """The meeting schedule of maximum total score for a delegation (docs/planner.md)."""
    if query["firm"] and query["format"] != "ics":
        raise ApiError("invalid_parameter", "firm: only with format=ics")
    plan = parse_request(request.get_json())
    loaded = served_model()
    # seconds of solver and explanation work: under gevent, off the loop so other requests go on
    found = off_the_event_loop(build_schedule, loaded.model, plan, not_relevant_pairs())
    if query["format"] == "json":
        return {"model_version": loaded.version, **found.to_dict()}
    return schedule_file(found, query["format"], query["firm"])


def schedule_file(found: Schedule, kind: str, firm: str) -> Response:
    """The schedule as CSV, XLSX, a zip of calendars or one firm's calendar."""
    if kind == "ics" and firm:
        if firm not in found.firms():
            raise ApiError("invalid_parameter", f"firm: {firm!r} has no meeting in this schedule")
        calendar = exports.firm_ics(found, firm)
        return attachment(calendar, "text/calendar; charset=utf-8", exports.calendar_name(firm))
    writer = {
        "csv": exports.schedule_csv,
        "xlsx": exports.schedule_xlsx,
        "ics": exports.schedule_ics_zip,
    }[kind]
    mimetype, filename = FILES[kind]
    return attachment(writer(found), mimetype, filename)


@blp.route("/briefing", methods=["POST"])
@blp.arguments(BriefingQuery, location="query", unknown=RAISE)
@blp.arguments(BriefingBody)
@blp.response(200, BriefingResponse, description="the rows as JSON, or as CSV or XLSX (format)")
@blp.doc(responses={200: {"content": {"text/csv": BINARY, XLSX: BINARY}}})
def briefing(query: dict, body: dict) -> dict | Response:
    """The top_k partners of every firm of a delegation, for briefing packs."""
    wanted = parse_briefing(request.get_json())
    loaded = served_model()
    rows = off_the_event_loop(build_briefing, loaded.model, wanted, not_relevant_pairs())
    if query["format"] == "csv":
        return attachment(briefing_csv(rows), "text/csv; charset=utf-8", "briefing.csv")
    if query["format"] == "xlsx":
        return attachment(briefing_xlsx(rows), XLSX, "briefing.xlsx")
    return {"model_version": loaded.version, "rows": [row.to_dict() for row in rows]}
