"""The partner's Team and routing, at the service level against fakes of our ports: who is
recorded and when, rules and weighted turns, the router at intake, assigning and taking."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from shared.domain.errors import Conflict, Forbidden, InvalidInput, StalePrecondition
from shared.domain.lead import LeadDetails
from shared.domain.lead_action import LeadAction
from shared.domain.lead_parts import Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadType,
    Offer,
    Quality,
    QualityRating,
    View,
)
from shared.domain.partner import Contact
from shared.domain.principal import Principal, Role
from shared.domain.routing import RoutingRule, RoutingSettings, RuleMatch, choose_target, rotation
from shared.domain.team import MemberKind, TeamMember, contact_member_id, user_member_id
from shared.services.customer_checks import SpamDomains
from shared.services.lead_actions import LeadActions
from shared.services.lead_assignment import AssignLead, LeadAssignment
from shared.services.lead_events import LeadEvents
from shared.services.lead_intake import IntakeService
from shared.services.lead_matching import matches
from shared.services.partners import PartnerService, RegisterPartner
from shared.services.ports import LeadFilter
from shared.services.referrals import ReferLead
from shared.services.routing import LeadRouter, LeadSample, RoutingPreview, RoutingSettingsService
from shared.services.team import TeamRoster, UpdateTeamMember
from tests.unit.fakes import (
    InMemoryLeadRepository,
    InMemoryPartnerRepository,
    NoFavorites,
    RecordingActivity,
    RecordingPublisher,
    SteppingClock,
)
from tests.unit.team_fakes import InMemoryTeamStore

PARTNER = "contoso"
ADMIN = Principal("admin", frozenset({Role.REFERRALS_ADMIN}), PARTNER, "Ada Admin", "ada@c.com")
ANA = Principal("ana", frozenset({Role.REFERRALS_USER}), PARTNER, "Ana", "ana@c.com")
BEN = Principal("ben", frozenset({Role.REFERRALS_USER}), PARTNER, "Ben", "ben@c.com")
CAT = Principal("cat", frozenset({Role.REFERRALS_USER}), PARTNER, "Cat", "cat@c.com")
STAFF = Principal("staff", frozenset({Role.VENDOR_REFERRER}), None, "Sid", "sid@vendor.com")
A, B, C = (user_member_id(p.user_id) for p in (ANA, BEN, CAT))


class RecordingSummary:
    """The operators' partner summary: what it was told."""

    def __init__(self) -> None:
        self.routing: dict[str, bool] = {}

    def set_routing(self, partner_id: str, *, on: bool) -> None:
        self.routing[partner_id] = on

    def set_failing_webhooks(self, partner_id: str, count: int) -> None:
        raise AssertionError("routing never counts webhooks")


class World:
    def __init__(self) -> None:
        self.clock = SteppingClock()
        self.leads = InMemoryLeadRepository()
        self.store = InMemoryTeamStore()
        partners = PartnerService(
            repository=InMemoryPartnerRepository(), clock=self.clock, base_url="https://x"
        )
        partners.register(
            RegisterPartner(
                partner_id=PARTNER, name="C", contacts=[Contact(name="Desk", email="desk@c.com")]
            )
        )
        self.team = TeamRoster(store=self.store, partners=partners, clock=self.clock)
        self.summary = RecordingSummary()
        self.routing = RoutingSettingsService(
            store=self.store, team=self.team, summary=self.summary
        )
        router = LeadRouter(
            settings=self.routing, team=self.team, rotation=self.leads, clock=self.clock
        )
        self.intake = IntakeService(
            activity=RecordingActivity(),
            events=LeadEvents(policy=LeadPolicy()),
            partners=partners, leads=self.leads, publisher=RecordingPublisher(),
            clock=self.clock, policy=LeadPolicy(), spam_domains=SpamDomains.from_lines([]),
            router=router,
        )  # fmt: skip
        self.actions = LeadActions(
            events=LeadEvents(policy=LeadPolicy()),
            leads=self.leads, favorites=NoFavorites(), publisher=RecordingPublisher(),
            clock=self.clock, policy=LeadPolicy(),
        )  # fmt: skip
        self.assignment = LeadAssignment(actions=self.actions, team=self.team, clock=self.clock)
        for user in (ANA, BEN, CAT, ADMIN):
            self.team.record_visit(user)

    def refer(self, n: int, *, country: str = "DE") -> str:
        command = ReferLead.model_validate(
            {
                "qualification": "SalesQualified",
                "leadType": "Profile",
                "customer": {"firstName": "Mia", "email": f"mia{n}@f.com", "country": country},
                "contactRequested": True,
            }
        )
        return self.intake.receive_referral(STAFF, PARTNER, command, None).lead_id

    def route(self, settings: RoutingSettings) -> None:
        self.routing.replace(ADMIN, settings, None)

    def owner_id(self, lead_id: str) -> str | None:
        owner = self.leads.get(PARTNER, lead_id).owner
        return owner.id if owner else None


@pytest.fixture
def world() -> World:
    return World()


