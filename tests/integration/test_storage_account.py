"""Settings resolve to the right storage clients; health probes tell up from down."""

from __future__ import annotations

import threading
import time

from azure.identity import DefaultAzureCredential
from azure.storage.queue import QueueClient

from shared.adapters.storage_account import StorageAccount
from shared.adapters.storage_health import ProbeClients
from shared.bootstrap import Container
from shared.config import Settings
from tests.support.azurite import Azurite, connection_string, free_port
from tests.support.fault_proxy import HANG, proxied_storage


def _settings(**values: str) -> Settings:
    base = {
        "AUTH_ISSUER": "https://issuer.test",
        "AUTH_AUDIENCE": "api://test",
        "AUTH_PUBLIC_KEY": "unused here",
    }
    return Settings.model_validate({**base, **values})


def test_connection_string_reaches_azurite(azurite: Azurite, unique_name: str) -> None:
    account = StorageAccount(
        _settings(AzureWebJobsStorage=azurite.connection_string, STORAGE_PREFIX=unique_name)
    )
    table = account.table("Things")
    table.create_entity({"PartitionKey": "p", "RowKey": "r"})
    assert table.table_name == f"{unique_name}Things"
    queue = account.queue(f"{unique_name}-work")
    queue.create_queue()
    queue.send_message("hello")
    assert [message.content for message in queue.receive_messages()] == [b"hello"]


def test_queue_messages_are_base64_as_the_trigger_expects(
    azurite: Azurite, unique_name: str
) -> None:
    account = StorageAccount(_settings(AzureWebJobsStorage=azurite.connection_string))
    queue = account.queue(f"{unique_name}-enc")
    queue.create_queue()
    queue.send_message('{"id": "n-1"}')
    raw = QueueClient.from_connection_string(azurite.connection_string, f"{unique_name}-enc")
    (message,) = list(raw.receive_messages())
    assert message.content == "eyJpZCI6ICJuLTEifQ=="


def test_identity_settings_build_clients_for_each_service_uri() -> None:
    account = StorageAccount(
        _settings(
            **{
                "AzureWebJobsStorage__tableServiceUri": "https://acct.table.core.windows.net",
                "AzureWebJobsStorage__queueServiceUri": "https://acct.queue.core.windows.net",
                "AzureWebJobsStorage__blobServiceUri": "https://acct.blob.core.windows.net",
                "AzureWebJobsStorage__clientId": "00000000-0000-0000-0000-000000000001",
            }
        )
    )
    assert account.tables.url.startswith("https://acct.table.core.windows.net")
    assert account.queues.url.startswith("https://acct.queue.core.windows.net")
    assert account.blobs.url.startswith("https://acct.blob.core.windows.net")
    for client in (account.tables, account.queues, account.blobs):
        assert isinstance(client.credential, DefaultAzureCredential)


def test_health_is_ok_against_azurite(azurite: Azurite) -> None:
    report = Container(_settings(AzureWebJobsStorage=azurite.connection_string)).health.report()
    assert report.status == "ok"
    states = {name: check.status for name, check in report.checks.items()}
    assert states == {"tables": "ok", "queues": "ok", "blobs": "ok", "sendgrid": "notConfigured"}
    assert all(check.latency_ms < 1500 for check in report.checks.values())


def test_health_is_unavailable_when_storage_is_down() -> None:
    dead = free_port()
    container = Container(_settings(AzureWebJobsStorage=connection_string(dead, dead, dead)))
    report = container.health.report()
    assert report.status == "unavailable"
    storage = [report.checks[name] for name in ("tables", "queues", "blobs")]
    assert {check.status for check in storage} == {"unavailable"}
    assert all(check.required for check in storage)


def test_health_answers_within_its_budget_while_storage_accepts_and_never_answers(
    azurite: Azurite,
) -> None:
    """The bounded probe clients: without them each probe waits out the SDK's read timeout."""
    with proxied_storage(azurite) as proxies:
        container = Container(_settings(AzureWebJobsStorage=proxies.connection_string))
        assert container.health.report().status == "ok"
        proxies.set(HANG)
        started = time.monotonic()
        report = container.health.report(deep=True)
        elapsed = time.monotonic() - started
        time.sleep(0.3)
        probing = [thread for thread in threading.enumerate() if thread.name.startswith("health")]
    assert elapsed < 2.0, elapsed
    assert probing == []  # no probe thread outlives the check: their clients gave up in time
    assert report.status == "unavailable"
    assert report.checks["tables"].detail == "Storage did not answer; try again shortly."
    assert report.queues is not None
    assert {(q.messages, q.poison_messages) for q in report.queues} == {(None, None)}


def test_health_probes_use_the_apps_identity() -> None:
    container = Container(
        _settings(
            **{
                "AzureWebJobsStorage__tableServiceUri": "https://acct.table.core.windows.net",
                "AzureWebJobsStorage__queueServiceUri": "https://acct.queue.core.windows.net",
                "AzureWebJobsStorage__blobServiceUri": "https://acct.blob.core.windows.net",
            }
        )
    )
    clients = ProbeClients(container.settings, lambda: container.storage.credential)
    for client in (clients.tables, clients.queues, clients.blobs):
        assert client.credential is container.storage.credential
