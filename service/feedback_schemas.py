"""Request and response schemas of /v1/feedback (the source of its validation and OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kakehashi.feedback import LABELS, MAX_NOTE, MAX_USER
from service.schemas import StrictSchema

ID_LENGTH = validate.Length(min=1, max=200)
LABEL = validate.OneOf(LABELS, error="must be one of: {choices}")


class FeedbackBody(StrictSchema):
    """The body of POST /v1/feedback: a person's verdict on a pair."""

    japanese_id = fields.String(
        required=True, validate=ID_LENGTH, metadata={"description": "a Japanese firm's id"}
    )
    israeli_id = fields.String(
        required=True, validate=ID_LENGTH, metadata={"description": "an Israeli firm's id"}
    )
    label = fields.String(
        required=True,
        validate=LABEL,
        metadata={"description": "not_relevant hides the pair from both firms' rankings"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))
    user = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_USER),
        metadata={"description": "who gave the verdict (free text)"},
    )


class FeedbackQueryArgs(StrictSchema):
    """Query parameters of GET /v1/feedback."""

    japanese_id = fields.String(validate=ID_LENGTH)
    israeli_id = fields.String(validate=ID_LENGTH)
    label = fields.String(validate=LABEL)
    user = fields.String(validate=validate.Length(max=MAX_USER))
    since = fields.DateTime(
        metadata={"description": "only verdicts recorded at or after this ISO 8601 time (UTC)"}
    )
    limit = fields.Integer(
        load_default=100, validate=validate.Range(1, 1000, error="must be between 1 and 1000")
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, error="must be >= 0"))
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "csv"), error="must be one of: {choices}"),
        metadata={"description": "csv: every match as a spreadsheet-safe CSV (no paging)"},
    )


class FeedbackRecord(Schema):
    """One recorded verdict."""

    id = fields.Integer()
    japanese_id = fields.String()
    israeli_id = fields.String()
    label = fields.String(metadata={"enum": list(LABELS)})
    note = fields.String()
    user = fields.String()
    created_at = fields.String(metadata={"description": "UTC, ISO 8601"})


class FeedbackPage(Schema):
    """GET /v1/feedback: one page of verdicts and the number of all matches."""

    items = fields.List(fields.Nested(FeedbackRecord))
    total = fields.Integer()
