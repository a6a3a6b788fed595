"""Handle one queued notification: send its email at most once in practice, and record it.

The queue delivers at least once and SendGrid has no idempotency, so the send ledger decides:

1. A notification whose ledger row is final (Sent, Skipped, Held, Failed for good) sends
   nothing. One leased by a concurrent duplicate of the message is left to that delivery.
2. Otherwise the delivery *claims* it: one conditional batch writes the ledger row (Sending,
   with a short lease) and the feed entry. Of two racing deliveries only one wins.
3. It sends, then records the outcome and deletes the outbox row in one batch.

The one window left: a crash (or lost answer) after SendGrid accepted the email and before step 3
wrote Sent. The lease then expires and a retry sends a second email. It is one storage round
trip wide; a SendGrid timeout is the same case (the email may have gone), and we retry rather
than risk losing a lead.

Transient failures (429, 5xx, timeouts, storage) release the lease and raise, so the queue
retries. On the queue's last attempt the ledger records Failed (retryable: an operator may put
the poison message back) before raising, so the host moves the message to `<queue>-poison`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from shared.domain.delivery import (
    Completion,
    Delivery,
    DeliveryStatus,
    HeldLead,
    LedgerEntry,
)
from shared.domain.errors import ConcurrentModification, DeliveryRejected, LeadsError
from shared.domain.notification import Notification
from shared.services.notification_plans import NotificationPlanner, Plan
from shared.services.notification_ports import DailyCounter, EmailSender, SendLedger
from shared.services.ports import Clock

logger = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self,
        *,
        planner: NotificationPlanner,
        ledger: SendLedger,
        counter: DailyCounter,
        sender: EmailSender,
        clock: Clock,
        digest_threshold: int,
        max_dequeue_count: int,
        lease: timedelta,
    ) -> None:
        self._planner = planner
        self._ledger = ledger
        self._counter = counter
        self._sender = sender
        self._clock = clock
        self._threshold = digest_threshold
        self._max_dequeue_count = max_dequeue_count
        self._lease = lease

    def handle(self, notification: Notification, delivery: Delivery) -> DeliveryStatus:
        """What became of the notification; raises when the queue should try again."""
        now = self._clock.now()
        previous = self._ledger.find(notification.partner_id, notification.id)
        if previous is not None and not previous.may_claim(now=now, message_id=delivery.message_id):
            logger.info("Notification %s is %s: nothing to do", notification.id, previous.status)
            return previous.status
        plan = self._planner.plan(notification, now)
        try:
            entry = self._ledger.claim(
                notification,
                previous,
                lease_until=now + self._lease,
                message_id=delivery.message_id,
                feed=plan.feed,
            )
        except ConcurrentModification:
            logger.info("Notification %s is being handled by another delivery", notification.id)
            return DeliveryStatus.SENDING
        try:
            completion = self._deliver(notification, plan)
        except Exception as error:
            self._give_back(entry, delivery, error)
            raise
        self._ledger.complete(entry, completion)
        logger.info(
            "Notification %s (%s): %s%s",
            notification.id,
            notification.kind,
            completion.status,
            f" ({completion.reason})" if completion.reason else "",
        )
        return completion.status

    def _deliver(self, notification: Notification, plan: Plan) -> Completion:
        if plan.email is None:
            return Completion(DeliveryStatus.SKIPPED, reason=plan.skip_reason)
        if plan.volume_day is not None and plan.lead_id is not None:
            counted = self._counter.take_slot(
                notification.partner_id, plan.volume_day, notification.id, self._threshold
            )
            if not counted:  # past the day's threshold: the lead waits for the digest
                hold = HeldLead(day=plan.volume_day, lead_id=plan.lead_id)
                return Completion(DeliveryStatus.HELD, reason="daily threshold reached", hold=hold)
        try:
            message_id = self._sender.send(plan.email)
        except DeliveryRejected as error:
            return Completion(DeliveryStatus.FAILED, reason=error.detail)
        return Completion(
            DeliveryStatus.SENT, provider_message_id=message_id, recipients=len(plan.email.to)
        )

    def _give_back(self, entry: LedgerEntry, delivery: Delivery, error: Exception) -> None:
        """After a failure that may pass: free the claim, or on the last attempt record Failed."""
        # Our errors carry safe details; anything else is named by type only (messages can
        # hold personal data).
        reason = error.detail if isinstance(error, LeadsError) else type(error).__name__
        last = delivery.is_last(self._max_dequeue_count)
        logger.warning(
            "Notification %s failed on attempt %d%s: %s",
            entry.notification_id,
            delivery.dequeue_count,
            " (the last: recorded as Failed)" if last else "; the queue retries it",
            reason,
        )
        try:
            if last:
                failed = Completion(
                    DeliveryStatus.FAILED, reason=f"gave up: {reason}", retryable=True
                )
                self._ledger.complete(entry, failed)
            else:
                self._ledger.release(entry, reason=reason)
        except LeadsError as bookkeeping:
            # Storage is failing too: the lease expires by itself; the original error matters.
            logger.warning(
                "Could not record the failure of %s: %s", entry.notification_id, bookkeeping.detail
            )
