"""Spans for invocations, and the W3C trace context that queue messages carry.

Storage queue triggers do not continue the trace of whoever enqueued a message (the Functions
host propagates trace context for HTTP, Service Bus and Event Hubs triggers only: learn.microsoft
.com/azure/azure-functions/opentelemetry-howto, "Considerations"), so every message the app
writes carries `traceparent` (and `tracestate`) of the code that wrote it, and the invocation that
processes it starts its span as that context's child: processing and emails join the trace of
the request that caused them. A message without them (written before this, or by an operator)
simply starts a trace of its own.

Only the OpenTelemetry API is used: spans cost nothing until the composition root configures
the SDK (`shared.adapters.telemetry`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACER_NAME = "partner_leads"
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
Attributes = Mapping[str, str | int | float | bool]


def trace_fields() -> dict[str, str]:
    """`traceparent` / `tracestate` of the current span, to put in a message; empty outside one."""
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return {name: carrier[name] for name in (TRACEPARENT, TRACESTATE) if carrier.get(name)}


def carried_context(fields: Mapping[str, object]) -> Context | None:
    """The trace context a message or request carries, None when it carries no valid one."""
    carrier = {
        name: value
        for name in (TRACEPARENT, TRACESTATE)
        if isinstance(value := fields.get(name), str)
    }
    if TRACEPARENT not in carrier:
        return None
    context = TraceContextTextMapPropagator().extract(carrier)
    valid = trace.get_current_span(context).get_span_context().is_valid
    return context if valid else None


@contextmanager
def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: Context | None = None,
    attributes: Attributes | None = None,
) -> Iterator[Span]:
    """A span made current for the block. An exception marks it failed with the exception's
    type only: messages may quote input (personal data), so they are never recorded."""
    tracer = trace.get_tracer(TRACER_NAME)
    with tracer.start_as_current_span(
        name,
        context=parent,
        kind=kind,
        attributes=dict(attributes or {}),
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current
        except Exception as error:
            current.set_attribute("error.type", type(error).__name__)
            current.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
