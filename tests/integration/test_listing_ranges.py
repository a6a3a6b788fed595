"""The listing ranges on Azurite: leads awaiting an answer are kept apart from the other active
leads, so the respond-by order never steps over them twice, and lists made before that split
(awaiting leads' copies still in the active range) read the same.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.clock import FixedClock
from shared.adapters.table_favorite_store import TableFavoriteStore
from shared.adapters.table_lead_lister import TableLeadLister
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.lead import MARKETPLACE, Actor, Lead, LeadDetails
from shared.domain.lead_parts import Deal, Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadType,
    Quality,
    QualityRating,
    View,
)
from shared.domain.model import parse_model
from shared.domain.principal import Principal
from shared.services.lead_listing import LeadListing
from shared.services.lead_query import LeadQuery
from shared.services.paging import PagingTokens
from shared.services.ports import LeadBatch, ListingRange
from tests.support.azurite import Azurite

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICY = LeadPolicy()
PARTNER = "contoso"
USER = Principal(user_id="u-1", roles=frozenset({"Referrals.Admin"}), partner_id=PARTNER)
AWAITING, ANSWERED, PAGE = 12, 8, 5


def _lead(number: int, *, accepted: bool) -> Lead:
    created = NOW - timedelta(hours=number)
    details = LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.PROFILE,
        interaction=Interaction(
            action_code="PLT", call_to_action=CallToAction.CONTACT_ME, at=created
        ),
        customer=Customer(email=f"c{number}@fabrikam.example", company=f"Company {number}"),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=True,
        contact_requested=True,
    )
    lead = Lead.receive(
        lead_id=uuid.uuid4().hex, partner_id=PARTNER, dedup_key=uuid.uuid4().hex,
        details=details, actor=MARKETPLACE, now=created, policy=POLICY,
    )  # fmt: skip
    if accepted:
        lead.accept(Deal(name="Deal"), team=[], contacts=[], actor=Actor("Ana", "u-1"), now=NOW)
    return lead


@dataclass
class CountingLister(TableLeadLister):
    """Counts the copies each listing range returned (with no column filter, what it read)."""

    read: dict[ListingRange, int] = field(default_factory=dict)

    def __init__(self, table: TableClient) -> None:
        super().__init__(table)
        self.read = {}

    def page(self, partner_id: str, view: View, *, listing: ListingRange, **rest: Any) -> LeadBatch:
        batch = super().page(partner_id, view, listing=listing, **rest)
        self.read[listing] = self.read.get(listing, 0) + len(batch.items)
        return batch


@dataclass
class World:
    table: TableClient
    lister: CountingLister
    listing: LeadListing
    awaiting: list[Lead]  # newest first
    answered: list[Lead]


@pytest.fixture
def world(azurite: Azurite) -> Iterator[World]:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    name = f"ranges{uuid.uuid4().hex[:10]}"
    table = service.create_table(name)
    repository = TableLeadRepository(table)
    # Interleaved in arrival order, so a range holding both would step over one to reach the other.
    leads = [repository.add(_lead(n, accepted=n % 2 == 1 and n < 2 * ANSWERED))
             for n in range(AWAITING + ANSWERED)]  # fmt: skip
    lister = CountingLister(table)
    listing = LeadListing(
        lister=lister, leads=repository, favorites=TableFavoriteStore(table),
        clock=FixedClock(NOW), policy=POLICY, tokens=PagingTokens(b"test-key"),
    )  # fmt: skip
    awaiting = [lead for lead in leads if lead.deal is None]
    answered = [lead for lead in leads if lead.deal is not None]
    try:
        yield World(table, lister, listing, awaiting, answered)
    finally:
        service.delete_table(name)


def _pages(world: World, **params: object) -> list[list[str]]:
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        query = parse_model(LeadQuery, {**params, "pageSize": PAGE, "continuationToken": token})
        page = world.listing.page(USER, query)
        pages.append([item.id for item in page.items])
        token = page.continuation_token
        if token is None:
            return pages


def _respond_by_order(world: World) -> list[str]:
    soonest = sorted(world.awaiting, key=lambda lead: lead.respond_by or NOW)
    return [lead.id for lead in soonest] + [lead.id for lead in world.answered]


def test_awaiting_and_answered_leads_are_kept_in_their_own_ranges(world: World) -> None:
    keys = [entity["RowKey"] for entity in world.table.query_entities(
        "PartitionKey eq @p", parameters={"p": PARTNER}, select=["RowKey"])]  # fmt: skip
    assert len([key for key in keys if key.startswith(rows.AWAITING)]) == AWAITING
    assert len([key for key in keys if key.startswith(rows.ACTIVE)]) == ANSWERED


def test_respond_by_never_reads_an_awaiting_lead_from_a_listing_range(world: World) -> None:
    pages = _pages(world, sort="respondBy")
    assert [lead_id for page in pages for lead_id in page] == _respond_by_order(world)
    # The awaiting leads come from the expiry index; the listing ranges give only the others.
    assert world.lister.read.get(ListingRange.AWAITING, 0) == 0
    assert world.lister.read[ListingRange.ACTIVE] == ANSWERED


def test_newest_first_merges_the_three_ranges(world: World) -> None:
    pages = _pages(world)
    newest_first = sorted(
        world.awaiting + world.answered, key=lambda lead: -lead.created_at.timestamp()
    )
    assert [lead_id for page in pages for lead_id in page] == [lead.id for lead in newest_first]
    assert all(len(page) == PAGE for page in pages)
    # Each page examines at most twice its size, however the leads are spread over the ranges.
    assert sum(world.lister.read.values()) <= 2 * PAGE * len(pages)


def test_an_awaiting_lead_stored_before_the_split_is_listed_once(world: World) -> None:
    legacy = world.awaiting[0]
    _move_copy(world.table, legacy, rows.AWAITING, rows.ACTIVE)
    newest = [lead_id for page in _pages(world) for lead_id in page]
    assert newest.count(legacy.id) == 1
    respond_by = [lead_id for page in _pages(world, sort="respondBy") for lead_id in page]
    assert respond_by == _respond_by_order(world)
    received = [lead_id for page in _pages(world, status="Received") for lead_id in page]
    assert received.count(legacy.id) == 1


def _move_copy(table: TableClient, lead: Lead, old: str, new: str) -> None:
    """Rewrite a lead's listing copy under the key it had before awaiting leads had a range."""
    old_key = rows.listing_key(lead)
    assert old_key.startswith(old)
    new_key = new + old_key[len(old) :]
    copy = dict(table.get_entity(PARTNER, old_key))
    table.create_entity({**copy, "RowKey": new_key})
    table.delete_entity(PARTNER, old_key)
    stored = dict(table.get_entity(PARTNER, f"{rows.LEAD}{lead.id}"))
    keys = [new_key if key == old_key else key for key in json.loads(stored["IndexKeys"])]
    table.update_entity({**stored, "IndexKeys": json.dumps(keys)}, mode=UpdateMode.REPLACE)