def _member(member_id: str, weight: int = 1, *, available: bool = True) -> TeamMember:
    return TeamMember(
        id=member_id, kind=MemberKind.USER, name=member_id, weight=weight, available=available
    )


# -- the Team ------------------------------------------------------------------------------


def test_a_user_is_recorded_once_a_day_and_most_requests_cost_nothing(world: World) -> None:
    reads, writes = world.store.reads, world.store.writes
    for _ in range(20):
        world.team.record_visit(ANA)
    assert (world.store.reads, world.store.writes) == (reads, writes)  # remembered: no I/O
    world.clock.advance(days=1)
    for _ in range(20):
        world.team.record_visit(ANA)
    assert (world.store.reads - reads, world.store.writes - writes) == (1, 1)


def test_another_worker_finds_the_user_recorded_today_and_writes_nothing(world: World) -> None:
    other_worker = TeamRoster(store=world.store, partners=world.team._partners, clock=world.clock)
    writes = world.store.writes
    other_worker.record_visit(ANA)
    assert world.store.writes == writes


def test_the_team_is_its_users_and_contacts_and_admins_set_weight_and_availability(
    world: World,
) -> None:
    names = {m.name: m for m in world.team.list(ANA).items}
    assert set(names) == {"Ana", "Ben", "Cat", "Ada Admin", "Desk"}
    assert names["Desk"].kind is MemberKind.CONTACT
    assert names["Ana"].is_me
    world.team.update(ADMIN, B, UpdateTeamMember(weight=3, available=False))
    world.team.record_visit(BEN)  # a later visit keeps what the admin set
    world.clock.advance(days=1)
    world.team.record_visit(BEN)
    ben = world.team.members(PARTNER)[B]
    assert (ben.weight, ben.available) == (3, False)
    with pytest.raises(Forbidden):
        world.team.update(ANA, B, UpdateTeamMember(weight=2))


def test_a_weight_outside_one_to_ten_or_no_json_number_is_refused() -> None:
    with pytest.raises(ValueError, match="less than or equal to 10"):
        UpdateTeamMember(weight=11)
    for body in ({"weight": "5"}, {"available": "true"}):
        with pytest.raises(ValueError, match="valid"):
            UpdateTeamMember.model_validate(body)
    with pytest.raises(ValueError, match="valid boolean"):
        RoutingSettings.model_validate({"enabled": "true"})


# -- rules and turns -----------------------------------------------------------------------


def test_weights_give_each_member_their_share_of_every_cycle_spread_out() -> None:
    order = [m.id for m in rotation([_member("a"), _member("b"), _member("c", 2)])]
    assert Counter(order) == {"a": 1, "b": 1, "c": 2}
    assert order[0] == "c"
    assert order[1] != "c"


def test_unavailable_members_are_skipped_then_the_default_pool_then_nobody() -> None:
    team = {m.id: m for m in [_member(A), _member(B, available=False), _member(C)]}
    rule = RoutingRule(match=RuleMatch(countries=["DE"]), pool=[A, B])
    settings = RoutingSettings(enabled=True, rules=[rule], default_pool=[C])
    lead = LeadSample(country="DE")
    target = choose_target(settings, lead, team)
    assert target is not None
    assert [m.id for m in target.members] == [A]
    team[A] = _member(A, available=False)
    target = choose_target(settings, lead, team)
    assert target is not None
    assert (target.rule, [m.id for m in target.members]) == (
        "default pool",
        [C],
    )
    team[C] = _member(C, available=False)
    assert choose_target(settings, lead, team) is None
    assert choose_target(settings.model_copy(update={"enabled": False}), lead, team) is None


def test_intake_routes_by_the_first_matching_rule_with_exact_weighted_turns(world: World) -> None:
    world.team.update(ADMIN, C, UpdateTeamMember(weight=2))
    world.route(
        RoutingSettings(
            enabled=True,
            rules=[RoutingRule(name="France", match=RuleMatch(countries=["FR"]), assign_to=A)],
            default_pool=[A, B, C],
        )
    )
    owners = Counter(world.owner_id(world.refer(n)) for n in range(8))
    assert owners == {A: 2, B: 2, C: 4}
    french = world.leads.get(PARTNER, world.refer(99, country="FR"))
    assert french.owner is not None
    assert french.owner.id == A
    assert french.history[-1].detail == "To Ana by rule 1 (France)"
    assert french.action_required_since is not None
    assert french.follow_up_by == french.action_required_since + timedelta(hours=24)


def _stage(contact_me: bool) -> LeadDetails:
    return LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS",
            call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
            at=world_clock_start() + timedelta(hours=1 if contact_me else 0),
        ),
        offer=Offer(id="fab.fleet"),
        customer=Customer(first_name="Mia", email="mia@fabrikam.com", country="DE"),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
    )


def world_clock_start() -> datetime:
    return SteppingClock().instant


