"""Request checks shared by the endpoints: sector names and JSON bodies."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, request
from marshmallow import fields

from kakehashi.taxonomy import Taxonomy
from service.errors import ApiError
from service.schemas import CompaniesQuery, PartnersQuery


def resolve_sectors(taxonomy: Taxonomy, names: Iterable[str], parameter: str) -> tuple[str, ...]:
    """Sector keys for names or aliases; an unknown one is an `unknown_sector` error."""
    keys: list[str] = []
    for name in names:
        key = taxonomy.resolve(name)
        if key is None:
            raise ApiError("unknown_sector", f"{parameter}: {taxonomy.unknown_message(name)}")
        if key not in keys:
            keys.append(key)
    return tuple(keys)


# The query parameters that may be repeated: the list fields of the query schemas.
LIST_PARAMETERS = frozenset(
    name
    for schema in (CompaniesQuery, PartnersQuery)
    for name, declared in schema._declared_fields.items()
    if isinstance(declared, fields.List)
)


def reject_repeated_parameters() -> None:
    """A parameter given twice (`top_k=3&top_k=5`) is an error, not silently the first value."""
    for name in request.args:
        count = len(request.args.getlist(name))
        if count > 1 and name not in LIST_PARAMETERS:
            raise ApiError("invalid_parameter", f"{name}: given {count} times; give it once")


MAX_JSON_DEPTH = 32  # levels of objects and arrays in a body; the API's own bodies use 3 or 4


def require_json_body() -> None:
    """Before a POST with a body: 415 unless it is JSON, 400 `invalid_json` unless it parses."""
    if request.method != "POST":
        return
    if not request.is_json:
        given = request.mimetype or "none"
        raise ApiError(
            "unsupported_media_type",
            f"the body must be JSON (Content-Type: application/json); got {given}",
        )
    document = request.get_json(silent=True)
    if document is None:
        raise ApiError("invalid_json", f"the body is not valid JSON{_why_not(request.get_data())}")
    if _nested_deeper_than(document, MAX_JSON_DEPTH):
        # webargs parses the body again with the standard library, which recurses once per level
        raise ApiError(
            "invalid_json",
            f"the body is nested too deeply to be read (more than {MAX_JSON_DEPTH} levels)",
        )


def _why_not(body: bytes) -> str:
    """': ' and the parser's reason (with the line and column) why a body is not JSON."""
    try:
        current_app.json.loads(body)
    except ValueError as error:
        return f": {error}"
    return ""  # the body is `null`


def _nested_deeper_than(document: object, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` levels (level by level, no recursion)."""
    level, containers = 0, [document] if isinstance(document, dict | list) else []
    while containers:
        level += 1
        if level > limit:
            return True
        children = (
            c for item in containers for c in (item.values() if isinstance(item, dict) else item)
        )
        containers = [child for child in children if isinstance(child, dict | list)]
    return False
