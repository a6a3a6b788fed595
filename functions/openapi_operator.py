"""The operators' routes (Leads.Operator), for OpenAPI: partners, poison queues, failed
notifications and the jobs. Deliveries and replays: openapi_deliveries.py."""

from __future__ import annotations

from typing import Any

from functions.openapi_operation import Operation, path_param, query_params
from shared.services.jobs import JobReport
from shared.services.notification_settings import ProfileContacts
from shared.services.operator_jobs import JobCatalogue
from shared.services.operator_notifications import (
    FailedNotificationPage,
    FailedQuery,
    ResendResult,
)
from shared.services.operator_partners import PartnerDetail, PartnerPage, PartnerQuery
from shared.services.operator_queues import (
    PoisonCommand,
    PoisonPeek,
    PoisonPeekQuery,
    PoisonResult,
    QueueList,
)

_PARTNER = path_param("partnerId", "The partner.")
_QUEUE = path_param(
    "queue", "deliveries, notifications, work or webhook-deliveries (the app's queues)."
)


def _flag(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "boolean", "default": False},
    }


_JOB_PARAMETERS: tuple[dict[str, Any], ...] = (
    path_param(
        "job",
        "expire-leads, archive-informational-leads, send-digests, remind-expiring, "
        "escalate-stale-leads, "
        "prune-events, reindex-leads, relay-outbox or relay-deliveries.",
    ),
    {
        "name": "asOf",
        "in": "query",
        "required": False,
        "description": "ISO 8601 instant with offset; default now. Decides what is due; "
        "whatever the run records is dated when it is written. More than a day ahead of now "
        "is a 400 unless allowFuture=true.",
        "schema": {"type": "string", "format": "date-time"},
    },
    {
        "name": "partnerId",
        "in": "query",
        "required": False,
        "description": "Run a partner job for this partner only: 404 if there is no such "
        "partner, 400 together with fanOut or for relay-outbox and relay-deliveries.",
        "schema": {"type": "string"},
    },
    _flag(
        "fanOut",
        "true: enqueue work orders as the timer does and answer 202 with their counts "
        "(partners, workOrders), instead of running the job in the call.",
    ),
    _flag(
        "dryRun",
        "true: read what is due and answer the counts the run would have, writing nothing "
        "(no lead, outbox row, queue message or work order).",
    ),
    _flag("allowFuture", "true: accept an asOf more than a day ahead (replay the future)."),
)

OPERATOR_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/ops/partners",
        "Partners in id order, paged, with what needs attention: contacts, users, how many "
        "addresses a new lead reaches (a warning when none), the last lead received, the "
        "intake key's age, routing, failing webhooks and failed notifications. Reads the "
        "Partners table only, never the leads.",
        "Operations", response=PartnerPage, parameters=query_params(PartnerQuery),
    ),
    Operation(
        "get", "/ops/partners/{partnerId}",
        "One partner: its overview, contacts and known users (their email preferences).",
        "Operations", response=PartnerDetail, errors=(400, 401, 403, 404),
        parameters=(_PARTNER,), headers=("ETag",),
    ),
    Operation(
        "put", "/ops/partners/{partnerId}/contacts",
        "Replace a partner's notification contacts (as its business profile admin would in "
        "Settings): an empty list is refused, since new leads would then reach nobody. "
        "Honours If-Match (412 when stale).",
        "Operations", request=ProfileContacts, response=PartnerDetail,
        errors=(400, 401, 403, 404, 409, 412, 413, 415), headers=("ETag",),
        parameters=(_PARTNER, {
            "name": "If-Match", "in": "header", "required": False,
            "description": "The ETag the partner was read with.", "schema": {"type": "string"},
        }),
    ),
    Operation(
        "get", "/ops/queues",
        "The app's queues with their message counts and their poison queues' counts.",
        "Operations", response=QueueList, errors=(401, 403),
    ),
    Operation(
        "get", "/ops/queues/{queue}/poison",
        "Peek at a poison queue (up to 32 messages, left where they are) and its count. A "
        "poison message expires 7 days after the host moved it (expiresOn).",
        "Operations", response=PoisonPeek, errors=(400, 401, 403, 404),
        parameters=(_QUEUE, *query_params(PoisonPeekQuery)),
    ),
    Operation(
        "post", "/ops/queues/{queue}/poison/requeue",
        "Put poison messages back on their queue to be processed again: one by messageId, or "
        "all (up to 500 a call; call again while remaining > 0). Copied before deleted.",
        "Operations", request=PoisonCommand, response=PoisonResult,
        errors=(400, 401, 403, 404, 413, 415), parameters=(_QUEUE,),
    ),
    Operation(
        "post", "/ops/queues/{queue}/poison/delete",
        "Delete poison messages for good: one by messageId, or all.",
        "Operations", request=PoisonCommand, response=PoisonResult,
        errors=(400, 401, 403, 404, 413, 415), parameters=(_QUEUE,),
    ),
    Operation(
        "get", "/ops/notifications/failed",
        "Notifications whose email failed (SendGrid refused it, or the retries gave up), not "
        "resent yet; by partner, paged.",
        "Operations", response=FailedNotificationPage, parameters=query_params(FailedQuery),
    ),
    Operation(
        "post", "/ops/notifications/failed/{partnerId}/{notificationId}/resend",
        "Send a failed notification again (once its cause is fixed): it goes back on the "
        "notifications queue and gets a new 24 hours of retries. queued=false when it was "
        "sent meanwhile.",
        "Operations", response=ResendResult, errors=(401, 403, 404, 409),
        parameters=(_PARTNER, path_param("notificationId", "The notification's id.")),
    ),
    Operation(
        "get", "/ops/jobs",
        "The jobs an operator may run: name, whether it runs per partner (partnerId and "
        "fanOut apply), and what it does.",
        "Operations", response=JobCatalogue,
    ),
    Operation(
        "post", "/ops/jobs/{job}",
        "Run a scheduled job now, as of an instant; or a dry run of it that writes nothing.",
        "Operations", response=JobReport, other_statuses=(202,),
        errors=(400, 401, 403, 404), parameters=_JOB_PARAMETERS,
    ),
)  # fmt: skip
