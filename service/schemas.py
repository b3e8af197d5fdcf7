"""Request and response schemas: the single source for validation and the OpenAPI document."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from kakehashi.companies import normalize_country

TOP_K = {"load_default": 10, "validate": validate.Range(1, 100, error="must be between 1 and 100")}


def diversity_field() -> fields.Float:
    return fields.Float(
        load_default=0.0,
        validate=validate.Range(0, 1, error="must be between 0 and 1"),
        metadata={"description": "0..1: re-rank so the top results are less alike (0 = by score)"},
    )


class StrictSchema(Schema):
    """Rejects unknown parameters and fields, so a typo is an error instead of being ignored."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "unknown field"}  # noqa: RUF012 (marshmallow's own API)


class Country(fields.String):
    """A country given as JP/Japan/JPN or IL/Israel/ISR, loaded as JP or IL."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        country = normalize_country(text)
        if country is None:
            raise ValidationError(f"unknown country {text!r} (expected JP or IL)")
        return country


def sectors_list(description: str) -> fields.List:
    return fields.List(fields.String(), load_default=list, metadata={"description": description})


# ----- requests -----


class CompaniesQuery(StrictSchema):
    """Query parameters of GET /v1/companies."""

    country = Country(metadata={"description": "JP or IL (also Japan, Israel, JPN, ISR)"})
    q = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={
            "description": "name search in English or Japanese (name_ja), case- and "
            "width-insensitive: prefix matches first"
        },
    )
    sector = sectors_list("sector key or alias; repeat to match any of several")
    limit = fields.Integer(
        load_default=20, validate=validate.Range(1, 100, error="must be between 1 and 100")
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, error="must be >= 0"))


class PartnersQuery(StrictSchema):
    """Query parameters of GET /v1/companies/<id>/partners."""

    top_k = fields.Integer(**TOP_K, metadata={"description": "how many partners, 1..100"})
    sector = sectors_list("only partners in this sector; repeat to allow any of several")
    city = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "only partners in this city (case-insensitive)"},
    )
    exclude_known = fields.Boolean(
        load_default=False, metadata={"description": "leave out the company's known partners"}
    )
    exclude_group = fields.Boolean(
        load_default=False,
        metadata={
            "description": "leave out firms of the company's own group (linked by parent_id)"
        },
    )
    diversity = diversity_field()


# ----- responses -----


class ErrorDetail(Schema):
    """The code and message of an error."""

    code = fields.String(metadata={"description": "stable snake_case code (see docs/api.md)"})
    message = fields.String()


class ErrorSchema(Schema):
    """Every error response."""

    error = fields.Nested(ErrorDetail)


class Health(Schema):
    """GET /healthz."""

    status = fields.String(metadata={"example": "ok"})


class Ready(Schema):
    """GET /readyz."""

    status = fields.String(metadata={"example": "ready"})
    model_version = fields.String()
    problem = fields.String(
        metadata={"description": "present when the served version is not the promoted one: why"}
    )


class ModelInfo(Schema):
    """GET /v1/model: the served version's manifest."""

    version = fields.String()
    created_at = fields.String()
    companies = fields.Dict(keys=fields.String(), values=fields.Integer())
    partnerships = fields.Integer()
    sectors = fields.List(fields.String())
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    metrics = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Raw()),
        allow_none=True,
        metadata={"description": "per direction ('JP -> IL', 'IL -> JP'): hit@k, mrr, ndcg@k"},
    )
    baselines = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String())),
        allow_none=True,
        metadata={
            "description": "per direction, the same metrics for each peer on the same queries"
        },
    )
    component_labels = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "what each explanation component and contribution means"},
    )


class SectorInfo(Schema):
    """One sector of the taxonomy with its company counts per country."""

    key = fields.String()
    label = fields.String()
    aliases = fields.List(fields.String())
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class SectorList(Schema):
    """GET /v1/sectors."""

    model_version = fields.String()
    items = fields.List(fields.Nested(SectorInfo))


class CompanyRecord(Schema):
    """One company of the served model."""

    id = fields.String()
    name = fields.String()
    country = fields.String()
    sectors = fields.List(fields.String())
    description = fields.String()
    interests = fields.String()
    tags = fields.List(fields.String())
    city = fields.String()
    founded = fields.Integer(allow_none=True)
    employees = fields.String(metadata={"description": "head count or range, as the list gives it"})
    stage = fields.String()
    website = fields.String()
    parent_id = fields.String(metadata={"description": "id of the group parent in the list, or ''"})
    name_ja = fields.String(
        metadata={"description": "the name in Japanese, when the list gives it"}
    )
    hq_country = fields.String(metadata={"description": "headquarters country code when abroad"})
    hq_city = fields.String(metadata={"description": "headquarters city when abroad"})
    as_of = fields.String(metadata={"description": "when the record's facts were last checked"})
    source = fields.String(metadata={"description": "where the record's facts can be checked"})
    extra = fields.Dict(keys=fields.String(), values=fields.String())


class CompanyPage(Schema):
    """GET /v1/companies: one page of matches and the number of all matches."""

    items = fields.List(fields.Nested(CompanyRecord))
    total = fields.Integer()


class RelatedPair(Schema):
    """A query sector and a candidate sector the taxonomy declares related."""

    query = fields.String()
    candidate = fields.String()


class Explanation(Schema):
    """Why a partner was ranked where it was."""

    shared_sectors = fields.List(fields.String())
    related_sectors = fields.List(fields.Nested(RelatedPair))
    matched_terms = fields.List(fields.String())
    interest_terms = fields.List(fields.String())
    components = fields.Dict(keys=fields.String(), values=fields.Float())
    contributions = fields.Dict(keys=fields.String(), values=fields.Float())
    summary = fields.String()


class Result(Schema):
    """One ranked partner."""

    rank = fields.Integer()
    id = fields.String()
    name = fields.String()
    country = fields.String()
    sectors = fields.List(fields.String())
    city = fields.String()
    parent_id = fields.String(metadata={"description": "id of the partner's group parent, or ''"})
    score = fields.Float(metadata={"description": "0..1, higher is better"})
    strength = fields.String(
        metadata={
            "description": "strong (top 1% of all Japan-Israel pairs of the list), good (next 4%)"
            " or weak",
            "enum": ["strong", "good", "weak"],
        }
    )
    known_partner = fields.Boolean()
    explanation = fields.Nested(Explanation)


class QueryInfo(Schema):
    """The company a ranking is for (id null for an ad-hoc profile)."""

    id = fields.String(allow_none=True)
    name = fields.String()
    country = fields.String()


class Ranking(Schema):
    """Every ranking response."""

    query = fields.Nested(QueryInfo)
    model_version = fields.String()
    results = fields.List(fields.Nested(Result))


class Reloaded(Schema):
    """POST /v1/admin/reload."""

    previous_version = fields.String(allow_none=True)
    model_version = fields.String()
    changed = fields.Boolean()
