"""The body of POST /v1/match: an ad-hoc profile, and the caps on what feeds its costly features
(docs/api.md, "Bounded cost")."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from kakehashi.japanese import analysed_length
from service.schemas import TOP_K, StrictSchema, diversity_field, sectors_list

PROFILE_LIMITS = {"name": 200, "description": 1000, "interests": 500, "tag": 50, "city": 200}
PROFILE_LIMITS |= {"sectors": 20, "tags": 20}  # tags: a keyword or short phrase each, 1000 in all


# Fields whose text is analysed (segmented and glossed when Japanese): a Japanese character
# counts as three toward their caps (kakehashi.japanese.analysed_length).
ANALYSED = frozenset(["description", "interests", "tag"])


def _capped(field: str, *item: fields.Field, **kwargs) -> fields.Field:
    kind, unit = (fields.List, "items") if item else (fields.String, "characters")
    caps = [validate.Length(max=PROFILE_LIMITS[field], error=f"at most {{max}} {unit}")]
    if field in ANALYSED:
        caps.append(_analysed_cap(PROFILE_LIMITS[field]))
    return kind(*item, validate=caps, **kwargs)


def _analysed_cap(limit: int):
    """The cap on a text's analysed length (a Japanese character counts as three)."""

    def check(text: str) -> None:
        if len(text) <= limit < analysed_length(text):  # longer: the plain cap names it
            message = f"at most {limit} characters, a Japanese character counting as three"
            raise ValidationError(message)

    return check


class ProfileSchema(StrictSchema):
    """An ad-hoc company profile, validated by kakehashi.companies.company_from_profile."""

    name = _capped("name", metadata={"example": "Sample Robotics"})
    country = fields.String(metadata={"description": "JP (default) or IL"})
    sectors = _capped("sectors", fields.String(), metadata={"example": ["robotics", "ai"]})
    description = _capped("description")
    interests = _capped("interests", metadata={"description": "what the company looks for"})
    tags = _capped("tags", _capped("tag"))
    city = _capped("city")


class MatchFilters(StrictSchema):
    """Restrictions on the partners of POST /v1/match."""

    sectors = sectors_list("only partners in any of these sectors (keys or aliases)")
    city = fields.String(load_default="", validate=validate.Length(max=200))


class MatchBody(StrictSchema):
    """The body of POST /v1/match."""

    profile = fields.Nested(ProfileSchema, required=True)
    top_k = fields.Integer(**TOP_K, strict=True)  # a JSON 10.5 is an error, not 10
    diversity = diversity_field()
    filters = fields.Nested(MatchFilters, load_default=lambda: {"sectors": [], "city": ""})
