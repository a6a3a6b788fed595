"""Translate what the storage SDKs raise into our own errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from azure.core.exceptions import (
    ClientAuthenticationError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.data.tables import TableClient, TableTransactionError

from shared.domain.errors import ConcurrentModification, DependencyUnavailable

# A batch fails as a whole with these when a row it creates exists (409), a row it updates or
# deletes is gone (404), or an ETag it checks moved on (412): another writer got there first.
_LOST_RACE = (404, 409, 412)


@contextmanager
def translate_storage_errors() -> Iterator[None]:
    try:
        yield
    except (ServiceRequestError, ServiceResponseError) as error:
        raise DependencyUnavailable("Storage did not answer; try again shortly.") from error
    except ClientAuthenticationError as error:
        raise DependencyUnavailable("Storage refused the app's credentials.") from error


def submit_batch(
    table: TableClient, operations: Sequence[Any], *, lost_race: str
) -> list[Mapping[str, Any]]:
    """One entity-group transaction: all or nothing; a lost race is `ConcurrentModification`."""
    with translate_storage_errors():
        try:
            return table.submit_transaction(operations)
        except TableTransactionError as error:
            if error.status_code in _LOST_RACE:
                raise ConcurrentModification(lost_race) from None
            raise
