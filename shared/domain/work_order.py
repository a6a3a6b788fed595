"""A work queue message: run one job, as of one instant, for a batch of partners."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import AwareDatetime, Field

from shared.domain.lead_values import ValueObject
from shared.domain.redelivery import Redelivery

# Partner ids are at most 64 characters: 200 of them stay far below a queue message's 48 KiB.
MAX_PARTNERS_PER_ORDER = 200


class WorkOrder(ValueObject):
    """Carries everything its handler needs, so a duplicate delivery does the same (no) work."""

    id: str
    job: str
    as_of: AwareDatetime
    partner_ids: tuple[str, ...] = Field(min_length=1, max_length=MAX_PARTNERS_PER_ORDER)
    # Set on a copy the handler put back on the queue to retry later.
    redelivery: Redelivery | None = None

    @classmethod
    def for_partners(cls, job: str, as_of: datetime, partner_ids: Sequence[str]) -> WorkOrder:
        return cls(id=uuid.uuid4().hex, job=job, as_of=as_of, partner_ids=tuple(partner_ids))
