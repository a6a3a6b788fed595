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
    # More media types the success answer may have (the UI's files), besides `media_type`.
    other_media_types: tuple[str, ...] = ()
    # Further success statuses with the same body (a job's 202 when it only enqueues work).
    other_statuses: tuple[int, ...] = ()
    # Headers every success answer carries (an ETag to send back in If-Match).
    headers: tuple[str, ...] = ()
    # Whether the route reads or writes storage: an outage is then a 503 with Retry-After.
    storage: bool = True
    # The UI's files answer a missing one in plain text, as a static file server does.
    plain_not_found: bool = False
    # A body that is no JSON model, by its media type (the Partner Center import's text/csv).
    raw_request: str | None = None


def path_param(name: str, description: str, *, pattern: str | None = None) -> dict[str, Any]:
    """A route parameter; `pattern` when its route constrains it (outside it, the host answers
    its own empty 404: no function is called)."""
    schema: dict[str, Any] = {"type": "string"}
    if pattern is not None:
        schema["pattern"] = pattern
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
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
