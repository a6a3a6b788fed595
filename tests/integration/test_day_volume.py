"""A partner's busiest day on Azurite: 5,000 new leads at the largest DIGEST_THRESHOLD allowed.

Every new lead asks its day's counter for a slot (table_daily_counter.py); past the threshold it
is held for the digest (`H|`), and the next day's digests carry every held lead. No row of the
partition may outgrow what Table storage allows, whatever the volume.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters.clock import FixedClock
from shared.adapters.table_daily_counter import TableDailyCounter
from shared.adapters.table_digest_holds import TableDigestHolds
from shared.adapters.table_send_ledger import held_key
from shared.config import MAX_DIGEST_THRESHOLD
from shared.domain.delivery import HeldLead
from shared.domain.notification import DIGEST_MAX_LEADS
from shared.services.daily_digests import DailyDigests
from tests.support.azurite import Azurite
from tests.unit.fakes import InMemoryPartnerRepository, RecordingPublisher

P = "contoso"
DAY = date(2026, 11, 23)
LEADS = 5_000
MAX_STRING = 32 * 1024  # UTF-16 code units in one string property
MAX_PROPERTIES = 252


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> Iterator[TableClient]:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    yield service.create_table(f"{unique_name}Leads")
    service.delete_table(f"{unique_name}Leads")


def _fits(entity: Any) -> bool:
    strings = [value for value in entity.values() if isinstance(value, str)]
    return len(entity) <= MAX_PROPERTIES and all(
        len(text.encode("utf-16-le")) // 2 <= MAX_STRING for text in strings
    )


def _hold(table: TableClient, lead_ids: list[str]) -> None:
    """The held rows the notifier writes for leads past the threshold (table_send_ledger.py)."""
    rows = [
        {"PartitionKey": P, "RowKey": held_key(HeldLead(DAY, lead_id)), "LeadId": lead_id,
         "Day": DAY.isoformat(), "NotificationId": uuid.uuid4().hex}
        for lead_id in lead_ids
    ]  # fmt: skip
    for start in range(0, len(rows), 100):
        table.submit_transaction([("create", row) for row in rows[start : start + 100]])


def test_five_thousand_new_leads_in_a_day_are_all_counted_and_the_rest_digested(
    table: TableClient,
) -> None:
    counter = TableDailyCounter(table)
    notifications = {uuid.uuid4().hex: uuid.uuid4().hex for _ in range(LEADS)}  # id -> lead

    def ask(notification_id: str) -> bool:
        return counter.take_slot(P, DAY, notification_id, MAX_DIGEST_THRESHOLD)

    # One after the other: exactness under concurrency is test_notification_tables.py's.
    slots = {notification_id: ask(notification_id) for notification_id in notifications}
    sent = [n for n, got in slots.items() if got]
    held = [notifications[n] for n, got in slots.items() if not got]
    assert len(sent) == MAX_DIGEST_THRESHOLD  # exactly the threshold
    assert ask(sent[-1]) is True  # a redelivered notification keeps its slot
    assert ask(next(n for n, got in slots.items() if not got)) is False

    _hold(table, held)
    publisher = RecordingPublisher()
    digests = DailyDigests(
        partners=InMemoryPartnerRepository(), holds=TableDigestHolds(table), publisher=publisher,
        clock=FixedClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC)),
    )  # fmt: skip
    counts = digests.run_partner(P, datetime(2026, 11, 24, 1, 0, tzinfo=UTC), limit=10_000).counts
    assert counts["leads"] == len(held) == LEADS - MAX_DIGEST_THRESHOLD
    assert counts["digests"] == math.ceil(len(held) / DIGEST_MAX_LEADS)
    digested = [lead_id for digest in publisher.published for lead_id in digest.lead_ids]
    assert sorted(digested) == sorted(held)  # each held lead in exactly one digest

    partition = list(table.query_entities("PartitionKey eq @p", parameters={"p": P}))
    assert {row["RowKey"][:2] for row in partition} == {"C|", "O|", "V|"}
    assert all(_fits(row) for row in partition)
    (day_row,) = (row for row in partition if row["RowKey"].startswith("C|"))
    assert day_row["Count"] == MAX_DIGEST_THRESHOLD
    outbox = [json.loads(row["Message"]) for row in partition if row["RowKey"].startswith("O|")]
    assert max(len(message["leadIds"]) for message in outbox) == DIGEST_MAX_LEADS


def test_the_day_counter_never_holds_more_ids_than_the_threshold(table: TableClient) -> None:
    counter = TableDailyCounter(table)
    for _ in range(3):
        counter.take_slot(P, DAY + timedelta(days=1), uuid.uuid4().hex, 2)
    (row,) = table.query_entities("RowKey eq @k", parameters={"k": f"C|{DAY + timedelta(days=1)}"})
    assert row["Count"] == 2
