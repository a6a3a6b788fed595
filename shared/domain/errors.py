"""The one error hierarchy. Adapters translate SDK errors into these; functions/ maps them to HTTP.

Each error carries a `title` (stable, safe to show) and a `detail` (specific, never personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field: `field` is a dotted path into the request (e.g. `customer.email`)."""

    field: str
    message: str


class LeadsError(Exception):
    """Base of every error this system raises on purpose."""

    title = "Request failed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(LeadsError):
    title = "Invalid input"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class PayloadTooLarge(LeadsError):
    title = "Payload too large"


class UnsupportedMediaType(LeadsError):
    title = "Unsupported media type"


class Unauthenticated(LeadsError):
    title = "Unauthenticated"


class Forbidden(LeadsError):
    title = "Forbidden"


class NotFound(LeadsError):
    title = "Not found"


class Conflict(LeadsError):
    """The resource exists already, or its state does not allow the action."""

    title = "Conflict"


class StalePrecondition(LeadsError):
    """The caller's `If-Match` ETag no longer matches: someone changed the resource first."""

    title = "Precondition failed"


class ConcurrentModification(LeadsError):
    """An optimistic write lost a race; the use case may reload and retry."""

    title = "Concurrent modification"


class ConfigurationError(LeadsError):
    """A required setting is missing or malformed: the operator's fault, never the caller's."""

    title = "Server misconfigured"


class DependencyUnavailable(LeadsError):
    """Storage or another dependency did not answer, or answered "busy"; the caller may retry.

    `retry_after` is the wait the dependency asked for (its `Retry-After`), when it named one.
    """

    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: timedelta | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class DeliveryUncertain(DependencyUnavailable):
    """The request reached the provider but no answer came back (a timeout, a dropped
    connection): it may have been accepted. A retry may duplicate it, so it waits longer."""


class DeliveryRejected(LeadsError):
    """The email provider refused a message for good (a bad address or request): never retried."""

    title = "Delivery rejected"
