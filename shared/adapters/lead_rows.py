"""How a lead is laid out in its partner's partition of the Leads table.

Every row of a partner shares PartitionKey = partner id, so one batch writes a lead together with
its index rows and the notifications it owes. RowKey prefixes keep each kind in its own range:

    L|<leadId>                          the lead (point reads, ETag for optimistic concurrency)
    U|<view>|<newest-first>|<leadId>    copy of a lead awaiting an answer (its `E|` row's rule)
    A|<view>|<newest-first>|<leadId>    copy of any other active lead, in list order
    Z|<view>|<newest-first>|<leadId>    copy of an archived lead (never scanned for active work)
    D|<dedupKey>                        customer + offer → lead id, stages seen, archived?
    E|<respondBy>|<leadId>              due index: action-required leads by expiry instant
    G|<archiveAt>|<leadId>              due index: informational leads by six-month instant
    R|<remindAt>|<leadId>               due index: action-required leads not yet reminded
    Q|<term>|<leadId>                   search index: a normalised company, name or email
    O|<notificationId>                  outbox: notifications owed, until the sender clears them
    I|<idempotencyKeyHash>              first answer to a referral's Idempotency-Key
    F|<userHash>|<leadId>               a user's favourite mark
    S|<notificationId>                  send ledger: one notification's delivery (notifier.py)
    N|<newest-first>|<notificationId>   the partner's in-app feed, newest first
    C|<yyyy-mm-dd>                      new-lead emails counted on a day of the partner (ETag)
    H|<yyyy-mm-dd>|<leadId>             a new lead held for that day's digest (see below)
    V|<yyyy-mm-dd>                      that day's digest releases: version (ETag), unfinished ids
    T|<logged-at>|<eventId>             event log: one CloudEvent per change, in its batch
                                        (event_rows.py; read by table_event_log.py); the
                                        lead row's `EventKeys` name those an expiry scrubs

Due rows (E, G, R) are full copies of the lead row, IndexKeys included, and every write of the
lead rewrites (or deletes) them in its batch: a job reads what is due with one range query and
writes the lead back on condition that the due row's ETag is unchanged (lead_batches.py).
Search rows (Q) are copies too, one per term (search_terms.py), so a prefix search is one range
query returning the leads; they follow the lead like the due rows, so the name and email terms
of an expired or aged-out lead are deleted in the batch that removes its contact details.

Digest contract (send-digests job): a new lead past the day's DIGEST_THRESHOLD is recorded as
`H|<day>|<leadId>` (day = the partner's calendar day, in its time zone, of the lead's arrival),
in the same batch as its ledger row `Held`. Once a day is over, the job reads the day's release
record `V|<day>` and then the `H|<day>|` range, and releases one digest of up to DIGEST_MAX_LEADS
leads: ONE batch writes the outbox row of `Notification.daily_digest(day=..., lead_ids=...)`,
the release record under the ETag it read (with the ids whose `H|` rows are still to delete) and
the first `H|` deletions; further batches delete the rest, then clear the record's ids. A run
that finds ids left in the record (a crash) deletes those rows before listing the day again; a
run that read the record before another released the day fails on its ETag and lists again. So
a held lead is in exactly one digest. The notifier emails the leads still Received.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from shared.domain.lead import Lead
from shared.domain.lead_values import LeadStatus
from shared.domain.search_terms import search_terms
from shared.services.lead_matching import awaits_answer
from shared.services.ports import ListingRange

LEAD = "L|"
AWAITING = "U|"
ACTIVE = "A|"
ARCHIVED = "Z|"
DEDUP = "D|"
EXPIRY_DUE = "E|"
AGING_DUE = "G|"
REMINDER_DUE = "R|"
SEARCH = "Q|"
OUTBOX = "O|"
IDEMPOTENCY = "I|"
FAVORITE = "F|"
SEND_LEDGER = "S|"
FEED = "N|"
DAILY_COUNT = "C|"
HELD = "H|"
DIGEST_RELEASE = "V|"

# Strings are capped at 64 KiB (32K UTF-16 units); 15,000 characters fit even if all astral.
_CHUNK = 15_000
_MAX_MICROS = 10**17 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def key_after(prefix: str) -> str:
    """The first key past every key starting with `prefix` ("|" + 1 = "}")."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def instant_key(instant: datetime) -> str:
    """A fixed-width UTC timestamp: its text order is its time order."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lead_key(lead_id: str) -> str:
    return f"{LEAD}{lead_id}"


def newest_first(instant: datetime, *, exclusive: bool = False) -> str:
    """A key part that sorts later instants first; `exclusive` is the first key past `instant`'s."""
    inverted = _MAX_MICROS - _micros(instant)
    return f"{inverted + 1 if exclusive else inverted:017d}"


