"""The trace context the Functions host hands the Python worker with each invocation.

With OpenTelemetry on (host.json `telemetryMode`, and the app setting
`PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY` that has the worker configure the distro), the
worker attaches the invocation's `traceparent` / `tracestate` to the OpenTelemetry context before
calling the function (azure-functions-python-worker, `otel.py`, `configure_opentelemetry`). For
an HTTP request the host's context continues the caller's `traceparent` header; this host has
no span of its own, so it attaches the caller's context itself, under the same setting. A Storage
queue or timer invocation gets a fresh context from the host, so nothing is attached for those:
the app carries its trace context in its messages. Without OpenTelemetry installed, nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

SETTING = "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY"
HEADERS = ("traceparent", "tracestate")
Carrier = Mapping[str, str]


def passes_trace_context(environ: Mapping[str, str]) -> bool:
    return environ.get(SETTING, "").strip().lower() in ("true", "1")


def carrier_of(headers: Mapping[str, str]) -> dict[str, str]:
    """The trace headers of a request (names case-insensitive), as a propagator reads them."""
    found = {name.lower(): value for name, value in headers.items()}
    return {name: found[name] for name in HEADERS if found.get(name)}


@contextmanager
def attached(carrier: Carrier | None) -> Iterator[None]:
    """The carrier's trace context is the current one for the block."""
    if not carrier:
        yield
        return
    try:
        from opentelemetry import context  # noqa: PLC0415  # optional: dev tooling may lack it
        from opentelemetry.trace.propagation.tracecontext import (  # noqa: PLC0415
            TraceContextTextMapPropagator,
        )
    except ImportError:
        yield
        return
    token = context.attach(TraceContextTextMapPropagator().extract(dict(carrier)))
    try:
        yield
    finally:
        context.detach(token)
