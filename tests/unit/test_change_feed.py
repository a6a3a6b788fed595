"""`GET /api/events` as a use case: who may read, opaque partner-bound cursors, type filters,
and the retention job, over the in-memory log (tests/unit/event_fakes.py)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.config import Settings
from shared.domain.errors import Forbidden, InvalidInput
from shared.domain.principal import Principal
from shared.services.change_feed import ChangeFeed, EventQuery, issue_cursor
from shared.services.event_ports import EVENT_TYPE_PREFIX, LeadChangeEvent
from shared.services.event_retention import EventRetention
from tests.unit.event_fakes import InMemoryEventLog
from tests.unit.fakes import SteppingClock

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
USER = Principal(user_id="u", roles=frozenset({"Referrals.User"}), partner_id="contoso")
OTHER = Principal(user_id="v", roles=frozenset({"Referrals.Admin"}), partner_id="fabrikam")


def logged(clock: SteppingClock, kinds: list[str], partner_id: str = "contoso") -> InMemoryEventLog:
    log = InMemoryEventLog(clock=clock)
    for kind in kinds:
        clock.advance(seconds=1)
        event_id = uuid.uuid4().hex
        cloud_event = {"id": event_id, "type": EVENT_TYPE_PREFIX + kind}
        log.append(
            partner_id, [LeadChangeEvent(event_id, EVENT_TYPE_PREFIX + kind, "l", cloud_event)]
        )
    clock.advance(seconds=1)  # all settled (the window is 0 here: strictly older than now)
    return log


def query(**fields: object) -> EventQuery:
    return EventQuery.model_validate(fields)


def test_a_partner_user_pages_through_the_log_with_the_cursor_it_is_given() -> None:
    feed = ChangeFeed(feed=logged(SteppingClock(T0), ["received", "accepted", "won"]))

    first = feed.page(USER, query(limit=2))
    rest = feed.page(USER, query(limit=2, after=first.cursor))

    kinds = [item["type"] for item in first.items + rest.items]
    assert kinds == [EVENT_TYPE_PREFIX + k for k in ("received", "accepted", "won")]
    assert first.has_more
    assert not rest.has_more
    assert rest.cursor is not None
    assert "T|" not in rest.cursor  # opaque: the key is not handed out as is
    assert feed.page(USER, query(after=rest.cursor)).items == []


def test_the_cursor_of_another_partner_is_refused_naming_after() -> None:
    clock = SteppingClock(T0)
    feed = ChangeFeed(feed=logged(clock, ["received"], partner_id="fabrikam"))
    theirs = feed.page(OTHER, query()).cursor
    assert theirs is not None

    with pytest.raises(InvalidInput) as refused:
        feed.page(USER, query(after=theirs))
    assert refused.value.errors[0].field == "after"
    assert "another partner" in refused.value.errors[0].message


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("="),
        base64.urlsafe_b64encode(b"[1, 2]").decode().rstrip("="),
        base64.urlsafe_b64encode(json.dumps({"p": "x"}).encode()).decode().rstrip("="),
        issue_cursor("2026-11-23T09:00:00Z|short", "contoso"),  # ours in form, not the log's
    ],
)
def test_a_malformed_cursor_is_refused_naming_after(cursor: str) -> None:
    feed = ChangeFeed(feed=logged(SteppingClock(T0), ["received"]))
    with pytest.raises(InvalidInput) as refused:
        feed.page(USER, query(after=cursor))
    assert [error.field for error in refused.value.errors] == ["after"]


def test_types_narrow_the_feed_and_an_unknown_type_is_refused() -> None:
    feed = ChangeFeed(feed=logged(SteppingClock(T0), ["received", "won", "received", "lost"]))
    wanted = f"{EVENT_TYPE_PREFIX}won, {EVENT_TYPE_PREFIX}lost"

    page = feed.page(USER, query(types=wanted))

    assert [item["type"] for item in page.items] == [
        f"{EVENT_TYPE_PREFIX}{k}" for k in ("won", "lost")
    ]
    for bad in ("won", f"{EVENT_TYPE_PREFIX}nope", " , "):
        with pytest.raises(InvalidInput) as refused:
            feed.page(USER, query(types=bad))
        assert refused.value.errors[0].field == "types"


@pytest.mark.parametrize(
    "caller",
    [
        Principal(user_id="s", roles=frozenset({"Vendor.Referrer"}), partner_id="contoso"),
        Principal(user_id="o", roles=frozenset({"Leads.Operator"})),
        Principal(user_id="n", roles=frozenset({"Referrals.User"})),  # no partner_id claim
    ],
)
def test_only_a_partner_role_reads_the_feed(caller: Principal) -> None:
    with pytest.raises(Forbidden):
        ChangeFeed(feed=logged(SteppingClock(T0), ["received"])).page(caller, query())


def test_the_retention_job_prunes_what_is_older_than_the_window_as_of_its_instant() -> None:
    clock = SteppingClock(T0)
    log = logged(clock, ["received"] * 3)
    clock.advance(days=40)
    log.append("contoso", [LeadChangeEvent("f" * 32, EVENT_TYPE_PREFIX + "won", "l", {})])
    job = EventRetention(log=log, keep_for=timedelta(days=30))

    first = job.run_partner("contoso", clock.now(), limit=2)
    second = job.run_partner("contoso", clock.now(), limit=2)

    assert (first.counts["eventsPruned"], first.more) == (2, True)
    assert (second.counts["eventsPruned"], second.more) == (1, False)
    assert len(log.keys["contoso"]) == 1


def test_the_default_settle_window_covers_the_write_deadline_and_the_servers_timeout() -> None:
    # table_event_log.py: settle > deadline + Table storage's 30 s server timeout + clock skew.
    fields = Settings.model_fields
    settle = fields["event_feed_settle_seconds"].default
    deadline = fields["event_write_deadline_seconds"].default
    assert settle >= deadline + 30 + 10
