"""Through the use case: the `allowedActions` a caller reads are exactly the calls that succeed,
for every lifecycle state and every set of roles that may read a lead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from shared.domain.errors import LeadsError
from shared.domain.lead import Lead
from shared.domain.lead_action import LeadAction
from shared.domain.lead_values import ReasonCode
from shared.domain.principal import Principal
from shared.domain.team import MemberKind, TeamMember
from shared.services.lead_actions import LeadActions
from shared.services.lead_assignment import AssignLead, LeadAssignment
from shared.services.lead_commands import (
    AcceptLead,
    DeclineLead,
    EditDeal,
    LoseLead,
    PersonInput,
    WinLead,
)
from shared.services.lead_events import LeadEvents
from tests.unit.fakes import InMemoryLeadRepository, RecordingPublisher, SteppingClock
from tests.unit.test_allowed_actions import MIA, POLICY, PRINCIPALS, STATES


@dataclass
class InMemoryFavorites:
    marks: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, partner_id: str, user_id: str, lead: Lead) -> None:
        self.marks.add((partner_id, user_id, lead.id))

    def remove(self, partner_id: str, user_id: str, lead: Lead) -> None:
        self.marks.discard((partner_id, user_id, lead.id))

    def is_favorite(self, partner_id: str, user_id: str, lead_id: str) -> bool:
        return (partner_id, user_id, lead_id) in self.marks

    def favorite_ids(self, partner_id: str, user_id: str) -> list[str]:
        return [lead for p, u, lead in self.marks if (p, u) == (partner_id, user_id)]


def _service(lead: Lead) -> LeadActions:
    leads = InMemoryLeadRepository()
    leads.add(lead.model_copy(deep=True))
    return LeadActions(
        events=LeadEvents(policy=POLICY),
        leads=leads, favorites=InMemoryFavorites(), publisher=RecordingPublisher(),
        clock=SteppingClock(), policy=POLICY,
    )  # fmt: skip


OTHER = ReasonCode.OTHER
CALLS: dict[LeadAction, Callable[[LeadActions, Principal], object]] = {
    LeadAction.ACCEPT: lambda s, p: s.accept(p, "l1", AcceptLead(deal_name="D", notes="n"), None),
    LeadAction.DECLINE: lambda s, p: s.decline(p, "l1", DeclineLead(reason=OTHER), None),
    LeadAction.EDIT: lambda s, p: s.edit(p, "l1", EditDeal(crm_id="CRM-1"), None),
    LeadAction.ADD_TEAM_MEMBER: lambda s, p: s.add_team_member(
        p, "l1", PersonInput(name="J"), None
    ),
    LeadAction.MARK_WON: lambda s, p: s.win(p, "l1", WinLead(), None),
    LeadAction.MARK_LOST: lambda s, p: s.lose(p, "l1", LoseLead(reason=OTHER), None),
    LeadAction.FAVORITE: lambda s, p: s.set_favorite(p, "l1", favorite=True),
    LeadAction.UNFAVORITE: lambda s, p: s.set_favorite(p, "l1", favorite=False),
    LeadAction.ASSIGN: lambda s, p: _assignment(s).assign(
        p, "l1", AssignLead(member_id=MIA.id), None
    ),
    LeadAction.TAKE: lambda s, p: _assignment(s).take(p, "l1", None),
}


def _assignment(actions: LeadActions) -> LeadAssignment:
    team = {MIA.id: TeamMember(id=MIA.id, kind=MemberKind.USER, name=MIA.name)}
    return LeadAssignment(actions=actions, team=FixedTeam(team), clock=SteppingClock())


@dataclass
class FixedTeam:
    team: dict[str, TeamMember]

    def members(self, partner_id: str) -> dict[str, TeamMember]:
        return self.team


def _succeeds(lead: Lead, principal: Principal, action: LeadAction) -> bool:
    try:
        CALLS[action](_service(lead), principal)
    except LeadsError:
        return False
    return True


@pytest.mark.parametrize("state", STATES)
def test_what_a_caller_reads_is_what_succeeds(state: str) -> None:
    lead = STATES[state]()
    readers = [p for p in PRINCIPALS if p.partner_refusal() is None]
    assert len(readers) > 1
    for principal in readers:
        shown = _service(lead).get(principal, "l1").allowed_actions
        succeeding = [action for action in LeadAction if _succeeds(lead, principal, action)]
        assert shown == succeeding, (state, sorted(principal.roles))


def test_every_answer_carries_the_new_allowed_actions() -> None:
    admin = next(p for p in PRINCIPALS if p.roles == {"Referrals.Admin"} and p.partner_id)
    service = _service(STATES["received"]())
    accepted = service.accept(admin, "l1", AcceptLead(deal_name="D", notes="n"), None)
    assert LeadAction.MARK_WON in accepted.allowed_actions
    won = service.win(admin, "l1", WinLead(), None)
    assert won.allowed_actions == [LeadAction.FAVORITE, LeadAction.UNFAVORITE]
