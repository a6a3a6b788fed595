"""The Team, lead owners and routing operations, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from functions.openapi_operation import Operation, path_param
from shared.domain.lead_ids import LEAD_ID_PATTERN
from shared.domain.routing import RoutingSettings
from shared.domain.team import MEMBER_ID_PATTERN
from shared.services.lead_assignment import AssignLead
from shared.services.lead_view import LeadView
from shared.services.routing import PreviewAnswer, RoutingPreview
from shared.services.team import TeamMemberView, TeamPage, UpdateTeamMember

_LEAD = path_param("leadId", "The lead; another partner's lead is 404.", pattern=LEAD_ID_PATTERN)
_MEMBER = path_param("memberId", "A Team member, as GET /team lists.", pattern=MEMBER_ID_PATTERN)
_IF_MATCH: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you read; 412 if it changed since.",
    "schema": {"type": "string"},
}

TEAM_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/team", "The partner's Team: users who have used the app and the business"
        " profile's contacts, with availability and routing weight (not a lead's deal team).",
        "Team", response=TeamPage, errors=(401, 403),
    ),
    Operation(
        "put", "/team/{memberId}", "Set a member's availability (away: skipped by routing) and"
        " weight (1-10). Referrals.Admin.", "Team", request=UpdateTeamMember,
        response=TeamMemberView, errors=(400, 401, 403, 404, 413, 415), parameters=(_MEMBER,),
    ),
    Operation(
        "post", "/leads/{leadId}/assign", "Give the lead an owner from the Team, or none (null):"
        " a Referrals.Admin, on any lead not archived (offered as `assign` in the lead's"
        " allowedActions); or take an unowned lead yourself with your own member id (offered"
        " as `take`). The owner is emailed.", "Team", request=AssignLead, response=LeadView,
        errors=(400, 401, 403, 404, 409, 412, 413, 415), parameters=(_LEAD, _IF_MATCH),
        headers=("ETag",),
    ),
    Operation(
        "get", "/profile/routing", "The partner's routing rules, default pool and follow-up"
        " SLA (Referrals.Admin or BusinessProfile.Admin).", "Team", response=RoutingSettings,
        errors=(401, 403), headers=("ETag",),
    ),
    Operation(
        "put", "/profile/routing", "Replace the routing: rules in order (the first that matches"
        " and has an available member wins), then the default pool, else unassigned. Members"
        " must be in the Team.", "Team", request=RoutingSettings, response=RoutingSettings,
        errors=(400, 401, 403, 412, 413, 415), parameters=(_IF_MATCH,), headers=("ETag",),
    ),
    Operation(
        "post", "/profile/routing/preview", "Which rule of a (draft) routing a lead would match,"
        " and who would take turns for it.", "Team", request=RoutingPreview,
        response=PreviewAnswer, errors=(400, 401, 403, 413, 415),
    ),
)  # fmt: skip
