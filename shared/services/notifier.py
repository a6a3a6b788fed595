"""Handle one queued notification: send its email at most once in practice, and record it.

The queue delivers at least once and SendGrid has no idempotency, so the send ledger decides:

1. A notification whose ledger row is final (Sent, Skipped, Held, Failed for good) sends
   nothing: a relayed, requeued or replayed copy of a Sent notification is never sent again.
   One leased to another delivery (Sending) or waiting for its own retry (Pending) is left to it.
2. Otherwise the delivery *claims* it: one conditional batch writes the ledger row (Sending,
   with a short lease) and the feed entry. Of two racing deliveries only one wins.
3. It sends, then records the outcome and deletes the outbox row in one batch.

Failures that may pass (SendGrid's 429 and 5xx, timeouts, storage) are retried for
`give_up_after` (24 hours by default) with exponential back-off and jitter, honouring a
`Retry-After`: the row goes to Pending, leased to this delivery's chain until the retry is due,
and a copy of the message, invisible until then, goes back on the queue carrying the attempt
number and the first attempt's time; the invocation returns normally, so the host deletes the
original. Past `give_up_after` the row is Failed (retryable) and the message is parked in
`<queue>-poison`, where an operator can put it back once the cause is fixed.

If step 3 fails after SendGrid accepted (storage down), the copy put back carries SendGrid's
answer, and its delivery only records Sent. The one window left for a second email: SendGrid
accepted but we never learnt it, i.e. a crash between the send and step 3 (or storage and
queue both failing there), or a SendGrid timeout after it did accept. A timed-out send is
retried only once its lease has certainly run out (the lease outlasts any send), so at most one
request for a notification is ever in flight; we still prefer a rare duplicate to a lost lead.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shared.domain.delivery import (
    FINAL_STATUSES,
    Completion,
    Delivery,
    DeliveryStatus,
    HeldLead,
    LedgerEntry,
)
from shared.domain.errors import ConcurrentModification, DeliveryRejected, DependencyUnavailable
from shared.domain.notification import Notification, SentEmail
from shared.services.log_fields import log_fields
from shared.services.metrics import record_notification
from shared.services.notification_plans import NotificationPlanner, Plan
from shared.services.notification_ports import DailyCounter, EmailSender, SendLedger
from shared.services.notification_retries import NotificationRetries
from shared.services.ports import Clock
from shared.services.retries import Retries
from shared.services.tracing import Attributes, span

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
        retries: Retries,
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
        self._lease = lease
        self._later = NotificationRetries(
            ledger=ledger, retries=retries, clock=clock, max_dequeue_count=max_dequeue_count
        )

    def handle(self, notification: Notification, delivery: Delivery) -> DeliveryStatus:
        """What became of the notification (Pending: a retry is scheduled).

        Raises only when not even the retry could be scheduled (the queue is down too), or on
        an unexpected error: the host's own retries and poison queue take over then.
        """
        now = self._clock.now()
        try:
            previous = self._ledger.find(notification.partner_id, notification.id)
            if notification.sent is not None and previous is not None:
                return self._record_sent(notification, notification.sent, previous)
        except DependencyUnavailable as error:
            first_attempt_at = delivery.first_attempt_at(now)
            return self._later.retry(notification, delivery, error, None, first_attempt_at)
        # A Failed row being tried again is an operator's replay: a new 24 hours start.
        replayed = previous is not None and previous.status is DeliveryStatus.FAILED
        first_attempt_at = now if replayed else delivery.first_attempt_at(now)
        if previous is not None:
            early = previous.retry_due_in(now=now, message_id=delivery.owner)
            if early is not None:  # our own retry, ahead of its time: wait for the rest
                self._later.put_back(notification, delivery, first_attempt_at, early, again=True)
                return previous.status
            if not previous.may_claim(now=now, message_id=delivery.owner):
                status = previous.status
                logger.info("Notification %s is %s: nothing to do", notification.id, status)
                return previous.status
        return self._claim_and_send(notification, delivery, previous, first_attempt_at)

    def _claim_and_send(
        self,
        notification: Notification,
        delivery: Delivery,
        previous: LedgerEntry | None,
        first_attempt_at: datetime,
    ) -> DeliveryStatus:
        now = self._clock.now()
        try:
            plan = self._planner.plan(notification, now)
            entry = self._ledger.claim(
                notification,
                previous,
                lease_until=now + self._lease,
                message_id=delivery.owner,
                feed=plan.feed,
            )
        except ConcurrentModification:
            logger.info("Notification %s is being handled by another delivery", notification.id)
            return DeliveryStatus.SENDING
        except DependencyUnavailable as error:
            return self._later.retry(notification, delivery, error, None, first_attempt_at)
        try:
            completion = self._deliver(notification, plan)
        except DependencyUnavailable as error:
            return self._later.retry(notification, delivery, error, entry, first_attempt_at)
        except Exception as error:
            self._later.give_back(entry, delivery, error)
            raise
        try:
            self._ledger.complete(entry, completion)
        except DependencyUnavailable as error:
            if completion.status is not DeliveryStatus.SENT:
                raise  # nothing went out: doing it again later is harmless
            # It went out: the retry must record it, never send it again.
            sent = SentEmail(
                provider_message_id=completion.provider_message_id,
                recipients=completion.recipients,
            )
            copy = notification.model_copy(update={"sent": sent})
            self._later.retry(copy, delivery, error, None, first_attempt_at)
            return DeliveryStatus.SENT
        record_notification(notification.kind.value, completion.status.value)
        logger.info(
            "Notification %s (%s): %s%s",
            notification.id,
            notification.kind,
            completion.status,
            f" ({completion.reason})" if completion.reason else "",
            extra=_fields(notification, completion.status),
        )
        return completion.status

    def _record_sent(
        self, notification: Notification, email: SentEmail, previous: LedgerEntry
    ) -> DeliveryStatus:
        """A copy carrying an email that went out: record it, unless something final was."""
        if previous.status in FINAL_STATUSES:
            return previous.status
        sent = Completion(
            DeliveryStatus.SENT,
            provider_message_id=email.provider_message_id,
            recipients=email.recipients,
        )
        self._ledger.complete(previous, sent)  # unconditional for Sent: it did go out
        record_notification(notification.kind.value, DeliveryStatus.SENT.value)
        logger.info(
            "Notification %s (%s): Sent, recorded late",
            notification.id,
            notification.kind,
            extra=_fields(notification, DeliveryStatus.SENT),
        )
        return DeliveryStatus.SENT

    def _deliver(self, notification: Notification, plan: Plan) -> Completion:
        if plan.email is None:
            return Completion(DeliveryStatus.SKIPPED, reason=plan.skip_reason)
        if plan.volume_day is not None and plan.lead_id is not None:
            counted = self._counter.take_slot(
                notification.partner_id,
                plan.volume_day,
                notification.id,
                self._threshold,
                recipient=plan.volume_recipient,
            )
            if not counted:  # past the day's threshold: the lead waits for the digest
                hold = HeldLead(day=plan.volume_day, lead_id=plan.lead_id)
                return Completion(DeliveryStatus.HELD, reason="daily threshold reached", hold=hold)
        attributes: Attributes = {
            "leads.notification_id": notification.id,
            "leads.recipients": len(plan.email.to),
        }
        try:
            with span("send email", attributes=attributes):
                message_id = self._sender.send(plan.email)
        except DeliveryRejected as error:
            return Completion(DeliveryStatus.FAILED, reason=error.detail)
        return Completion(
            DeliveryStatus.SENT, provider_message_id=message_id, recipients=len(plan.email.to)
        )


def _fields(notification: Notification, status: DeliveryStatus) -> dict[str, str | int]:
    return log_fields(
        "notification.completed",
        partner_id=notification.partner_id,
        lead_id=notification.lead_id,
        notification_id=notification.id,
        kind=notification.kind.value,
        outcome=status.value,
    )
