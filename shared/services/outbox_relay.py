"""Delivers notifications whose queue write failed after their change was committed.

Intake commits a lead and the notifications it owes in one batch, then puts them on the queue.
If that queue write fails, the outbox rows stay behind; this relay, run by its own timer and as
the operations job `relay-outbox`, puts them on the queue later. Sending is idempotent (each
notification has an id and a send ledger), so relaying one that did arrive costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from shared.domain.errors import DependencyUnavailable
from shared.domain.notification import Notification
from shared.services.ports import Clock, NotificationPublisher, OutboxStore, PartnerDirectory

logger = logging.getLogger(__name__)
_MAX_BACKOFF = timedelta(hours=6)


class OutboxRelay:
    def __init__(
        self,
        *,
        partners: PartnerDirectory,
        outbox: OutboxStore,
        publisher: NotificationPublisher,
        clock: Clock,
    ) -> None:
        self._clock = clock  # the next relay is real time; `as_of` only picks what is due
        self._partners = partners
        self._outbox = outbox
        self._publisher = publisher

    def run(self, as_of: datetime) -> dict[str, int]:
        relayed = failed = 0
        for partner_id in self._partners.partner_ids():
            for entry in self._outbox.pending(partner_id, as_of):
                try:
                    self._publisher.publish([entry.notification])
                except DependencyUnavailable:
                    failed += 1
                    logger.warning("Relaying notification %s failed", entry.notification.id)
                    continue
                relayed += 1
                # Not deleted here: the sender clears it once handled. Until then, back off.
                backoff = min(timedelta(minutes=5) * 2**entry.attempts, _MAX_BACKOFF)
                self._outbox.reschedule(entry, self._clock.now() + backoff)
        return {"relayed": relayed, "failed": failed}


def publish_committed(
    publisher: NotificationPublisher, notifications: Sequence[Notification]
) -> bool:
    """Queue notifications whose outbox rows are committed already with their change.

    False when the queue did not take them: nothing is lost, the relay delivers them later, so
    the caller (a request, a job) carries on and at most reports them as deferred.
    """
    if not notifications:
        return True
    try:
        publisher.publish(notifications)
    except DependencyUnavailable:
        logger.warning(
            "Queue write failed for notifications %s; the outbox relay delivers them",
            [notification.id for notification in notifications],
        )
        return False
    return True
