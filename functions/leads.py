"""Partner workspace routes: list, read, act, favourite, export.

The contract: docs/http-contract.md, "Partner workspace".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import azure.functions as func
from pydantic import BaseModel

from functions.http_kit import (
    StreamedBody,
    authenticate,
    container,
    http_endpoint,
    json_response,
    parse_body,
)
from shared.domain.errors import NotFound
from shared.domain.lead_ids import is_lead_id
from shared.domain.model import parse_model
from shared.domain.principal import Principal
from shared.services.email_context import EmailLinks
from shared.services.lead_commands import (
    AcceptLead,
    DeclineLead,
    EditDeal,
    LoseLead,
    PersonInput,
    WinLead,
)
from shared.services.lead_export import csv_chunks, csv_lines
from shared.services.lead_query import LeadQuery
from shared.services.lead_view import LeadView

CommandT = TypeVar("CommandT", bound=BaseModel)

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
# The lead id's format (shared.domain.lead_ids) as a route constraint (`{{32}}` is `{32}` in a
# route template): keeps `leads/export` and `leads/{leadId}` disjoint, since the Functions host
# picks between overlapping routes by function name, not by precedence.
LEAD = "leads/{leadId:regex(^[0-9a-f]{{32}}$)}"


def _lead_response(lead: LeadView) -> func.HttpResponse:
    return json_response(lead, headers={"ETag": lead.etag})


def _lead_id(req: func.HttpRequest) -> str:
    """The route's lead id; one outside the format is an unknown lead (404), wherever the route
    constraint did not already keep it out."""
    lead_id = str(req.route_params.get("leadId", ""))
    if not is_lead_id(lead_id):
        raise NotFound("No lead with this id.")
    return lead_id


def _act(
    req: func.HttpRequest,
    body: type[CommandT],
    action: Callable[[Principal, str, CommandT, str | None], LeadView],
) -> func.HttpResponse:
    """Every lead action: who, which lead, the validated body, the ETag read; the new lead."""
    principal = authenticate(req)
    lead_id = _lead_id(req)
    command = parse_body(req, body)
    lead = action(principal, lead_id, command, req.headers.get("If-Match"))
    return _lead_response(lead)


@bp.route(route="leads", methods=["GET"])
@http_endpoint
def list_leads(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(LeadQuery, dict(req.params))
    return json_response(container().lead_listing.page(principal, query))


@bp.route(route="leads/export", methods=["GET"])
@http_endpoint
def export_leads(req: func.HttpRequest) -> StreamedBody:
    principal = authenticate(req)
    query = parse_model(LeadQuery, dict(req.params))
    settings = container().settings
    # The link the emails use, so a row opens the same page.
    links = EmailLinks(settings.ui_base_url, settings.marketplace_url)
    leads = container().lead_listing.all_matching(principal, query)
    lines = csv_lines(leads, lead_url=links.lead_url)
    return StreamedBody(
        csv_chunks(lines),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="leads.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route(route=LEAD, methods=["GET"])
@http_endpoint
def get_lead(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    return _lead_response(container().lead_actions.get(principal, _lead_id(req)))


@bp.route(route=f"{LEAD}/accept", methods=["POST"])
@http_endpoint
def accept_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, AcceptLead, container().lead_actions.accept)


@bp.route(route=f"{LEAD}/decline", methods=["POST"])
@http_endpoint
def decline_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, DeclineLead, container().lead_actions.decline)


@bp.route(route=LEAD, methods=["PATCH"])
@http_endpoint
def edit_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, EditDeal, container().lead_actions.edit)


@bp.route(route=f"{LEAD}/team", methods=["POST"])
@http_endpoint
def add_team_member(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, PersonInput, container().lead_actions.add_team_member)


@bp.route(route=f"{LEAD}/won", methods=["POST"])
@http_endpoint
def win_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, WinLead, container().lead_actions.win)


@bp.route(route=f"{LEAD}/lost", methods=["POST"])
@http_endpoint
def lose_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, LoseLead, container().lead_actions.lose)


@bp.route(route=f"{LEAD}/favorite", methods=["PUT", "DELETE"])
@http_endpoint
def mark_favorite(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    lead = container().lead_actions.set_favorite(
        principal, _lead_id(req), favorite=req.method.upper() == "PUT"
    )
    return _lead_response(lead)
