"""What operators send and get about deliveries: the window, the replay, the summaries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.intake_journal import DeliverySource, JournalEntry, JournalStatus
from shared.domain.model import ApiModel
from shared.services.journal_ports import JournalFilter

DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=31)  # a listing or replay spans at most this many day partitions
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
