"""The app's metrics, through the OpenTelemetry metrics API (names: docs/architecture.md,
"Telemetry").

The API is a no-op until the composition root configures the SDK (`shared.adapters.telemetry`),
so use cases record unconditionally and tests without telemetry pay nothing. Attributes are
closed vocabularies (outcomes, kinds, sources, job names), never ids or personal data: every
distinct value is a time series.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from opentelemetry import metrics

METER_NAME = "partner_leads"


@dataclass(frozen=True)
class _Instruments:
    deliveries_received: metrics.Counter
    deliveries_processed: metrics.Counter
    deliveries_quarantined: metrics.Counter
    leads_created: metrics.Counter
    notifications: metrics.Counter
    webhook_deliveries: metrics.Counter
    queue_message_age: metrics.Histogram
    job_runs: metrics.Counter
    job_duration: metrics.Histogram
    job_items: metrics.Counter


@cache
def _instruments() -> _Instruments:
    """Built on first use, never at import; the API's proxies bind to the SDK once it is set."""
    meter = metrics.get_meter(METER_NAME)
    return _Instruments(
        deliveries_received=meter.create_counter(
            "leads.deliveries.received", "{delivery}", "Deliveries journaled, by source"
        ),
        deliveries_processed=meter.create_counter(
            "leads.deliveries.processed", "{delivery}", "Deliveries settled, by outcome"
        ),
        deliveries_quarantined=meter.create_counter(
            "leads.deliveries.quarantined", "{delivery}", "Deliveries quarantined, by source"
        ),
        leads_created=meter.create_counter(
            "leads.leads.created", "{lead}", "New leads, by source and call to action"
        ),
        notifications=meter.create_counter(
            "leads.notifications.completed", "{notification}", "Notifications, by kind and outcome"
        ),
        webhook_deliveries=meter.create_counter(
            "leads.webhooks.deliveries", "{delivery}", "Outgoing webhook calls, by outcome"
        ),
        queue_message_age=meter.create_histogram(
            "leads.queue.message_age", "s", "From a message's enqueueing to its processing"
        ),
        job_runs=meter.create_counter("leads.jobs.runs", "{run}", "Timer job runs, by outcome"),
        job_duration=meter.create_histogram("leads.jobs.duration", "s", "Timer job run time"),
        job_items=meter.create_counter(
            "leads.jobs.items", "{item}", "What timer job runs counted, by job and count name"
        ),
    )


def record_delivery_received(source: str) -> None:
    _instruments().deliveries_received.add(1, {"source": source})


def record_delivery_settled(outcome: str, source: str) -> None:
    """A delivery this run settled (not one an earlier run had settled already)."""
    _instruments().deliveries_processed.add(1, {"outcome": outcome, "source": source})
    if outcome == "Quarantined":
        _instruments().deliveries_quarantined.add(1, {"source": source})


def record_lead_created(*, source: str, call_to_action: str, view: str) -> None:
    attributes = {"source": source, "call_to_action": call_to_action, "view": view}
    _instruments().leads_created.add(1, attributes)


def record_notification(kind: str, outcome: str) -> None:
    """A notification's final outcome for this attempt: Sent, Held, Failed or Skipped."""
    _instruments().notifications.add(1, {"kind": kind, "outcome": outcome})


def record_webhook_delivery(outcome: str) -> None:
    """One outgoing webhook call to a partner's subscription, by outcome (a closed set the
    dispatcher names, such as Delivered, Failed, Disabled)."""
    _instruments().webhook_deliveries.add(1, {"outcome": outcome})


def record_queue_message_age(function: str, seconds: float) -> None:
    _instruments().queue_message_age.record(max(seconds, 0.0), {"function": function})


def record_job_run(job: str, outcome: str, seconds: float) -> None:
    attributes = {"job": job, "outcome": outcome}
    _instruments().job_runs.add(1, attributes)
    _instruments().job_duration.record(seconds, attributes)


def record_job_counts(job: str, counts: dict[str, int]) -> None:
    for name, value in counts.items():
        if value:
            _instruments().job_items.add(value, {"job": job, "count": name})
