"""The retry schedule of a webhook delivery, and what its message carries."""

from __future__ import annotations

from datetime import timedelta

from shared.domain.webhooks import (
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
    SigningSecrets,
    WebhookMessage,
    delivery_id,
    is_delivery_id,
    retry_delay,
)
from tests.unit.webhook_fakes import T0, lead_event


def test_retries_follow_the_schedule_for_about_three_days_then_stop() -> None:
    waits = [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS + 1)]
    assert waits[:5] == [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
                         timedelta(hours=2), timedelta(hours=5)]  # fmt: skip
    assert waits[-1] is None
    assert all(wait is not None for wait in waits[:-1])
    total = sum(RETRY_SCHEDULE, timedelta())
    assert timedelta(days=2, hours=18) < total < timedelta(days=3)


def test_a_receivers_retry_after_is_honoured_up_to_ten_hours() -> None:
    assert retry_delay(1, timedelta(minutes=2)) == timedelta(minutes=2)
    assert retry_delay(2, timedelta(days=3)) == timedelta(hours=10)
    assert retry_delay(2, timedelta(seconds=1)) == timedelta(minutes=5)


def test_both_secrets_sign_for_a_day_after_a_rotation() -> None:
    secrets = SigningSecrets("new", previous="old", previous_until=T0 + timedelta(hours=24))
    assert secrets.signing(T0) == ("new", "old")
    assert secrets.signing(T0 + timedelta(hours=24)) == ("new",)


def test_delivery_ids_sort_newest_first_and_name_their_event() -> None:
    older = delivery_id(T0, "evt1")
    newer = delivery_id(T0 + timedelta(seconds=1), "evt2")
    assert newer < older
    assert is_delivery_id(newer)
    assert newer.endswith("-evt2")
    assert is_delivery_id(delivery_id(T0, "a/b#c?"))  # hashed: keys refuse those characters
    assert not is_delivery_id("../etc")
    assert not is_delivery_id("123-abc")
    message = WebhookMessage(partner_id="contoso", subscription_id="s", event=lead_event(7))
    assert message.delivery_id == delivery_id(T0 + timedelta(seconds=7), "evt0007")
