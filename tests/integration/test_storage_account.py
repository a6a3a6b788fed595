"""Settings resolve to the right storage clients; health probes tell up from down."""

from __future__ import annotations

from azure.identity import DefaultAzureCredential
from azure.storage.queue import QueueClient

from shared.adapters.storage_account import StorageAccount
from shared.bootstrap import Container
from shared.config import Settings
from tests.support.azurite import Azurite, connection_string, free_port


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
    report = Container(_settings(AzureWebJobsStorage=azurite.connection_string)).health()
    assert report.status == "ok"
    assert report.checks == {"tables": "ok", "queues": "ok", "blobs": "ok"}


def test_health_is_unavailable_when_storage_is_down() -> None:
    dead = free_port()
    report = Container(_settings(AzureWebJobsStorage=connection_string(dead, dead, dead))).health()
    assert report.status == "unavailable"
    assert set(report.checks.values()) == {"unavailable"}
