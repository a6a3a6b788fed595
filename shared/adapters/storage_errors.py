"""Translate what the storage SDKs raise for an unavailable service into our own error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from azure.core.exceptions import (
    ClientAuthenticationError,
    ServiceRequestError,
    ServiceResponseError,
)

from shared.domain.errors import DependencyUnavailable


@contextmanager
def translate_storage_errors() -> Iterator[None]:
    try:
        yield
    except (ServiceRequestError, ServiceResponseError) as error:
        raise DependencyUnavailable("Storage did not answer; try again shortly.") from error
    except ClientAuthenticationError as error:
        raise DependencyUnavailable("Storage refused the app's credentials.") from error
