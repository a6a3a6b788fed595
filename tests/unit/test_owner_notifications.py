"""Who is told about owners: a routed new lead's email goes to its owner (the contacts too only
if the partner asks), an assignment tells the new owner, and the daily threshold of new-lead
emails is counted per recipient."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from shared.domain.delivery import DeliveryStatus
from shared.domain.lead import Actor, Lead
from shared.domain.notification import Notification, NotificationKind
from shared.domain.recipients import EmailPreferences
from shared.domain.routing import RoutingSettings
from shared.domain.team import MemberKind, Owner, TeamMember
from shared.services.notification_plans import NotificationPlanner
from tests.unit.notification_world import T0, World, about, new_lead
from tests.unit.team_fakes import InMemoryTeamStore

DESK = "desk@contoso.example"
SAM = Owner(id="u-0000000000000000000a", name="Sam", email="sam@contoso.example")
ADA = TeamMember(
    id="u-0000000000000000000b", kind=MemberKind.USER, name="Ada", email="ada@c.example",
    is_admin=True,
)  # fmt: skip


@dataclass
class OwnerWorld(World):
    team: InMemoryTeamStore = field(default_factory=InMemoryTeamStore)

    @property
    def planner(self) -> NotificationPlanner:
        planner = super().planner
        planner._team_settings = self.team
        return planner

    def owned_lead(self, owner: Owner = SAM, company: str = "Fabrikam") -> Lead:
        lead = self.lead(company=company)
        lead.route_to(owner, rule="default pool", now=T0)
        return self.leads.save(lead)

    def routing(self, **settings: object) -> None:
        self.team.put("contoso", RoutingSettings.model_validate(settings), None)


@pytest.fixture
def world() -> OwnerWorld:
    world = OwnerWorld()
    world.partner(DESK)
    world.routing(enabled=True)
    return world


def test_a_routed_new_lead_is_emailed_to_its_owner_only(world: OwnerWorld) -> None:
    email = world.planner.plan(new_lead(world.owned_lead()), T0).email
    assert email is not None
    assert email.to == (SAM.email,)


def test_also_notify_contacts_adds_them_and_routing_off_is_todays_behaviour(
    world: OwnerWorld,
) -> None:
    world.routing(enabled=True, also_notify_contacts=True)
    email = world.planner.plan(new_lead(world.owned_lead()), T0).email
    assert email is not None
    assert email.to == (SAM.email, DESK)
    world.routing(enabled=False)
    email = world.planner.plan(new_lead(world.owned_lead(company="Other")), T0).email
    assert email is not None
    assert email.to == (DESK,)


def test_the_owners_own_preference_applies(world: OwnerWorld) -> None:
    world.preferences.put(
        "contoso", EmailPreferences(user_id="sam", sign_in_email=SAM.email, email_enabled=False)
    )
    plan = world.planner.plan(new_lead(world.owned_lead()), T0)
    assert (plan.email, plan.skip_reason) == (None, "no recipient")


def test_an_assigned_owner_is_emailed_and_the_feed_says_so(world: OwnerWorld) -> None:
    lead = world.lead()
    lead.assign(SAM, actor=Actor("Ada", "ada"), now=T0, take=False)
    lead = world.leads.save(lead)
    plan = world.planner.plan(about(NotificationKind.LEAD_ASSIGNED, lead), T0)
    assert plan.email is not None
    assert plan.email.to == (SAM.email,)
    assert plan.email.subject == "Assigned to you: Fabrikam · Fleet Insights"
    assert "Ada assigned you a lead of Contoso Ltd." in plan.email.text
    assert plan.feed is not None
    assert plan.feed.title.startswith("Assigned to Sam")


def test_the_daily_threshold_counts_per_recipient(world: OwnerWorld) -> None:
    world.threshold = 2
    other = Owner(id="u-0000000000000000000c", name="Kim", email="kim@contoso.example")
    statuses = [world.handle(new_lead(world.owned_lead(company=f"S{n}"))) for n in range(3)]
    assert statuses == [DeliveryStatus.SENT, DeliveryStatus.SENT, DeliveryStatus.HELD]
    kim = world.handle(new_lead(world.owned_lead(other, company="K")))
    world.routing(enabled=False)
    desk = world.handle(new_lead(world.owned_lead(company="D")))
    assert (kim, desk) == (DeliveryStatus.SENT, DeliveryStatus.SENT)  # each their own two


def test_a_digest_of_owned_leads_goes_to_their_owners(world: OwnerWorld) -> None:
    kim = Owner(id="u-0000000000000000000c", name="Kim", email="kim@contoso.example")
    sam_lead, kim_lead = world.owned_lead(), world.owned_lead(kim, company="K")
    digest = Notification.daily_digest(
        partner_id="contoso", day=T0.date(), lead_ids=[sam_lead.id, kim_lead.id], now=T0
    )
    email = world.planner.plan(digest, T0).email
    assert email is not None
    assert email.to == (SAM.email, kim.email)
    unowned = world.lead(company="Unowned")  # in the digest: the contacts are told too
    digest = Notification.daily_digest(
        partner_id="contoso", day=T0.date(), lead_ids=[sam_lead.id, unowned.id], now=T0
    )
    email = world.planner.plan(digest, T0).email
    assert email is not None
    assert email.to == (SAM.email, DESK)


def test_an_overdue_follow_up_tells_the_admins_and_contacts(world: OwnerWorld) -> None:
    world.team.save_settings("contoso", ADA)
    undeliverable = ADA.model_copy(update={"id": "u-0000000000000000000d", "email": "x@y.test"})
    world.team.save_settings("contoso", undeliverable)  # a token's claim: left out, no failure
    lead = world.owned_lead()
    plan = world.planner.plan(about(NotificationKind.FOLLOW_UP_OVERDUE, lead), T0)
    assert plan.email is not None
    assert set(plan.email.to) == {ADA.email, DESK}
    assert "Sam has not acted on it" in plan.email.text
