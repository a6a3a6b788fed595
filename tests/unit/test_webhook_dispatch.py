"""The dispatcher fans each partner's event log out to its subscriptions, from a cursor."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from shared.adapters.clock import FixedClock
from shared.domain.errors import DependencyUnavailable
from shared.services.event_ports import EVENT_TYPE_PREFIX
from shared.services.webhook_dispatcher import WebhookDispatcher
from tests.unit.webhook_fakes import (
    T0,
    FakeFeed,
    FakeLog,
    FakeQueue,
    FakeStore,
    lead_event,
    subscription,
)

ALL = subscription("a" * 32)
ACCEPTED_ONLY = subscription("b" * 32, event_types=frozenset({EVENT_TYPE_PREFIX + "accepted"}))


def _dispatcher(store: FakeStore, feed: FakeFeed, queue: FakeQueue) -> WebhookDispatcher:
    return WebhookDispatcher(store=store, feed=feed, queue=queue, log=FakeLog(),
                             clock=FixedClock(T0), page_size=3)  # fmt: skip


def test_one_message_per_event_and_subscription_that_wants_it_then_nothing_twice() -> None:
    events = [lead_event(1), lead_event(2, "accepted"), lead_event(3, "won"), lead_event(4)]
    store, feed, queue = (
        FakeStore().put(ALL, ACCEPTED_ONLY),
        FakeFeed({"contoso": events}),
        FakeQueue(),
    )
    counts = _dispatcher(store, feed, queue).run(T0)
    assert counts == {"partners": 1, "events": 4, "deliveries": 5, "conflicts": 0}
    sent = Counter((m.subscription_id[0], m.event_id) for m in queue.messages)
    assert sent == Counter({("a", "evt0001"): 1, ("a", "evt0002"): 1, ("a", "evt0003"): 1,
                            ("a", "evt0004"): 1, ("b", "evt0002"): 1})  # fmt: skip
    assert store.cursors["contoso"][0] == "4"
    again = _dispatcher(store, feed, queue).run(T0)
    assert again["deliveries"] == 0
    assert len(queue.messages) == 5


def test_the_cursor_stays_when_the_queue_refuses_so_nothing_is_lost() -> None:
    store, feed = FakeStore().put(ALL), FakeFeed({"contoso": [lead_event(1), lead_event(2)]})
    down = FakeQueue(down=True)
    with pytest.raises(DependencyUnavailable):  # the timer's next run tries again
        _dispatcher(store, feed, down).run(T0)
    assert "contoso" not in store.cursors
    queue = FakeQueue()
    _dispatcher(store, feed, queue).run(T0)
    assert [m.event_id for m in queue.messages] == ["evt0001", "evt0002"]


def test_a_new_subscription_gets_no_history_and_a_disabled_one_nothing() -> None:
    newer = subscription("c" * 32, created_at=T0 + timedelta(seconds=2, milliseconds=500))
    off = subscription("d" * 32, enabled=False)
    events = [lead_event(1), lead_event(2), lead_event(3)]
    store, feed, queue = FakeStore().put(newer, off), FakeFeed({"contoso": events}), FakeQueue()
    _dispatcher(store, feed, queue).run(T0)
    assert [(m.subscription_id[0], m.event_id) for m in queue.messages] == [("c", "evt0003")]


def test_partners_without_an_enabled_subscription_are_not_read() -> None:
    store = FakeStore().put(subscription(enabled=False))
    feed = FakeFeed({"contoso": [lead_event(1)]})
    assert _dispatcher(store, feed, FakeQueue()).run(T0)["partners"] == 0
    assert feed.reads == 0


def test_an_event_too_large_for_a_queue_message_waits_in_its_log_row() -> None:
    big = lead_event(1) | {"data": {"id": "lead1", "notes": "x" * 60_000, "version": 1}}
    store, feed, queue, log = (
        FakeStore().put(ALL),
        FakeFeed({"contoso": [big]}),
        FakeQueue(),
        FakeLog(),
    )
    WebhookDispatcher(store=store, feed=feed, queue=queue, log=log, clock=FixedClock(T0)).run(T0)
    (message,) = queue.messages
    assert message.stored
    assert "data" not in message.event
    assert len(message.model_dump_json()) < 1_000
    (row,) = log.rows.values()
    assert row.event == big
    assert row.state.value == "Pending"
