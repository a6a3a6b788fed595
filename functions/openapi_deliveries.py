"""The intake journal's operator routes (list, read, replay deliveries), for OpenAPI."""

from __future__ import annotations

from functions.openapi_operation import Operation, path_param, query_params
from shared.services.delivery_desk import (
    DeliveryDetail,
    DeliveryPageView,
    DeliveryQuery,
    ReplayDeliveries,
    ReplayReport,
)

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
)  # fmt: skip
