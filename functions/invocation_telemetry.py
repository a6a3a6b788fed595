"""A span per invocation (HTTP request, queue message, timer run) and the metrics of each kind.

HTTP: the span continues the trace the worker attached (the host's request, when the platform
runs OpenTelemetry; the local host attaches the caller's), else the request's own `traceparent`
header. Queue: it continues the trace context the message carries
(`shared.services.tracing`): the Storage queue trigger does not propagate it. Timer: a child
of whatever the worker attached (else a trace of its own), with duration and outcome metrics.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import azure.functions as func
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind

from shared.bootstrap import get_container
from shared.services import metrics
from shared.services.tracing import Attributes, carried_context, span


def ensure_telemetry() -> None:
    """Build the worker's container (it configures telemetry once) before the first span, so
    the first invocation is traced too; a container that cannot be built fails in the handler,
    with the handler's own error answer."""
    with contextlib.suppress(Exception):
        get_container()


@contextlib.contextmanager
def http_request_span(name: str, req: func.HttpRequest) -> Iterator[Span]:
    ensure_telemetry()
    attributes: dict[str, str] = {
        "faas.trigger": "http",
        "faas.name": name,
        "http.request.method": req.method,
    }
    # Route values are ids (partner, lead, delivery), never personal data; the query string
    # (an intake key) and the body are never recorded.
    partner_id = req.route_params.get("partnerId")
    if partner_id:
        attributes["leads.partner_id"] = partner_id
    # Under the platform the worker has attached the host's invocation: our span is its child.
    attached = trace.get_current_span().get_span_context().is_valid
    parent = None if attached else carried_context(dict(req.headers))
    with span(
        f"{req.method} {name}", kind=SpanKind.SERVER, parent=parent, attributes=attributes
    ) as current:
        yield current


@contextlib.contextmanager
def queue_invocation(name: str, message: func.QueueMessage) -> Iterator[Span]:
    ensure_telemetry()
    inserted = message.insertion_time
    if inserted is not None:
        metrics.record_queue_message_age(name, (_now() - _aware(inserted)).total_seconds())
    attributes: Attributes = {
        "faas.trigger": "pubsub",
        "faas.name": name,
        "messaging.system": "azure_storage_queue",
        "messaging.operation.type": "process",
        "messaging.message.id": message.id or "",
        "messaging.message.delivery_count": message.dequeue_count or 1,
    }
    parent = carried_context(_json_fields(message.get_body()))
    with span(
        f"process {name}", kind=SpanKind.CONSUMER, parent=parent, attributes=attributes
    ) as current:
        yield current


@contextlib.contextmanager
def timer_invocation(job: str) -> Iterator[Span]:
    """A timer run: its own trace, and `leads.jobs.runs` / `leads.jobs.duration` by outcome."""
    ensure_telemetry()
    started = time.monotonic()
    outcome = "Failed"
    try:
        attributes = {"faas.trigger": "timer", "faas.name": job}
        with span(f"timer {job}", attributes=attributes) as current:
            yield current
        outcome = "Succeeded"
    finally:
        metrics.record_job_run(job, outcome, time.monotonic() - started)


def _json_fields(body: bytes) -> dict[str, object]:
    try:
        fields = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return fields if isinstance(fields, dict) else {}


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)
