"""Turns OpenTelemetry on for this worker: the Azure Monitor distro, when Application Insights is
configured, once per process (called by the composition root on the first invocation).

How it fits the Functions host (learn.microsoft.com/azure/azure-functions/opentelemetry-howto):
host.json `"telemetryMode": "OpenTelemetry"` makes the host export its own logs and request
traces as OpenTelemetry; the app setting `PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY=true` (the
Bicep sets it) has the Python worker call `configure_azure_monitor()` at start-up and attach
each invocation's trace context (azure-functions-python-worker, `otel.py`:
`initialize_azure_monitor`, then `configure_opentelemetry` per invocation), so our spans join
the host's. A tracer provider of the SDK already installed is therefore kept, never configured
twice (two pipelines would export everything twice). Without it (another worker version, the
local host with a connection string) the code calls `configure_azure_monitor()` itself, as the
same page documents. `PYTHON_ENABLE_OPENTELEMETRY` alone is not used: in that worker code it
marks the OpenTelemetry libraries available without loading the propagator the per-invocation
hook then calls.

Instrumentations, when this code configures the distro (the worker uses the distro's defaults):
the FastAPI/Flask/Django/psycopg2 ones are off (requests are our own spans, made by
`functions/`; the host reports them too); the Azure SDK, urllib (SendGrid),
urllib3 and requests ones stay on, so storage and email calls appear inside their invocation.
The credential comes from `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` (the exporter reads it:
the Application Insights component accepts Entra ID only).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from shared.config import Settings

logger = logging.getLogger(__name__)
_OFF = {"enabled": False}
INSTRUMENTATIONS: dict[str, dict[str, bool]] = {
    "fastapi": _OFF,
    "flask": _OFF,
    "django": _OFF,
    "psycopg2": _OFF,
}
# The Azure SDKs log every HTTP call at INFO (URL and headers; query values redacted, paths not,
# and an entity's path holds its keys): a record per storage call, never worth exporting.
_QUIET_LOGGERS = ("azure", "urllib3")

Configure = Callable[..., None]
_lock = threading.Lock()
_configured = False


def quiet_sdk_loggers() -> None:
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_telemetry(settings: Settings, configure: Configure | None = None) -> bool:
    """Configure the distro once per process; True if this call (or an earlier one) did.

    `configure` is `configure_azure_monitor` (imported here, on first use: the distro's import
    is heavy and must never run at the app's import).
    """
    global _configured  # noqa: PLW0603  # once per process, like the container
    quiet_sdk_loggers()
    connection = settings.applicationinsights_connection_string
    if connection is None:
        return False
    with _lock:
        if _configured:
            return True
        if _sdk_already_installed():
            logger.info("OpenTelemetry is configured by the worker; keeping its pipeline")
        else:
            (configure or _azure_monitor())(
                connection_string=connection.get_secret_value(),
                instrumentation_options=INSTRUMENTATIONS,
            )
            quiet_sdk_loggers()  # the distro may lower levels while setting up its handlers
        _configured = True
        return True


def _sdk_already_installed() -> bool:
    # The API's default is a proxy; anything else is a real provider someone installed.
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def _azure_monitor() -> Configure:
    from azure.monitor.opentelemetry import configure_azure_monitor  # noqa: PLC0415

    def configure(**options: Any) -> None:
        configure_azure_monitor(**options)

    return configure


def reset_for_tests() -> None:
    global _configured  # noqa: PLW0603
    with _lock:
        _configured = False
