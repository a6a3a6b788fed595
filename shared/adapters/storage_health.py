"""Health probes that prove the app can reach its storage services."""

from __future__ import annotations

from collections.abc import Callable

from azure.core.exceptions import AzureError

from shared.domain.errors import DependencyUnavailable


class StorageProbe:
    """Runs one cheap call against a storage service; any SDK failure means unhealthy."""

    def __init__(self, name: str, call: Callable[[], object]) -> None:
        self.name = name
        self._call = call

    def check(self) -> None:
        try:
            self._call()
        except AzureError as error:
            raise DependencyUnavailable(f"{self.name} storage did not answer.") from error
