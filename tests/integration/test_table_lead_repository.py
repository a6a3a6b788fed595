"""The lead repository against a real Azurite: batches, index rows, ETags, the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters.table_lead_repository import TableLeadRepository
from shared.adapters.table_outbox_store import TableOutboxStore
from shared.domain.errors import ConcurrentModification, DependencyUnavailable, NotFound
from shared.domain.lead import MARKETPLACE, Lead, LeadDetails
from shared.domain.lead_parts import Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadStatus,
    LeadType,
    Outcome,
    Quality,
    QualityRating,
    View,
)
from shared.domain.notification import Notification, NotificationKind
from shared.services.ports import IdempotencyRecord
from tests.support.azurite import Azurite

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    return service.create_table(f"{unique_name}Leads")


@pytest.fixture
def repository(table: TableClient) -> TableLeadRepository:
    return TableLeadRepository(table)


def _lead(lead_id: str = "lead-1", *, contact_me: bool = True, description: str = "") -> Lead:
    details = LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS",
            call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
            at=NOW,
        ),
        customer=Customer(email="mia@fabrikam.de", company="Fabrikam"),
        description=description or None,
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
    )
    return Lead.receive(
        lead_id=lead_id,
        partner_id="contoso",
        dedup_key=f"dedup-{lead_id}",
        details=details,
        actor=MARKETPLACE,
        now=NOW,
        policy=LeadPolicy(),
    )


def _row_keys(table: TableClient) -> list[str]:
    return sorted(entity["RowKey"] for entity in table.list_entities(select=["RowKey"]))


def test_a_new_lead_is_written_with_its_rows_in_one_batch(
    repository: TableLeadRepository, table: TableClient
) -> None:
    lead = _lead()
    owed = Notification.about_lead(
        NotificationKind.NEW_LEAD, partner_id="contoso", lead_id=lead.id, now=NOW
    )
    repository.add(lead, outbox=[owed])
    keys = _row_keys(table)
    # Awaiting an answer: its listing copy is in the awaiting range (U|), not the active one.
    assert [key[:2] for key in keys] == ["D|", "E|", "L|", "O|", "Q|", "Q|", "R|", "U|", "W|"]
    listing = next(key for key in keys if key.startswith("U|"))
    assert f"W|-|marketplace|{listing.split('|')[2]}|lead-1" in keys  # unowned, in list order
    assert {"Q|fabrikam|lead-1", "Q|mia@fabrikam.de|lead-1"} <= set(keys)  # search rows
    assert "E|2026-12-07T09:00:00.000000Z|lead-1" in keys
    assert "R|2026-12-05T09:00:00.000000Z|lead-1" in keys  # reminded 48 hours before
    stored = repository.get("contoso", "lead-1")
    assert stored.model_dump() == lead.model_dump()
    assert stored.etag


def test_a_long_description_survives_the_round_trip(repository: TableLeadRepository) -> None:
    text = "\U0001d518" * 8000 + "é" * 8000  # astral characters count twice in UTF-16
    repository.add(_lead(description=text))
    assert repository.get("contoso", "lead-1").description == text


def test_the_same_customer_and_offer_is_claimed_once(repository: TableLeadRepository) -> None:
    repository.add(_lead("first"))
    rival = _lead("second").model_copy(update={"dedup_key": "dedup-first"})
    with pytest.raises(ConcurrentModification):
        repository.add(rival)
    with pytest.raises(NotFound):
        repository.get("contoso", "second")  # the failed batch left nothing behind
    record = repository.find_dedup("contoso", "dedup-first")
    assert record is not None
    assert record.lead_id == "first"
    assert record.stages == {"ContactMe"}


def test_a_missing_table_is_an_outage_not_a_lost_race(
    repository: TableLeadRepository, table: TableClient
) -> None:
    # Deleted by hand or not yet restored: retrying the race would only spin; the store is down.
    table.delete_table()
    with pytest.raises(DependencyUnavailable) as raised:
        repository.add(_lead())
    assert not isinstance(raised.value, ConcurrentModification)


def test_a_stale_save_loses(repository: TableLeadRepository) -> None:
    repository.add(_lead())
    first, second = repository.get("contoso", "lead-1"), repository.get("contoso", "lead-1")
    first.description = "first"
    repository.save(first)
    second.description = "second"
    with pytest.raises(ConcurrentModification):
        repository.save(second)
    assert repository.get("contoso", "lead-1").description == "first"


def test_archiving_moves_the_listing_row_and_drops_the_due_row(
    repository: TableLeadRepository, table: TableClient
) -> None:
    repository.add(_lead())
    lead = repository.get("contoso", "lead-1")
    lead.status, lead.outcome = LeadStatus.ARCHIVED, Outcome.EXPIRED
    repository.save(lead)
    # The search rows stay: this bare status change kept the contact details.
    assert [key[:2] for key in _row_keys(table)] == ["D|", "L|", "Q|", "Q|", "Z|"]
    record = repository.find_dedup("contoso", "dedup-lead-1")
    assert record is not None
    assert record.archived


def test_outbox_rows_come_due_after_the_first_relay_delay(
    repository: TableLeadRepository, table: TableClient
) -> None:
    lead = _lead()
    owed = Notification.about_lead(
        NotificationKind.NEW_LEAD, partner_id="contoso", lead_id=lead.id, now=NOW
    )
    repository.add(lead, outbox=[owed])
    outbox = TableOutboxStore(table)
    assert outbox.pending("contoso", NOW + timedelta(minutes=1)) == []
    (entry,) = outbox.pending("contoso", NOW + timedelta(minutes=3))
    assert entry.notification == owed
    outbox.reschedule(entry, NOW + timedelta(hours=1))
    assert outbox.pending("contoso", NOW + timedelta(minutes=30)) == []
    outbox.complete("contoso", owed.id)
    assert outbox.pending("contoso", NOW + timedelta(days=1)) == []


def test_idempotency_keeps_the_first_answer(repository: TableLeadRepository) -> None:
    first = IdempotencyRecord(key="k", body_hash="h1", lead_id="a", receipt='{"x": 1}')
    second = IdempotencyRecord(key="k", body_hash="h2", lead_id="b", receipt='{"x": 2}')
    assert repository.remember_idempotency("contoso", first) == first
    assert repository.remember_idempotency("contoso", second) == first
    assert repository.find_idempotency("contoso", "k") == first


def test_keys_that_cannot_exist_are_simply_absent(repository: TableLeadRepository) -> None:
    with pytest.raises(NotFound):
        repository.get("contoso", "bad#key?")
