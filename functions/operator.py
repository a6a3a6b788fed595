"""The operators' routes (Leads.Operator): partners at a glance, a partner's contacts, poison
queues, failed notifications. Deliveries, replays and jobs have routes of their own
(functions/deliveries.py, functions/ops.py). The contract: functions/openapi_operator.py."""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import authenticate, container, http_endpoint, json_response, parse_body
from shared.domain.model import parse_model
from shared.services.notification_settings import ProfileContacts
from shared.services.operator_notifications import FailedQuery
from shared.services.operator_partners import PartnerQuery
from shared.services.operator_queues import PoisonCommand, PoisonPeekQuery

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.route(route="ops/partners", methods=["GET"])
@http_endpoint
def list_partners(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(PartnerQuery, dict(req.params))
    return json_response(container().operator_partners.page(principal, query))


@bp.route(route="ops/partners/{partnerId}", methods=["GET"])
@http_endpoint
def get_partner(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    detail, etag = container().operator_partners.detail(principal, req.route_params["partnerId"])
    return json_response(detail, headers={"ETag": etag})


@bp.route(route="ops/partners/{partnerId}/contacts", methods=["PUT"])
@http_endpoint
def put_partner_contacts(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, ProfileContacts)
    detail, etag = container().operator_partners.replace_contacts(
        principal, req.route_params["partnerId"], command, req.headers.get("If-Match")
    )
    return json_response(detail, headers={"ETag": etag})


@bp.route(route="ops/queues", methods=["GET"])
@http_endpoint
def list_queues(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(container().operator_queues.list(authenticate(req)))


@bp.route(route="ops/queues/{queue}/poison", methods=["GET"])
@http_endpoint
def peek_poison(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(PoisonPeekQuery, dict(req.params))
    peeked = container().operator_queues.peek(principal, req.route_params["queue"], query)
    return json_response(peeked)


@bp.route(route="ops/queues/{queue}/poison/requeue", methods=["POST"])
@http_endpoint
def requeue_poison(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, PoisonCommand)
    done = container().operator_queues.requeue(principal, req.route_params["queue"], command)
    return json_response(done)


@bp.route(route="ops/queues/{queue}/poison/delete", methods=["POST"])
@http_endpoint
def delete_poison(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, PoisonCommand)
    done = container().operator_queues.delete(principal, req.route_params["queue"], command)
    return json_response(done)


@bp.route(route="ops/notifications/failed", methods=["GET"])
@http_endpoint
def list_failed_notifications(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(FailedQuery, dict(req.params))
    return json_response(container().operator_notifications.page(principal, query))


@bp.route(route="ops/notifications/failed/{partnerId}/{notificationId}/resend", methods=["POST"])
@http_endpoint
def resend_notification(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    params = req.route_params
    result = container().operator_notifications.resend(
        principal, params["partnerId"], params["notificationId"]
    )
    return json_response(result)
