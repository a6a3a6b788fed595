"""Notifications the system owes: written with the change that causes them (the outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.domain.lead_values import ValueObject
from shared.domain.redelivery import Redelivery

# The queue write after the commit normally delivers a notification at once; one still owed after
# this long is taken to have missed the queue and is relayed from the outbox.
FIRST_RELAY_DELAY = timedelta(minutes=2)
# One digest email for a whole day, up to this many leads: its JSON (35 characters an id) must
# fit a Table string property (32,768 characters) and a queue message (48 KiB of text).
DIGEST_MAX_LEADS = 800


class NotificationKind(StrEnum):
    NEW_LEAD = "NewLead"
    EXPIRY_REMINDER = "ExpiryReminder"
    LEAD_EXPIRED = "LeadExpired"
    LEAD_DECLINED = "LeadDeclined"
    DAILY_DIGEST = "DailyDigest"
    LEAD_ASSIGNED = "LeadAssigned"  # to the new owner (not when they took it themselves)
    FOLLOW_UP_OVERDUE = "FollowUpOverdue"  # to admins and contacts: nobody followed it up


class SentEmail(ValueObject):
    """What SendGrid answered when it accepted a notification's email."""

    provider_message_id: str | None = None
    recipients: int = 0


class Notification(ValueObject):
    """A queue message's body: small, and carrying only ids (the lead is read when sending)."""

    id: str
    kind: NotificationKind
    partner_id: str
    lead_id: str | None = None
    digest_day: date | None = None
    # A DailyDigest's held leads (see lead_rows.py, `H|`), or an ExpiryReminder's leads.
    lead_ids: tuple[str, ...] = ()
    created_at: datetime
    # Set on a copy the notifier put back on the queue to retry later (never in the outbox).
    redelivery: Redelivery | None = None
    # Set on a copy put back because the email went out but storage failed to record it: the
    # retry records it as sent instead of sending it again.
    sent: SentEmail | None = None

    @classmethod
    def about_lead(
        cls, kind: NotificationKind, *, partner_id: str, lead_id: str, now: datetime
    ) -> Notification:
        return cls(
            id=uuid.uuid4().hex, kind=kind, partner_id=partner_id, lead_id=lead_id, created_at=now
        )

    @classmethod
    def expiry_reminder(
        cls, *, partner_id: str, lead_ids: Sequence[str], now: datetime
    ) -> Notification:
        """ONE reminder email about every lead of a partner that one run reminded.

        `now` is also each lead's `reminded_at`: the email lists exactly the leads whose reminder
        this notification records, whatever a later run reminded. A single lead is also named
        in `lead_id`, as any notification about one lead. At most DIGEST_MAX_LEADS ids.
        """
        if not 0 < len(lead_ids) <= DIGEST_MAX_LEADS:
            raise ValueError(f"a reminder carries 1 to {DIGEST_MAX_LEADS} leads")
        return cls(
            id=uuid.uuid4().hex,
            kind=NotificationKind.EXPIRY_REMINDER,
            partner_id=partner_id,
            lead_id=lead_ids[0] if len(lead_ids) == 1 else None,
            lead_ids=tuple(lead_ids),
            created_at=now,
        )

    @classmethod
    def daily_digest(
        cls, *, partner_id: str, day: date, lead_ids: Sequence[str], now: datetime
    ) -> Notification:
        """One digest email for leads held on `day` (the partner's calendar day).

        Carries the lead ids itself: the held rows it was made from are deleted when it is
        released, so nothing else needs to be read back. At most DIGEST_MAX_LEADS ids.
        """
        if not 0 < len(lead_ids) <= DIGEST_MAX_LEADS:
            raise ValueError(f"a digest carries 1 to {DIGEST_MAX_LEADS} leads")
        return cls(
            id=uuid.uuid4().hex,
            kind=NotificationKind.DAILY_DIGEST,
            partner_id=partner_id,
            digest_day=day,
            lead_ids=tuple(lead_ids),
            created_at=now,
        )
