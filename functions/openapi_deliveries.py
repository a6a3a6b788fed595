"""The intake journal's routes (operators' deliveries, the Partner Center import), for OpenAPI."""

from __future__ import annotations

from functions.openapi_operation import Operation, path_param, query_params
from shared.services.delivery_queries import (
    DeliveryDetail,
    DeliveryPageView,
    DeliveryQuery,
    ReplayDeliveries,
    ReplayReport,
)
from shared.services.lead_import import ImportReport

DELIVERY_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/ops/deliveries",
        "Marketplace deliveries as journaled, newest first, paged (Leads.Operator). The window "
        "`from`..`to` defaults to the last 7 days and spans at most 31; no bodies here.",
        "Operations", response=DeliveryPageView, parameters=query_params(DeliveryQuery),
    ),
    Operation(
        "get", "/ops/deliveries/{deliveryId}",
        "One delivery with its outcome and the raw body exactly as received (Leads.Operator).",
        "Operations", response=DeliveryDetail, errors=(400, 401, 403, 404),
        parameters=(path_param("deliveryId", "The id the webhook answered."),),
    ),
    Operation(
        "post", "/ops/deliveries/replay",
        "Process deliveries again: one by id, or a window narrowed by partner and status (e.g. "
        "every Quarantined one since yesterday). Landed deliveries are skipped, so a replay is "
        "idempotent; answers counts.",
        "Operations", request=ReplayDeliveries, response=ReplayReport,
        errors=(400, 401, 403, 404, 413, 415),
    ),
    Operation(
        "post", "/leads/import",
        "Backfill from Partner Center: the body is its marketplace lead export (text/csv, UTF-8, "
        "BOM allowed, at most 20 MB and 50,000 rows). Headers match case-insensitively (see "
        "shared/services/partner_center_csv.py); LeadCreationDateTime is required and becomes "
        "the lead's arrival; unknown columns are ignored. Each row goes through the intake "
        "journal like a webhook delivery. Referrals.Admin for the token's partner, or "
        "Leads.Operator naming partnerId.",
        "Intake", response=ImportReport, errors=(400, 401, 403, 404, 413, 415),
        raw_request="text/csv",
        parameters=({
            "name": "partnerId", "in": "query", "required": False,
            "description": "The partner (operators only; a partner imports into its own).",
            "schema": {"type": "string"},
        },),
    ),
)  # fmt: skip