def test_a_later_stage_that_needs_action_routes_the_lead_then(world: World) -> None:
    world.route(RoutingSettings(enabled=True, default_pool=[A]))
    lead_id = world.intake.land_marketplace(PARTNER, _stage(contact_me=False)).lead_id
    assert world.owner_id(lead_id) is None  # informational: nobody needs to act
    assert world.intake.land_marketplace(PARTNER, _stage(contact_me=True)).lead_id == lead_id
    lead = world.leads.get(PARTNER, lead_id)
    assert lead.owner is not None
    assert lead.owner.id == A
    assert lead.action_required_since == world_clock_start() + timedelta(hours=1)
    assert lead.follow_up_by == world_clock_start() + timedelta(hours=25)


def test_routing_off_leaves_leads_unassigned_but_sets_the_follow_up(world: World) -> None:
    lead = world.leads.get(PARTNER, world.refer(1))
    assert lead.owner is None
    assert lead.follow_up_by is not None


def test_rules_naming_strangers_or_empty_pools_are_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.route(RoutingSettings(enabled=True, default_pool=["u-00000000000000000000"]))
    assert [e.field for e in refused.value.errors] == ["defaultPool.0"]
    with pytest.raises(ValueError, match="either assignTo"):
        RoutingRule(pool=[])


def test_the_preview_names_the_rule_and_who_takes_turns(world: World) -> None:
    draft = RoutingSettings(
        rules=[RoutingRule(match=RuleMatch(calls_to_action=[CallToAction.CONTACT_ME]), pool=[A, B])]
    )
    hit = world.routing.preview(
        ADMIN, RoutingPreview(routing=draft, lead=LeadSample(call_to_action="ContactMe"))
    )
    assert (hit.matched_rule, hit.goes_to, hit.candidates) == (1, "rule 1", ["Ana", "Ben"])
    miss = world.routing.preview(ADMIN, RoutingPreview(routing=draft, lead=LeadSample()))
    assert (miss.matched_rule, miss.goes_to) == (None, "nobody")


def test_routing_is_replaced_under_its_etag(world: World) -> None:
    first = world.routing.read(ADMIN)
    world.routing.replace(ADMIN, RoutingSettings(follow_up_hours=4), first.etag)
    assert world.summary.routing == {PARTNER: False}  # operators see routing off
    world.routing.replace(ADMIN, RoutingSettings(enabled=True), None)
    assert world.summary.routing == {PARTNER: True}
    with pytest.raises(StalePrecondition):
        world.routing.replace(ADMIN, RoutingSettings(), first.etag)
    with pytest.raises(Forbidden):
        world.routing.read(ANA)


# -- assigning and taking ------------------------------------------------------------------


def test_an_admin_assigns_anyone_and_it_is_in_the_history(world: World) -> None:
    lead_id = world.refer(1)
    view = world.assignment.assign(ADMIN, lead_id, AssignLead(member_id=B), None)
    assert view.owner is not None
    assert view.owner.name == "Ben"
    assert (view.history[-1].action, view.history[-1].detail) == ("Assigned", "To Ben")
    desk = contact_member_id("desk@c.com")
    assert world.assignment.assign(ADMIN, lead_id, AssignLead(member_id=desk), None).owner
    assert world.assignment.assign(ADMIN, lead_id, AssignLead(member_id=None), None).owner is None
    with pytest.raises(InvalidInput):
        world.assignment.assign(ADMIN, lead_id, AssignLead(member_id="u-" + "0" * 20), None)


def test_of_two_takers_one_owns_the_lead_and_the_other_is_refused(world: World) -> None:
    lead_id = world.refer(1)
    etag = world.actions.get(ANA, lead_id).etag
    taken = world.assignment.assign(ANA, lead_id, AssignLead(member_id=A), etag)
    assert taken.owner is not None
    assert taken.owner.id == A
    assert LeadAction.TAKE not in taken.allowed_actions
    with pytest.raises(StalePrecondition):  # read before Ana took it: stale
        world.assignment.assign(BEN, lead_id, AssignLead(member_id=B), etag)
    with pytest.raises(Conflict, match="already has an owner"):  # re-read: owned
        world.assignment.assign(BEN, lead_id, AssignLead(member_id=B), None)
    with pytest.raises(Forbidden):  # a salesperson cannot give a lead to someone else
        world.assignment.assign(BEN, world.refer(2), AssignLead(member_id=A), None)


def test_an_owned_lead_is_filtered_by_owner_in_memory_too(world: World) -> None:
    lead_id = world.refer(1)
    world.assignment.assign(ADMIN, lead_id, AssignLead(member_id=A), None)
    lead = world.leads.get(PARTNER, lead_id)
    assert matches(lead, LeadFilter(owner_key=A, include_test=True))
    assert not matches(lead, LeadFilter(owner_key="-", include_test=True))


def test_the_owner_acting_on_the_lead_counts_as_following_it_up(world: World) -> None:
    lead_id = world.refer(1)
    world.assignment.assign(ADMIN, lead_id, AssignLead(member_id=A), None)
    assert world.leads.get(PARTNER, lead_id).is_follow_up_pending
    world.assignment.assign(ADMIN, lead_id, AssignLead(member_id=None), None)
    world.assignment.assign(ANA, lead_id, AssignLead(member_id=A), None)  # took it herself
    assert not world.leads.get(PARTNER, lead_id).is_follow_up_pending
