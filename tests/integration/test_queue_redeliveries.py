"""Putting a message back for later, and parking it, against a real Azurite."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient

from shared.adapters.queue_redeliveries import QueueRedeliveries
from shared.adapters.storage_account import StorageAccount
from shared.config import Settings
from shared.domain.notification import Notification, NotificationKind
from shared.domain.redelivery import MAX_QUEUE_DELAY, Redelivery
from tests.support.azurite import Azurite

NOW = datetime.now(UTC)
NOTE = Notification.about_lead(
    NotificationKind.NEW_LEAD, partner_id="contoso", lead_id="lead-1", now=NOW
).model_copy(update={"redelivery": Redelivery(attempt=2, first_attempt_at=NOW, chain="m1")})


def _queues(azurite: Azurite, name: str) -> tuple[QueueRedeliveries, QueueClient, QueueClient]:
    settings = {"AUTH_ISSUER": "i", "AUTH_AUDIENCE": "a", "AUTH_PUBLIC_KEY": "unused"}
    account = StorageAccount(
        Settings.model_validate({**settings, "AzureWebJobsStorage": azurite.connection_string})
    )
    account.queue(name).create_queue()

    def raw(queue: str) -> QueueClient:
        return QueueClient.from_connection_string(
            azurite.connection_string, queue, message_decode_policy=BinaryBase64DecodePolicy()
        )

    redeliveries = QueueRedeliveries(account.queue(name), account.queue(f"{name}-poison"))
    return redeliveries, raw(name), raw(f"{name}-poison")


def test_a_copy_put_back_stays_invisible_for_its_delay_and_keeps_its_retry_state(
    azurite: Azurite, unique_name: str
) -> None:
    redeliveries, queue, _ = _queues(azurite, unique_name)
    redeliveries.later(NOTE, timedelta(seconds=1.2))  # rounded up: 2 s
    assert list(queue.receive_messages()) == []
    time.sleep(2.2)
    (message,) = list(queue.receive_messages())
    assert Notification.model_validate_json(message.content) == NOTE


def test_the_longest_delay_is_accepted_and_never_outlives_the_message(
    azurite: Azurite, unique_name: str
) -> None:
    redeliveries, queue, _ = _queues(azurite, unique_name)
    redeliveries.later(NOTE, MAX_QUEUE_DELAY + timedelta(days=3))  # capped at 7 days
    assert list(queue.receive_messages()) == []
    assert queue.get_queue_properties().approximate_message_count == 1


def test_parking_creates_the_poison_queue(azurite: Azurite, unique_name: str) -> None:
    redeliveries, _, poison = _queues(azurite, unique_name)
    redeliveries.park(NOTE)
    (message,) = list(poison.receive_messages())
    assert Notification.model_validate_json(message.content) == NOTE
