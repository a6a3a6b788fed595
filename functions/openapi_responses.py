"""The responses of one documented operation: its success, and every problem it can answer."""

from __future__ import annotations

from typing import Any

from functions.openapi_operation import Operation
from functions.problems import PROBLEM_JSON
from shared.domain.model import ApiModel
from shared.services.health import HealthReport


class ProblemField(ApiModel):
    field: str
    message: str


class Problem(ApiModel):
    """RFC 9457 problem details, the body of every error."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemField] | None = None


def _header(description: str, **schema: Any) -> dict[str, Any]:
    # Header values are text on the wire; a pattern says what the text holds.
    return {"description": description, "required": True, "schema": {"type": "string", **schema}}


HEADERS: dict[str, dict[str, Any]] = {
    "ETag": _header("The version read: send it back in If-Match to act on exactly that one."),
    "Content-Disposition": _header("attachment, with the file name to save it as."),
    "WWW-Authenticate": _header("The Bearer challenge."),
    "Retry-After": _header(
        "Whole seconds to wait before trying again (delta-seconds, at least 1).",
        pattern="^[1-9][0-9]*$",
    ),
}


def operation_object(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    """The OpenAPI Operation Object of `op`; `refs` maps (model, mode) to its schema reference."""
    success: dict[str, Any] = {"description": "Success", **_content(op, refs)}
    if op.headers:
        success["headers"] = {name: HEADERS[name] for name in op.headers}
    responses: dict[str, Any] = {str(status): success for status in (op.status, *op.other_statuses)}
    if 304 in op.other_statuses:  # a conditional GET whose If-None-Match is current: no body
        responses["304"] = {"description": "Not modified", "headers": success.get("headers", {})}
    for status in sorted({*op.errors, *_always(op)}):
        responses[str(status)] = _error(op, status, refs)
    body: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": op.method + "".join(p.strip("{}*").title() for p in op.path.split("/")),
        "parameters": list(op.parameters),
        "responses": responses,
        "security": [] if op.security == "none" else [{op.security: []}],
    }
    if op.request:
        body["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.request, "validation")]}},
        }
    elif op.raw_request:
        body["requestBody"] = {
            "required": True,
            "content": {op.raw_request: {"schema": {"type": "string"}}},
        }
    return body


def _content(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    if op.response:
        return {"content": {op.media_type: {"schema": refs[(op.response, "serialization")]}}}
    if op.media_type != "application/json":
        media_types = (op.media_type, *op.other_media_types)
        return {"content": {media: {"schema": {"type": "string"}} for media in media_types}}
    return {}


def _always(op: Operation) -> set[int]:
    """What any route of its kind can answer, whatever its own rules: every body is read within
    a limit (413), every credential is checked (401), storage can be out (503)."""
    statuses = {413}
    if op.security != "none":
        statuses.add(401)
    if op.storage:
        statuses.add(503)
    return statuses


def _error(op: Operation, status: int, refs: dict[Any, Any]) -> dict[str, Any]:
    if status == 503 and op.response is HealthReport:  # the health check says what is down
        report = refs[(HealthReport, "serialization")]
        return {
            "description": "A dependency is unavailable",
            "content": {"application/json": {"schema": report}},
        }
    if status == 404 and op.plain_not_found:
        return {
            "description": "Not found",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    problem: dict[str, Any] = {
        "description": "Problem",
        "content": {PROBLEM_JSON: {"schema": {"$ref": refs[(Problem, "serialization")]["$ref"]}}},
    }
    if status == 401:
        problem["headers"] = {"WWW-Authenticate": HEADERS["WWW-Authenticate"]}
    if status == 503:
        problem["headers"] = {"Retry-After": HEADERS["Retry-After"]}
    return problem
