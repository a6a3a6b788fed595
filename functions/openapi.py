"""The OpenAPI 3.1 document of the HTTP API, generated from the pydantic models it speaks."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from functions.openapi_deliveries import DELIVERY_OPERATIONS
from functions.openapi_events import EVENT_OPERATIONS
from functions.openapi_integrations import (
    INTEGRATION_OPERATIONS,
    LeadCloudEvent,
    webhook_documents,
)
from functions.openapi_notifications import NOTIFICATION_OPERATIONS
from functions.openapi_operation import Operation, path_param
from functions.openapi_operator import OPERATOR_OPERATIONS
from functions.openapi_responses import Problem, operation_object
from functions.openapi_team import TEAM_OPERATIONS
from functions.openapi_ui import UI_OPERATIONS
from functions.openapi_workspace import WORKSPACE_OPERATIONS
from shared.services.delivery_door import DeliveryReceipt
from shared.services.health import HealthReport
from shared.services.lead_intake import IntakeReceipt
from shared.services.partners import IntakeCredentials, PartnerCreated, RegisterPartner
from shared.services.referrals import ReferLead


class MarketplaceUserDetails(BaseModel):
    FirstName: str | None = None
    LastName: str | None = None
    Email: str | None = None
    Phone: str | None = None
    Country: str | None = None
    Company: str | None = None
    Title: str | None = None


class MarketplaceLead(BaseModel):
    """The marketplace's HTTPS-endpoint body. Property names match case-insensitively; every
    property is an optional string; `LeadSource` is bare or `Source-Action|publisher.offer`;
    a `Description` that is a flat JSON object of the storefront's URL parameters gives the
    deal's `campaignId` (`mktcmpid`) and the lead's `trackingParameters`."""

    UserDetails: MarketplaceUserDetails | None = None
    LeadSource: str | None = None
    ActionCode: str | None = None
    OfferTitle: str | None = None
    Description: str | None = None


_PARTNER = path_param("partnerId", "The partner receiving the lead.")

OPERATIONS: tuple[Operation, ...] = (
    *WORKSPACE_OPERATIONS,
    *NOTIFICATION_OPERATIONS,
    *UI_OPERATIONS,
    *DELIVERY_OPERATIONS,
    *INTEGRATION_OPERATIONS,
    *EVENT_OPERATIONS,
    *OPERATOR_OPERATIONS,
    *TEAM_OPERATIONS,
    Operation(
        "post",
        "/intake/{partnerId}/marketplace",
        "Marketplace HTTPS-endpoint lead destination: journals the delivery and answers its id; "
        "a queue-triggered function lands it (once per customer and offer) a moment later.",
        "Intake",
        security="intakeKey",
        request=MarketplaceLead,
        response=DeliveryReceipt,
        errors=(400, 401, 413, 415),
        parameters=(_PARTNER,),
    ),
    Operation(
        "post",
        "/intake/{partnerId}/referrals",
        "A qualified lead or profile inquiry from vendor staff (role Vendor.Referrer).",
        "Intake",
        request=ReferLead,
        response=IntakeReceipt,
        errors=(400, 401, 403, 404, 409, 413, 415),
        parameters=(
            _PARTNER,
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Same key and body: the first answer again;"
                " same key, other body: 409.",
                "schema": {"type": "string", "maxLength": 200},
            },
        ),
    ),
    Operation(
        "post",
        "/ops/partners",
        "Register a partner; answers its intake URL and key, once.",
        "Operations",
        request=RegisterPartner,
        response=PartnerCreated,
        status=201,
        errors=(400, 401, 403, 409, 413, 415),
    ),
    Operation(
        "post",
        "/ops/partners/{partnerId}/intake-key",
        "Rotate a partner's intake key; the old key stops working at once.",
        "Operations",
        response=IntakeCredentials,
        errors=(401, 403, 404),
        parameters=(path_param("partnerId", "The partner."),),
    ),
    Operation(
        "get",
        "/health",
        "Whether the app can serve: each dependency's state and latency, answered within 2 s; "
        "503 when a required one is down. Anonymous, except deep=true (role Leads.Operator), "
        "which adds every queue's approximate depth and poison count.",
        "Operations",
        security="none",
        response=HealthReport,
        errors=(400, 401, 403, 503),
        parameters=(
            {
                "name": "deep",
                "in": "query",
                "required": False,
                "description": "true: also count the messages waiting in each queue and its "
                "poison queue (needs a bearer token with role Leads.Operator).",
                "schema": {"type": "boolean", "default": False},
            },
        ),
    ),
)


def _content(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    if op.response:
        return {"content": {op.media_type: {"schema": refs[(op.response, "serialization")]}}}
    if op.media_type != "application/json":
        media_types = (op.media_type, *op.other_media_types)
        return {"content": {media: {"schema": {"type": "string"}} for media in media_types}}
    return {}


@cache
def openapi_document() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (Problem, "serialization"),
        (LeadCloudEvent, "serialization"),
    ]
    for op in OPERATIONS:
        if op.request:
            models.append((op.request, "validation"))
        if op.response:
            models.append((op.response, "serialization"))
    refs, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = operation_object(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partner leads API",
            "version": "1.0.0",
            "description": "Marketplace lead intake and the partner leads workspace.",
        },
        "servers": [{"url": "/api"}],
        "paths": paths,
        "webhooks": webhook_documents(refs),
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "intakeKey": {"type": "apiKey", "in": "query", "name": "key"},
            },
        },
    }