def _micros(instant: datetime) -> int:
    # Integer arithmetic: float timestamps lose microseconds past 2^53.
    delta = instant.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_LISTING_PREFIXES = {
    ListingRange.AWAITING: AWAITING,
    ListingRange.ACTIVE: ACTIVE,
    ListingRange.ARCHIVED: ARCHIVED,
}


def listing_range(lead: Lead) -> ListingRange:
    """Awaiting leads are kept apart so a list in respond-by order, once it has given them from
    the expiry index, reads the others without stepping over them."""
    if lead.status is LeadStatus.ARCHIVED:
        return ListingRange.ARCHIVED
    return ListingRange.AWAITING if awaits_answer(lead) else ListingRange.ACTIVE


def listing_key(lead: Lead) -> str:
    prefix = _LISTING_PREFIXES[listing_range(lead)]
    return f"{prefix}{lead.view.value}|{newest_first(lead.created_at)}|{lead.id}"


def listing_prefix(view: str, listing: ListingRange) -> str:
    return f"{_LISTING_PREFIXES[listing]}{view}|"


def due_keys(lead: Lead) -> list[str]:
    """The due-index rows a lead needs now: none once it has left the state they track."""
    keys = []
    if awaits_answer(lead) and lead.respond_by:
        keys.append(f"{EXPIRY_DUE}{instant_key(lead.respond_by)}|{lead.id}")
    if lead.status is not LeadStatus.ARCHIVED and not lead.requires_action and lead.archive_at:
        keys.append(f"{AGING_DUE}{instant_key(lead.archive_at)}|{lead.id}")
    awaiting = lead.status is LeadStatus.RECEIVED and lead.requires_action
    if awaiting and lead.remind_at and lead.reminded_at is None:
        keys.append(f"{REMINDER_DUE}{instant_key(lead.remind_at)}|{lead.id}")
    return keys


def search_keys(lead: Lead) -> list[str]:
    """One search row per term the lead is found by (none for a term it no longer has)."""
    return [f"{SEARCH}{term}|{lead.id}" for term in sorted(search_terms(lead.customer))]


def search_range(term: str) -> tuple[str, str]:
    """[start, end) of the search rows whose term starts with `term` (already normalised)."""
    prefix = f"{SEARCH}{term}"
    return prefix, key_after(prefix)


def chunked(name: str, text: str) -> dict[str, Any]:
    """`text` over as many properties `<name>0..` as a string's size cap needs, and their count."""
    chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
    return {f"{name}Chunks": len(chunks)} | {f"{name}{i}": chunk for i, chunk in enumerate(chunks)}


def unchunked(entity: Any, name: str) -> str:
    return "".join(entity[f"{name}{i}"] for i in range(int(entity[f"{name}Chunks"])))


def lead_entity(lead: Lead, row_key: str) -> dict[str, Any]:
    """The lead document plus the columns that list filters run on, server-side."""
    entity: dict[str, Any] = {
        "PartitionKey": lead.partner_id,
        "RowKey": row_key,
        "LeadId": lead.id,
        "View": lead.view.value,
        "Status": lead.status.value,
        "Outcome": lead.outcome.value if lead.outcome else "",
        "CallToAction": lead.call_to_action.value if lead.call_to_action else "",
        "Source": lead.source.value if lead.source else "",
        "LeadType": lead.lead_type.value,
        "Quality": lead.quality.rating.value,
        "EmailValidity": lead.email_validity.value,
        "PhoneValidity": lead.phone_validity.value,
        "Country": lead.customer.country or "",
        "CompanyKey": (lead.customer.company or "").casefold(),
        "ContactRequested": lead.contact_requested,
        "RequiresAction": lead.requires_action,
        "IsTest": lead.is_test,
        "CreatedAt": lead.created_at,
    }
    return entity | chunked("Doc", lead.model_dump_json())


def lead_from_entity(entity: Any) -> Lead:
    lead = Lead.model_validate_json(unchunked(entity, "Doc"))
    lead.etag = entity.metadata.get("etag")
    return lead


def dedup_entity(lead: Lead) -> dict[str, Any]:
    return {
        "PartitionKey": lead.partner_id,
        "RowKey": f"{DEDUP}{lead.dedup_key}",
        "LeadId": lead.id,
        "Archived": lead.status is LeadStatus.ARCHIVED,
        "Stages": json.dumps(sorted(lead.stages)),
    }


def index_entity(partner_id: str, row_key: str, lead_id: str) -> dict[str, Any]:
    return {"PartitionKey": partner_id, "RowKey": row_key, "LeadId": lead_id}
