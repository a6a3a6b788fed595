"""The queue watch against Azurite: real approximate counts, and the warning the poison alert
reads, for a poison queue the host would have created."""

from __future__ import annotations

import logging

import pytest
from azure.core.credentials import TokenCredential
from azure.storage.queue import QueueClient

from shared.adapters.storage_health import ProbeClients, StorageQueueGauge
from shared.config import Settings
from shared.services.queue_watch import POISON_EVENT, QueueWatch
from tests.support.azurite import Azurite


def test_poison_messages_are_counted_and_logged_and_absent_queues_are_empty(
    azurite: Azurite, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.model_validate(
        {
            "AzureWebJobsStorage": azurite.connection_string,
            "AUTH_ISSUER": "https://issuer.test",
            "AUTH_AUDIENCE": "api://test",
            "AUTH_PUBLIC_KEY": "unused here",
        }
    )
    work, idle = f"{unique_name}-work", f"{unique_name}-idle"  # idle: never created
    poison = QueueClient.from_connection_string(azurite.connection_string, f"{work}-poison")
    poison.create_queue()
    for body in ("one", "two", "three"):
        poison.send_message(body)
    watch = QueueWatch(StorageQueueGauge(ProbeClients(settings, _no_credential)), [work, idle])

    with caplog.at_level(logging.INFO):
        counts = watch.run()

    assert counts == {work: 0, f"{work}-poison": 3, idle: 0, f"{idle}-poison": 0}
    warned = [r for r in caplog.records if getattr(r, "event", None) == POISON_EVENT]
    assert [r.getMessage() for r in warned] == [f"Poison queue {work}-poison holds 3 messages"]


def _no_credential() -> TokenCredential:
    raise AssertionError("a connection string needs no credential")
