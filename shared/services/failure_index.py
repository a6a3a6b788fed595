"""The send ledger, noting each Failed outcome where operators list failed notifications.

The notifier records an outcome through the ledger (`complete`); a Failed one is also written
to the failed-notifications index (best effort: the ledger row is the truth and is written
first). The notification itself is captured when it is claimed, in the same invocation, so
a resend can put exactly that message back on the queue, reminders and digests included.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime

from shared.domain.delivery import Completion, DeliveryStatus, FeedItem, LedgerEntry
from shared.domain.errors import DependencyUnavailable
from shared.domain.notification import Notification
from shared.services.notification_ports import SendLedger
from shared.services.operator_ports import FailedNotification, FailedNotifications
from shared.services.ports import Clock

logger = logging.getLogger(__name__)
_CLAIMED_KEPT = 1000  # notifications claimed and not completed yet, per worker


class FailureIndexingLedger:
    def __init__(self, ledger: SendLedger, index: FailedNotifications, clock: Clock) -> None:
        self._ledger = ledger
        self._index = index
        self._clock = clock
        self._claimed: OrderedDict[str, Notification] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, partner_id: str, notification_id: str) -> LedgerEntry | None:
        return self._ledger.find(partner_id, notification_id)

    def claim(
        self,
        notification: Notification,
        previous: LedgerEntry | None,
        *,
        lease_until: datetime,
        message_id: str,
        feed: FeedItem | None,
    ) -> LedgerEntry:
        entry = self._ledger.claim(
            notification, previous, lease_until=lease_until, message_id=message_id, feed=feed
        )
        with self._lock:
            self._claimed[notification.id] = notification.model_copy(
                update={"redelivery": None, "sent": None}
            )
            while len(self._claimed) > _CLAIMED_KEPT:
                self._claimed.popitem(last=False)
        return entry

    def release(self, entry: LedgerEntry, *, reason: str, retry_at: datetime) -> None:
        self._ledger.release(entry, reason=reason, retry_at=retry_at)

    def complete(self, entry: LedgerEntry, completion: Completion) -> None:
        self._ledger.complete(entry, completion)
        with self._lock:
            notification = self._claimed.pop(entry.notification_id, None)
        if completion.status is not DeliveryStatus.FAILED:
            return
        failed = FailedNotification(
            partner_id=entry.partner_id,
            notification_id=entry.notification_id,
            kind=notification.kind.value if notification else "",
            lead_id=notification.lead_id if notification else None,
            reason=completion.reason or "",
            failed_at=self._clock.now(),
            retryable=completion.retryable,
            notification=notification,
        )
        try:
            self._index.record(failed)
        except DependencyUnavailable as error:
            logger.warning(
                "Failed notification %s not listed for operators: %s",
                entry.notification_id,
                error.detail,
            )
