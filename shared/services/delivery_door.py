"""The marketplace webhook's door: verify, journal the raw delivery, queue it, acknowledge.

Nothing that can fail for a reason of ours runs before the answer: a 2xx means the delivery is
journaled, and from there processing can fail, retry, be relayed or replayed without losing it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from shared.domain.errors import DependencyUnavailable
from shared.domain.intake_journal import (
    DeliverySource,
    JournalEntry,
    JournalStatus,
    arrival_instant,
    new_delivery_id,
)
from shared.domain.marketplace_payload import parse_marketplace_payload
from shared.domain.model import ApiModel
from shared.services.journal_ports import DeliveryJournal, DeliveryQueue
from shared.services.log_fields import log_fields
from shared.services.metrics import record_delivery_received
from shared.services.partners import PartnerService
from shared.services.ports import Clock

logger = logging.getLogger(__name__)
# A delivery still pending this long after arrival has lost its queue message: the relay
# queues it again. Processing takes well under a second when the queue is healthy.
RELAY_AFTER = timedelta(minutes=1)


class DeliveryReceipt(ApiModel):
    delivery_id: str
    status: JournalStatus


class DeliveryDoor:
    def __init__(
        self,
        *,
        partners: PartnerService,
        journal: DeliveryJournal,
        queue: DeliveryQueue,
        clock: Clock,
        new_id: Callable[[datetime], str] = new_delivery_id,
    ) -> None:
        self._partners = partners
        self._journal = journal
        self._queue = queue
        self._clock = clock
        self._new_id = new_id

    def acknowledge(
        self, partner_id: str, key: str | None, raw: bytes, body: Mapping[str, object]
    ) -> DeliveryReceipt:
        partner = self._partners.authenticate_intake(partner_id, key)
        # Pure and quick: a body whose fields have the wrong types is refused while the sender
        # still has it (400 naming the fields), as before the journal; it stores nothing.
        parse_marketplace_payload(body)
        entry = self.journal(partner.partner_id, raw, DeliverySource.MARKETPLACE)
        return DeliveryReceipt(delivery_id=entry.delivery_id, status=entry.status)

    def journal(self, partner_id: str, raw: bytes, source: DeliverySource) -> JournalEntry:
        """Journal and queue one delivery; a queue failure is left to the relay."""
        received_at = arrival_instant(self._clock.now())
        entry = JournalEntry(
            delivery_id=self._new_id(received_at),
            partner_id=partner_id,
            received_at=received_at,
            sha256=hashlib.sha256(raw).hexdigest(),
            source=source,
            body=raw,
        )
        self._journal.record(entry, relay_at=received_at + RELAY_AFTER)
        record_delivery_received(source.value)
        fields = log_fields(
            "delivery.received",
            partner_id=partner_id,
            delivery_id=entry.delivery_id,
            source=source.value,
        )
        logger.info("Delivery %s received for %s", entry.delivery_id, partner_id, extra=fields)
        try:
            self._queue.publish(entry.delivery_id, partner_id)
        except DependencyUnavailable:
            logger.warning("Queueing delivery %s failed; the relay queues it", entry.delivery_id)
        return entry
