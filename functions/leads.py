"""Partner workspace routes (API.md "Partner workspace"): list, read, act, favourite, export."""

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


def _lead_response(lead: LeadView) -> func.HttpResponse:
    return json_response(lead, headers={"ETag": lead.etag})


def _limit() -> int:
    return container().settings.max_body_bytes


def _act(
    req: func.HttpRequest,
    body: type[CommandT],
    action: Callable[[Principal, str, CommandT, str | None], LeadView],
) -> func.HttpResponse:
    """Every lead action: who, which lead, the validated body, the ETag read; the new lead."""
    principal = authenticate(req)
    command = parse_body(req, body, max_bytes=_limit())
    lead = action(principal, req.route_params["leadId"], command, req.headers.get("If-Match"))
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


@bp.route(route="leads/{leadId}", methods=["GET"])
@http_endpoint
def get_lead(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    return _lead_response(container().lead_actions.get(principal, req.route_params["leadId"]))


@bp.route(route="leads/{leadId}/accept", methods=["POST"])
@http_endpoint
def accept_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, AcceptLead, container().lead_actions.accept)


@bp.route(route="leads/{leadId}/decline", methods=["POST"])
@http_endpoint
def decline_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, DeclineLead, container().lead_actions.decline)


@bp.route(route="leads/{leadId}", methods=["PATCH"])
@http_endpoint
def edit_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, EditDeal, container().lead_actions.edit)


@bp.route(route="leads/{leadId}/team", methods=["POST"])
@http_endpoint
def add_team_member(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, PersonInput, container().lead_actions.add_team_member)


@bp.route(route="leads/{leadId}/won", methods=["POST"])
@http_endpoint
def win_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, WinLead, container().lead_actions.win)


@bp.route(route="leads/{leadId}/lost", methods=["POST"])
@http_endpoint
def lose_lead(req: func.HttpRequest) -> func.HttpResponse:
    return _act(req, LoseLead, container().lead_actions.lose)


@bp.route(route="leads/{leadId}/favorite", methods=["PUT", "DELETE"])
@http_endpoint
def mark_favorite(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    lead = container().lead_actions.set_favorite(
        principal, req.route_params["leadId"], favorite=req.method.upper() == "PUT"
    )
    return _lead_response(lead)
