"""Health probes of the storage services, on clients of their own that give up quickly.

The app's own clients wait 5 s to connect and 20 s for each read, and retry three times with
back-off: right for a request that must land, far too long for a health check, and a
per-call `retry_total=0` does not shorten a socket read. These clients connect within 1 s,
wait at most 1 s for any read and never retry, so a storage endpoint that accepts connections
and never answers frees the probe's thread before the health check's deadline (1.5 s).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueServiceClient

from shared.adapters.storage_errors import translate_storage_errors
from shared.config import Settings
from shared.domain.errors import ConfigurationError
from shared.services.health_ports import Probed

_BOUNDED: dict[str, Any] = {
    "connection_timeout": 1.0,
    "read_timeout": 1.0,  # per socket read (azure-core's requests transport): under the budget
    "retry_total": 0,
}


class StorageProbe:
    """Runs one cheap call against a storage service; any SDK failure means unhealthy."""

    required = True

    def __init__(self, name: str, call: Callable[[], object]) -> None:
        self.name = name
        self._call = call

    def check(self) -> Probed:
        with translate_storage_errors(otherwise=f"{self.name} storage did not answer."):
            self._call()
        return Probed()


class ProbeClients:
    """Service clients of the app's storage account, bounded as above; built once a worker."""

    def __init__(self, settings: Settings, credential: Callable[[], TokenCredential]) -> None:
        self._settings = settings
        self._credential = credential  # the app's own identity: its cached token is reused

    @cached_property
    def tables(self) -> TableServiceClient:
        if conn := self._settings.storage_connection_string:
            return TableServiceClient.from_connection_string(conn, **_BOUNDED)
        uri = _required(self._settings.table_service_uri)
        return TableServiceClient(uri, credential=self._credential(), **_BOUNDED)

    @cached_property
    def queues(self) -> QueueServiceClient:
        if conn := self._settings.storage_connection_string:
            return QueueServiceClient.from_connection_string(conn, **_BOUNDED)
        uri = _required(self._settings.queue_service_uri)
        return QueueServiceClient(uri, credential=self._credential(), **_BOUNDED)

    @cached_property
    def blobs(self) -> BlobServiceClient:
        if conn := self._settings.storage_connection_string:
            return BlobServiceClient.from_connection_string(conn, **_BOUNDED)
        uri = _required(self._settings.blob_service_uri)
        return BlobServiceClient(uri, credential=self._credential(), **_BOUNDED)

    def probes(self) -> list[StorageProbe]:
        """One cheap read per service: the first page of one item of its listing."""
        return [
            StorageProbe("tables", lambda: _first(self.tables.list_tables(results_per_page=1))),
            StorageProbe("queues", lambda: _first(self.queues.list_queues(results_per_page=1))),
            StorageProbe("blobs", lambda: _first(self.blobs.list_containers(results_per_page=1))),
        ]


class StorageQueueGauge:
    """Queue depths as Storage estimates them (`approximate_message_count`)."""

    def __init__(self, clients: ProbeClients) -> None:
        self._clients = clients

    def approximate_count(self, queue: str) -> int:
        client = self._clients.queues.get_queue_client(queue)
        with translate_storage_errors(otherwise=f"Queue {queue} did not answer."):
            try:
                properties = client.get_queue_properties()
            except ResourceNotFoundError:
                return 0  # the host creates a poison queue on the first poisoned message
        return int(properties.approximate_message_count or 0)


def _first(items: Any) -> object:
    """One page's first item: enough to prove the service answers, without listing it all."""
    return next(iter(items.by_page()), None)


def _required(uri: str | None) -> str:
    # Settings validation guarantees the identity URIs when no connection string is set.
    if not uri:
        raise ConfigurationError("identity-based storage needs every AzureWebJobsStorage__*Uri")
    return uri
