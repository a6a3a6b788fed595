"""The intake journal's triggers: processing from the deliveries queue, the relay timer, and the
operators' routes (list, read, replay)."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.http_kit import authenticate, container, http_endpoint, json_response, parse_body
from functions.invocation_telemetry import queue_invocation, timer_invocation
from functions.queue_kit import queue_content
from shared.domain.delivery import Delivery
from shared.domain.intake_journal import DeliveryMessage
from shared.domain.model import parse_model
from shared.services import job_names
from shared.services.delivery_queries import DeliveryQuery, ReplayDeliveries
from shared.services.log_fields import log_fields
from shared.services.metrics import record_job_counts

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
logger = logging.getLogger(__name__)


@bp.queue_trigger(
    arg_name="message", queue_name="%DELIVERIES_QUEUE%", connection="AzureWebJobsStorage"
)
def process_delivery(message: func.QueueMessage) -> None:
    """Land the journaled deliveries a message names. What fails and may pass is retried with
    back-off by a copy of the message, then quarantined in the journal; raising (the host's
    own retries) is left for when the queue itself fails."""
    with queue_invocation("process_delivery", message) as span:
        content = queue_content(message, DeliveryMessage, "names no delivery")
        span.set_attribute("leads.partner_id", content.partner_id)
        delivery = Delivery.of(message.id, message.dequeue_count, content.redelivery)
        container().delivery_messages.handle(content, delivery)


@bp.timer_trigger(schedule="%RELAY_DELIVERIES_SCHEDULE%", arg_name="timer", run_on_startup=False)
def relay_deliveries(timer: func.TimerRequest) -> None:
    job = job_names.RELAY_DELIVERIES
    with timer_invocation(job):
        report = container().jobs.run(job, container().clock.now())
    record_job_counts(job, report.counts)
    logger.info(
        "%s: %s (past due: %s)",
        job,
        report.counts,
        timer.past_due,
        extra=log_fields("job.ran", job=job),
    )


@bp.route(route="ops/deliveries", methods=["GET"])
@http_endpoint
def list_deliveries(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(DeliveryQuery, dict(req.params))
    return json_response(container().delivery_desk.page(principal, query))


@bp.route(route="ops/deliveries/replay", methods=["POST"])
@http_endpoint
def replay_deliveries(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, ReplayDeliveries)
    return json_response(container().delivery_desk.replay(principal, command))


@bp.route(route="ops/deliveries/{deliveryId}", methods=["GET"])
@http_endpoint
def get_delivery(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    detail = container().delivery_desk.get(principal, req.route_params["deliveryId"])
    return json_response(detail)
