"""Webhooks end to end on Azurite: dispatch from the log, queue, sign, send, retry, replay.

A real receiver verifies every delivery with `standardwebhooks` and parses it with `cloudevents`;
retries are checked by the copies put back on the queue (invisible for their delay) and the
attempt count, never by waiting out the schedule.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.delivery import Delivery
from shared.domain.redelivery import Redelivery
from shared.domain.webhooks import MAX_ATTEMPTS, DeliveryState, WebhookFormat, WebhookMessage
from shared.services.event_ports import EVENT_TYPE_PREFIX, PING_EVENT_TYPE
from shared.services.webhook_models import ReplayWebhookDeliveries
from tests.integration.webhook_world import ADMIN, WebhookWorld
from tests.support.azurite import Azurite
from tests.support.webhook_receiver import WebhookReceiver
from tests.unit.webhook_fakes import lead_event

NOW = datetime.now(UTC)


@pytest.fixture
def world(azurite: Azurite, unique_name: str) -> Iterator[WebhookWorld]:
    with WebhookReceiver().running() as receiver:
        yield WebhookWorld.start(azurite, unique_name, receiver)


def _events(count: int, kind: str = "received") -> list[dict[str, object]]:
    """Events that happen now: after the subscriptions the test made."""
    at = datetime.now(UTC)
    return [lead_event(n, kind, at=at) for n in range(1, count + 1)]


def test_every_delivery_arrives_once_signed_and_as_a_cloudevent(world: WebhookWorld) -> None:
    sub_id, secret = world.subscribe("/crm")
    world.feed.events["contoso"] = _events(3)
    assert world.webhooks.dispatcher.run(NOW)["deliveries"] == 3
    assert world.drain() == 3
    received = world.receiver.at("/crm")
    assert [item.event_id for item in received] == ["evt0001", "evt0002", "evt0003"]
    assert all(item.verified_with == [secret] for item in received)
    assert all(item.event_type == EVENT_TYPE_PREFIX + "received" for item in received)
    assert all(item.headers["webhook-id"] == item.event_id for item in received)
    assert [(d.status, d.attempts, d.last_status_code) for d in world.log(sub_id)] == [
        (DeliveryState.DELIVERED, 1, 200)
    ] * 3
    assert world.webhooks.dispatcher.run(NOW)["deliveries"] == 0  # the cursor moved on


def test_a_failing_endpoint_is_retried_by_queue_delay_and_never_holds_up_another(
    world: WebhookWorld,
) -> None:
    healthy, _ = world.subscribe("/healthy")
    failing, _ = world.subscribe("/failing", "fail")
    world.feed.events["contoso"] = _events(2)
    world.webhooks.dispatcher.run(NOW)
    assert world.drain() == 4
    assert len(world.receiver.at("/healthy")) == 2
    assert len(world.receiver.at("/failing")) == 2
    pending = world.log(failing)
    assert {(d.status, d.attempts, d.last_status_code) for d in pending} == {
        (DeliveryState.PENDING, 1, 500)
    }
    for item in pending:  # the first retry is due 5 s later
        assert item.next_try_at is not None
        assert item.last_attempt_at is not None
        wait = item.next_try_at - item.last_attempt_at
        assert timedelta(seconds=4.9) < wait < timedelta(seconds=5.1)
    assert world.invisible() == 2
    assert world.drain() == 0
    time.sleep(5.5)
    assert world.drain() == 2  # the copies, visible now: attempt 2, then 5 minutes
    again = world.log(failing)
    assert {(d.status, d.attempts) for d in again} == {(DeliveryState.PENDING, 2)}
    assert all(d.next_try_at - d.last_attempt_at > timedelta(minutes=4.9) for d in again)  # type: ignore[operator]
    assert {d.status for d in world.log(healthy)} == {DeliveryState.DELIVERED}
    assert len(world.receiver.at("/healthy")) == 2  # nothing sent twice


def test_after_the_last_retry_the_delivery_is_failed_and_can_be_replayed(
    world: WebhookWorld,
) -> None:
    sub_id, secret = world.subscribe("/flaky", "fail")
    world.feed.events["contoso"] = _events(1)
    world.webhooks.dispatcher.run(NOW)
    (message,) = list(world.queue.receive_messages())
    body = WebhookMessage.model_validate_json(message.content)
    last = Redelivery(attempt=MAX_ATTEMPTS, first_attempt_at=NOW, chain=message.id)
    state = world.webhooks.deliveries.handle(body, Delivery(message.id, 1, last))
    world.queue.delete_message(message)
    assert state is DeliveryState.FAILED
    assert world.invisible() == 0
    world.receiver.endpoints["/flaky"].behaviour = "ok"
    since = NOW - timedelta(minutes=1)
    report = world.webhooks.log.replay(ADMIN, sub_id, ReplayWebhookDeliveries(since=since))
    assert report.queued == 1
    assert world.drain() == 1
    (delivered,) = world.log(sub_id)
    # The chain's last attempt, then the replay's: the log counts every attempt.
    assert (delivered.status, delivered.attempts) == (DeliveryState.DELIVERED, MAX_ATTEMPTS + 1)
    assert world.receiver.at("/flaky")[-1].verified_with == [secret]


def test_a_timeout_is_a_failure_and_a_410_disables_the_subscription(world: WebhookWorld) -> None:
    world.receiver.slow_seconds = 1.5  # the sender gives up after 0.5 s
    slow, _ = world.subscribe("/slow", "slow")
    gone, _ = world.subscribe("/gone", "gone")
    world.feed.events["contoso"] = _events(1)
    world.webhooks.dispatcher.run(NOW)
    world.drain()
    (timed_out,) = world.log(slow)
    assert timed_out.status is DeliveryState.PENDING
    assert timed_out.last_status_code is None
    assert "No answer within 0.5 s" in (timed_out.last_error or "")
    (refused,) = world.log(gone)
    assert (refused.status, refused.last_status_code) == (DeliveryState.FAILED, 410)
    disabled = world.webhooks.subscriptions.get(ADMIN, gone)
    assert not disabled.enabled
    assert "410" in (disabled.disabled_reason or "")
    world.feed.events["contoso"] += [lead_event(2, at=datetime.now(UTC))]
    assert world.webhooks.dispatcher.run(NOW)["deliveries"] == 1  # only the slow one's


def test_a_rotated_secret_keeps_signing_beside_the_new_one_for_a_day(world: WebhookWorld) -> None:
    sub_id, old = world.subscribe("/rotating")
    new = world.webhooks.subscriptions.rotate_secret(ADMIN, sub_id).secret
    assert new != old
    assert new.startswith("whsec_")
    world.receiver.endpoints["/rotating"].secrets = [old, new]
    world.webhooks.log.ping(ADMIN, sub_id)
    world.drain()
    (ping,) = world.receiver.at("/rotating")
    assert ping.event_type == PING_EVENT_TYPE
    assert sorted(ping.verified_with) == sorted([old, new])  # either secret verifies
    world.clock.offset = timedelta(hours=24, minutes=1)
    world.webhooks.log.ping(ADMIN, sub_id)
    world.drain()
    later = world.receiver.at("/rotating")[-1]
    assert len(later.headers["webhook-signature"].split()) == 1  # the old one retired


@pytest.mark.parametrize("fmt", [WebhookFormat.TEAMS, WebhookFormat.SLACK])
def test_chat_formats_carry_headline_hot_respond_by_and_the_lead_link(
    world: WebhookWorld, fmt: WebhookFormat
) -> None:
    world.subscribe(f"/{fmt}", format=fmt)
    world.feed.events["contoso"] = _events(1)
    world.webhooks.dispatcher.run(NOW)
    world.drain()
    (item,) = world.receiver.at(f"/{fmt}")
    text = item.body.decode()
    assert item.verified_with
    assert "Northwind" in text
    assert "2027-03-15" in text
    assert "/leads/lead1" in text
    assert "Open lead" in text
    body = json.loads(text)
    if fmt is WebhookFormat.TEAMS:
        (attachment,) = body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert attachment["content"]["actions"][0]["type"] == "Action.OpenUrl"
    else:
        assert [block["type"] for block in body["blocks"]] == ["header", "section", "actions"]


def test_an_event_larger_than_a_queue_message_arrives_whole(world: WebhookWorld) -> None:
    sub_id, secret = world.subscribe("/big")
    event = _events(1)[0]
    event["data"] = {"id": "lead1", "notes": "é" * 60_000, "version": 1}  # 120 KB of UTF-8
    world.feed.events["contoso"] = [event]
    world.webhooks.dispatcher.run(NOW)
    assert world.drain() == 1
    (item,) = world.receiver.at("/big")
    assert item.verified_with == [secret]
    assert json.loads(item.body)["data"]["notes"] == "é" * 60_000
    assert world.log(sub_id)[0].status is DeliveryState.DELIVERED
