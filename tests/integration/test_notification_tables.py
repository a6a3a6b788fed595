"""The notifier's rows against a real Azurite: ledger claims, completions, the exact daily count,
the feed's pages, held leads turned into a digest, preferences."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters import lead_rows as rows
from shared.adapters.table_daily_counter import TableDailyCounter
from shared.adapters.table_digest_holds import TableDigestHolds
from shared.adapters.table_feed_reader import TableFeedReader
from shared.adapters.table_preference_store import TablePreferenceStore, user_key
from shared.adapters.table_send_ledger import TableSendLedger
from shared.domain.delivery import Completion, DeliveryStatus, FeedItem, HeldLead
from shared.domain.errors import ConcurrentModification
from shared.domain.notification import Notification, NotificationKind
from shared.domain.recipients import EmailPreferences
from tests.support.azurite import Azurite

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PARTNER = "contoso"


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    return service.create_table(f"{unique_name}Leads")


def _notification(lead_id: str = "lead-1", at: datetime = NOW) -> Notification:
    return Notification.about_lead(
        NotificationKind.NEW_LEAD, partner_id=PARTNER, lead_id=lead_id, now=at
    )


def _feed(notification: Notification) -> FeedItem:
    return FeedItem(notification.id, "NewLead", notification.lead_id, "New lead: X", NOW)


def _keys(table: TableClient) -> list[str]:
    return sorted(e["RowKey"] for e in table.query_entities("PartitionKey eq 'contoso'"))


def _outbox(table: TableClient, notification: Notification) -> None:
    table.create_entity({"PartitionKey": PARTNER, "RowKey": f"O|{notification.id}"})


def test_only_one_of_two_racing_claims_wins(table: TableClient) -> None:
    ledger, notification = TableSendLedger(table), _notification()
    lease = NOW + timedelta(minutes=1)
    entry = ledger.claim(notification, None, lease_until=lease, message_id="m1", feed=None)
    with pytest.raises(ConcurrentModification):
        ledger.claim(notification, None, lease_until=lease, message_id="m2", feed=None)
    found = ledger.find(PARTNER, notification.id)
    assert found is not None
    assert (found.status, found.lease_message_id, found.attempts) == ("Sending", "m1", 1)
    assert found.etag == entry.etag
    retry_at = NOW + timedelta(minutes=2)
    ledger.release(entry, reason="SendGrid answered 500", retry_at=retry_at)
    released = ledger.find(PARTNER, notification.id)
    assert released is not None
    # Pending, and still the owner's until its retry is due.
    assert (released.status, released.lease_until) == (DeliveryStatus.PENDING, retry_at)
    assert released.lease_message_id == "m1"
    # A retry claims under the released row's ETag; the stale ETag loses.
    again = ledger.claim(notification, released, lease_until=lease, message_id="m1", feed=None)
    assert again.attempts == 2
    with pytest.raises(ConcurrentModification):
        ledger.claim(notification, released, lease_until=lease, message_id="m3", feed=None)


def test_a_claim_writes_the_feed_entry_and_a_completion_clears_the_outbox(
    table: TableClient,
) -> None:
    ledger, notification = TableSendLedger(table), _notification()
    _outbox(table, notification)
    lease = NOW + timedelta(minutes=1)
    entry = ledger.claim(
        notification, None, lease_until=lease, message_id="m", feed=_feed(notification)
    )
    hold = HeldLead(date(2026, 11, 23), "lead-1")
    ledger.complete(entry, Completion(DeliveryStatus.HELD, reason="threshold", hold=hold))
    keys = _keys(table)
    assert f"O|{notification.id}" not in keys
    assert "H|2026-11-23|lead-1" in keys
    assert next(k for k in keys if k.startswith("N|")).endswith(f"|{notification.id}")
    row = table.get_entity(PARTNER, f"S|{notification.id}")
    assert (row["Status"], row["Reason"]) == ("Held", "threshold")


def test_completing_without_an_outbox_row_still_records(table: TableClient) -> None:
    ledger, notification = TableSendLedger(table), _notification()
    entry = ledger.claim(notification, None, lease_until=NOW, message_id="m", feed=None)
    ledger.complete(entry, Completion(DeliveryStatus.SENT, provider_message_id="x", recipients=2))
    row = table.get_entity(PARTNER, f"S|{notification.id}")
    assert (row["Status"], row["ProviderMessageId"], row["Recipients"]) == ("Sent", "x", 2)


def test_a_stale_owner_cannot_overwrite_but_a_sent_email_is_always_recorded(
    table: TableClient,
) -> None:
    ledger, notification = TableSendLedger(table), _notification()
    stale = ledger.claim(notification, None, lease_until=NOW, message_id="m1", feed=None)
    found = ledger.find(PARTNER, notification.id)
    ledger.claim(notification, found, lease_until=NOW, message_id="m2", feed=None)  # takeover
    ledger.complete(stale, Completion(DeliveryStatus.FAILED, reason="gave up", retryable=True))
    assert table.get_entity(PARTNER, f"S|{notification.id}")["Status"] == "Sending"
    ledger.complete(stale, Completion(DeliveryStatus.SENT))
    assert table.get_entity(PARTNER, f"S|{notification.id}")["Status"] == "Sent"


def test_eleven_racing_deliveries_get_exactly_ten_slots(table: TableClient) -> None:
    counter = TableDailyCounter(table)
    day = date(2026, 11, 23)

    def take(index: int) -> bool:
        return counter.take_slot(PARTNER, day, f"n{index}", 10)

    with ThreadPoolExecutor(max_workers=11) as pool:
        results = list(pool.map(take, range(11)))
    assert results.count(True) == 10
    loser = results.index(False)
    winner = results.index(True)
    assert counter.take_slot(PARTNER, day, f"n{winner}", 10)  # asking again keeps the slot
    assert not counter.take_slot(PARTNER, day, f"n{loser}", 10)
    assert counter.take_slot(PARTNER, date(2026, 11, 24), f"n{loser}", 10)  # a new day
    row = table.get_entity(PARTNER, "C|2026-11-23")
    assert row["Count"] == 10
    assert len(json.loads(rows.unchunked(row, "Counted"))) == 10


def test_the_feed_pages_newest_first(table: TableClient) -> None:
    ledger, reader = TableSendLedger(table), TableFeedReader(table)
    made = []
    for minutes in range(5):
        notification = _notification(f"lead-{minutes}", NOW + timedelta(minutes=minutes))
        item = FeedItem(
            notification.id, "NewLead", notification.lead_id, f"t{minutes}", notification.created_at
        )
        ledger.claim(notification, None, lease_until=NOW, message_id="m", feed=item)
        made.append(notification.id)
    first = reader.page(PARTNER, after=None, limit=2)
    second = reader.page(PARTNER, after=first.next_key, limit=2)
    last = reader.page(PARTNER, after=second.next_key, limit=2)
    seen = [i.notification_id for page in (first, second, last) for i in page.items]
    assert seen == list(reversed(made))
    assert last.next_key is None
    assert [i.title for i in first.items] == ["t4", "t3"]
    assert reader.page(PARTNER, after=None, limit=5).next_key is None


def test_held_leads_become_one_digest_in_one_batch(table: TableClient) -> None:
    ledger, holds = TableSendLedger(table), TableDigestHolds(table)
    for day, lead_id in [(23, "a"), (23, "b"), (24, "c")]:
        notification = _notification(lead_id)
        entry = ledger.claim(notification, None, lease_until=NOW, message_id="m", feed=None)
        hold = HeldLead(date(2026, 11, day), lead_id)
        ledger.complete(entry, Completion(DeliveryStatus.HELD, hold=hold))
    held = holds.held(PARTNER, through=date(2026, 11, 23))
    assert held == [HeldLead(date(2026, 11, 23), "a"), HeldLead(date(2026, 11, 23), "b")]
    listed = holds.day(PARTNER, date(2026, 11, 23))
    assert (listed.lead_ids, listed.version) == (("a", "b"), None)  # never released before
    digest = Notification.daily_digest(
        partner_id=PARTNER, day=date(2026, 11, 23), lead_ids=["a", "b"], now=NOW
    )
    version = holds.release(digest, listed.version)
    assert holds.held(PARTNER, through=date(2026, 11, 24)) == [HeldLead(date(2026, 11, 24), "c")]
    assert holds.day(PARTNER, date(2026, 11, 23)).version == version
    outbox = table.get_entity(PARTNER, f"O|{digest.id}")
    assert Notification.model_validate_json(outbox["Message"]) == digest
    with pytest.raises(ConcurrentModification):  # released already: nothing is sent twice
        holds.release(digest.model_copy(update={"id": "other"}), listed.version)


def test_preferences_round_trip_and_list_per_partner(table: TableClient) -> None:
    store = TablePreferenceStore(table)
    assert store.get(PARTNER, "user-1") is None
    saved = EmailPreferences(
        user_id="user-1", sign_in_email="ana@contoso.test", email_enabled=False, updated_at=NOW
    )
    store.put(PARTNER, saved)
    odd = EmailPreferences(user_id="a/b#c?", email="x@contoso.test", updated_at=NOW)
    store.put(PARTNER, odd)
    assert store.get(PARTNER, "user-1") == saved
    assert store.get(PARTNER, "a/b#c?") == odd
    assert user_key("a/b#c?").startswith("user|sha256-")
    table.create_entity({"PartitionKey": PARTNER, "RowKey": "profile"})
    assert sorted(p.user_id for p in store.for_partner(PARTNER)) == ["a/b#c?", "user-1"]
