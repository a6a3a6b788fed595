"""What a caller may do to a lead: the one rule behind both `allowedActions` and the refusals.

An action is allowed when the caller's roles permit it (403 otherwise) and the lead's lifecycle
state allows the step (409 otherwise). The lead's methods refuse with `lifecycle_refusal`, the
services with `role_refusal`, and `allowed_actions` is nothing but both predicates asked ahead of
time: what a lead offers and what succeeds can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from shared.domain.lead_limits import MAX_TEAM
from shared.domain.lead_values import LeadStatus, Outcome
from shared.domain.principal import PARTNER_ACTORS, PARTNER_READERS, Principal, Role


class LeadAction(StrEnum):
    """An action on a lead, named after its route: `accept` (POST …/accept), `decline`
    (POST …/decline), `edit` (PATCH the lead), `addTeamMember` (POST …/team), `markWon`
    (POST …/won), `markLost` (POST …/lost), `favorite` / `unfavorite` (PUT / DELETE …/favorite)."""

    ACCEPT = "accept"  # POST /leads/{id}/accept
    DECLINE = "decline"  # POST /leads/{id}/decline
    EDIT = "edit"  # PATCH /leads/{id}
    ADD_TEAM_MEMBER = "addTeamMember"  # POST /leads/{id}/team
    MARK_WON = "markWon"  # POST /leads/{id}/won
    MARK_LOST = "markLost"  # POST /leads/{id}/lost
    FAVORITE = "favorite"  # PUT /leads/{id}/favorite
    UNFAVORITE = "unfavorite"  # DELETE /leads/{id}/favorite
    ASSIGN = "assign"  # POST /leads/{id}/assign: give the lead any owner, or none
    TAKE = "take"  # POST /leads/{id}/assign with one's own member id: own an unowned lead


@dataclass(frozen=True, slots=True)
class _Step:
    """A lifecycle step: the status it starts from, and how a refusal words it."""

    starts_from: LeadStatus
    verb: str  # "The lead … can no longer be <verb>."
    needs_response: bool = False  # informational leads are never accepted or declined
    while_open: bool = False  # allowed in any status but Archived (Received and Accepted)


_STEPS: Mapping[LeadAction, _Step] = {
    LeadAction.ACCEPT: _Step(LeadStatus.RECEIVED, "accepted", needs_response=True),
    LeadAction.DECLINE: _Step(LeadStatus.RECEIVED, "declined", needs_response=True),
    LeadAction.EDIT: _Step(LeadStatus.ACCEPTED, "edited"),
    LeadAction.ADD_TEAM_MEMBER: _Step(LeadStatus.ACCEPTED, "given team members"),
    LeadAction.MARK_WON: _Step(LeadStatus.ACCEPTED, "won"),
    LeadAction.MARK_LOST: _Step(LeadStatus.ACCEPTED, "lost"),
    LeadAction.ASSIGN: _Step(LeadStatus.RECEIVED, "assigned", while_open=True),
    LeadAction.TAKE: _Step(LeadStatus.RECEIVED, "taken", while_open=True),
}  # favourites are the caller's own marks, not steps: any state allows them

_ROLES: Mapping[LeadAction, frozenset[Role]] = {
    **{action: PARTNER_ACTORS for action in _STEPS},
    # Owners are the sales lead's call; any salesperson may take an unowned lead themselves.
    LeadAction.ASSIGN: frozenset({Role.REFERRALS_ADMIN}),
    LeadAction.TAKE: frozenset({Role.REFERRALS_ADMIN, Role.REFERRALS_USER}),
    LeadAction.FAVORITE: PARTNER_READERS,
    LeadAction.UNFAVORITE: PARTNER_READERS,
}


class LifecycleState(Protocol):
    """What of a lead decides which steps it allows (a `Lead` is one)."""

    @property
    def status(self) -> LeadStatus: ...

    @property
    def outcome(self) -> Outcome | None: ...

    @property
    def requires_action(self) -> bool: ...

    @property
    def team(self) -> Sequence[object]: ...

    @property
    def owner(self) -> object | None: ...


def lifecycle_refusal(lead: LifecycleState, action: LeadAction) -> str | None:
    """Why the lead's state does not allow `action` (a 409), or None when it does."""
    step = _STEPS.get(action)
    if step is None:
        return None
    if lead.status is LeadStatus.ARCHIVED:
        return f"The lead is Archived ({lead.outcome}): it can no longer be {step.verb}."
    if step.needs_response and not lead.requires_action:
        return f"The lead is informational: it needs no response and cannot be {step.verb}."
    if not step.while_open and lead.status is not step.starts_from:
        return f"The lead is {lead.status}: it can be {step.verb} only when {step.starts_from}."
    return _full_refusal(lead, action)


def _full_refusal(lead: LifecycleState, action: LeadAction) -> str | None:
    """A step the status allows, refused by what the lead holds already."""
    if action is LeadAction.ADD_TEAM_MEMBER and len(lead.team) >= MAX_TEAM:
        return f"The lead's team is full ({MAX_TEAM} people): remove someone first."
    if action is LeadAction.TAKE and lead.owner is not None:
        return "The lead already has an owner: ask an admin to reassign it."
    return None


def role_refusal(principal: Principal, action: LeadAction) -> str | None:
    """Why the caller's token does not permit `action` for its partner (a 403), or None."""
    return principal.partner_refusal(_ROLES[action])


def required_roles(action: LeadAction) -> frozenset[Role]:
    return _ROLES[action]


def allowed_actions(lead: LifecycleState, principal: Principal) -> list[LeadAction]:
    """Every action the caller may take on the lead now, in `LeadAction` order."""
    return [
        action
        for action in LeadAction
        if role_refusal(principal, action) is None and lifecycle_refusal(lead, action) is None
    ]
