"""Webhook subscriptions and their delivery log (`/api/integrations/webhooks`), plus the
dispatcher's timer and the delivery queue trigger."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.http_kit import authenticate, container, http_endpoint, json_response, parse_body
from functions.invocation_telemetry import queue_invocation, timer_invocation
from functions.queue_kit import queue_content
from shared.domain.delivery import Delivery
from shared.domain.model import parse_model
from shared.domain.webhooks import WebhookMessage
from shared.services import job_names
from shared.services.webhook_models import (
    CreateWebhook,
    DeliveryQueryParams,
    ReplayWebhookDeliveries,
    UpdateWebhook,
)

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
logger = logging.getLogger(__name__)
_ONE = "integrations/webhooks/{subscriptionId:regex(^[0-9a-f]{{32}}$)}"


@bp.route(route="integrations/webhooks", methods=["GET"])
@http_endpoint
def list_webhooks(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(container().webhooks.subscriptions.list(authenticate(req)))


@bp.route(route="integrations/webhooks", methods=["POST"])
@http_endpoint
def create_webhook(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, CreateWebhook)
    created = container().webhooks.subscriptions.create(principal, command)
    return json_response(created, status=201)


@bp.route(route=_ONE, methods=["GET"])
@http_endpoint
def get_webhook(req: func.HttpRequest) -> func.HttpResponse:
    subscriptions = container().webhooks.subscriptions
    return json_response(subscriptions.get(authenticate(req), _id(req)))


@bp.route(route=_ONE, methods=["PATCH"])
@http_endpoint
def update_webhook(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    patch = parse_body(req, UpdateWebhook)
    return json_response(container().webhooks.subscriptions.update(principal, _id(req), patch))


@bp.route(route=_ONE, methods=["DELETE"])
@http_endpoint
def delete_webhook(req: func.HttpRequest) -> func.HttpResponse:
    container().webhooks.subscriptions.delete(authenticate(req), _id(req))
    return func.HttpResponse(status_code=204)


@bp.route(route=_ONE + "/rotate-secret", methods=["POST"])
@http_endpoint
def rotate_webhook_secret(req: func.HttpRequest) -> func.HttpResponse:
    subscriptions = container().webhooks.subscriptions
    return json_response(subscriptions.rotate_secret(authenticate(req), _id(req)))


@bp.route(route=_ONE + "/ping", methods=["POST"])
@http_endpoint
def ping_webhook(req: func.HttpRequest) -> func.HttpResponse:
    receipt = container().webhooks.log.ping(authenticate(req), _id(req))
    return json_response(receipt, status=202)


@bp.route(route=_ONE + "/deliveries", methods=["GET"])
@http_endpoint
def list_webhook_deliveries(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(DeliveryQueryParams, dict(req.params))
    return json_response(container().webhooks.log.deliveries(principal, _id(req), query))


@bp.route(route=_ONE + "/deliveries/replay", methods=["POST"])
@http_endpoint
def replay_webhook_deliveries(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, ReplayWebhookDeliveries)
    return json_response(container().webhooks.log.replay(principal, _id(req), command))


@bp.timer_trigger(schedule="%DISPATCH_WEBHOOKS_SCHEDULE%", arg_name="timer", run_on_startup=False)
def dispatch_webhooks(timer: func.TimerRequest) -> None:
    with timer_invocation(job_names.DISPATCH_WEBHOOKS):  # run count and duration, as every timer
        report = container().jobs.run(job_names.DISPATCH_WEBHOOKS, container().clock.now())
    if report.counts.get("deliveries"):
        logger.info("dispatch-webhooks: %s", report.counts)


@bp.queue_trigger(
    arg_name="msg", queue_name="%WEBHOOK_DELIVERIES_QUEUE%", connection="AzureWebJobsStorage"
)
def deliver_webhook(msg: func.QueueMessage) -> None:
    """Send one event to one subscription; its retries are copies put back with a delay."""
    with queue_invocation("deliver_webhook", msg):
        message = queue_content(msg, WebhookMessage, "is not a webhook delivery")
        delivery = Delivery.of(msg.id, msg.dequeue_count, message.redelivery)
        container().webhooks.deliveries.handle(message, delivery)


def _id(req: func.HttpRequest) -> str:
    return str(req.route_params.get("subscriptionId", ""))
