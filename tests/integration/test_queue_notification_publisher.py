"""The publisher against a real Azurite: base64 messages, a missing queue, a dead endpoint."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient

from shared.adapters.queue_notification_publisher import QueueNotificationPublisher
from shared.adapters.storage_account import StorageAccount
from shared.config import Settings
from shared.domain.errors import DependencyUnavailable
from shared.domain.notification import Notification, NotificationKind
from tests.support.azurite import Azurite, connection_string, free_port

NOTE = Notification.about_lead(
    NotificationKind.NEW_LEAD, partner_id="contoso", lead_id="lead-1", now=datetime.now(UTC)
)


def _account(connection: str) -> StorageAccount:
    settings = {"AUTH_ISSUER": "i", "AUTH_AUDIENCE": "a", "AUTH_PUBLIC_KEY": "unused"}
    return StorageAccount(Settings.model_validate({**settings, "AzureWebJobsStorage": connection}))


def test_publishing_creates_a_missing_queue_and_sends_base64(
    azurite: Azurite, unique_name: str
) -> None:
    queue = QueueClient.from_connection_string(
        azurite.connection_string, unique_name, message_decode_policy=BinaryBase64DecodePolicy()
    )
    QueueNotificationPublisher(_account(azurite.connection_string).queue(unique_name)).publish(
        [NOTE]
    )
    (message,) = list(queue.receive_messages())
    assert Notification.model_validate_json(message.content) == NOTE


def test_a_dead_queue_endpoint_is_dependency_unavailable() -> None:
    dead = free_port()
    queue = _account(connection_string(dead, dead, dead)).queue("nowhere")
    started = time.monotonic()
    with pytest.raises(DependencyUnavailable):
        QueueNotificationPublisher(queue).publish([NOTE])
    # It runs inside an intake request: one quick retry, then the outbox takes over.
    assert time.monotonic() - started < 8
