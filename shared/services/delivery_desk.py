"""Operators' view of the intake journal: list deliveries, read one with its body, replay.

A replay re-opens deliveries that did not land (Quarantined, Rejected, or still Received) and
queues them again; ones that landed (Created, StageAdded, Duplicate, Test) are left alone, so a
replay can be repeated, or run over a window that mixes both, without a second lead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from shared.domain.errors import (
    ConcurrentModification,
    DependencyUnavailable,
    FieldError,
    InvalidInput,
    NotFound,
)
from shared.domain.intake_journal import (
    LANDED,
    DeliverySource,
    JournalEntry,
    JournalStatus,
    received_at_of,
)
from shared.domain.model import ApiModel
from shared.domain.principal import OPERATORS, Principal
from shared.services.journal_ports import (
    DeliveryJournal,
    DeliveryQueue,
    JournalFilter,
    JournalPosition,
)
from shared.services.paging import PagingTokens
from shared.services.ports import Clock

DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=31)  # a listing or replay spans at most this many day partitions
_REPLAY_PAGE = 500
PartnerId = Annotated[str, Field(min_length=1, max_length=128)]


class _Window(ApiModel):
    partner_id: PartnerId | None = None
    status: JournalStatus | None = None
    received_from: datetime | None = Field(default=None, alias="from")
    received_to: datetime | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _aware_and_ordered(self) -> Self:
        for instant in (self.received_from, self.received_to):
            if instant is not None and instant.tzinfo is None:
                raise ValueError("from and to need a UTC offset (Z or +hh:mm)")
        if self.received_from and self.received_to and self.received_from > self.received_to:
            raise ValueError("from must not be after to")
        return self

    def window(self, now: datetime) -> JournalFilter:
        to = self.received_to or now
        start = self.received_from or to - DEFAULT_WINDOW
        if to - start > MAX_WINDOW:
            message = "from and to may be at most 31 days apart"
            raise InvalidInput(f"The window is too long: {message}.", [FieldError("from", message)])
        return JournalFilter(start, to, self.partner_id, self.status)


class DeliveryQuery(_Window):
    page_size: Annotated[int, Field(ge=1, le=200)] = 50
    continuation_token: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class ReplayDeliveries(_Window):
    """One delivery by id, or every delivery of a window (narrowed by partner and status)."""

    delivery_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None

    @model_validator(mode="after")
    def _one_or_a_window(self) -> Self:
        window = (self.partner_id, self.status, self.received_from, self.received_to)
        if self.delivery_id is not None and any(value is not None for value in window):
            raise ValueError("give either deliveryId, or a window (from, to, partnerId, status)")
        if self.delivery_id is None and self.received_from is None:
            raise ValueError("give deliveryId, or from (and optionally to, partnerId, status)")
        return self


class DeliverySummary(ApiModel):
    delivery_id: str
    partner_id: str
    source: DeliverySource
    received_at: datetime
    sha256: str
    status: JournalStatus
    lead_id: str | None
    reason: str | None
    attempts: int
    processed_at: datetime | None

    @classmethod
    def of(cls, entry: JournalEntry, **extra: Any) -> Self:
        return cls(
            delivery_id=entry.delivery_id,
            partner_id=entry.partner_id,
            source=entry.source,
            received_at=entry.received_at,
            sha256=entry.sha256,
            status=entry.status,
            lead_id=entry.lead_id,
            reason=entry.reason,
            attempts=entry.attempts,
            processed_at=entry.processed_at,
            **extra,
        )


class DeliveryDetail(DeliverySummary):
    body: str = Field(description="The body exactly as received (UTF-8 JSON).")


class DeliveryPageView(ApiModel):
    items: list[DeliverySummary]
    continuation_token: str | None


class ReplayReport(ApiModel):
    matched: int = Field(description="Deliveries the request named or its window held.")
    queued: int = Field(description="Re-opened (if settled) and queued for processing.")
    skipped: int = Field(description="Already landed (Created, StageAdded, Duplicate, Test).")
    failed: int = Field(description="Queue write failed: re-opened, the relay queues them.")


@dataclass
class DeliveryDesk:
    journal: DeliveryJournal
    queue: DeliveryQueue
    clock: Clock
    tokens: PagingTokens

    def page(self, principal: Principal, query: DeliveryQuery) -> DeliveryPageView:
        principal.require_any(OPERATORS)
        scope = "deliveries:" + query.model_dump_json(exclude={"page_size", "continuation_token"})
        filters, resume = query.window(self.clock.now()), None
        if query.continuation_token:
            position = self.tokens.read(query.continuation_token, scope)
            resume = JournalPosition(date.fromisoformat(position["d"]), position["a"])
            filters = JournalFilter(
                datetime.fromisoformat(position["f"]),
                datetime.fromisoformat(position["t"]),
                filters.partner_id,
                filters.status,
            )
        page = self.journal.page(filters, resume, query.page_size)
        token = None
        if page.resume is not None:
            position = {
                "d": page.resume.day.isoformat(),
                "a": page.resume.after,
                "f": filters.received_from.isoformat(),
                "t": filters.received_to.isoformat(),
            }
            token = self.tokens.issue(scope, position)
        items = [DeliverySummary.of(entry) for entry in page.entries]
        return DeliveryPageView(items=items, continuation_token=token)

    def get(self, principal: Principal, delivery_id: str) -> DeliveryDetail:
        principal.require_any(OPERATORS)
        received_at_of(delivery_id)  # 400 for what is not an id at all
        entry = self.journal.get(delivery_id)
        if entry is None:
            raise NotFound(f"No delivery '{delivery_id}'.")
        body = (entry.body or b"").decode("utf-8", errors="replace")
        return DeliveryDetail.of(entry, body=body)

    def replay(self, principal: Principal, command: ReplayDeliveries) -> ReplayReport:
        principal.require_any(OPERATORS)
        if command.delivery_id is not None:
            entry = self.journal.get(command.delivery_id, with_body=False)
            if entry is None:
                raise NotFound(f"No delivery '{command.delivery_id}'.")
            entries = [entry]
        else:
            entries = list(self._window(command.window(self.clock.now())))
        report = ReplayReport(matched=len(entries), queued=0, skipped=0, failed=0)
        for entry in entries:
            self._replay_one(entry, report)
        return report

    def _window(self, filters: JournalFilter) -> Iterator[JournalEntry]:
        resume = None
        while True:
            page = self.journal.page(filters, resume, _REPLAY_PAGE)
            yield from page.entries
            if page.resume is None:
                return
            resume = page.resume

    def _replay_one(self, entry: JournalEntry, report: ReplayReport) -> None:
        if entry.status in LANDED:
            report.skipped += 1
            return
        if not entry.is_pending:
            full = self.journal.get(entry.delivery_id)  # re-opening moves the body too
            try:
                if full is None or full.etag != entry.etag:
                    raise ConcurrentModification("changed since it was listed")
                entry = self.journal.reopen(full, relay_at=self.clock.now() + timedelta(minutes=1))
            except ConcurrentModification:  # changed meanwhile: processing got there first
                report.skipped += 1
                return
        try:
            self.queue.publish(entry.delivery_id, entry.partner_id)
        except DependencyUnavailable:
            report.failed += 1
            return
        report.queued += 1
