"""The partner's insights route: figures over the leads that arrived in a window."""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import authenticate, container, http_endpoint, json_response
from shared.domain.model import parse_model
from shared.services.insights_query import InsightsQuery

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.route(route="insights", methods=["GET"])
@http_endpoint
def insights(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(InsightsQuery, dict(req.params))
    return json_response(container().insights.report(principal, query))
