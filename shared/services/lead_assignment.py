"""Who owns a lead: `POST /api/leads/{id}/assign` {memberId | null}.

A `Referrals.Admin` gives any lead that is not archived to any Team member, or to nobody; anyone
else may only "take it": assign an unowned lead to themselves. Like every action it honours
If-Match, is written in one batch with the lead's index rows (the owner's copy moves) and the
notification it owes, and is in the history.
"""

from __future__ import annotations

from typing import Protocol

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.lead import Actor, Lead
from shared.domain.lead_action import LeadAction, required_roles, role_refusal
from shared.domain.model import ApiModel
from shared.domain.principal import Principal
from shared.domain.team import MemberId, Owner, TeamMember, user_member_id
from shared.services.lead_actions import LeadActions
from shared.services.lead_view import LeadView
from shared.services.ports import Clock


class TeamDirectory(Protocol):
    def members(self, partner_id: str) -> dict[str, TeamMember]: ...


class AssignLead(ApiModel):
    member_id: MemberId | None  # null: nobody owns the lead any more


class LeadAssignment:
    def __init__(self, *, actions: LeadActions, team: TeamDirectory, clock: Clock) -> None:
        self._actions = actions
        self._team = team
        self._clock = clock

    def assign(
        self, principal: Principal, lead_id: str, command: AssignLead, if_match: str | None
    ) -> LeadView:
        me = user_member_id(principal.user_id)
        if role_refusal(principal, LeadAction.ASSIGN) is None:
            partner_id = principal.require_partner(required_roles(LeadAction.ASSIGN))
            owner = self._owner(partner_id, command.member_id)
            return self._run(principal, lead_id, if_match, LeadAction.ASSIGN, owner)
        if command.member_id == me:
            return self.take(principal, lead_id, if_match)
        # Only admins assign others (or nobody): refused (403) by the role half of the rule.
        return self._run(principal, lead_id, if_match, LeadAction.ASSIGN, None)

    def take(self, principal: Principal, lead_id: str, if_match: str | None) -> LeadView:
        """Own an unowned lead (`take` in allowedActions): two takers at once, one owner."""
        me = user_member_id(principal.user_id)
        owner = Owner(id=me, name=principal.display_name, email=principal.email)
        return self._run(principal, lead_id, if_match, LeadAction.TAKE, owner)

    def _owner(self, partner_id: str, member_id: str | None) -> Owner | None:
        if member_id is None:
            return None
        member = self._team.members(partner_id).get(member_id)
        if member is None:
            raise InvalidInput(
                "Nobody in the Team has this id.",
                [FieldError("memberId", "Choose a member listed by GET /api/team.")],
            )
        return member.as_owner()

    def _run(
        self,
        principal: Principal,
        lead_id: str,
        if_match: str | None,
        action: LeadAction,
        owner: Owner | None,
    ) -> LeadView:
        take = action is LeadAction.TAKE

        def step(lead: Lead, actor: Actor) -> None:
            lead.assign(owner, actor=actor, now=self._clock.now(), take=take)

        return self._actions.act(principal, lead_id, if_match, action, step)
