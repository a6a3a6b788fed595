"""What the notifier does after a failure that may pass: retry later, or give up.

Retried with back-off (`shared.domain.redelivery`) through a copy of the message put back on the
queue; the ledger row is Pending meanwhile, leased to the delivery's chain until the retry is
due, so no other copy of the message (a relay, a replay) sends it first. Given up on after
`give_up_after`: the row is Failed (retryable) and the message is parked in `<queue>-poison`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from shared.domain.delivery import Completion, Delivery, DeliveryStatus, LedgerEntry
from shared.domain.errors import DeliveryUncertain, DependencyUnavailable, LeadsError
from shared.domain.notification import Notification
from shared.domain.redelivery import Redelivery
from shared.services.log_fields import log_fields
from shared.services.metrics import record_notification
from shared.services.notification_ports import SendLedger
from shared.services.ports import Clock
from shared.services.retries import Retries

logger = logging.getLogger(__name__)
# Clocks of instances and of the queue service differ a little: a timed-out send's retry waits
# this much past its lease, so the lease is certainly over.
LEASE_SAFETY = timedelta(seconds=2)


class NotificationRetries:
    def __init__(
        self, *, ledger: SendLedger, retries: Retries, clock: Clock, max_dequeue_count: int
    ) -> None:
        self._ledger = ledger
        self._retries = retries
        self._clock = clock
        self._max_dequeue_count = max_dequeue_count

    def retry(
        self,
        notification: Notification,
        delivery: Delivery,
        error: DependencyUnavailable,
        entry: LedgerEntry | None,
        first_attempt_at: datetime,
    ) -> DeliveryStatus:
        """Schedule the next attempt (Pending) or give up (Failed); raises only if the queue
        takes neither, so that the host retries the message itself."""
        now = self._clock.now()
        not_before = None
        if isinstance(error, DeliveryUncertain) and entry is not None and entry.lease_until:
            # SendGrid may still accept the timed-out request: no retry while it might.
            not_before = entry.lease_until + LEASE_SAFETY
        retry = self._retries.after(
            error,
            attempt=delivery.attempt,
            first_attempt_at=first_attempt_at,
            now=now,
            not_before=not_before,
        )
        if retry.give_up:
            return self._give_up(notification, delivery, error, entry)
        logger.warning(
            "Notification %s failed on attempt %d: %s; retried in %.1f s",
            notification.id,
            delivery.attempt,
            error.detail,
            retry.delay.total_seconds(),
            extra=_fields("notification.retried", notification, delivery),
        )
        try:
            self.put_back(notification, delivery, first_attempt_at, retry.delay)
        except DependencyUnavailable:
            # The queue is down too: the host retries the message (free to claim it then), and
            # on its last attempt moves it to the poison queue: the ledger says Failed first.
            if entry is not None and delivery.is_last(self._max_dequeue_count):
                self._fail(entry, error.detail)
            elif entry is not None:
                due = not_before or now
                self._record(lambda: self._ledger.release(entry, reason=error.detail, retry_at=due))
            raise
        # Put back first: were this write lost, the copy still owns the lease it finds.
        if entry is not None:
            due = now + retry.delay
            self._record(lambda: self._ledger.release(entry, reason=error.detail, retry_at=due))
        return DeliveryStatus.PENDING

    def put_back(
        self,
        notification: Notification,
        delivery: Delivery,
        first_attempt_at: datetime,
        delay: timedelta,
        *,
        again: bool = False,
    ) -> None:
        """A copy for the next attempt (`again`: for this one, which came too early)."""
        following = delivery.next(first_attempt_at)
        if again:
            following = Redelivery(
                attempt=max(delivery.attempt, 2),
                first_attempt_at=first_attempt_at,
                chain=delivery.owner,
            )
        copy = notification.model_copy(update={"redelivery": following})
        self._retries.queue.later(copy, delay)

    def give_back(self, entry: LedgerEntry, delivery: Delivery, error: Exception) -> None:
        """After an unexpected error (a bug): free the claim, or on the host's last attempt
        record Failed; the host retries, then moves the message to the poison queue."""
        # Named by type only: messages of errors we did not make can hold personal data.
        reason = type(error).__name__
        last = delivery.is_last(self._max_dequeue_count)
        logger.warning(
            "Notification %s failed on attempt %d%s: %s",
            entry.notification_id,
            delivery.dequeue_count,
            " (the last: recorded as Failed)" if last else "; the queue retries it",
            reason,
        )
        if last:
            self._fail(entry, reason)
        else:
            now = self._clock.now()
            self._record(lambda: self._ledger.release(entry, reason=reason, retry_at=now))

    def _give_up(
        self,
        notification: Notification,
        delivery: Delivery,
        error: DependencyUnavailable,
        entry: LedgerEntry | None,
    ) -> DeliveryStatus:
        logger.error(
            "Notification %s still failing on attempt %d: %s; parked in the poison queue",
            notification.id,
            delivery.attempt,
            error.detail,
            extra=_fields("notification.gave_up", notification, delivery),
        )
        if entry is not None:
            self._fail(entry, error.detail)
        # Without its retry state: put back by an operator, it starts afresh.
        self._retries.queue.park(notification.model_copy(update={"redelivery": None}))
        record_notification(notification.kind.value, DeliveryStatus.FAILED.value)
        return DeliveryStatus.FAILED

    def _fail(self, entry: LedgerEntry, reason: str) -> None:
        failed = Completion(DeliveryStatus.FAILED, reason=f"gave up: {reason}", retryable=True)
        self._record(lambda: self._ledger.complete(entry, failed))

    def _record(self, write: Callable[[], None]) -> None:
        """Bookkeeping after a failure: if storage fails too, the lease runs out by itself and
        the original error is what matters."""
        try:
            write()
        except LeadsError as bookkeeping:
            logger.warning("Could not record a failed delivery: %s", bookkeeping.detail)


def _fields(event: str, notification: Notification, delivery: Delivery) -> dict[str, str | int]:
    return log_fields(
        event,
        partner_id=notification.partner_id,
        lead_id=notification.lead_id,
        notification_id=notification.id,
        kind=notification.kind.value,
        attempt=delivery.attempt,
    )
