"""The integrations routes (webhook subscriptions and their log) and the payloads the app sends
to subscribers (OpenAPI 3.1 `webhooks`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from functions.openapi_operation import Operation, path_param, query_params
from shared.services.event_ports import LEAD_EVENT_TYPES, PING_EVENT_TYPE
from shared.services.lead_view import LeadView
from shared.services.webhook_models import (
    CreateWebhook,
    DeliveryPage,
    DeliveryQueryParams,
    PingReceipt,
    ReplayReport,
    ReplayWebhookDeliveries,
    UpdateWebhook,
    WebhookList,
    WebhookSecret,
    WebhookView,
)

_SUB = (path_param("subscriptionId", "The subscription.", pattern="^[0-9a-f]{32}$"),)
_TAG = "Integrations"
_WHO = " (Referrals.Admin or BusinessProfile.Admin)"

INTEGRATION_OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/integrations/webhooks", "The partner's webhook subscriptions" + _WHO + ".",
              _TAG, response=WebhookList, errors=(401, 403)),
    Operation("post", "/integrations/webhooks",
              "Subscribe a URL to lead events" + _WHO + ". Answers the signing secret: the only "
              "time it is shown. In Azure only https URLs to public addresses are accepted.",
              _TAG, request=CreateWebhook, response=WebhookSecret, status=201,
              errors=(400, 401, 403, 409, 413, 415)),
    Operation("get", "/integrations/webhooks/{subscriptionId}", "One subscription" + _WHO + ".",
              _TAG, response=WebhookView, errors=(401, 403, 404), parameters=_SUB),
    Operation("patch", "/integrations/webhooks/{subscriptionId}",
              "Change a subscription (JSON merge patch)" + _WHO + "; enabling again clears the "
              "reason it was disabled.", _TAG, request=UpdateWebhook, response=WebhookView,
              errors=(400, 401, 403, 404, 409, 413, 415), parameters=_SUB),
    Operation("delete", "/integrations/webhooks/{subscriptionId}",
              "Delete a subscription" + _WHO + "; its queued deliveries are dropped.", _TAG,
              status=204, errors=(401, 403, 404), parameters=_SUB),
    Operation("post", "/integrations/webhooks/{subscriptionId}/rotate-secret",
              "A new signing secret, shown once; the previous one keeps signing beside it for "
              "24 hours" + _WHO + ".", _TAG, response=WebhookSecret, errors=(401, 403, 404, 409),
              parameters=_SUB),
    Operation("post", "/integrations/webhooks/{subscriptionId}/ping",
              "Queue a test event (com.partnerleads.webhook.ping); its delivery shows in the "
              "log" + _WHO + ".", _TAG, response=PingReceipt, status=202,
              errors=(401, 403, 404), parameters=_SUB),
    Operation("get", "/integrations/webhooks/{subscriptionId}/deliveries",
              "The subscription's deliveries, newest first, paged: status, attempts, last "
              "status code, next try" + _WHO + ".", _TAG, response=DeliveryPage,
              errors=(400, 401, 403, 404),
              parameters=_SUB + query_params(DeliveryQueryParams)),
    Operation("post", "/integrations/webhooks/{subscriptionId}/deliveries/replay",
              "Send again: one delivery by id, or every Failed one since an instant (at most "
              "500 a call)" + _WHO + ".", _TAG, request=ReplayWebhookDeliveries,
              response=ReplayReport, errors=(400, 401, 403, 404, 413, 415), parameters=_SUB),
)  # fmt: skip


_EVENT_TYPES: list[Any] = sorted(LEAD_EVENT_TYPES | {PING_EVENT_TYPE})


class LeadEventData(LeadView):
    version: int = Field(description="The lead's version: drop an event older than one seen.")


class LeadCloudEvent(BaseModel):
    """A CloudEvents 1.0 event in structured mode (`application/cloudevents+json`)."""

    specversion: Literal["1.0"]
    id: str = Field(description="Unique per event; also the `webhook-id` header.")
    source: str
    type: str = Field(json_schema_extra={"enum": _EVENT_TYPES})
    subject: str = Field(description="The lead id (the subscription id for a ping).")
    time: datetime
    datacontenttype: Literal["application/json"]
    data: LeadEventData | dict[str, Any]


_SIGNED = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "The event id: the same on every retry, so drop one you have seen."},
    {"name": "webhook-timestamp", "in": "header", "required": True,
     "schema": {"type": "string"}, "description": "Unix seconds when this attempt was signed."},
    {"name": "webhook-signature", "in": "header", "required": True,
     "schema": {"type": "string"},
     "description": "Space-separated `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` "
                    "under the secret (two for 24 hours after a rotation): Standard Webhooks."},
]  # fmt: skip
_ANSWERS = {
    "2XX": {"description": "Received. Anything else (or no answer within 15 s) is retried "
                           "after 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h for about "
                           "three days in all; then the delivery is Failed (replayable)."},
    "410": {"description": "Gone: the subscription is disabled, nothing more is sent."},
}  # fmt: skip


def webhook_documents(refs: dict[Any, Any]) -> dict[str, Any]:
    """The OpenAPI `webhooks` object: what a subscriber's endpoint receives, per format."""

    def entry(summary: str, media: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"post": {
            "summary": summary, "tags": [_TAG], "parameters": _SIGNED,
            "requestBody": {"required": True, "content": {media: {"schema": schema}}},
            "responses": _ANSWERS,
        }}  # fmt: skip

    chat = {"type": "object", "description": "See shared/services/webhook_payloads.py."}
    return {
        "leadEvent": entry(
            "A lead changed (format standard).",
            "application/cloudevents+json",
            refs[(LeadCloudEvent, "serialization")],
        ),
        "teamsMessage": entry(
            "A lead changed (format teams): an Adaptive Card message for a "
            "Teams Workflows webhook.",
            "application/json",
            chat,
        ),
        "slackMessage": entry(
            "A lead changed (format slack): a Block Kit message for a Slack incoming webhook.",
            "application/json",
            chat,
        ),
    }
