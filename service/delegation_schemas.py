"""Schemas of the delegation planner's endpoints: they validate the body and document the API.

The limits come from kakehashi.planner.request, which the CLI's reader shares.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kakehashi.planner import request as limits
from service.schemas import Explanation, StrictSchema

FORMATS = ("json", "csv", "xlsx", "ics")


def _ids(description: str, most: int) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        validate=validate.Length(max=most),
        metadata={"description": description},
    )


def _count(low: int, high: int, description: str, **options) -> fields.Integer:
    return fields.Integer(
        strict=True, validate=validate.Range(low, high), metadata={"description": description},
        **options,
    )  # fmt: skip


class PoolSchema(StrictSchema):
    """The Israeli firms to choose from (every Israeli firm when all three are empty)."""

    sectors = _ids("firms in any of these sectors (keys or aliases)", limits.MAX_POOL_FILTER)
    cities = _ids("firms in any of these cities (case-insensitive)", limits.MAX_POOL_FILTER)
    ids = _ids(
        "these firms; with sectors or cities, added to the firms they match",
        limits.MAX_POOL_FILTER,
    )


class BreakSchema(StrictSchema):
    """A pause after a slot of a day."""

    after_slot = _count(
        0, limits.MAX_SLOTS - 1, "the slot (from 0) the pause follows", required=True
    )
    minutes = _count(1, 600, "how long the pause is", required=True)


class DaySchema(StrictSchema):
    """One meeting day."""

    date = fields.Date(required=True, metadata={"example": "2027-03-01"})
    venue = fields.String(
        required=True,
        metadata={"description": "the city of the day's venue (one of the travel table's)"},
    )
    start = fields.String(
        load_default="09:00", metadata={"description": "HH:MM, local time of the first slot"}
    )
    slots = _count(1, limits.MAX_SLOTS, "meeting slots of the day", required=True)
    slot_minutes = _count(5, 240, "length of a slot", load_default=30)
    breaks = fields.List(fields.Nested(BreakSchema), validate=validate.Length(max=limits.MAX_SLOTS))


class CapacitySchema(StrictSchema):
    """How many meetings each Israeli firm can take and each Japanese firm wants."""

    israeli_default = _count(0, 480, "meetings an Israeli firm can take", load_default=4)
    israeli = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(strict=True, validate=validate.Range(0, 480)),
        metadata={
            "description": "per Israeli firm id, its own capacity",
            "example": {"mobileye": 6},
        },
    )
    japanese_min = _count(0, 480, "meetings each Japanese firm must have", load_default=0)
    japanese_max = _count(0, 480, "meetings each Japanese firm may have", load_default=8)


class PairSchema(StrictSchema):
    """A Japanese and an Israeli firm."""

    japanese_id = fields.String(required=True)
    israeli_id = fields.String(required=True)


class PinSchema(PairSchema):
    """A meeting that must happen, optionally on a day (from 0) and in a slot of it (from 0)."""

    day = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(0, limits.MAX_DAYS - 1)
    )
    slot = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(0, limits.MAX_SLOTS - 1)
    )


class ScheduleBody(StrictSchema):
    """The body of POST /v1/delegations/schedule (see docs/planner.md)."""

    japanese_ids = _ids("the delegation's Japanese firms", limits.MAX_JAPANESE)
    japanese_ids.required = True
    pool = fields.Nested(PoolSchema)
    days = fields.List(
        fields.Nested(DaySchema), required=True, validate=validate.Length(1, limits.MAX_DAYS)
    )
    capacity = fields.Nested(CapacitySchema)
    min_score = fields.Float(
        validate=validate.Range(0, 1), metadata={"description": "only pairs scoring at least this"}
    )
    min_strength = fields.String(
        validate=validate.OneOf(limits.STRENGTH_ORDER),
        metadata={"description": "only pairs at least this strong (weak < good < strong)"},
    )
    skip_known = fields.Boolean(
        metadata={"description": "leave out known partners (default false)"}
    )
    skip_not_relevant = fields.Boolean(
        metadata={
            "description": "leave out pairs marked not relevant in the feedback (default true)"
        }
    )
    pins = fields.List(fields.Nested(PinSchema), validate=validate.Length(max=limits.MAX_PAIRS))
    forbid = fields.List(fields.Nested(PairSchema), validate=validate.Length(max=limits.MAX_PAIRS))
    max_travel_minutes = _count(
        0,
        600,
        f"most minutes from an Israeli firm to a venue (default {limits.TRAVEL_MINUTES})",
    )
    time_limit_seconds = fields.Float(
        validate=validate.Range(0.1, limits.MAX_TIME_LIMIT),
        metadata={"description": f"the MILP's time limit (default {limits.TIME_LIMIT:g})"},
    )
    candidates_per_firm = _count(
        1,
        limits.MAX_CANDIDATES,
        f"best pairs per Japanese firm given to the solver (default {limits.CANDIDATES})",
    )
    unplaced_per_firm = _count(
        0,
        limits.MAX_UNPLACED,
        f"best pairs not placed reported per Japanese firm (default {limits.UNPLACED})",
    )


class ScheduleQuery(StrictSchema):
    """Query parameters of POST /v1/delegations/schedule."""

    format = fields.String(
        load_default="json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "json, csv, xlsx or ics (a zip of one calendar per firm)"},
    )
    firm = fields.String(
        load_default="",
        metadata={"description": "with format=ics: only this firm's calendar (.ics)"},
    )


class MeetingSchema(Schema):
    """One scheduled meeting."""

    japanese_id = fields.String()
    japanese_name = fields.String()
    israeli_id = fields.String()
    israeli_name = fields.String()
    israeli_city = fields.String()
    day = fields.Integer(metadata={"description": "index of the day, from 0"})
    slot = fields.Integer(metadata={"description": "index of the slot in its day, from 0"})
    date = fields.String()
    start = fields.String(metadata={"description": "HH:MM local time"})
    end = fields.String()
    venue = fields.String()
    score = fields.Float(metadata={"description": "the pair's score, as /partners gives it"})
    strength = fields.String(metadata={"enum": ["strong", "good", "weak"]})
    known_partner = fields.Boolean()
    pinned = fields.Boolean()
    travel_minutes = fields.Integer(
        allow_none=True,
        metadata={
            "description": "approximate drive from the Israeli firm's city (null: city unknown)"
        },
    )
    explanation = fields.Nested(Explanation)


class UnplacedSchema(Schema):
    """A good pair that is not in the schedule, and why."""

    japanese_id = fields.String()
    israeli_id = fields.String()
    israeli_name = fields.String()
    score = fields.Float()
    strength = fields.String()
    reason = fields.String(
        metadata={
            "enum": [
                "capacity",
                "travel",
                "threshold",
                "known_partner",
                "not_relevant",
                "forbidden",
                "candidate_limit",
            ]
        }
    )


class AgendaItem(Schema):
    """One meeting in a firm's agenda."""

    day = fields.Integer()
    slot = fields.Integer()
    date = fields.String()
    start = fields.String()
    end = fields.String()
    venue = fields.String()
    partner_id = fields.String()
    partner_name = fields.String()
    score = fields.Float()


