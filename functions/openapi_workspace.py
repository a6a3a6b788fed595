"""The partner workspace's operations, for the OpenAPI document.

In words: docs/http-contract.md, "Partner workspace".
"""

from __future__ import annotations

from typing import Any

from functions.openapi_operation import Operation, path_param, query_params
from shared.domain.lead_action import LeadAction
from shared.domain.lead_ids import LEAD_ID_PATTERN
from shared.services.insights import Insights
from shared.services.insights_query import InsightsQuery
from shared.services.lead_commands import (
    AcceptLead,
    DeclineLead,
    EditDeal,
    LoseLead,
    PersonInput,
    WinLead,
)
from shared.services.lead_listing import LeadPage
from shared.services.lead_query import LeadQuery
from shared.services.lead_view import LeadView

_LEAD = path_param("leadId", "The lead; another partner's lead is 404.", pattern=LEAD_ID_PATTERN)
_IF_MATCH: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you read; 412 if the lead changed since.",
    "schema": {"type": "string"},
}
_ACT_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415)
_ETAG = ("ETag",)
# The export streams every matching lead: the list's query without its paging token.
_EXPORT_PARAMETERS = tuple(
    param for param in query_params(LeadQuery) if param["name"] != "continuationToken"
)


# The route of each value a lead's `allowedActions` can hold (LeadView): a client offers exactly
# these calls, and the server refuses the others with 403 or 409.
ACTION_ROUTES: dict[LeadAction, tuple[str, str]] = {
    LeadAction.ACCEPT: ("post", "/leads/{leadId}/accept"),
    LeadAction.DECLINE: ("post", "/leads/{leadId}/decline"),
    LeadAction.EDIT: ("patch", "/leads/{leadId}"),
    LeadAction.ADD_TEAM_MEMBER: ("post", "/leads/{leadId}/team"),
    LeadAction.MARK_WON: ("post", "/leads/{leadId}/won"),
    LeadAction.MARK_LOST: ("post", "/leads/{leadId}/lost"),
    LeadAction.FAVORITE: ("put", "/leads/{leadId}/favorite"),
    LeadAction.UNFAVORITE: ("delete", "/leads/{leadId}/favorite"),
    LeadAction.ASSIGN: ("post", "/leads/{leadId}/assign"),  # documented in openapi_team.py
    LeadAction.TAKE: ("post", "/leads/{leadId}/assign"),  # the same route, one's own id
}


def _offered(action: LeadAction, summary: str) -> tuple[str, str, str]:
    method, path = ACTION_ROUTES[action]
    return method, path, f"{summary} Offered as `{action}` in the lead's allowedActions."


def _action(action: LeadAction, summary: str, request: type[Any] | None) -> Operation:
    return Operation(
        *_offered(action, summary), "Workspace", request=request,
        response=LeadView, errors=_ACT_ERRORS, parameters=(_LEAD, _IF_MATCH), headers=_ETAG,
    )  # fmt: skip


WORKSPACE_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/leads", "List leads: a view, filters, a sort and continuation tokens.",
        "Workspace", response=LeadPage, parameters=query_params(LeadQuery),
    ),
    Operation(
        "get", "/leads/export", "The leads of a list query as CSV, streamed page by page.",
        "Workspace", media_type="text/csv", parameters=_EXPORT_PARAMETERS,
        headers=("Content-Disposition",),
    ),
    Operation(
        "get", "/leads/{leadId}", "One lead, with its ETag and the actions you may take on it"
        " (allowedActions, as on every lead the API returns).", "Workspace",
        response=LeadView, errors=(401, 403, 404), parameters=(_LEAD,), headers=_ETAG,
    ),
    _action(LeadAction.EDIT, "Edit the deal of an Accepted lead (JSON merge patch).", EditDeal),
    _action(LeadAction.ACCEPT, "Accept a Received lead: Received → Accepted.", AcceptLead),
    _action(LeadAction.DECLINE, "Decline a Received lead: the customer is told.", DeclineLead),
    _action(LeadAction.ADD_TEAM_MEMBER, "Add an employee to an Accepted lead's team.", PersonInput),
    _action(LeadAction.MARK_WON, "Mark an Accepted lead Won: Archived/Won.", WinLead),
    _action(LeadAction.MARK_LOST, "Mark an Accepted lead Lost: Archived/Lost.", LoseLead),
    Operation(
        *_offered(LeadAction.FAVORITE, "Mark the lead a favourite of yours (idempotent)."),
        "Workspace", response=LeadView, errors=(401, 403, 404), parameters=(_LEAD,),
        headers=_ETAG,
    ),
    Operation(
        *_offered(LeadAction.UNFAVORITE, "Remove your favourite mark (idempotent)."),
        "Workspace", response=LeadView, errors=(401, 403, 404), parameters=(_LEAD,),
        headers=_ETAG,
    ),
    Operation(
        "get", "/insights", "Your figures over the leads created in [from, to] (default 90 days,"
        " at most 366): counts, acceptance and win rates, median time to first action.",
        "Workspace", response=Insights, parameters=query_params(InsightsQuery),
    ),
)  # fmt: skip
