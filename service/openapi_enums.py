"""Enums in /openapi.json for the fields whose values come from data: sectors and countries.

The marshmallow schemas accept any string there and check it against the served model's
taxonomy (a sector alias is fine too), so the enums cannot live in the schema classes. They are
added to the document each time it is built: the sector keys of the model being served (the
bundled taxonomy's before one is loaded) and the canonical country spellings. Clients and
schemathesis then generate values the API accepts.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask_smorest import Api

from kakehashi.taxonomy import load_taxonomy

COUNTRY_VALUES = ["JP", "IL", "Japan", "Israel", "JPN", "ISR"]
SECTOR_NAMES = frozenset({"sector", "sectors"})
COUNTRY_NAMES = frozenset({"country"})


def with_enum(schema: dict, values: list[str]) -> None:
    """Give a string schema (or the items of an array of strings) these enum values."""
    target = schema.get("items", {}) if schema.get("type") == "array" else schema
    if target.get("type") == "string" and "enum" not in target:
        target["enum"] = list(values)


def add_enums(spec: dict, sector_keys: list[str]) -> dict:
    """The document with enums on every parameter and property named sector(s) or country."""
    enums = {
        **dict.fromkeys(SECTOR_NAMES, sector_keys),
        **dict.fromkeys(COUNTRY_NAMES, COUNTRY_VALUES),
    }
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                if parameter.get("name") in enums and "schema" in parameter:
                    with_enum(parameter["schema"], enums[parameter["name"]])
    for schema in spec.get("components", {}).get("schemas", {}).values():
        for name, prop in schema.get("properties", {}).items():
            if name in enums:
                with_enum(prop, enums[name])
    return spec


def init_app(app: Flask, api: Api) -> None:
    """Build the enums into every rendering of the app's OpenAPI document."""
    build: Callable[[], dict] = api.spec.to_dict

    def sector_keys() -> list[str]:
        loaded = app.extensions["kakehashi"].loaded
        taxonomy = loaded.model.taxonomy if loaded is not None else load_taxonomy()
        return list(taxonomy.keys)

    api.spec.to_dict = lambda: add_enums(build(), sector_keys())
