"""Turns a journaled marketplace delivery into a lead, once, and records the outcome.

Runs from the deliveries queue (at least once), the relay and operators' replays, so it must be
idempotent: a delivery whose journal row is settled is skipped, and landing the same delivery
again finds its lead through the de-duplication row (Duplicate), never a second lead or email.
What cannot be processed is Quarantined in the journal (error type and a message free of
personal data), never dropped. A failure that may pass (storage out, a race lost too often)
raises `DependencyUnavailable`: `DeliveryMessages` retries it later with back-off, and
quarantines it only once the retries are given up.
"""

from __future__ import annotations

import json
import logging
import traceback
from dataclasses import dataclass, replace
from datetime import datetime

from shared.domain.errors import (
    ConcurrentModification,
    DependencyUnavailable,
    InvalidInput,
    LeadsError,
)
from shared.domain.intake_journal import DeliverySource, JournalEntry, JournalStatus
from shared.domain.marketplace_payload import RawCustomer, parse_marketplace_payload
from shared.services.customer_checks import SpamDomains
from shared.services.journal_ports import DeliveryJournal
from shared.services.lead_intake import IntakeResult, IntakeService
from shared.services.log_fields import log_fields
from shared.services.marketplace_leads import marketplace_lead_details
from shared.services.metrics import record_delivery_settled
from shared.services.partner_center_csv import ARRIVAL, parse_arrival
from shared.services.ports import Clock

logger = logging.getLogger(__name__)
NO_CUSTOMER = "The delivery names no customer: no email, phone, name or company."
_SETTLE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Outcome:
    status: JournalStatus
    lead_id: str | None = None
    reason: str | None = None


class DeliveryProcessor:
    def __init__(
        self,
        *,
        journal: DeliveryJournal,
        intake: IntakeService,
        clock: Clock,
        spam_domains: SpamDomains,
    ) -> None:
        self._journal = journal
        self._intake = intake
        self._clock = clock
        self._spam_domains = spam_domains

    def process(self, delivery_id: str, *, attempts: int = 1) -> JournalEntry | None:
        """The settled journal entry, None for an id the journal does not know. Raises
        `DependencyUnavailable` for a failure that may pass: the delivery stays Received."""
        entry = self._journal.get(delivery_id)
        if entry is None:
            logger.warning("Delivery %s is not in the journal; nothing to process", delivery_id)
            return None
        if not entry.is_pending:
            return entry  # settled by an earlier run: a duplicate message or a relay
        try:
            outcome = self._land(entry)
        except ConcurrentModification as error:  # a race lost on every re-read: try later
            raise DependencyUnavailable(error.detail) from error
        except DependencyUnavailable:
            raise
        except LeadsError as error:  # our rules refuse it: retrying cannot help
            outcome = Outcome(JournalStatus.QUARANTINED, reason=_reason(error))
        except Exception as error:  # our bug: keep the delivery for a replay after the fix
            _log_unexpected(delivery_id, error)
            outcome = Outcome(JournalStatus.QUARANTINED, reason=_reason(error))
        return self._settle(entry, outcome, attempts)

    def quarantine(
        self, delivery_id: str, error: DependencyUnavailable, *, attempts: int
    ) -> JournalEntry | None:
        """Give up on a delivery whose failure did not pass: Quarantined, for a replay later."""
        entry = self._journal.get(delivery_id)  # with its body: settling moves the whole row
        if entry is None or not entry.is_pending:
            return entry
        outcome = Outcome(JournalStatus.QUARANTINED, reason=_reason(error))
        return self._settle(entry, outcome, attempts)

    def _land(self, entry: JournalEntry) -> Outcome:
        body = _json_object(entry.body or b"")
        delivery = parse_marketplace_payload(body)
        if names_nobody(delivery.customer):
            return Outcome(JournalStatus.REJECTED, reason=NO_CUSTOMER)
        details = marketplace_lead_details(
            delivery,
            spam_domains=self._spam_domains,
            now=_arrival(entry, body),
            delivery_id=entry.delivery_id,
        )
        receipt = self._intake.land_marketplace(
            entry.partner_id, details, history=entry.source is DeliverySource.IMPORT
        )
        if receipt.result is IntakeResult.CREATED and details.is_test:
            return Outcome(JournalStatus.TEST, receipt.lead_id)
        return Outcome(JournalStatus(receipt.result.value), receipt.lead_id)

    def _settle(self, entry: JournalEntry, outcome: Outcome, attempts: int) -> JournalEntry:
        settled = entry.settled(
            outcome.status,
            now=self._clock.now(),
            attempts=attempts,
            lead_id=outcome.lead_id,
            reason=outcome.reason,
        )
        for _ in range(_SETTLE_ATTEMPTS):
            try:
                stored = self._journal.settle(settled)
            except ConcurrentModification:
                current = self._journal.get(entry.delivery_id, with_body=False)
                if current is None:
                    raise
                if not current.is_pending:
                    return current  # another run settled it first: its outcome stands
                # Still pending: the relay re-scheduled it meanwhile. Ours to settle.
                settled = replace(settled, etag=current.etag)
                continue
            _report_settled(stored)
            return stored
        raise ConcurrentModification("The delivery kept changing while it was settled.")


def _report_settled(entry: JournalEntry) -> None:
    record_delivery_settled(entry.status.value, entry.source.value)
    fields = log_fields(
        "delivery.settled",
        partner_id=entry.partner_id,
        delivery_id=entry.delivery_id,
        lead_id=entry.lead_id,
        outcome=entry.status.value,
    )
    quarantined = entry.status is JournalStatus.QUARANTINED
    logger.log(
        logging.WARNING if quarantined else logging.INFO,
        "Delivery %s: %s",
        entry.delivery_id,
        entry.status.value,
        extra=fields,
    )


def _json_object(raw: bytes) -> dict[str, object]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("The journaled body is not UTF-8 JSON.") from None
    if not isinstance(body, dict):
        raise InvalidInput("The journaled body is not a JSON object.")
    return body


def _arrival(entry: JournalEntry, body: dict[str, object]) -> datetime:
    """When the customer arrived: the webhook's receipt, or an imported row's creation time."""
    if entry.source is DeliverySource.IMPORT:
        created = parse_arrival(str(body.get(ARRIVAL) or ""))
        if created is not None:
            return created
    return entry.received_at


def names_nobody(customer: RawCustomer) -> bool:
    named = (customer.email, customer.phone, customer.first_name, customer.last_name)
    return not any(named) and not customer.company


def _reason(error: Exception) -> str:
    # Our errors' details are written by us and name fields, never values; anything else may
    # quote its input, so only its type is kept (the traceback goes to the log).
    if isinstance(error, LeadsError):
        fields = [item.field for item in getattr(error, "errors", [])]
        named = f" ({', '.join(fields)})" if fields else ""
        return f"{type(error).__name__}: {error.detail}{named}"
    return f"{type(error).__name__}: processing failed; the traceback is in the app's log."


def _log_unexpected(delivery_id: str, error: Exception) -> None:
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("Delivery %s quarantined: %s\n%s", delivery_id, type(error).__name__, frames)
