"""The names of the lifecycle jobs: timers, the work queue and the operations route share them."""

from __future__ import annotations

EXPIRE_LEADS = "expire-leads"
ARCHIVE_INFORMATIONAL_LEADS = "archive-informational-leads"
SEND_DIGESTS = "send-digests"
REMIND_EXPIRING = "remind-expiring"
ESCALATE_STALE_LEADS = "escalate-stale-leads"
RELAY_DELIVERIES = "relay-deliveries"
DISPATCH_WEBHOOKS = "dispatch-webhooks"
PRUNE_EVENTS = "prune-events"  # run by the archive timer (functions/timers.py)
REINDEX_LEADS = "reindex-leads"  # on demand after an upgrade changes the index layout
