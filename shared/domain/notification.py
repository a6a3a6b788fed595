"""Notifications the system owes: written with the change that causes them (the outbox)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.domain.lead_values import ValueObject

# The queue write after the commit normally delivers a notification at once; one still owed after
# this long is taken to have missed the queue and is relayed from the outbox.
FIRST_RELAY_DELAY = timedelta(minutes=2)


class NotificationKind(StrEnum):
    NEW_LEAD = "NewLead"
    EXPIRY_REMINDER = "ExpiryReminder"
    LEAD_EXPIRED = "LeadExpired"
    LEAD_DECLINED = "LeadDeclined"
    DAILY_DIGEST = "DailyDigest"


class Notification(ValueObject):
    """A queue message's body: small, and carrying only ids (the lead is read when sending)."""

    id: str
    kind: NotificationKind
    partner_id: str
    lead_id: str | None = None
    digest_day: date | None = None
    created_at: datetime

    @classmethod
    def about_lead(
        cls, kind: NotificationKind, *, partner_id: str, lead_id: str, now: datetime
    ) -> Notification:
        return cls(
            id=uuid.uuid4().hex, kind=kind, partner_id=partner_id, lead_id=lead_id, created_at=now
        )
