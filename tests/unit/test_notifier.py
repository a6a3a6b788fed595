"""The notifier with fakes of our ports: once per notification, the daily volume rule, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.delivery import Delivery, DeliveryStatus, HeldLead
from shared.domain.errors import DependencyUnavailable
from shared.domain.notification import Notification, SentEmail
from shared.domain.redelivery import Redelivery
from tests.unit.notification_world import T0, World, new_lead
from tests.unit.retry_fakes import POLICY

ANA, BEN = "ana@contoso.example", "ben@contoso.example"


@pytest.fixture
def world() -> World:
    world = World()
    world.partner(ANA, BEN)
    return world


def test_a_new_lead_is_one_email_to_every_contact_and_a_feed_entry(world: World) -> None:
    notification = new_lead(world.lead())
    assert world.handle(notification) is DeliveryStatus.SENT
    (email,) = world.sender.sent
    assert email.to == (ANA, BEN)
    assert email.notification_id == notification.id
    assert world.ledger.feed[notification.id].title == "New lead: Fabrikam · Fleet Insights"
    assert world.ledger.completed == [notification.id]


def test_a_redelivered_message_sends_nothing(world: World) -> None:
    notification = new_lead(world.lead())
    world.handle(notification, message_id="m1")
    assert world.handle(notification, message_id="m1", count=2) is DeliveryStatus.SENT
    assert world.handle(notification, message_id="m2") is DeliveryStatus.SENT
    assert len(world.sender.sent) == 1


def test_eleventh_new_lead_of_a_day_is_held_for_the_digest(world: World) -> None:
    notifications = [new_lead(world.lead(company=f"C{i}")) for i in range(11)]
    statuses = [world.handle(n) for n in notifications]
    assert statuses == [DeliveryStatus.SENT] * 10 + [DeliveryStatus.HELD]
    assert len(world.sender.sent) == 10
    held_lead = notifications[10].lead_id
    assert world.ledger.held == [HeldLead(T0.date(), held_lead or "")]
    assert notifications[10].id in world.ledger.feed  # still in the in-app feed
    assert world.handle(notifications[10], message_id="again") is DeliveryStatus.HELD
    assert world.ledger.held == [HeldLead(T0.date(), held_lead or "")]


def test_the_day_is_the_partners_calendar_day(world: World) -> None:
    world.threshold = 1
    world.partner(ANA, time_zone="Europe/Berlin", partner_id="berlin")
    late = T0.replace(hour=22, minute=30)  # 23:30 in Berlin: still the 23rd
    after_midnight = T0.replace(hour=23, minute=30)  # 00:30 in Berlin: the 24th
    first = new_lead(world.lead(at=late, partner_id="berlin"))
    second = new_lead(world.lead(at=after_midnight, company="Other", partner_id="berlin"))
    assert world.handle(first) is DeliveryStatus.SENT
    assert world.handle(second) is DeliveryStatus.SENT
    third = new_lead(world.lead(at=after_midnight, company="Third", partner_id="berlin"))
    assert world.handle(third) is DeliveryStatus.HELD
    assert world.ledger.held[0].day.isoformat() == "2026-11-24"


def test_a_transient_failure_is_put_back_with_back_off_and_sends_once(world: World) -> None:
    world.sender.script = ["transient", "transient"]
    notification = new_lead(world.lead())
    assert world.handle(notification) is DeliveryStatus.PENDING  # returns: the host deletes it
    assert world.ledger.status(notification) is DeliveryStatus.PENDING
    assert world.retry_when_due() == (DeliveryStatus.PENDING, timedelta(minutes=1))
    assert world.retry_when_due() == (DeliveryStatus.SENT, timedelta(minutes=2))
    assert len(world.sender.sent) == 1
    assert world.sender.calls == 3


def test_the_copy_carries_its_attempt_the_first_attempts_time_and_its_chain(
    world: World,
) -> None:
    world.sender.script = ["transient"] * 2
    notification = new_lead(world.lead())
    world.handle(notification, message_id="m1")
    copy, _ = world.queue.later_calls[0]
    assert isinstance(copy, Notification)
    assert copy.redelivery == Redelivery(attempt=2, first_attempt_at=T0, chain="m1")
    assert copy.model_copy(update={"redelivery": None}) == notification
    world.retry_when_due()
    second, _ = world.queue.later_calls[0]
    assert isinstance(second, Notification)
    assert second.redelivery == Redelivery(attempt=3, first_attempt_at=T0, chain="m1")


def test_back_off_doubles_to_its_cap_and_a_longer_retry_after_wins(world: World) -> None:
    world.sender.script = ["throttled"] + ["transient"] * 8
    world.handle(new_lead(world.lead()))
    delays = [world.retry_when_due()[1] for _ in range(9)]
    assert delays == [
        timedelta(seconds=90),  # the 429's Retry-After beats the first back-off (1 min)
        *(timedelta(minutes=m) for m in (2, 4, 8, 16, 32)),
        timedelta(hours=1), timedelta(hours=1), timedelta(hours=1),
    ]  # fmt: skip


def test_jitter_spreads_retries_over_the_upper_half_of_the_back_off() -> None:
    draws: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        draws.append((low, high))
        return low

    assert POLICY.delay(3, asked=None, jitter=jitter) == timedelta(minutes=2)
    assert draws == [(120.0, 240.0)]


def test_it_keeps_trying_for_24_hours_then_fails_and_parks_the_message(world: World) -> None:
    world.sender.script = ["transient"] * 1000
    notification = new_lead(world.lead())
    world.handle(notification)
    attempts = 1
    while world.queue.later_calls:
        world.retry_when_due()
        attempts += 1
    assert world.clock.now() - T0 >= timedelta(hours=24)
    assert 25 < attempts < 40
    entry = world.ledger.find("contoso", notification.id)
    assert entry is not None
    assert (entry.status, entry.retryable) == (DeliveryStatus.FAILED, True)
    assert world.ledger.reasons[notification.id].startswith("gave up: SendGrid answered 500")
    # Parked without its retry state: an operator puts it back once SendGrid works, and it is
    # sent, once, with a new 24 hours of retries should it fail again.
    (parked,) = world.queue.parked
    assert parked == notification
    world.sender.script = []
    assert world.handle(parked, message_id="requeued") is DeliveryStatus.SENT
    assert world.handle(parked, message_id="requeued-twice") is DeliveryStatus.SENT
    assert len(world.sender.sent) == 1


def test_a_timed_out_send_is_retried_only_after_its_lease_certainly_ran_out(
    world: World,
) -> None:
    world.sender.script = ["timeout"]
    notification = new_lead(world.lead())
    world.clock.advance(seconds=1)  # the send took a while: the lease was taken before it
    assert world.handle(notification) is DeliveryStatus.PENDING
    # The back-off (1 min) would come before the lease (1 min from the claim) plus 2 s.
    assert world.queue.later_calls[0][1] == timedelta(minutes=1, seconds=2)
    # Meanwhile a relayed copy stands down: the row is the retry's until it is due.
    world.clock.advance(seconds=30)
    assert world.handle(notification, message_id="relayed") is DeliveryStatus.PENDING
    world.clock.advance(seconds=-30)
    assert world.retry_when_due()[0] is DeliveryStatus.SENT
    assert world.sender.calls == 2


def test_the_retry_arriving_early_is_put_back_for_the_rest(world: World) -> None:
    world.sender.script = ["transient"]
    notification = new_lead(world.lead())
    world.handle(notification, message_id="m1")
    copy, _ = world.queue.take()
    assert isinstance(copy, Notification)
    world.clock.advance(seconds=59)  # the queue's clock runs a second ahead of ours
    assert world.handle(copy, message_id="copy") is DeliveryStatus.PENDING
    again, delay = world.queue.take()
    assert (again, delay) == (copy, timedelta(seconds=1))
    assert world.sender.calls == 1


def test_an_email_sent_but_not_recorded_is_recorded_by_the_retry_never_sent_again(
    world: World,
) -> None:
    notification = new_lead(world.lead())
    world.ledger.failing_completions = 2  # storage fails right after SendGrid accepted
    assert world.handle(notification) is DeliveryStatus.SENT
    copy, _ = world.queue.later_calls[0]
    assert isinstance(copy, Notification)
    assert copy.sent == SentEmail(provider_message_id="sg-1", recipients=2)
    assert world.retry_when_due()[0] is DeliveryStatus.PENDING  # still failing: put back again
    assert world.retry_when_due()[0] is DeliveryStatus.SENT
    assert world.ledger.status(notification) is DeliveryStatus.SENT
    assert (world.sender.calls, world.ledger.completed) == (1, [notification.id])


def test_storage_down_before_the_claim_puts_the_message_back_unclaimed(world: World) -> None:
    notification = new_lead(world.lead())
    world.ledger.unavailable = True
    assert world.handle(notification) is DeliveryStatus.PENDING
    assert world.ledger.entries == {}
    world.ledger.unavailable = False
    assert world.retry_when_due()[0] is DeliveryStatus.SENT


def test_with_the_queue_down_too_the_host_retries_and_its_last_attempt_records_failed(
    world: World,
) -> None:
    world.sender.script = ["transient"] * 5
    world.queue.down = True
    notification = new_lead(world.lead())
    for attempt in range(1, 6):
        with pytest.raises(DependencyUnavailable):
            world.handle(notification, count=attempt)
    entry = world.ledger.find("contoso", notification.id)
    assert entry is not None
    assert (entry.status, entry.retryable) == (DeliveryStatus.FAILED, True)


def test_a_refused_address_fails_for_good_without_raising(world: World) -> None:
    world.sender.script = ["rejected"]
    notification = new_lead(world.lead())
    assert world.handle(notification) is DeliveryStatus.FAILED
    assert world.handle(notification, message_id="m2") is DeliveryStatus.FAILED
    assert world.sender.calls == 1


def test_a_concurrent_duplicate_stands_down_while_the_lease_holds(world: World) -> None:
    notification = new_lead(world.lead())
    planner_plan = world.planner.plan(notification, T0)
    world.ledger.claim(
        notification, None, lease_until=T0 + timedelta(minutes=1), message_id="m1",
        feed=planner_plan.feed,
    )  # fmt: skip  # the owner is sending right now
    assert world.handle(notification, message_id="m2") is DeliveryStatus.SENDING
    assert world.sender.sent == []
    # The owner's own retry takes over at once; a crashed owner's lease runs out.
    assert world.handle(notification, message_id="m1", count=2) is DeliveryStatus.SENT
    other = new_lead(world.lead(company="Other"))
    world.ledger.claim(other, None, lease_until=T0, message_id="dead", feed=None)
    assert world.notifier.handle(other, Delivery("m9", 1)) is DeliveryStatus.SENT


def test_no_recipient_is_skipped_not_failed(world: World) -> None:
    world.partner(partner_id="lonely")
    notification = new_lead(world.lead(partner_id="lonely"))
    assert world.handle(notification) is DeliveryStatus.SKIPPED
    assert world.ledger.reasons[notification.id] == "no recipient"
    assert notification.id in world.ledger.feed


def test_a_missing_lead_or_partner_is_skipped(world: World) -> None:
    notification = new_lead(world.lead())
    gone = notification.model_copy(update={"lead_id": "no-such-lead"})
    assert world.handle(gone) is DeliveryStatus.SKIPPED
    stranger = notification.model_copy(update={"id": "x", "partner_id": "nobody"})
    assert world.handle(stranger) is DeliveryStatus.SKIPPED
    assert world.sender.sent == []
