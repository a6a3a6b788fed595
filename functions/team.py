"""The partner's Team, lead owners and routing: `/api/team`, `/api/leads/{id}/assign`,
`/api/profile/routing` (docs/architecture.md, "Owners and routing")."""

from __future__ import annotations

import re

import azure.functions as func

from functions.http_kit import authenticate, container, http_endpoint, json_response, parse_body
from functions.leads import LEAD, _lead_id
from shared.domain.errors import NotFound
from shared.domain.routing import RoutingSettings
from shared.domain.team import MEMBER_ID_PATTERN
from shared.services.lead_assignment import AssignLead
from shared.services.routing import RoutingAnswer, RoutingPreview
from shared.services.team import UpdateTeamMember

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
# No route constraint: an id outside the format is the app's 404 problem+json, not the host's
# empty 404 (the one route under team/ cannot overlap another).
MEMBER = "team/{memberId}"


@bp.route(route="team", methods=["GET"])
@http_endpoint
def list_team(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(container().team_roster.list(authenticate(req)))


@bp.route(route=MEMBER, methods=["PUT"])
@http_endpoint
def update_team_member(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    member_id = str(req.route_params.get("memberId", ""))
    if not re.fullmatch(MEMBER_ID_PATTERN, member_id):
        raise NotFound("No Team member with this id.")
    command = parse_body(req, UpdateTeamMember)
    return json_response(container().team_roster.update(principal, member_id, command))


@bp.route(route=f"{LEAD}/assign", methods=["POST"])
@http_endpoint
def assign_lead(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    lead_id = _lead_id(req)
    command = parse_body(req, AssignLead)
    lead = container().lead_assignment.assign(
        principal, lead_id, command, req.headers.get("If-Match")
    )
    return json_response(lead, headers={"ETag": lead.etag})


def _routing_response(answer: RoutingAnswer) -> func.HttpResponse:
    return json_response(answer.routing, headers={"ETag": answer.etag})


@bp.route(route="profile/routing", methods=["GET"])
@http_endpoint
def get_routing(req: func.HttpRequest) -> func.HttpResponse:
    return _routing_response(container().routing_settings.read(authenticate(req)))


@bp.route(route="profile/routing", methods=["PUT"])
@http_endpoint
def put_routing(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    settings = parse_body(req, RoutingSettings)
    answer = container().routing_settings.replace(principal, settings, req.headers.get("If-Match"))
    return _routing_response(answer)


@bp.route(route="profile/routing/preview", methods=["POST"])
@http_endpoint
def preview_routing(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    preview = parse_body(req, RoutingPreview)
    return json_response(container().routing_settings.preview(principal, preview))
