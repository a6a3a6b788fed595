"""Backfill from Partner Center: its lead export (CSV) through the same journal and processing.

The file is read twice from a spooled copy, a row at a time: first to count its rows (so a file
over the limit is refused before anything is written), then to journal them, 50 deliveries a
batch and a queue message, so memory holds one batch however long the file is. The answer is a
report; each row lands (or is quarantined) like a webhook delivery, visible in the journal.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from pydantic import Field

from shared.domain.errors import (
    DependencyUnavailable,
    FieldError,
    InvalidInput,
    PayloadTooLarge,
)
from shared.domain.intake_journal import (
    DeliverySource,
    JournalEntry,
    arrival_instant,
    new_delivery_id,
)
from shared.domain.lead import stage_key
from shared.domain.marketplace_payload import parse_marketplace_payload
from shared.domain.model import ApiModel
from shared.domain.principal import OPERATORS, Principal, Role
from shared.services.customer_checks import SpamDomains
from shared.services.delivery_door import RELAY_AFTER
from shared.services.delivery_processor import NO_CUSTOMER, names_nobody
from shared.services.journal_ports import DeliveryJournal, DeliveryQueue
from shared.services.lead_identity import dedup_key
from shared.services.marketplace_leads import marketplace_lead_details
from shared.services.partner_center_csv import CsvRow, parse_arrival, read_rows
from shared.services.partners import PartnerService
from shared.services.ports import Clock

logger = logging.getLogger(__name__)
MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
IMPORTERS = frozenset({Role.REFERRALS_ADMIN})
_BATCH = 50  # deliveries a journal batch (2 rows each, ≤ 100) and a queue message
_LISTED = 1000  # rejected rows listed in the report (all are counted)


class RejectedRow(ApiModel):
    line: int = Field(description="Line of the file where the row starts (the header is 1).")
    reason: str


class ImportReport(ApiModel):
    rows: int = Field(description="Data rows in the file.")
    imported: int = Field(description="Rows journaled and queued for processing.")
    duplicates: int = Field(
        description="Rows repeating an earlier row's customer, offer and stage (not imported); "
        "a row repeating an existing lead is imported and lands as Duplicate."
    )
    rejected_count: int
    rejected: list[RejectedRow] = Field(description=f"The first {_LISTED} rejected rows.")


class LeadImport:
    def __init__(
        self,
        *,
        partners: PartnerService,
        journal: DeliveryJournal,
        queue: DeliveryQueue,
        clock: Clock,
        spam_domains: SpamDomains,
    ) -> None:
        self._partners = partners
        self._journal = journal
        self._queue = queue
        self._clock = clock
        self._spam_domains = spam_domains

    def run(self, principal: Principal, partner_id: str | None, source: BinaryIO) -> ImportReport:
        partner = self._partner(principal, partner_id)
        rows = sum(1 for _ in _rows(source))
        if rows > MAX_ROWS:
            raise PayloadTooLarge(f"The file has {rows} rows; import at most {MAX_ROWS} a file.")
        report = ImportReport(rows=rows, imported=0, duplicates=0, rejected_count=0, rejected=[])
        seen: set[bytes] = set()  # 8-byte digests: at most MAX_ROWS of them
        batch: list[bytes] = []
        for row in _rows(source):
            raw = self._check(row, seen, report)
            if raw is not None:
                batch.append(raw)
            if len(batch) == _BATCH:
                self._journal_batch(partner, batch)
                report.imported += len(batch)
                batch = []
        if batch:
            self._journal_batch(partner, batch)
            report.imported += len(batch)
        return report

    def _partner(self, principal: Principal, partner_id: str | None) -> str:
        if not principal.roles.isdisjoint(OPERATORS):
            if not partner_id:
                message = "an operator names the partner"
                raise InvalidInput(
                    "Name the partner: ?partnerId=…", [FieldError("partnerId", message)]
                )
            return self._partners.get(partner_id).partner_id
        own = principal.require_partner(IMPORTERS)
        if partner_id and partner_id != own:
            message = "must be your own partner or absent"
            raise InvalidInput(
                "A partner imports into its own leads only.", [FieldError("partnerId", message)]
            )
        return own

    def _check(self, row: CsvRow, seen: set[bytes], report: ImportReport) -> bytes | None:
        """The row's JSON body if it is to be imported; None (counted) otherwise."""
        reason = row.problem
        if row.body is not None:
            try:
                delivery = parse_marketplace_payload(row.body)
            except InvalidInput as error:
                fields = ", ".join(item.field for item in error.errors)
                reason = f"{error.detail} ({fields})"
            else:
                if names_nobody(delivery.customer):
                    reason = NO_CUSTOMER
                else:
                    arrival = parse_arrival(str(row.body["LeadCreationDateTime"]))
                    details = marketplace_lead_details(
                        delivery, spam_domains=self._spam_domains, now=arrival or self._now()
                    )
                    key = f"{dedup_key(details)}|{stage_key(details.interaction)}"
                    digest = hashlib.sha256(key.encode()).digest()[:8]
                    if digest in seen:
                        report.duplicates += 1
                        return None
                    seen.add(digest)
                    return json.dumps(row.body, ensure_ascii=False).encode()
        report.rejected_count += 1
        if len(report.rejected) < _LISTED:
            report.rejected.append(RejectedRow(line=row.line, reason=reason or "unreadable"))
        return None

    def _journal_batch(self, partner_id: str, bodies: list[bytes]) -> None:
        received_at = self._now()
        entries = [
            JournalEntry(
                delivery_id=new_delivery_id(received_at),
                partner_id=partner_id,
                received_at=received_at,
                sha256=hashlib.sha256(raw).hexdigest(),
                source=DeliverySource.IMPORT,
                body=raw,
            )
            for raw in bodies
        ]
        self._journal.record_many(entries, relay_at=received_at + RELAY_AFTER)
        try:
            self._queue.publish_many([entry.delivery_id for entry in entries], partner_id)
        except DependencyUnavailable:
            logger.warning(
                "Queueing %d imported deliveries failed; the relay queues them", len(entries)
            )

    def _now(self) -> datetime:
        return arrival_instant(self._clock.now())


def _rows(source: BinaryIO) -> Iterator[CsvRow]:
    source.seek(0)
    # utf-8-sig drops the byte-order mark spreadsheets write; newline="" keeps quoted newlines.
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        yield from read_rows(text)
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text.") from None
    finally:
        text.detach()  # the caller owns the spooled file
