"""Schemas of the admin endpoints: datasets, jobs, versions, promotion and diffs."""

from __future__ import annotations

from marshmallow import fields, validate

from kakehashi.diff import DEFAULT_K
from kakehashi.jobs import STATES
from kakehashi.registry import VERSION_PATTERN
from service.schemas import StrictSchema

VERSION = {
    "validate": validate.Regexp(
        VERSION_PATTERN, error="not a version name (such as 20261201T090427Z-e89f50)"
    ),
    "metadata": {"description": "a version name from GET /v1/admin/versions"},
}


class DatasetForm(StrictSchema):
    """POST /v1/admin/datasets: multipart form data (documentation only: parsed by the view)."""

    companies = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "the company list"},
    )
    partnerships = fields.Raw(
        metadata={"type": "string", "format": "binary", "description": "known partnerships"}
    )
    sheet = fields.String(metadata={"description": "the sheet of an .xlsx list"})


class Accepted(StrictSchema):
    """202 of POST /v1/admin/datasets."""

    id = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))


class Job(StrictSchema):
    """One training job."""

    id = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    created_at = fields.String()
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    inputs = fields.Dict()
    progress = fields.Dict(allow_none=True)
    version = fields.String(allow_none=True)
    metrics = fields.Dict(allow_none=True)
    gate = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)


class JobsQuery(StrictSchema):
    """GET /v1/admin/jobs."""

    limit = fields.Integer(
        load_default=20, validate=validate.Range(1, 100, error="must be between 1 and 100")
    )


class JobList(StrictSchema):
    """GET /v1/admin/jobs."""

    items = fields.List(fields.Nested(Job))


class VersionItem(StrictSchema):
    """One saved version."""

    version = fields.String()
    promoted = fields.Boolean()
    served = fields.Boolean(metadata={"description": "served by the worker that answered"})
    created_at = fields.String(allow_none=True)
    companies = fields.Dict(allow_none=True)
    partnerships = fields.Integer(allow_none=True)
    metrics = fields.Dict(allow_none=True)
    damaged = fields.String(allow_none=True)


class VersionList(StrictSchema):
    """GET /v1/admin/versions."""

    promoted = fields.String(allow_none=True)
    items = fields.List(fields.Nested(VersionItem))


class PromoteBody(StrictSchema):
    """POST /v1/admin/promote."""

    version = fields.String(required=True, **VERSION)


class RollbackBody(StrictSchema):
    """POST /v1/admin/rollback (without a version: the one promoted before the current one)."""

    version = fields.String(**VERSION)


class Promoted(StrictSchema):
    """The answer of promote and rollback."""

    previous_version = fields.String(allow_none=True)
    model_version = fields.String()


class DiffQuery(StrictSchema):
    """GET /v1/admin/versions/<a>/diff/<b>."""

    company = fields.String(metadata={"description": "one firm's change instead of the summary"})
    k = fields.Integer(
        load_default=DEFAULT_K,
        validate=validate.Range(1, 100, error="must be between 1 and 100"),
    )


class FirmDiff(StrictSchema):
    """One firm's top k in versions a and b."""

    company_id = fields.String()
    name = fields.String()
    in_a = fields.Boolean()
    in_b = fields.Boolean()
    before = fields.List(fields.String())
    after = fields.List(fields.String())
    entered = fields.List(fields.String())
    left = fields.List(fields.String())
    overlap = fields.Integer()
    jaccard = fields.Float()


class Missing(StrictSchema):
    """Firms in one version only."""

    count = fields.Integer()
    ids = fields.List(fields.String())


class Summary(StrictSchema):
    """The change of top k lists over every firm both versions know."""

    k = fields.Integer()
    firms_compared = fields.Integer()
    firms_changed = fields.Integer()
    mean_overlap = fields.Float()
    mean_jaccard = fields.Float()
    most_changed = fields.List(fields.Nested(FirmDiff))
    only_in_a = fields.Nested(Missing)
    only_in_b = fields.Nested(Missing)


class Diff(StrictSchema):
    """GET /v1/admin/versions/<a>/diff/<b>: `firm` with ?company=, else `summary`."""

    a = fields.String()
    b = fields.String()
    firm = fields.Nested(FirmDiff, allow_none=True)
    summary = fields.Nested(Summary, allow_none=True)
