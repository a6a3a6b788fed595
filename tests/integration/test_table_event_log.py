"""The event log on Azurite, where writers really race: a late commit is never skipped, a lost
race logs nothing, and no try of a batch is sent after its write deadline."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters import event_rows
from shared.adapters.clock import SystemClock
from shared.adapters.table_event_log import TableEventLog
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.errors import ConcurrentModification, DependencyUnavailable
from shared.domain.lead_policy import LeadPolicy
from shared.services.event_ports import EVENT_TYPE_PREFIX, LeadChangeEvent
from shared.services.lead_events import LeadEvents
from tests.support.azurite import Azurite, connection_string, free_port
from tests.support.leads import make_lead

P = "contoso"


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    return service.create_table(f"{unique_name}Leads")


def event(kind: str = "received") -> LeadChangeEvent:
    event_id = uuid.uuid4().hex
    return LeadChangeEvent(event_id, EVENT_TYPE_PREFIX + kind, "l", {"id": event_id})


class SlowTable:
    """The real table, but a batch waits between its stamp and its send, as on a slow network;
    records how long each batch took from its events' stamp to its commit."""

    def __init__(self, table: TableClient, delay: Any) -> None:
        self._table = table
        self._delay = delay
        self.stamp_to_commit: list[float] = []

    def submit_transaction(self, operations: Sequence[Any], **kwargs: Any) -> Any:
        self._delay()
        result = self._table.submit_transaction(operations, **kwargs)
        clock = SystemClock()
        for operation in operations:
            key = operation[1]["RowKey"]
            if key.startswith(event_rows.EVENT_LOG):
                stamped = key.split("|")[1]
                logged = clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                self.stamp_to_commit.append(_seconds(logged) - _seconds(stamped))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def _seconds(instant_key: str) -> float:
    from datetime import datetime  # noqa: PLC0415

    return datetime.strptime(instant_key, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def served_ids(log: TableEventLog, after: str | None = None) -> tuple[list[str], str | None]:
    ids: list[str] = []
    while True:
        page = log.read_after(P, after, limit=5)
        ids += [item.cloud_event["id"] for item in page.events]
        after = page.next_cursor
        if not page.has_more:
            return ids, after


def late_and_early_commit(table: TableClient, log: TableEventLog) -> tuple[str, str, list[str]]:
    """Writer A stamps first but commits last; a reader reads in between and after."""
    hold, stamped = threading.Event(), threading.Event()

    def held() -> None:
        stamped.set()
        hold.wait(5)

    late, early = event(), event()
    slow = SlowTable(table, held)
    writer = threading.Thread(
        target=lambda: TableLeadRepository(slow).add(make_lead(P, at=_now()), events=[late])  # type: ignore[arg-type]
    )
    writer.start()
    stamped.wait(5)
    TableLeadRepository(table).add(make_lead(P, at=_now()), events=[early])
    seen, cursor = served_ids(log)  # A is still in flight
    hold.set()
    writer.join(5)
    time.sleep(0.6)  # both are older than a 0.5 s window now
    more, _ = served_ids(log, cursor)
    return late.event_id, early.event_id, seen + more


def _now() -> Any:
    return SystemClock().now()


def test_without_a_settle_window_a_reader_skips_a_late_commit(table: TableClient) -> None:
    # The hazard the window exists for: keys are stamped before the send.
    log = TableEventLog(table, clock=SystemClock(), settle=timedelta(0))
    _, early, served = late_and_early_commit(table, log)
    assert served == [early]  # the late one sorts before `early`, behind the reader's cursor


def test_with_the_window_a_late_commit_is_served_in_key_order(table: TableClient) -> None:
    log = TableEventLog(table, clock=SystemClock(), settle=timedelta(seconds=0.5))
    late, early, served = late_and_early_commit(table, log)
    assert served == [late, early]


def test_pages_have_no_gap_and_no_repeat_while_writers_keep_committing_out_of_order(
    table: TableClient,
) -> None:
    settle = timedelta(seconds=2)
    log = TableEventLog(table, clock=SystemClock(), settle=settle)
    slow = SlowTable(table, lambda: time.sleep(random.uniform(0, 0.3)))
    repository = TableLeadRepository(slow, write_deadline=timedelta(seconds=1))  # type: ignore[arg-type]
    written: list[str] = []
    done = threading.Event()

    def write(count: int) -> None:
        for _ in range(count):
            logged = event()
            repository.add(make_lead(P, at=_now()), events=[logged])
            written.append(logged.event_id)

    writers = [threading.Thread(target=write, args=(8,)) for _ in range(3)]
    served: list[str] = []
    cursors: list[str] = []

    def read() -> None:
        after = None
        quiet_since = None
        while True:
            page = log.read_after(P, after, limit=4)
            served.extend(item.cloud_event["id"] for item in page.events)
            cursors.extend(item.cursor for item in page.events)
            after = page.next_cursor
            if done.is_set() and not page.has_more:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > settle.total_seconds() + 0.5:
                    return
            time.sleep(0.02)

    reader = threading.Thread(target=read)
    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    done.set()
    reader.join(60)

    assert max(slow.stamp_to_commit) < settle.total_seconds()  # the window's premise held
    assert len(served) == len(set(served))  # no repeat
    assert sorted(served) == sorted(written)  # no gap
    assert cursors == sorted(cursors)  # oldest first


def test_a_change_that_loses_its_race_logs_nothing(table: TableClient) -> None:
    repository = TableLeadRepository(table)
    first = event()
    stored = repository.add(make_lead(P, at=_now()), events=[first])
    stale = repository.get(P, stored.id)
    repository.save(repository.get(P, stored.id), events=[winner := event("updated")])

    with pytest.raises(ConcurrentModification):
        repository.save(stale, events=[event("updated")])
    time.sleep(0.01)
    log = TableEventLog(table, clock=SystemClock(), settle=timedelta(0))
    assert served_ids(log)[0] == [first.event_id, winner.event_id]


class _Busy(BaseHTTPRequestHandler):
    """Table storage throttling: every request is a 503 (which the SDK retries), a bit slowly."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(0.2)
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return  # quiet


@pytest.fixture
def busy_tables() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield connection_string(free_port(), free_port(), server.server_port)
    finally:
        server.shutdown()
        server.server_close()


def test_no_try_of_a_batch_with_events_is_sent_after_its_write_deadline(busy_tables: str) -> None:
    tries: list[float] = []
    service = TableServiceClient.from_connection_string(
        busy_tables,
        retry_total=2,
        retry_backoff_factor=0.2,
        raw_request_hook=lambda request: tries.append(time.monotonic()),
    )
    repository = TableLeadRepository(
        service.get_table_client("Leads"), write_deadline=timedelta(seconds=0.6)
    )

    def tries_after(**changes: Any) -> list[float]:
        tries.clear()
        started = time.monotonic()
        with pytest.raises(DependencyUnavailable):
            repository.add(make_lead(P, at=_now()), **changes)
        return [at - started for at in tries]

    with_events = tries_after(events=[event()])
    without = tries_after()  # the SDK's own retries, unbounded by a deadline

    assert len(with_events) > 1  # the SDK still retries ...
    assert max(with_events) < 0.6  # ... but sends no try once the deadline has passed
    assert max(without) > 0.6


def test_expiry_scrubs_the_contact_from_every_earlier_event_of_the_lead(
    table: TableClient,
) -> None:
    repository = TableLeadRepository(table)
    events = LeadEvents(policy=LeadPolicy())
    received = make_lead(P, at=_now(), company="Northwind")
    repository.add(received, events=events.of(received, received.pull_events()))
    other = make_lead(P, at=_now())  # another lead keeps its contact
    repository.add(other, events=events.of(other, other.pull_events()))
    lead = repository.get(P, received.id)
    assert lead.respond_by
    lead.remind(lead.respond_by - timedelta(hours=1), _now())
    lead = repository.save(lead, events=events.of(lead, lead.pull_events()))

    assert lead.respond_by
    assert lead.expire(lead.respond_by, _now())
    repository.save(lead, events=events.of(lead, lead.pull_events()))

    rows = list(table.query_entities("RowKey ge 'T|' and RowKey lt 'T}'"))
    mine = [row for row in rows if row["LeadId"] == lead.id]
    assert len(mine) == 3  # received, reminderDue, expired
    assert not any("Schmidt" in str(dict(row)) for row in mine)
    assert not any("@fabrikam.example" in str(dict(row)) for row in mine)
    assert any("Schmidt" in str(dict(row)) for row in rows if row["LeadId"] == other.id)
    time.sleep(0.01)
    served = TableEventLog(table, clock=SystemClock(), settle=timedelta(0)).read_after(P, None)
    kinds = [(e.cloud_event["subject"], e.cloud_event["type"]) for e in served.events]
    assert kinds == [
        (lead.id, EVENT_TYPE_PREFIX + "received"),
        (other.id, EVENT_TYPE_PREFIX + "received"),
        (lead.id, EVENT_TYPE_PREFIX + "reminderDue"),
        (lead.id, EVENT_TYPE_PREFIX + "expired"),
    ]
    for item in served.events:
        customer = item.cloud_event["data"]["customer"]
        assert (customer["lastName"] is None) == (item.cloud_event["subject"] == lead.id)
