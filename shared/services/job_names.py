"""The names of the lifecycle jobs: timers, the work queue and the operations route share them."""

from __future__ import annotations

EXPIRE_LEADS = "expire-leads"
ARCHIVE_INFORMATIONAL_LEADS = "archive-informational-leads"
SEND_DIGESTS = "send-digests"
REMIND_EXPIRING = "remind-expiring"
ESCALATE_STALE_LEADS = "escalate-stale-leads"
RELAY_DELIVERIES = "relay-deliveries"
DISPATCH_WEBHOOKS = "dispatch-webhooks"
RELAY_OUTBOX = "relay-outbox"
PRUNE_EVENTS = "prune-events"  # run by the archive timer (functions/timers.py)
REINDEX_LEADS = "reindex-leads"  # on demand after an upgrade changes the index layout

# What each job does, in a line: what an operator reads before running one (GET /api/ops/jobs).
SUMMARIES = {
    EXPIRE_LEADS: "Leads past their respond-by date without an answer become Expired.",
    ARCHIVE_INFORMATIONAL_LEADS: "Informational leads older than six months are archived.",
    SEND_DIGESTS: "Each partner's held leads of a finished day go out in one digest email.",
    REMIND_EXPIRING: "One email per partner lists the leads whose answer window closes soon.",
    ESCALATE_STALE_LEADS: "Leads nobody followed up within the partner's hours are escalated.",
    RELAY_DELIVERIES: "Deliveries journaled but never queued are queued for processing.",
    DISPATCH_WEBHOOKS: "New lead events are queued for each webhook subscription.",
    PRUNE_EVENTS: "Lead events older than the retention period are deleted.",
    REINDEX_LEADS: "Leads stored under an older index layout get the current index rows.",
    RELAY_OUTBOX: "Notifications committed but never queued are queued for sending.",
}
