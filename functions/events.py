"""The change feed: `GET /api/events` (shared/services/change_feed.py)."""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import authenticate, container, http_endpoint, json_response
from shared.domain.model import parse_model
from shared.services.change_feed import EventQuery

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.route(route="events", methods=["GET"])
@http_endpoint
def list_events(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(EventQuery, dict(req.params))
    return json_response(container().change_feed.page(principal, query))
