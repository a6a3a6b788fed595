"""Intake routes: the marketplace webhook and vendor staff referrals.

The contract: docs/http-contract.md, "Intake".
"""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import (
    authenticate,
    container,
    intake_endpoint,
    json_response,
    parse_body,
    read_json_object,
)
from shared.services.referrals import ReferLead

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.route(route="intake/{partnerId}/marketplace", methods=["POST"])
@intake_endpoint
def receive_marketplace_lead(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json_object(req)
    receipt = container().delivery_door.acknowledge(
        req.route_params["partnerId"], req.params.get("key"), req.get_body(), body
    )
    return json_response(receipt)


@bp.route(route="intake/{partnerId}/referrals", methods=["POST"])
@intake_endpoint
def receive_referral(req: func.HttpRequest) -> func.HttpResponse:
    sender = authenticate(req)
    command = parse_body(req, ReferLead)
    receipt = container().intake.receive_referral(
        sender, req.route_params["partnerId"], command, req.headers.get("Idempotency-Key")
    )
    return json_response(receipt)
