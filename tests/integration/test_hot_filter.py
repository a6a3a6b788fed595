"""`hot` means one thing everywhere: one table of cases through every path that decides it.

The paths: the stored query on Azurite (newest first, and the in-memory sorts that read the
same ranges), the export, the favourites view (leads fetched by id, filtered in memory) and the
lead view's `hot` field. A lead is hot when the customer asked to be contacted, it still needs
an answer (Received and action-required: not accepted, not archived, not informational), its
email is not flagged as spam, and it arrived strictly less than the hot window ago.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableServiceClient

from shared.adapters.clock import FixedClock
from shared.adapters.table_favorite_store import TableFavoriteStore
from shared.adapters.table_lead_lister import TableLeadLister
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.lead import MARKETPLACE, Actor, Lead, LeadDetails
from shared.domain.lead_parts import Closure, Deal, Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    EmailValidity,
    LeadType,
    Quality,
    QualityRating,
    ReasonCode,
    View,
)
from shared.domain.principal import Principal
from shared.services.lead_actions import LeadActions
from shared.services.lead_events import LeadEvents
from shared.services.lead_listing import LeadListing
from shared.services.lead_query import LeadQuery
from shared.services.paging import PagingTokens
from tests.support.azurite import Azurite
from tests.unit.fakes import RecordingPublisher

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICY = LeadPolicy()
WINDOW = POLICY.hot_window
SECOND = timedelta(seconds=1)
PARTNER = "contoso"
USER = Principal(user_id="u-1", roles=frozenset({"Referrals.Admin"}), partner_id=PARTNER)
ACTOR = Actor("Ana", "u-1")


@dataclass(frozen=True)
class Case:
    name: str
    contact_requested: bool
    age: timedelta
    state: str  # "Received", "Accepted" or "Declined" (archived)
    hot: bool
    email: EmailValidity = EmailValidity.VALID
    requires_action: bool = True


CASES = [
    Case("asked, an hour old", True, timedelta(hours=1), "Received", True),
    Case("asked, a second inside the window", True, WINDOW - SECOND, "Received", True),
    Case("asked, exactly the window old", True, WINDOW, "Received", False),
    Case("asked, past the window", True, WINDOW + timedelta(hours=1), "Received", False),
    Case("not asked, an hour old", False, timedelta(hours=1), "Received", False),
    Case("asked, an hour old, accepted", True, timedelta(hours=1), "Accepted", False),
    Case("asked, an hour old, archived", True, timedelta(hours=1), "Declined", False),
    Case("not asked, archived", False, timedelta(hours=2), "Declined", False),
    Case("asked, an hour old, spam email", True, timedelta(hours=1), "Received", False,
         email=EmailValidity.SPAM),
    Case("asked, an hour old, invalid email", True, timedelta(hours=1), "Received", True,
         email=EmailValidity.INVALID),
    Case("asked, an hour old, informational", True, timedelta(hours=1), "Received", False,
         requires_action=False),
]  # fmt: skip


def _lead(case: Case) -> Lead:
    created = NOW - case.age
    details = LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.PROFILE,
        interaction=Interaction(
            action_code="PLT",
            call_to_action=CallToAction.CONTACT_ME if case.contact_requested else None,
            at=created,
        ),
        customer=Customer(email="mia@fabrikam.example", company=case.name),
        quality=Quality(rating=QualityRating.HIGH),
        email_validity=case.email,
        requires_action=case.requires_action,
        contact_requested=case.contact_requested,
    )
    lead = Lead.receive(
        lead_id=uuid.uuid4().hex, partner_id=PARTNER, dedup_key=uuid.uuid4().hex,
        details=details, actor=MARKETPLACE, now=created, policy=POLICY,
    )  # fmt: skip
    if case.state == "Accepted":
        lead.accept(Deal(name="Deal", notes="n"), team=[], contacts=[], actor=ACTOR, now=created)
    elif case.state == "Declined":
        lead.decline(Closure(reason=ReasonCode.OTHER), actor=ACTOR, now=created)
    return lead


@dataclass
class World:
    listing: LeadListing
    actions: LeadActions  # GET /api/leads/{id}
    leads: dict[str, Lead]  # by case name, as stored


@pytest.fixture(scope="module")
def world(azurite: Azurite) -> Iterator[World]:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    name = f"hot{uuid.uuid4().hex[:10]}"
    table = service.create_table(name)
    repository, favorites = TableLeadRepository(table), TableFavoriteStore(table)
    stored = {}
    for case in CASES:
        lead = repository.add(_lead(case))
        favorites.add(PARTNER, USER.user_id, lead)
        stored[case.name] = lead
    listing = LeadListing(
        lister=TableLeadLister(table), leads=repository, favorites=favorites,
        clock=FixedClock(NOW), policy=POLICY, tokens=PagingTokens(b"test-key"),
    )  # fmt: skip
    actions = LeadActions(
        events=LeadEvents(policy=POLICY),
        leads=repository, favorites=favorites, publisher=RecordingPublisher(),
        clock=FixedClock(NOW), policy=POLICY,
    )  # fmt: skip
    try:
        yield World(listing, actions, stored)
    finally:
        service.delete_table(name)


def _listed(world: World, **query: object) -> set[str]:
    listed: set[str] = set()
    token: str | None = None
    while True:  # small pages: the continuation of each range is exercised too
        paging = {"pageSize": 3, "continuationToken": token}
        page = world.listing.page(USER, LeadQuery.model_validate({**query, **paging}))
        listed.update(item.id for item in page.items)
        token = page.continuation_token
        if token is None:
            return listed


def _exported(world: World, **query: object) -> set[str]:
    return {view.id for view in world.listing.all_matching(USER, LeadQuery.model_validate(query))}


PATHS: dict[str, Callable[[World, bool], set[str]]] = {
    "stored query, newest first": lambda w, hot: _listed(w, hot=hot),
    "stored query, sorted in memory": lambda w, hot: _listed(w, hot=hot, sort="customer"),
    "stored query, archived only": lambda w, hot: _listed(w, hot=hot, status="Archived"),
    "export": lambda w, hot: _exported(w, hot=hot),
    "favourites (in memory)": lambda w, hot: _listed(w, hot=hot, view="favorites"),
}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("wanted", [True, False], ids=["hot=true", "hot=false"])
def test_the_hot_filter_keeps_a_lead_exactly_when_it_is_hot(
    world: World, case: Case, path: str, wanted: bool
) -> None:
    lead = world.leads[case.name]
    in_scope = path != "stored query, archived only" or case.state == "Declined"
    assert (lead.id in PATHS[path](world, wanted)) is (in_scope and case.hot is wanted)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_lead_view_says_hot_exactly_when_the_filter_does(world: World, case: Case) -> None:
    view = world.actions.get(USER, world.leads[case.name].id)
    assert view.hot is case.hot
    # `hotUntil` is the window's end for a lead that is or was hot, and absent otherwise.
    could_be_hot = case.hot or case.name.startswith(("asked, exactly", "asked, past"))
    assert (view.hot_until is not None) is could_be_hot
