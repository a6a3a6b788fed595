"""Storage connection settings, resolved the way the WebJobs SDK resolves them."""

from __future__ import annotations

from collections.abc import Mapping

# Azurite's well-known development account: public and documented, not a secret.
_DEV_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
_DEV_STORAGE = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    f"AccountKey={_DEV_KEY};"
    "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
    "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
)
DEFAULT_CONNECTION = "AzureWebJobsStorage"


def storage_connection_string(name: str | None, environ: Mapping[str, str]) -> str | None:
    """The connection string behind a binding's `connection` name, or None when unset.

    Like the WebJobs SDK, `MyStorage` also finds `AzureWebJobsMyStorage`. The Python SDKs do not
    understand `UseDevelopmentStorage=true`, so it is expanded to Azurite's default endpoints.
    """
    setting = name or DEFAULT_CONNECTION
    for candidate in (setting, f"AzureWebJobs{setting}"):
        value = environ.get(candidate, "").strip()
        if value:
            if value.replace(" ", "").lower().startswith("usedevelopmentstorage=true"):
                return _DEV_STORAGE
            return value
    return None
