"""One marketplace intake is one trace, from the webhook's request through the delivery's
processing to the email, and the metrics count what happened."""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests
from opentelemetry.sdk.metrics.export import HistogramDataPoint, NumberDataPoint
from opentelemetry.sdk.trace import ReadableSpan

from tests.e2e.telemetry.conftest import register
from tests.support.in_process_host import InProcessHost, Telemetry
from tests.support.sendgrid_capture import SendGridCapture

Points = dict[tuple[str, frozenset[tuple[str, Any]]], float]


def _points(telemetry: Telemetry) -> Points:
    """Every metric point as (name, attributes) → value (a histogram: its count)."""
    found: Points = {}
    data = telemetry.metrics.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    key = (metric.name, frozenset((point.attributes or {}).items()))
                    if isinstance(point, HistogramDataPoint):
                        found[key] = point.count
                    elif isinstance(point, NumberDataPoint):
                        found[key] = point.value
    return found


def _grew(before: Points, after: Points, name: str, **attributes: str) -> float:
    """How much the points of `name` carrying `attributes` grew."""

    def total(points: Points) -> float:
        wanted = set(attributes.items())
        return sum(v for (n, attrs), v in points.items() if n == name and wanted <= set(attrs))

    return total(after) - total(before)


def _wait(probe: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def _marketplace_body(email: str) -> dict[str, Any]:
    return {
        "UserDetails": {"FirstName": "Mia", "LastName": "Schmidt", "Email": email},
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet-insights",
        "OfferTitle": "Fleet Insights",
    }


def test_an_intake_is_one_trace_through_processing_and_the_email(
    observed: InProcessHost,
    telemetry: Telemetry,
    sendgrid_capture: SendGridCapture,
) -> None:
    partner_id = "t-" + uuid.uuid4().hex[:10]
    contact = f"desk-{partner_id}@contoso.example"
    http = requests.Session()
    intake = register(http, observed.api, partner_id, contact)
    before = _points(telemetry)
    # The marketplace's own trace: everything the delivery causes continues it.
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    response = http.post(
        intake,
        json=_marketplace_body(f"mia.{partner_id}@fabrikam.example"),
        headers={"traceparent": f"00-{trace_id}-{caller_span}-01"},
    )
    assert response.status_code == 200, response.text
    sendgrid_capture.wait_for(lambda: bool(sendgrid_capture.accepted(contact)), what=contact)

    def whole_trace() -> dict[str, ReadableSpan] | None:
        spans = {
            span.name: span
            for span in telemetry.spans.get_finished_spans()
            if span.context is not None and span.context.trace_id == int(trace_id, 16)
        }
        wanted = {"POST receive_marketplace_lead", "process process_delivery"}
        wanted |= {"process process_notification", "send email"}
        return spans if wanted <= set(spans) else None

    spans = _wait(whole_trace, "the intake's trace to end with the email")
    request = spans["POST receive_marketplace_lead"]
    processing = spans["process process_delivery"]
    notifying = spans["process process_notification"]
    email = spans["send email"]

    def parent(span: ReadableSpan) -> int | None:
        return span.parent.span_id if span.parent is not None else None

    assert parent(request) == int(caller_span, 16)
    assert request.attributes is not None
    assert request.attributes["leads.partner_id"] == partner_id
    assert request.attributes["http.response.status_code"] == 200
    assert parent(processing) == request.context.span_id
    # The notification was queued while the delivery was processed: its child.
    assert parent(notifying) == processing.context.span_id
    assert parent(email) == notifying.context.span_id
    assert notifying.attributes is not None
    assert notifying.attributes["leads.notification_kind"] == "NewLead"

    after = _wait(
        lambda: (
            (p := _points(telemetry))
            and _grew(before, p, "leads.notifications.completed", outcome="Sent")
            and _grew(before, p, "leads.jobs.runs", job="relay-outbox")
            and p
        ),
        "the metrics of the email and of a timer run",
    )
    assert _grew(before, after, "leads.deliveries.received", source="Marketplace") == 1
    assert _grew(before, after, "leads.deliveries.processed", outcome="Created") == 1
    assert _grew(before, after, "leads.deliveries.quarantined") == 0
    created = _grew(
        before, after, "leads.leads.created", source="AppSource", call_to_action="ContactMe"
    )
    assert created == 1
    assert _grew(before, after, "leads.notifications.completed", kind="NewLead", outcome="Sent")
    assert _grew(before, after, "leads.queue.message_age", function="process_delivery") >= 1
    assert _grew(before, after, "leads.queue.message_age", function="process_notification") >= 1
    assert _grew(before, after, "leads.jobs.duration", job="relay-outbox", outcome="Succeeded")


def test_a_refused_intake_is_a_warning_naming_the_partner_never_the_key(
    observed: InProcessHost,
) -> None:
    partner_id = "t-" + uuid.uuid4().hex[:10]
    http = requests.Session()
    intake = register(http, observed.api, partner_id, f"desk-{partner_id}@contoso.example")
    wrong_key = "wrong-" + secrets.token_hex(12)
    refused = http.post(
        intake.split("?")[0], params={"key": wrong_key}, json=_marketplace_body("a@b.example")
    )
    assert refused.status_code == 401
    unknown = f"t-unknown-{uuid.uuid4().hex[:6]}"
    missing = http.post(
        f"{observed.api}/intake/{unknown}/marketplace",
        params={"key": wrong_key},
        json=_marketplace_body("a@b.example"),
    )
    assert missing.status_code in (401, 404)

    warnings = {
        getattr(record, "partner_id", None): record
        for record in observed.logs.records
        if getattr(record, "event", None) == "intake.refused"
    }
    assert warnings[partner_id].levelno == logging.WARNING
    assert getattr(warnings[partner_id], "status", None) == 401
    assert unknown in warnings
    assert not [text for text in observed.logs.texts() if wrong_key.casefold() in text]
