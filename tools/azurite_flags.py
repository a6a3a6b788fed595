"""The Azurite options `make run` and the tests share."""

from __future__ import annotations

# Node's HTTP server closes an idle keep-alive connection after 5 s, Azurite's default. The
# storage SDKs keep a pool of connections and reuse one just as the server drops it: the
# request then fails with "connection reset", and a batch (a POST) is never retried by
# azure-core. Real storage keeps idle connections far longer, so the emulator is told to.
_KEEP_ALIVE_SECONDS = "120"

COMMON_FLAGS: tuple[str, ...] = (
    "--skipApiVersionCheck",
    "--loose",
    "--disableTelemetry",
    "--blobKeepAliveTimeout",
    _KEEP_ALIVE_SECONDS,
    "--queueKeepAliveTimeout",
    _KEEP_ALIVE_SECONDS,
    "--tableKeepAliveTimeout",
    _KEEP_ALIVE_SECONDS,
)
