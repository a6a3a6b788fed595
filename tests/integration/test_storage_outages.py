"""Every storage adapter turns an outage into `DependencyUnavailable`, whatever the service:
connections refused or reset, answers lost, and 5xx/429 still there after the SDK's retries.
Real SDKs, real Azurite behind the fault proxy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.queue_notification_publisher import QueueNotificationPublisher
from shared.adapters.storage_account import StorageAccount
from shared.adapters.storage_health import StorageProbe
from shared.adapters.table_partner_repository import TablePartnerRepository
from shared.config import Settings
from shared.domain.errors import DependencyUnavailable
from shared.domain.notification import Notification, NotificationKind
from tests.support.azurite import Azurite
from tests.support.fault_proxy import (
    DROP,
    LOSE_ANSWERS,
    PASS,
    Answer,
    Fault,
    ProxiedStorage,
    proxied_storage,
)

NOTE = Notification.about_lead(
    NotificationKind.NEW_LEAD, partner_id="contoso", lead_id="lead-1", now=datetime.now(UTC)
)
FAULTS = [
    DROP,
    LOSE_ANSWERS,
    Answer(503, retry_after=1),  # the SDK waits the 1 s it asks for, on each of 3 retries
    Answer(429, retry_after=None),
    Answer(500, retry_after=None),
]


@pytest.fixture
def proxied(azurite: Azurite, unique_name: str) -> Iterator[tuple[ProxiedStorage, StorageAccount]]:
    """Every service of the account through a proxy; names unique to the test."""
    with proxied_storage(azurite) as proxies:
        settings = Settings.model_validate(
            {
                "AUTH_ISSUER": "i",
                "AUTH_AUDIENCE": "a",
                "AUTH_PUBLIC_KEY": "unused",
                "AzureWebJobsStorage": proxies.connection_string,
                "STORAGE_PREFIX": unique_name,
            }
        )
        account = StorageAccount(settings)
        account.table("Partners")  # created while storage is up
        account.container("outbox")
        account.queue(f"{unique_name}-q").create_queue()
        yield proxies, account


@pytest.mark.parametrize("fault", FAULTS, ids=repr)
def test_a_table_outage_is_dependency_unavailable(
    proxied: tuple[ProxiedStorage, StorageAccount], fault: Fault
) -> None:
    proxy, account = proxied
    partners = TablePartnerRepository(account.table("Partners"))
    proxy.set(fault)
    started = time.monotonic()
    with pytest.raises(DependencyUnavailable) as raised:
        partners.find("contoso")
    assert time.monotonic() - started < 10  # the SDK's retries are short on a request path
    if isinstance(fault, Answer):
        assert str(fault.status) in raised.value.detail
        expected = timedelta(seconds=fault.retry_after) if fault.retry_after else None
        assert raised.value.retry_after == expected
    proxy.set(PASS)
    assert partners.find("contoso") is None  # and it answers again once storage is back


@pytest.mark.parametrize("fault", [DROP, Answer(503, retry_after=None)], ids=repr)
def test_queue_and_blob_outages_are_dependency_unavailable(
    proxied: tuple[ProxiedStorage, StorageAccount], fault: Fault, unique_name: str
) -> None:
    proxy, account = proxied
    publisher = QueueNotificationPublisher(account.queue(f"{unique_name}-q"))
    # Without the SDK's retries: the blob and queue SDKs back off 1 + 3 + 9 s, which proves
    # nothing more here. The blob outbox sender's upload goes through the same mapping.
    blobs = StorageProbe("blob", lambda: account.blobs.get_service_properties(retry_total=0))
    proxy.set(fault)
    with pytest.raises(DependencyUnavailable):
        publisher.publish([NOTE])
    with pytest.raises(DependencyUnavailable):
        blobs.check()
    proxy.set(PASS)
    publisher.publish([NOTE])
    blobs.check()
