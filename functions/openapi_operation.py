"""One documented operation of the HTTP API, and helpers to describe its parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

Security = Literal["bearer", "intakeKey", "none"]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    security: Security = "bearer"
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = (400, 401, 403)
    parameters: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    media_type: str = "application/json"  # text/csv for the export


def path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def query_params(model: type[BaseModel]) -> tuple[dict[str, Any], ...]:
    """Query parameters described by a pydantic model (camelCase names, its JSON schema)."""
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", []))
    return tuple(
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _inline(prop, definitions),
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema["properties"].items()
    )


def _inline(prop: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    # A parameter's schema cannot point into the model's $defs: resolve, drop null, keep it flat.
    if "$ref" in prop:
        return _inline(definitions[prop["$ref"].rsplit("/", 1)[-1]], definitions)
    if "anyOf" in prop:
        choices = [_inline(c, definitions) for c in prop["anyOf"] if c.get("type") != "null"]
        return choices[0] if len(choices) == 1 else {"anyOf": choices}
    return {key: value for key, value in prop.items() if key not in ("title", "description")}
