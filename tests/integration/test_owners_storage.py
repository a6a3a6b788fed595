"""Owners and routing on Azurite: exact weighted turns under concurrency, the owner index.

The pool's counter is advanced in each lead's own batch under the counter's ETag, so no two
leads take one turn however they interleave; `owner=me` and `owner=none` read the owner copies
of the active leads (`W|<owner>|…`), so a page examines what it returns.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from azure.data.tables import TableClient, TableServiceClient

from bench._examined import RecordingLister, examined
from shared.adapters.clock import SystemClock
from shared.adapters.table_lead_lister import TableLeadLister
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.adapters.table_partner_repository import TablePartnerRepository
from shared.adapters.table_team_store import TablePoolRotation, TableTeamStore
from shared.domain.lead_policy import LeadPolicy
from shared.domain.principal import Principal, Role
from shared.domain.routing import RoutingSettings
from shared.domain.team import user_member_id
from shared.services.customer_checks import SpamDomains
from shared.services.lead_actions import LeadActions
from shared.services.lead_assignment import AssignLead, LeadAssignment
from shared.services.lead_events import LeadEvents
from shared.services.lead_intake import IntakeService
from shared.services.lead_listing import LeadListing
from shared.services.lead_query import LeadQuery
from shared.services.paging import PagingTokens
from shared.services.partners import PartnerService, RegisterPartner
from shared.services.referrals import ReferLead, referral_lead_details
from shared.services.routing import LeadRouter, RoutingSettingsService
from shared.services.team import TeamRoster, UpdateTeamMember
from tests.support.azurite import Azurite
from tests.unit.fakes import NoFavorites, RecordingActivity, RecordingPublisher

ADMIN = Principal("admin", frozenset({Role.REFERRALS_ADMIN}), "p", "Ada", "ada@c.com")
USERS = [Principal(n, frozenset({Role.REFERRALS_USER}), "p", n, f"{n}@c.com") for n in "abc"]
STAFF = Principal("staff", frozenset({Role.VENDOR_REFERRER}), None, "Sid", "sid@v.com")


@dataclass
class World:
    partner_id: str
    leads: TableClient
    intakes: list[IntakeService]  # two workers: their routers race on the pool's counter
    team: TeamRoster
    routing: RoutingSettingsService
    assignment: LeadAssignment
    repository: TableLeadRepository
    lister: RecordingLister
    listing: LeadListing

    def refer(self, n: int) -> str:
        command = ReferLead.model_validate(
            {
                "qualification": "SalesQualified",
                "leadType": "Profile",
                "customer": {"firstName": "Mia", "email": f"mia{n}@fabrikam.com"},
                "contactRequested": True,
            }
        )
        details = referral_lead_details(
            command, sender=STAFF, spam_domains=SpamDomains.from_lines([]), now=datetime.now(UTC)
        )  # the landing of a referral, without the route's partner read
        intake = self.intakes[n % len(self.intakes)]
        return intake.land_marketplace(self.partner_id, details).lead_id

    def principal(self, user: Principal) -> Principal:
        return Principal(user.user_id, user.roles, self.partner_id, user.name, user.email)


@pytest.fixture
def world(azurite: Azurite) -> Iterator[World]:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    suffix = uuid.uuid4().hex[:10]
    partners_table = service.create_table(f"teamp{suffix}")
    leads_table = service.create_table(f"teaml{suffix}")
    clock = SystemClock()
    partners = PartnerService(
        repository=TablePartnerRepository(partners_table), clock=clock, base_url="https://x"
    )
    partner_id = f"p{suffix}"
    partners.register(RegisterPartner(partner_id=partner_id, name="Contoso"))
    store = TableTeamStore(partners_table)
    team = TeamRoster(store=store, partners=partners, clock=clock)
    routing = RoutingSettingsService(store=store, team=team)
    repository = TableLeadRepository(leads_table)
    intakes = [
        IntakeService(
            activity=RecordingActivity(),
            events=LeadEvents(policy=LeadPolicy()),
            partners=partners, leads=repository, publisher=RecordingPublisher(), clock=clock,
            policy=LeadPolicy(), spam_domains=SpamDomains.from_lines([]),
            router=LeadRouter(
                settings=routing, team=team, rotation=TablePoolRotation(leads_table), clock=clock
            ),
        )
        for _worker in range(2)
    ]  # fmt: skip
    actions = LeadActions(
        events=LeadEvents(policy=LeadPolicy()),
        leads=repository, favorites=NoFavorites(), publisher=RecordingPublisher(),
        clock=clock, policy=LeadPolicy(),
    )  # fmt: skip
    lister = RecordingLister(TableLeadLister(leads_table))
    listing = LeadListing(
        lister=lister, leads=repository, favorites=NoFavorites(), clock=clock,
        policy=LeadPolicy(), tokens=PagingTokens(b"k"),
    )  # fmt: skip
    world = World(
        partner_id, leads_table, intakes, team, routing,
        LeadAssignment(actions=actions, team=team, clock=clock), repository, lister, listing,
    )  # fmt: skip
    for user in [ADMIN, *USERS]:
        team.record_visit(world.principal(user))
    try:
        yield world
    finally:
        service.delete_table(partners_table.table_name)
        service.delete_table(leads_table.table_name)


def test_a_hundred_leads_at_once_split_exactly_by_weight(world: World) -> None:
    a, b, c = (user_member_id(user.user_id) for user in USERS)
    admin = world.principal(ADMIN)
    world.team.update(admin, c, UpdateTeamMember(weight=2))
    world.routing.replace(admin, RoutingSettings(enabled=True, default_pool=[a, b, c]), None)
    start = threading.Barrier(16)

    def land(n: int) -> str:
        if n < 16:
            start.wait()  # the first sixteen (a queue trigger's batch) start together
        return world.refer(n)

    # 16 at a time, as a queue trigger takes a batch of deliveries, over two workers whose
    # routers race on the counter's ETag (each worker's own requests take turns on a lock)
    with ThreadPoolExecutor(max_workers=16) as pool:
        lead_ids = list(pool.map(land, range(100)))
    owners = Counter(world.repository.get(world.partner_id, i).owner.id for i in lead_ids)  # type: ignore[union-attr]
    assert owners == {a: 25, b: 25, c: 50}


def test_owner_me_and_none_pages_examine_only_what_they_list(world: World) -> None:
    ana, ben = (world.principal(user) for user in USERS[:2])
    admin = world.principal(ADMIN)
    lead_ids = [world.refer(n) for n in range(15)]
    for lead_id in lead_ids[:5]:
        world.assignment.assign(admin, lead_id, AssignLead(member_id=user_member_id("a")), None)
    for lead_id in lead_ids[5:10]:
        world.assignment.assign(admin, lead_id, AssignLead(member_id=user_member_id("b")), None)
    for owner, who, expected in [("me", ana, lead_ids[:5]), ("none", ben, lead_ids[10:])]:
        world.lister.take()
        query = LeadQuery(view="qualified", status="Received", owner=owner, page_size=3)
        first = world.listing.page(who, query)
        calls = world.lister.take()
        assert [item.id for item in first.items] == list(reversed(expected))[:3]
        # the first page examines its 3 leads of the 15 active ones (the next is the stop key)
        assert sum(examined(world.leads, call) for call in calls) == 3, owner
    every = world.listing.page(ana, LeadQuery(view="qualified", owner="me", page_size=50))
    assert {item.id for item in every.items} == set(lead_ids[:5])  # active and archived ranges
