"""Health probes that prove the app can reach its storage services."""

from __future__ import annotations

from collections.abc import Callable

from shared.adapters.storage_errors import translate_storage_errors


class StorageProbe:
    """Runs one cheap call against a storage service; any SDK failure means unhealthy."""

    def __init__(self, name: str, call: Callable[[], object]) -> None:
        self.name = name
        self._call = call

    def check(self) -> None:
        with translate_storage_errors(otherwise=f"{self.name} storage did not answer."):
            self._call()
