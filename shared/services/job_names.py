"""The names of the lifecycle jobs: timers, the work queue and the operations route share them."""

from __future__ import annotations

EXPIRE_LEADS = "expire-leads"
ARCHIVE_INFORMATIONAL_LEADS = "archive-informational-leads"
SEND_DIGESTS = "send-digests"
REMIND_EXPIRING = "remind-expiring"
RELAY_DELIVERIES = "relay-deliveries"
PRUNE_EVENTS = "prune-events"  # run by the archive timer (functions/timers.py)
