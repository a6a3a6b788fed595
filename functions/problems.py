"""The one table that maps our errors to HTTP statuses and RFC 9457 problem+json bodies."""

from __future__ import annotations

import json
import math
from typing import Any

import azure.functions as func

from shared.domain.errors import (
    ConcurrentModification,
    ConfigurationError,
    Conflict,
    DependencyUnavailable,
    Forbidden,
    InvalidInput,
    LeadsError,
    NotFound,
    PayloadTooLarge,
    StalePrecondition,
    Unauthenticated,
    UnsupportedMediaType,
)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:partner-leads:problem:"
# When a dependency is down and named no wait of its own: long enough for the storage SDK's
# retries to have been worth something, short enough for a marketplace webhook's retry policy.
DEFAULT_RETRY_AFTER_SECONDS = 5

STATUS_BY_ERROR: dict[type[LeadsError], tuple[int, str]] = {
    InvalidInput: (400, "invalid-input"),
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not-found"),
    Conflict: (409, "conflict"),
    ConcurrentModification: (409, "concurrent-modification"),
    StalePrecondition: (412, "stale-etag"),
    PayloadTooLarge: (413, "payload-too-large"),
    UnsupportedMediaType: (415, "unsupported-media-type"),
    ConfigurationError: (500, "server-misconfigured"),
    DependencyUnavailable: (503, "dependency-unavailable"),
}


def status_for(error: LeadsError) -> tuple[int, str]:
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 500, "internal-error"


def problem_response(error: LeadsError, *, instance: str | None = None) -> func.HttpResponse:
    status, slug = status_for(error)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": error.title,
        "status": status,
        "detail": error.detail,
    }
    if instance:
        body["instance"] = instance
    if isinstance(error, InvalidInput) and error.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="partner-leads"'
    if isinstance(error, DependencyUnavailable):
        headers["Retry-After"] = str(retry_after_seconds(error))
    return func.HttpResponse(
        json.dumps(body), status_code=status, headers=headers, mimetype=PROBLEM_JSON
    )


def retry_after_seconds(error: DependencyUnavailable) -> int:
    """Whole seconds (the header's delay-seconds form), at least 1."""
    if error.retry_after is None:
        return DEFAULT_RETRY_AFTER_SECONDS
    return max(1, math.ceil(error.retry_after.total_seconds()))


def internal_error_response(*, instance: str | None = None) -> func.HttpResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + "internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "Something went wrong on our side; it has been logged.",
    }
    if instance:
        body["instance"] = instance
    return func.HttpResponse(json.dumps(body), status_code=500, mimetype=PROBLEM_JSON)
