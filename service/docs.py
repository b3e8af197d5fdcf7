"""The OpenAPI document (`/openapi.json`, from flask-smorest) and `/docs`, which renders it as one
self-contained HTML page (no scripts, no CDN)."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_smorest import Api

from service.schemas import ErrorSchema

METHODS = ("get", "post", "put", "patch", "delete")


class OpenApi(Api):
    """flask-smorest's Api, documenting our error body instead of its own."""

    ERROR_SCHEMA = ErrorSchema


def type_name(schema: dict) -> str:
    """A short readable type for a JSON schema: `string`, `array of Result`, `object`..."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " & ".join(type_name(part) for part in schema["allOf"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(k for k in kind if k != "null")
    if kind == "array":
        return f"array of {type_name(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {type_name(schema['additionalProperties'])}"
    return kind


def operations(spec: dict) -> list[dict]:
    """Every path and method of the spec, flattened for the template."""
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [*item.get("parameters", []), *operation.get("parameters", [])],
                    "body": type_name(body["schema"]) if body else None,
                    "responses": _responses(operation.get("responses", {})),
                }
            )
    return found


def _responses(responses: dict) -> list[dict]:
    rows = []
    for status, response in responses.items():
        if "$ref" in response:
            rows.append({"status": status, "description": type_name(response), "schema": ""})
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        rows.append(
            {
                "status": status,
                "description": response.get("description", ""),
                "schema": type_name(schema) if schema else "",
            }
        )
    return rows


def schemas(spec: dict) -> list[dict]:
    """The component schemas with their properties, for the template."""
    return [
        {
            "name": name,
            "properties": [
                {
                    "name": prop,
                    "type": type_name(definition),
                    "description": definition.get("description", ""),
                    "required": prop in schema.get("required", []),
                }
                for prop, definition in schema.get("properties", {}).items()
            ],
        }
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    ]


def init_app(app: Flask, api: Api) -> None:
    """Serve `/docs` from the app's OpenAPI document."""
    blueprint = Blueprint("docs", __name__, template_folder="templates")

    @blueprint.route("/docs")
    def docs() -> str:
        """The API reference page."""
        spec = api.spec.to_dict()
        return render_template(
            "docs.html", info=spec["info"], operations=operations(spec), schemas=schemas(spec)
        )

    app.register_blueprint(blueprint)
