"""`allowedActions` is one rule with the refusals: for every lifecycle state and every set of
roles, the actions a lead offers are exactly the actions that succeed on a copy of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest

from shared.domain.errors import Conflict, Forbidden
from shared.domain.lead import MARKETPLACE, Actor, Lead, LeadDetails
from shared.domain.lead_action import LeadAction, allowed_actions, required_roles
from shared.domain.lead_limits import MAX_TEAM
from shared.domain.lead_parts import Closure, Deal, Interaction, Person
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadType,
    Quality,
    QualityRating,
    ReasonCode,
    View,
)
from shared.domain.principal import Principal, Role
from shared.domain.team import Owner

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALEX = Actor("Alex Admin", "u-1")
POLICY = LeadPolicy()
LATER = T0 + timedelta(days=400)  # past every respond window and retention


def received(*, contact_me: bool = True) -> Lead:
    details = LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS",
            call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
            at=T0,
        ),
        customer=Customer(first_name="Mia", email="m@f.example", company="Fabrikam"),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
    )
    return Lead.receive(
        lead_id="l1", partner_id="p", dedup_key="d", details=details,
        actor=MARKETPLACE, now=T0, policy=POLICY,
    )  # fmt: skip


def accepted() -> Lead:
    lead = received()
    lead.accept(Deal(name="Deal"), team=[], contacts=[], actor=ALEX, now=T0)
    return lead


def _then(lead: Lead, step: Callable[[Lead], object]) -> Lead:
    assert step(lead) is not False
    return lead


OTHER = Closure(reason=ReasonCode.OTHER)
MIA = Owner(id="u-00000000000000000001", name="Mia")

# Every state the lifecycle can put a lead in, each reached through the lifecycle itself.
STATES: dict[str, Callable[[], Lead]] = {
    "received": received,
    "received-informational": lambda: received(contact_me=False),
    "accepted": accepted,
    "accepted-full-team": lambda: _then(
        accepted(), lambda lead: setattr(lead, "team", [Person(name="p")] * MAX_TEAM)
    ),
    "won": lambda: _then(
        accepted(), lambda lead: lead.win(value=None, notes=None, actor=ALEX, now=T0)
    ),
    "lost": lambda: _then(
        accepted(), lambda lead: lead.lose(OTHER, value=None, actor=ALEX, now=T0)
    ),
    "declined": lambda: _then(received(), lambda lead: lead.decline(OTHER, actor=ALEX, now=T0)),
    "expired": lambda: _then(received(), lambda lead: lead.expire(LATER)),
    "aged-out": lambda: _then(received(contact_me=False), lambda lead: lead.age_out(LATER)),
    "received-owned": lambda: _then(
        received(), lambda lead: lead.assign(MIA, actor=ALEX, now=T0, take=False)
    ),
    "accepted-owned": lambda: _then(
        accepted(), lambda lead: lead.assign(MIA, actor=ALEX, now=T0, take=False)
    ),
}

# What each action does to the aggregate; favourites are the caller's marks, kept outside it.
STEPS: dict[LeadAction, Callable[[Lead], object]] = {
    LeadAction.ACCEPT: lambda lead: lead.accept(
        Deal(name="x"), team=[], contacts=[], actor=ALEX, now=T0
    ),
    LeadAction.DECLINE: lambda lead: lead.decline(OTHER, actor=ALEX, now=T0),
    LeadAction.EDIT: lambda lead: lead.edit(Deal(name="x"), team=None, actor=ALEX, now=T0),
    LeadAction.ADD_TEAM_MEMBER: lambda lead: lead.add_team_member(
        Person(name="x"), actor=ALEX, now=T0
    ),
    LeadAction.MARK_WON: lambda lead: lead.win(value=None, notes=None, actor=ALEX, now=T0),
    LeadAction.MARK_LOST: lambda lead: lead.lose(OTHER, value=None, actor=ALEX, now=T0),
    LeadAction.FAVORITE: lambda lead: None,
    LeadAction.UNFAVORITE: lambda lead: None,
    LeadAction.ASSIGN: lambda lead: lead.assign(MIA, actor=ALEX, now=T0, take=False),
    LeadAction.TAKE: lambda lead: lead.assign(MIA, actor=ALEX, now=T0, take=True),
}

ROLE_SETS = [frozenset(c) for n in range(len(Role) + 1) for c in combinations(Role, n)]
PRINCIPALS = [Principal("u-1", roles=frozenset(roles), partner_id="p") for roles in ROLE_SETS] + [
    Principal("u-2", roles=frozenset({Role.REFERRALS_ADMIN}))  # a token without partner_id
]


def succeeds(lead: Lead, principal: Principal, action: LeadAction) -> bool:
    """The action as the service runs it, on a copy: the role check, then the lifecycle step."""
    copy = lead.model_copy(deep=True)
    try:
        principal.require_partner(required_roles(action))
        STEPS[action](copy)
    except (Forbidden, Conflict):
        return False
    return True


def test_every_action_has_a_step() -> None:
    assert set(STEPS) == set(LeadAction)


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_are_exactly_those_that_succeed(state: str) -> None:
    lead = STATES[state]()
    for principal in PRINCIPALS:
        succeeding = [action for action in LeadAction if succeeds(lead, principal, action)]
        assert lead.allowed_actions(principal) == succeeding, (state, sorted(principal.roles))
        assert allowed_actions(lead, principal) == succeeding


ADMIN = Principal("u-1", roles=frozenset({Role.REFERRALS_ADMIN}), partner_id="p")
PROFILE_ADMIN = Principal("u-1", roles=frozenset({Role.BUSINESS_PROFILE_ADMIN}), partner_id="p")
USER = Principal("u-1", roles=frozenset({Role.REFERRALS_USER}), partner_id="p")
FAVOURITES = [LeadAction.FAVORITE, LeadAction.UNFAVORITE]
OWNING = [LeadAction.ASSIGN, LeadAction.TAKE]


@pytest.mark.parametrize(
    ("state", "principal", "expected"),
    [
        ("received", ADMIN, [LeadAction.ACCEPT, LeadAction.DECLINE, *FAVOURITES, *OWNING]),
        ("received", PROFILE_ADMIN, [LeadAction.ACCEPT, LeadAction.DECLINE, *FAVOURITES]),
        ("received", USER, [*FAVOURITES, LeadAction.TAKE]),
        ("received-owned", USER, FAVOURITES),
        (
            "received-owned",
            ADMIN,
            [LeadAction.ACCEPT, LeadAction.DECLINE, *FAVOURITES, *OWNING[:1]],
        ),
        ("received-informational", ADMIN, [*FAVOURITES, *OWNING]),
        (
            "accepted",
            ADMIN,
            [
                LeadAction.EDIT,
                LeadAction.ADD_TEAM_MEMBER,
                LeadAction.MARK_WON,
                LeadAction.MARK_LOST,
                *FAVOURITES,
                *OWNING,
            ],
        ),
        ("accepted", USER, [*FAVOURITES, LeadAction.TAKE]),
        ("declined", ADMIN, FAVOURITES),
        ("expired", PROFILE_ADMIN, FAVOURITES),
    ],
)
def test_the_rule_by_example(state: str, principal: Principal, expected: list[LeadAction]) -> None:
    """The comparison above cannot tell a rule that refuses everything: pin what it allows."""
    assert STATES[state]().allowed_actions(principal) == expected


def test_acting_needs_an_admin_role_and_reading_any_partner_role() -> None:
    """Owners are the exception: only a Referrals.Admin assigns; a salesperson may take."""
    admins = {Role.REFERRALS_ADMIN, Role.BUSINESS_PROFILE_ADMIN}
    readers = {*admins, Role.REFERRALS_USER}
    assert {action: required_roles(action) for action in LeadAction} == {
        **{action: admins for action in STEPS if action not in FAVOURITES + OWNING},
        LeadAction.ASSIGN: {Role.REFERRALS_ADMIN},
        LeadAction.TAKE: {Role.REFERRALS_ADMIN, Role.REFERRALS_USER},
        LeadAction.FAVORITE: readers,
        LeadAction.UNFAVORITE: readers,
    }
