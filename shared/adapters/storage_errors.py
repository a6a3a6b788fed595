"""Translate what the storage SDKs raise into our own errors: one mapping for tables, queues and
blobs.

What a later try may fix becomes `DependencyUnavailable` (503 to an HTTP caller, a later retry
for queued work): no connection, no answer in time, a 5xx or a 429 (Storage's "server busy")
that is still there after the SDK's own retries, and refused credentials (an identity or role
assignment being fixed). Everything else (404, 409, 412, 400) means something to the adapter
and goes through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.data.tables import TableClient, TableTransactionError

from shared.adapters.retry_after import retry_after
from shared.domain.errors import ConcurrentModification, DependencyUnavailable

# A batch fails as a whole with these when a row it creates exists (409), a row it updates or
# deletes is gone (404), or an ETag it checks moved on (412): another writer got there first.
_LOST_RACE = (404, 409, 412)
# 408 is the service's own timeout, 429 and 503 "server busy" (throttling), 500 and the rest of
# the 5xx an outage: the SDKs retry all of these first, so one seen here outlasted those retries.
_BUSY = frozenset({408, 429})
# A table or queue that is not there (deleted by hand, a restore under way) is an outage of the
# store, not a lost race or an absent row: it heals once the resource is back.
_MISSING_RESOURCE = frozenset({"TableNotFound", "QueueNotFound"})


def storage_unavailable(error: BaseException) -> DependencyUnavailable | None:
    """The `DependencyUnavailable` a storage SDK error amounts to, or None if it is no outage."""
    if isinstance(error, (ServiceRequestError, ServiceResponseError)):
        return DependencyUnavailable("Storage did not answer; try again shortly.")
    if isinstance(error, ClientAuthenticationError):
        return DependencyUnavailable("Storage refused the app's credentials.")
    if isinstance(error, HttpResponseError):
        if _missing_resource(error):
            return DependencyUnavailable("A storage table or queue the app uses is missing.")
        status = error.status_code or 0
        if status >= 500 or status in _BUSY:
            headers: Mapping[str, str] | None = getattr(error.response, "headers", None)
            return DependencyUnavailable(
                f"Storage answered {status}; try again shortly.", retry_after=retry_after(headers)
            )
    return None


@contextmanager
def translate_storage_errors(*, otherwise: str | None = None) -> Iterator[None]:
    """Outages become `DependencyUnavailable`. With `otherwise`, so does every other SDK error
    (with that detail): for writes whose caller has a fallback for any failure (the outbox)."""
    try:
        yield
    except AzureError as error:
        unavailable = storage_unavailable(error)
        if unavailable is None and otherwise is not None:
            unavailable = DependencyUnavailable(otherwise)
        if unavailable is None:
            raise
        raise unavailable from error


def submit_batch(
    table: TableClient, operations: Sequence[Any], *, lost_race: str, deadline: float | None = None
) -> list[Mapping[str, Any]]:
    """One entity-group transaction: all or nothing; a lost race is `ConcurrentModification`.

    `deadline` (seconds) bounds every try and back-off together: azure-core's RetryPolicy takes
    a per-call `timeout`, caps each try's connection timeout by what is left and sends no try
    once it is spent (ServiceRequestTimeoutError / ServiceResponseTimeoutError: unavailable).
    """
    options: dict[str, Any] = {} if deadline is None else {"timeout": deadline}
    with translate_storage_errors():
        try:
            return table.submit_transaction(operations, **options)
        except TableTransactionError as error:
            if error.status_code in _LOST_RACE and not _missing_resource(error):
                raise ConcurrentModification(lost_race) from None
            raise


def _missing_resource(error: HttpResponseError) -> bool:
    # The SDKs set `error_code` from the x-ms-error-code header; not every error class types it.
    return getattr(error, "error_code", None) in _MISSING_RESOURCE
