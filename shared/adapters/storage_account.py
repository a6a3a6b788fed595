"""Builds the Azure Storage SDK clients once per worker, from a connection string or identity.

Identity-based settings (`AzureWebJobsStorage__tableServiceUri` and friends) use
`DefaultAzureCredential`, with the user-assigned identity's client id when one is given.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from functools import cached_property
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient
from azure.storage.blob import BlobServiceClient, ContainerClient, ExponentialRetry
from azure.storage.queue import (
    BinaryBase64DecodePolicy,
    QueueClient,
    QueueServiceClient,
    TextBase64EncodePolicy,
)

from shared.adapters.storage_errors import translate_storage_errors
from shared.config import Settings
from shared.domain.errors import ConfigurationError

# Fail fast and retry a little: a request path must never hang on storage for minutes. The blob
# and queue SDKs ignore `retry_backoff_factor` and default to a 15 s first backoff, so they get a
# retry policy of their own kind.
_TIMEOUTS: dict[str, Any] = {"connection_timeout": 5, "read_timeout": 20}
# A Functions app reaches its storage account directly. With environment settings on, the SDK's
# requests session looks up proxy variables and ~/.netrc on every call: about a tenth of the
# CPU an intake acknowledgement costs (profiled under load), for settings the app never uses.
_TRANSPORT: dict[str, Any] = {"use_env_settings": False}
_TABLE_RETRY: dict[str, Any] = {"retry_total": 3, "retry_backoff_factor": 0.2}


def _storage_retry() -> ExponentialRetry:
    return ExponentialRetry(
        initial_backoff=1, increment_base=2, retry_total=3, random_jitter_range=1
    )


class StorageAccount:
    """The account's service clients, plus table/queue/container clients created on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._options = {**_TIMEOUTS, **_TRANSPORT}
        self._lock = threading.Lock()
        self._ensured: set[str] = set()

    @cached_property
    def _credential(self) -> TokenCredential:
        # Imported here: azure.identity is heavy and unused with a connection string.
        from azure.identity import DefaultAzureCredential  # noqa: PLC0415

        return DefaultAzureCredential(managed_identity_client_id=self._settings.storage_client_id)

    @property
    def credential(self) -> TokenCredential:
        """The identity every client of the account uses (the health probes' clients too)."""
        return self._credential

    @cached_property
    def tables(self) -> TableServiceClient:
        conn = self._settings.storage_connection_string
        if conn:
            return TableServiceClient.from_connection_string(conn, **self._options, **_TABLE_RETRY)
        return TableServiceClient(
            _required(self._settings.table_service_uri),
            credential=self._credential,
            **self._options,
            **_TABLE_RETRY,
        )

    @cached_property
    def queues(self) -> QueueServiceClient:
        conn = self._settings.storage_connection_string
        if conn:
            return QueueServiceClient.from_connection_string(
                conn, retry_policy=_storage_retry(), **self._options
            )
        return QueueServiceClient(
            _required(self._settings.queue_service_uri),
            credential=self._credential,
            retry_policy=_storage_retry(),
            **self._options,
        )

    @cached_property
    def blobs(self) -> BlobServiceClient:
        conn = self._settings.storage_connection_string
        if conn:
            return BlobServiceClient.from_connection_string(
                conn, retry_policy=_storage_retry(), **self._options
            )
        return BlobServiceClient(
            _required(self._settings.blob_service_uri),
            credential=self._credential,
            retry_policy=_storage_retry(),
            **self._options,
        )

    def table(self, base_name: str) -> TableClient:
        """The table `<STORAGE_PREFIX><base_name>`, created once per worker if missing."""
        name = f"{self._settings.storage_prefix}{base_name}"
        client = self.tables.get_table_client(name)
        self._ensure(f"table:{name}", client.create_table)
        return client

    def queue(self, name: str) -> QueueClient:
        """A queue whose messages are base64, as the Functions queue trigger expects.

        Not created here: a queue outage must not stop what only writes to the queue after
        committing (intake); senders create it when a send finds it missing.
        """
        return self.queues.get_queue_client(
            name,
            message_encode_policy=TextBase64EncodePolicy(),
            message_decode_policy=BinaryBase64DecodePolicy(),
        )

    def container(self, name: str) -> ContainerClient:
        client = self.blobs.get_container_client(f"{self._settings.storage_prefix}{name}")
        self._ensure(f"container:{client.container_name}", client.create_container)
        return client

    def _ensure(self, key: str, create: Callable[[], object]) -> None:
        if key in self._ensured:
            return
        with self._lock:
            if key in self._ensured:
                return
            with translate_storage_errors(), contextlib.suppress(ResourceExistsError):
                create()
            self._ensured.add(key)


def _required(uri: str | None) -> str:
    # Settings validation guarantees the identity URIs when no connection string is set.
    if not uri:
        raise ConfigurationError("identity-based storage needs every AzureWebJobsStorage__*Uri")
    return uri
