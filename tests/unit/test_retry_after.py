"""Reading `Retry-After` (delay-seconds or an HTTP-date), and the back-off it feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.adapters.retry_after import retry_after
from shared.domain.redelivery import MAX_QUEUE_DELAY, RetryPolicy

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_delay_seconds_and_http_dates_are_read_whatever_the_header_case() -> None:
    assert retry_after({"Retry-After": "30"}, now=NOW) == timedelta(seconds=30)
    assert retry_after({"retry-after": "Mon, 30 Nov 2026 10:01:00 GMT"}, now=NOW) == timedelta(
        minutes=1
    )


def test_a_past_date_is_no_wait_and_nonsense_or_nothing_is_none() -> None:
    assert retry_after({"Retry-After": "Mon, 30 Nov 2026 09:00:00 GMT"}, now=NOW) == timedelta(0)
    assert retry_after({"Retry-After": "soon"}, now=NOW) is None
    assert retry_after({}, now=NOW) is None
    assert retry_after(None, now=NOW) is None


def test_no_delay_exceeds_what_a_queue_message_can_wait() -> None:
    policy = RetryPolicy(
        base=timedelta(seconds=30), cap=timedelta(hours=1), give_up_after=timedelta(hours=24)
    )
    top = lambda low, high: high  # noqa: E731
    assert policy.delay(500, asked=None, jitter=top) == timedelta(hours=1)  # no overflow
    assert policy.delay(1, asked=timedelta(days=30), jitter=top) == MAX_QUEUE_DELAY
    assert not policy.exhausted(NOW, NOW + timedelta(hours=23, minutes=59))
    assert policy.exhausted(NOW, NOW + timedelta(hours=24))
