"""The intake journal against a real Azurite: the raw body as bytes, a received row moved to the
settled range in one batch under its ETag, the relay's due rows, and listing newest first across
day partitions, received and settled rows merged."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters.table_delivery_journal import TableDeliveryJournal
from shared.domain.errors import ConcurrentModification
from shared.domain.intake_journal import JournalEntry, JournalStatus, new_delivery_id
from shared.services.journal_ports import JournalFilter
from tests.support.azurite import Azurite

NOW = datetime(2026, 11, 23, 23, 59, 59, 500_000, tzinfo=UTC)


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    return service.create_table(f"{unique_name}Deliveries")


@pytest.fixture
def journal(table: TableClient) -> TableDeliveryJournal:
    return TableDeliveryJournal(table)


def _entry(at: datetime, body: bytes = b'{"a": 1}', partner: str = "contoso") -> JournalEntry:
    return JournalEntry(
        delivery_id=new_delivery_id(at),
        partner_id=partner,
        received_at=at,
        sha256=hashlib.sha256(body).hexdigest(),
        body=body,
    )


def test_a_body_past_one_binary_column_comes_back_byte_for_byte(
    journal: TableDeliveryJournal,
) -> None:
    body = bytes(range(256)) * 600  # 150 KiB: three 64 KiB binary columns, not UTF-8 at all
    entry = _entry(NOW, body)
    journal.record(entry, relay_at=NOW + timedelta(minutes=1))
    stored = journal.get(entry.delivery_id)
    assert stored is not None
    assert stored.body == body
    assert (stored.received_at, stored.status) == (NOW, JournalStatus.RECEIVED)
    summary = journal.get(entry.delivery_id, with_body=False)
    assert summary is not None
    assert summary.body is None


def test_the_acknowledgement_stores_no_outcome_before_there_is_one(
    journal: TableDeliveryJournal, table: TableClient
) -> None:
    entry = _entry(NOW)
    journal.record(entry, relay_at=NOW + timedelta(minutes=1))
    (row,) = table.list_entities()
    assert set(row) == {
        "PartitionKey", "RowKey", "PartnerId", "Sha256", "Source", "BodyBytes", "BodyChunks",
        "NextRelayAt", "Body0",
        "DeliveryId", "ReceivedAt", "Status",  # for the previous version, which reads them
    }  # fmt: skip
    assert (row["DeliveryId"], row["ReceivedAt"], row["Status"]) == (
        entry.delivery_id,
        NOW,
        "Received",
    )
    assert journal.get(entry.delivery_id) == replace(entry, etag=row.metadata["etag"])


def test_a_row_of_the_earlier_layout_reads_the_same(
    journal: TableDeliveryJournal, table: TableClient
) -> None:
    """Rows written before the journal left derivable columns out spelled every one."""
    entry = _entry(NOW)
    journal.record(entry, relay_at=NOW + timedelta(minutes=1))
    (row,) = table.list_entities()
    table.update_entity(
        {
            "PartitionKey": row["PartitionKey"],
            "RowKey": row["RowKey"],
            "DeliveryId": entry.delivery_id,
            "ReceivedAt": entry.received_at,
            "Status": "Received",
            "LeadId": "",
            "Reason": "",
            "Attempts": 0,
            "Relays": 0,
        }
    )
    stored = journal.get(entry.delivery_id)
    assert stored is not None
    assert replace(stored, etag=None) == entry
    listed = journal.page(
        JournalFilter(
            received_from=NOW - timedelta(hours=1),
            received_to=NOW + timedelta(hours=1),
            status=JournalStatus.RECEIVED,
        ),
        None,
        10,
    )
    assert [found.delivery_id for found in listed.entries] == [entry.delivery_id]
    due = journal.pending(NOW.date(), NOW + timedelta(minutes=2))
    assert [pending.delivery_id for pending in due] == [entry.delivery_id]


def test_settling_moves_the_row_and_a_stale_settle_loses(
    journal: TableDeliveryJournal, table: TableClient
) -> None:
    entry = _entry(NOW)
    journal.record(entry, relay_at=NOW + timedelta(minutes=1))
    read = journal.get(entry.delivery_id)
    assert read is not None
    assert [p.delivery_id for p in journal.pending(NOW.date(), NOW + timedelta(minutes=2))] == [
        entry.delivery_id
    ]
    assert journal.pending(NOW.date(), NOW) == []  # not due before its minute is up
    settled = read.settled(JournalStatus.CREATED, now=NOW, attempts=1, lead_id="lead-1")
    journal.settle(settled)
    with pytest.raises(ConcurrentModification):
        journal.settle(read.settled(JournalStatus.DUPLICATE, now=NOW, attempts=1))
    after = journal.get(entry.delivery_id, with_body=False)
    assert after is not None
    assert (after.status, after.lead_id, after.attempts) == (JournalStatus.CREATED, "lead-1", 1)
    assert journal.pending(NOW.date(), NOW + timedelta(days=1)) == []
    rows = [row["RowKey"][:2] for row in table.list_entities()]
    assert rows == ["J|"]
    settled_again = journal.get(entry.delivery_id)
    assert settled_again is not None
    assert settled_again.body == b'{"a": 1}'  # the body moved with it


def test_reopen_brings_back_the_pending_row_and_postpone_backs_it_off(
    journal: TableDeliveryJournal,
) -> None:
    entry = _entry(NOW)
    journal.record(entry, relay_at=NOW)
    read = journal.get(entry.delivery_id)
    assert read is not None
    quarantined = journal.settle(
        read.settled(JournalStatus.QUARANTINED, now=NOW, attempts=5, reason="RuntimeError: x")
    )
    reopened = journal.reopen(quarantined, relay_at=NOW + timedelta(minutes=1))
    assert (reopened.status, reopened.reason, reopened.attempts) == (
        JournalStatus.RECEIVED,
        None,
        5,
    )
    (pending,) = journal.pending(NOW.date(), NOW + timedelta(minutes=1))
    journal.postpone(NOW.date(), pending, NOW + timedelta(minutes=3))
    journal.postpone(NOW.date(), pending, NOW + timedelta(minutes=9))  # stale: ignored
    assert journal.pending(NOW.date(), NOW + timedelta(minutes=2)) == []
    (again,) = journal.pending(NOW.date(), NOW + timedelta(minutes=3))
    assert again.relays == 1


def test_listing_runs_newest_first_across_days_with_filters_and_pages(
    journal: TableDeliveryJournal,
) -> None:
    instants = [NOW - timedelta(hours=10 * i) for i in range(6)]  # over three UTC days
    entries = [
        _entry(at, partner="contoso" if i % 2 else "fabrikam") for i, at in enumerate(instants)
    ]
    for i, entry in enumerate(entries):
        journal.record(entry, relay_at=entry.received_at)
        if i in {1, 2, 4}:  # settled ones sort among the received by arrival, not by state
            read = journal.get(entry.delivery_id)
            assert read is not None
            journal.settle(read.settled(JournalStatus.CREATED, now=NOW, attempts=1))
    window = JournalFilter(NOW - timedelta(days=5), NOW)
    first = journal.page(window, None, 4)
    assert [e.delivery_id for e in first.entries] == [e.delivery_id for e in entries[:4]]
    assert all(e.body is None for e in first.entries)
    second = journal.page(window, first.resume, 4)
    assert [e.delivery_id for e in second.entries] == [e.delivery_id for e in entries[4:]]
    assert second.resume is None

    contoso = journal.page(replace(window, partner_id="contoso"), None, 10).entries
    assert [e.delivery_id for e in contoso] == [e.delivery_id for e in entries[1::2]]
    narrow = JournalFilter(instants[3], instants[1])
    assert [e.delivery_id for e in journal.page(narrow, None, 10).entries] == [
        e.delivery_id for e in entries[1:4]
    ]
    quarantined = replace(window, status=JournalStatus.QUARANTINED)
    assert journal.page(quarantined, None, 10).entries == []
    created = journal.page(replace(window, status=JournalStatus.CREATED), None, 10).entries
    assert [e.delivery_id for e in created] == [entries[i].delivery_id for i in (1, 2, 4)]
    received = journal.page(replace(window, status=JournalStatus.RECEIVED), None, 10).entries
    assert [e.delivery_id for e in received] == [entries[i].delivery_id for i in (0, 3, 5)]
