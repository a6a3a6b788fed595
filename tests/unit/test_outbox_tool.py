"""`make outbox` reads the storage `make run` gives the host, on the same ports."""

from __future__ import annotations

import pytest

from tools import dev, outbox

PORTS = {"AZURITE_BLOB_PORT": "21000", "AZURITE_QUEUE_PORT": "21001", "AZURITE_TABLE_PORT": "21002"}


@pytest.mark.parametrize("storage", [None, "UseDevelopmentStorage=true"])
def test_the_outbox_reads_the_azurite_make_run_starts(
    monkeypatch: pytest.MonkeyPatch, storage: str | None
) -> None:
    for name, port in PORTS.items():
        monkeypatch.setenv(name, port)
    if storage is None:
        monkeypatch.delenv("AzureWebJobsStorage", raising=False)
    else:
        monkeypatch.setenv("AzureWebJobsStorage", storage)
    expected = dev.azurite_connection_string(21000, 21001, 21002)
    assert outbox.connection_string() == expected
    assert "BlobEndpoint=http://127.0.0.1:21000/" in expected


def test_an_explicit_storage_is_used_as_make_run_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=x")
    assert outbox.connection_string() == "DefaultEndpointsProtocol=https;AccountName=x"