class DayInfo(Schema):
    """A day of the schedule."""

    day = fields.Integer()
    date = fields.String()
    venue = fields.String()
    slots = fields.Integer()


class ScheduleResponse(Schema):
    """The schedule: meetings, unplaced pairs, agendas, objective and gap."""

    model_version = fields.String()
    meetings = fields.List(fields.Nested(MeetingSchema))
    unplaced = fields.List(fields.Nested(UnplacedSchema))
    agendas = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(AgendaItem)),
        metadata={"description": "per firm id, its meetings in time order"},
    )  # fmt: skip
    objective = fields.Float(metadata={"description": "the sum of the meetings' scores"})
    gap = fields.Float(metadata={"description": "relative optimality gap; 0 when proven optimal"})
    optimal = fields.Boolean()
    method = fields.String(metadata={"enum": ["two_stage", "milp"]})
    days = fields.List(fields.Nested(DayInfo))


class BriefingBody(StrictSchema):
    """The body of POST /v1/delegations/briefing."""

    japanese_ids = _ids("the delegation's Japanese firms", limits.MAX_JAPANESE)
    japanese_ids.required = True
    top_k = _count(1, limits.MAX_BRIEFING_TOP_K, "partners per firm", load_default=10)
    pool = fields.Nested(PoolSchema)
    skip_known = fields.Boolean()
    skip_not_relevant = fields.Boolean()


class BriefingQuery(StrictSchema):
    """Query parameters of POST /v1/delegations/briefing."""

    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class BriefingRowSchema(Schema):
    """One partner of one delegation firm."""

    japanese_id = fields.String()
    japanese_name = fields.String()
    rank = fields.Integer()
    israeli_id = fields.String()
    israeli_name = fields.String()
    israeli_city = fields.String()
    sectors = fields.String(metadata={"description": "sector keys joined by '; '"})
    score = fields.Float()
    strength = fields.String()
    known_partner = fields.Boolean()
    summary = fields.String()


class BriefingResponse(Schema):
    """The briefing rows, firm by firm, best partner first."""

    model_version = fields.String()
    rows = fields.List(fields.Nested(BriefingRowSchema))
