"""The send-digests job against a real Azurite: racing runs, a digest of 500 leads."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters import lead_rows as rows
from shared.adapters.clock import FixedClock
from shared.adapters.table_digest_holds import TableDigestHolds
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.adapters.table_partner_repository import TablePartnerRepository
from shared.domain.notification import Notification, NotificationKind
from shared.domain.partner import Partner
from shared.services.daily_digests import DailyDigests
from tests.support.azurite import Azurite
from tests.support.leads import make_lead
from tests.unit.fakes import RecordingPublisher

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
P = "contoso"


@pytest.fixture
def service(azurite: Azurite) -> TableServiceClient:
    return TableServiceClient.from_connection_string(azurite.connection_string)


@pytest.fixture
def table(service: TableServiceClient, unique_name: str) -> TableClient:
    return service.create_table(f"{unique_name}Leads")


def _keys(table: TableClient, prefix: str) -> list[str]:
    query = "PartitionKey eq @p and RowKey ge @start and RowKey lt @end"
    found = table.query_entities(
        query, parameters={"p": P, "start": prefix, "end": rows.key_after(prefix)}
    )
    return sorted(entity["RowKey"] for entity in found)


def _held(
    service: TableServiceClient, unique_name: str, table: TableClient, count: int
) -> tuple[DailyDigests, RecordingPublisher, list[str]]:
    """`count` leads held on 2 Nov 2026 (Berlin), arriving a minute and a half apart."""
    partners = TablePartnerRepository(service.create_table(f"{unique_name}Partners"))
    partners.add(
        Partner(
            partner_id=P,
            name="Contoso",
            time_zone="Europe/Berlin",
            intake_key_hash="x",
            created_at=T0,
            intake_key_rotated_at=T0,
        )
    )
    repository = TableLeadRepository(table)
    day = date(2026, 11, 2)
    first = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    leads = [make_lead(P, at=first + timedelta(seconds=90 * i)) for i in range(count)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(repository.add, leads))
    held = [
        {"PartitionKey": P, "RowKey": f"H|{day}|{lead.id}", "LeadId": lead.id, "Day": str(day)}
        for lead in leads
    ]
    for start in range(0, len(held), 100):
        table.submit_transaction([("create", entity) for entity in held[start : start + 100]])
    publisher = RecordingPublisher()
    job = DailyDigests(
        partners=partners,
        holds=TableDigestHolds(table),
        publisher=publisher,
        clock=FixedClock(first + timedelta(days=2)),
    )
    return job, publisher, [lead.id for lead in leads]


def test_two_concurrent_digest_runs_put_each_held_lead_in_one_digest(
    service: TableServiceClient, unique_name: str, table: TableClient
) -> None:
    job, publisher, ids = _held(service, unique_name, table, 150)
    start = threading.Barrier(2)

    def run(_: int) -> Counter[str]:
        start.wait()
        return job.run_partner(P, datetime(2026, 11, 3, tzinfo=UTC), limit=10_000).counts

    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(run, range(2)))

    assert sum(c["leads"] for c in counts) == 150
    listed = [lead_id for n in publisher.published for lead_id in n.lead_ids]
    assert sorted(listed) == sorted(ids)  # every lead once, none twice
    assert _keys(table, rows.HELD) == []


def test_a_day_of_500_held_leads_is_one_digest_listing_each_lead_once(
    service: TableServiceClient, unique_name: str, table: TableClient
) -> None:
    job, publisher, ids = _held(service, unique_name, table, 500)

    run = job.run_partner(P, datetime(2026, 11, 2, 23, 0, tzinfo=UTC), limit=10_000)

    assert dict(run.counts) == {"digests": 1, "leads": 500}
    assert _keys(table, rows.HELD) == []
    record = table.get_entity(P, f"{rows.DIGEST_RELEASE}2026-11-02")
    assert json.loads(rows.unchunked(record, "Ids")) == []  # the release finished
    owed = [
        Notification.model_validate_json(table.get_entity(P, key)["Message"])
        for key in _keys(table, rows.OUTBOX)
    ]
    assert {n.kind for n in owed} == {NotificationKind.DAILY_DIGEST}
    assert sorted(n.id for n in owed) == sorted(n.id for n in publisher.published)
    listed = [lead_id for n in publisher.published for lead_id in n.lead_ids]
    assert listed == ids  # earliest arrival (closest to expiry) first, not in key order
    assert sorted(ids) != ids
    again = job.run_partner(P, datetime(2026, 11, 3, 23, 0, tzinfo=UTC), limit=10_000)
    assert dict(again.counts) == {}


def test_a_release_cut_short_by_a_crash_is_finished_and_its_leads_never_sent_again(
    service: TableServiceClient, unique_name: str, table: TableClient
) -> None:
    job, publisher, ids = _held(service, unique_name, table, 150)
    # A run released the first 120 in a digest, deleted 98 of their held rows, then crashed:
    # the release record still names the 22 rows it had yet to delete.
    crashed, late = ids[:120], ids[120:]
    record = {"PartitionKey": P, "RowKey": f"{rows.DIGEST_RELEASE}2026-11-02"}
    table.create_entity(record | rows.chunked("Ids", json.dumps(crashed[98:])))
    table.submit_transaction(
        [("delete", {"PartitionKey": P, "RowKey": f"H|2026-11-02|{i}"}) for i in crashed[:98]]
    )

    run = job.run_partner(P, datetime(2026, 11, 3, tzinfo=UTC), limit=10_000)

    assert dict(run.counts) == {"digests": 1, "leads": 30}
    (digest,) = publisher.published
    assert sorted(digest.lead_ids) == sorted(late)  # not one of the crashed release's leads
    assert _keys(table, rows.HELD) == []
