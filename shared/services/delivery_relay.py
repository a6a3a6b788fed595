"""Queues journaled deliveries whose queue message never arrived (or was lost).

The door journals a delivery, then queues it; when that queue write fails the delivery's
received row stays, due a minute after arrival. This relay, on its own timer and as the
operations job `relay-deliveries`, queues what is due in the last week's partitions (a queue
outage over a long weekend heals by itself; each day is one query of its short pending range)
and backs off per delivery. Processing is idempotent, so relaying one that did arrive costs a
skipped message. Older pending deliveries are for an operator's replay (`status=Received`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shared.domain.errors import DependencyUnavailable
from shared.domain.intake_journal import journal_day
from shared.services.journal_ports import DeliveryJournal, DeliveryQueue

logger = logging.getLogger(__name__)
_FIRST_BACKOFF = timedelta(minutes=1)
_MAX_BACKOFF = timedelta(hours=1)
LOOK_BACK_DAYS = 7  # today and the six days before


class DeliveryRelay:
    def __init__(self, *, journal: DeliveryJournal, queue: DeliveryQueue) -> None:
        self._journal = journal
        self._queue = queue

    def run(self, as_of: datetime) -> dict[str, int]:
        relayed = failed = 0
        today = journal_day(as_of)
        for day in (today - timedelta(days=back) for back in range(LOOK_BACK_DAYS)):
            for pending in self._journal.pending(day, as_of):
                try:
                    self._queue.publish(pending.delivery_id, pending.partner_id)
                except DependencyUnavailable:
                    failed += 1
                    logger.warning("Relaying delivery %s failed", pending.delivery_id)
                    continue
                relayed += 1
                backoff = min(_FIRST_BACKOFF * 2**pending.relays, _MAX_BACKOFF)
                self._journal.postpone(day, pending, as_of + backoff)
        return {"relayed": relayed, "failed": failed}
