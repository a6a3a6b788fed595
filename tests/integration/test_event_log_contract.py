"""The event log's contract, held by the in-memory fake and by the Table adapter on Azurite:
oldest first, no gap and no repeat across pages, only settled events, a bounded page cost."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters import event_rows
from shared.adapters.table_event_log import TableEventLog
from shared.domain.errors import InvalidInput
from shared.services.event_ports import EVENT_TYPE_PREFIX, EventPage, LeadChangeEvent
from tests.support.azurite import Azurite
from tests.support.counting_table import CountingTable
from tests.unit.event_fakes import InMemoryEventLog
from tests.unit.fakes import SteppingClock

P = "contoso"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SETTLE = timedelta(seconds=60)


class Log(Protocol):
    @property
    def clock(self) -> SteppingClock: ...

    @property
    def examined(self) -> int: ...

    def append_at(
        self, partner_id: str, logged: Sequence[tuple[datetime, LeadChangeEvent]]
    ) -> None: ...

    def read_after(
        self, partner_id: str, after: str | None, *, types: frozenset[str] | None, limit: int
    ) -> EventPage: ...

    def prune(self, partner_id: str, before: datetime, *, limit: int) -> int: ...


class TableLog:
    """Event rows written as a change's batch writes them (event_rows.py), many a batch here to
    keep the test short; test_table_event_log.py writes them through the lead repository."""

    def __init__(self, table: TableClient, clock: SteppingClock) -> None:
        self.clock = clock
        self._table = table
        self._counting = CountingTable(table)
        self._log = TableEventLog(self._counting, clock=clock, settle=SETTLE)  # type: ignore[arg-type]

    @property
    def examined(self) -> int:
        return self._counting.examined

    def append_at(
        self, partner_id: str, logged: Sequence[tuple[datetime, LeadChangeEvent]]
    ) -> None:
        rows = [event_rows.event_entity(partner_id, event, at) for at, event in logged]
        self._table.submit_transaction([("create", row) for row in rows])

    def read_after(
        self, partner_id: str, after: str | None, *, types: frozenset[str] | None, limit: int
    ) -> EventPage:
        self._counting.examined = 0
        return self._log.read_after(partner_id, after, types=types, limit=limit)

    def prune(self, partner_id: str, before: datetime, *, limit: int) -> int:
        return self._log.prune(partner_id, before, limit=limit)


@pytest.fixture(params=["memory", "table"])
def log(request: pytest.FixtureRequest) -> Log:
    clock = SteppingClock(T0)
    if request.param == "memory":
        return MemoryLog(clock=clock, settle=SETTLE)
    azurite: Azurite = request.getfixturevalue("azurite")
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    table = service.create_table(f"t{uuid.uuid4().hex[:12]}Leads")
    return TableLog(table, clock)


@dataclass
class MemoryLog(InMemoryEventLog):
    clock: SteppingClock = field(default_factory=SteppingClock)

    def append_at(
        self, partner_id: str, logged: Sequence[tuple[datetime, LeadChangeEvent]]
    ) -> None:
        for at, event in logged:
            self.append(partner_id, [event], logged_at=at)


def event(kind: str = "accepted") -> LeadChangeEvent:
    event_id = uuid.uuid4().hex
    event_type = EVENT_TYPE_PREFIX + kind
    return LeadChangeEvent(
        event_id=event_id,
        event_type=event_type,
        lead_id="l",
        cloud_event={"id": event_id, "type": event_type, "specversion": "1.0"},
    )


def write(log: Log, kinds: Sequence[str], *, partner_id: str = P) -> list[str]:
    """One change per kind, a millisecond apart; their event ids in log order."""
    logged = []
    for kind in kinds:
        log.clock.advance(milliseconds=1)
        logged.append((log.clock.now(), event(kind)))
    log.append_at(partner_id, logged)
    return [written.event_id for _, written in logged]


def walk(
    log: Log, *, limit: int, types: frozenset[str] | None = None, after: str | None = None
) -> tuple[list[str], str | None, list[int]]:
    """Every page until `has_more` is false: the ids served, the last cursor, and what each
    page examined."""
    served: list[str] = []
    examined: list[int] = []
    while True:
        page = log.read_after(P, after, types=types, limit=limit)
        examined.append(log.examined)
        served += [item.cloud_event["id"] for item in page.events]
        after = page.next_cursor
        if not page.has_more:
            return served, after, examined


def test_an_empty_log_gives_an_empty_page_and_no_cursor(log: Log) -> None:
    page = log.read_after(P, None, types=None, limit=10)
    assert (page.events, page.next_cursor, page.has_more) == ([], None, False)


def test_pages_walk_the_log_oldest_first_without_gap_or_repeat(log: Log) -> None:
    written = write(log, ["received", "accepted", "updated"] * 8 + ["won"])
    log.clock.advance(seconds=61)

    served, cursor, examined = walk(log, limit=7)

    assert served == written
    assert max(examined) <= 8  # a page of 7 reads one more to know whether more follow
    again = log.read_after(P, cursor, types=None, limit=7)
    assert (again.events, again.next_cursor, again.has_more) == ([], cursor, False)
    later = write(log, ["lost"])
    log.clock.advance(seconds=61)
    assert walk(log, limit=7, after=cursor)[0] == later


def test_an_event_is_served_only_once_older_than_the_settle_window(log: Log) -> None:
    first = write(log, ["received"])
    first_at = log.clock.now()
    log.clock.advance(seconds=30)
    second = write(log, ["accepted"])

    log.clock.instant = first_at + SETTLE  # the first is exactly as old as the window
    assert log.read_after(P, None, types=None, limit=10).events == []
    log.clock.advance(milliseconds=1)
    page = log.read_after(P, None, types=None, limit=10)
    assert [item.cloud_event["id"] for item in page.events] == first
    assert page.has_more is False
    log.clock.advance(seconds=31)
    assert walk(log, limit=10, after=page.next_cursor)[0] == second


def test_a_type_filter_examines_at_most_twice_the_page_and_misses_nothing(log: Log) -> None:
    kinds = (["received"] * 5 + ["won"]) * 4
    written = write(log, kinds)
    log.clock.advance(seconds=61)
    wanted = frozenset({EVENT_TYPE_PREFIX + "won"})

    served, _, examined = walk(log, limit=2, types=wanted)

    assert served == [id_ for id_, kind in zip(written, kinds, strict=True) if kind == "won"]
    assert max(examined) <= 4


def test_another_partners_events_are_never_read(log: Log) -> None:
    write(log, ["received", "accepted"], partner_id="fabrikam")
    mine = write(log, ["received"])
    log.clock.advance(seconds=61)
    assert walk(log, limit=10)[0] == mine


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "2026-11-23T09:00:00.000000Z",
        "2026-11-23T09:00:00.000000Z|" + "G" * 32,
        "2026-11-23T09:00:00Z|" + "a" * 32,
        "2026-11-23T09:00:00.000000Z|" + "a" * 32 + "|x",
    ],
)
def test_a_cursor_the_log_never_gave_out_is_refused(log: Log, cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        log.read_after(P, cursor, types=None, limit=10)
    assert refused.value.errors[0].field == "after"


def test_pruning_deletes_what_is_older_than_the_instant_and_nothing_else(log: Log) -> None:
    old = write(log, ["received", "accepted"])
    log.clock.advance(days=10)
    recent = write(log, ["won"])
    log.clock.advance(seconds=61)

    assert log.prune(P, T0 + timedelta(days=5), limit=100) == len(old)
    assert log.prune(P, T0 + timedelta(days=5), limit=100) == 0
    assert walk(log, limit=10)[0] == recent
