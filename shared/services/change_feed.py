"""`GET /api/events`: the caller's partner's event log, oldest first, resumable from a cursor.

A CRM syncs by polling: it stores the `cursor` of each page and passes it as `after` next time,
for as long as it likes (events are kept `EVENT_RETENTION_DAYS`). The cursor is opaque: a
position in the partner's log and a digest of the partner, base64url. It is not signed, on
purpose: a sync cursor lives for weeks and must survive a rotation of the paging secret, and a
position inside one's own log confers nothing. What is checked: its shape (a malformed one is a
400), and that it is this partner's (another partner's is a 400, never a silent restart).

Who may read: anyone who may read the partner's leads (any partner role), since every event
carries a lead as the workspace shows it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Annotated, Any

from pydantic import Field

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.model import ApiModel
from shared.domain.principal import PARTNER_READERS, Principal
from shared.services.event_ports import LEAD_EVENT_TYPES, EventFeed

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,400}", re.ASCII)


class EventQuery(ApiModel):
    after: Annotated[str, Field(min_length=1, max_length=400)] | None = Field(
        default=None,
        description="The `cursor` of the last page you processed; omit it to start at the"
        " oldest event kept.",
    )
    types: Annotated[str, Field(min_length=1, max_length=2000)] | None = Field(
        default=None,
        description="Comma-separated event types (`com.partnerleads.lead.accepted,...`): only"
        " these. A filtered page may be short or empty while `hasMore` is true.",
    )
    limit: Annotated[int, Field(ge=1, le=200)] = 100


class EventFeedPage(ApiModel):
    items: list[dict[str, Any]] = Field(
        description="CloudEvents 1.0 in structured JSON, oldest first (see `webhooks`)."
    )
    cursor: str | None = Field(
        description="Pass it as `after` next time, also when `items` is empty; null only while"
        " the log has nothing to give yet."
    )
    has_more: bool = Field(
        description="More settled events follow: call again now. False: poll again later (an"
        " event is served once it is older than the settle window, about a minute)."
    )


class ChangeFeed:
    def __init__(self, *, feed: EventFeed) -> None:
        self._feed = feed

    def page(self, principal: Principal, query: EventQuery) -> EventFeedPage:
        partner_id = principal.require_partner(PARTNER_READERS)
        after = read_cursor(query.after, partner_id) if query.after else None
        types = parse_types(query.types) if query.types else None
        page = self._feed.read_after(partner_id, after, types=types, limit=query.limit)
        return EventFeedPage(
            items=[event.cloud_event for event in page.events],
            cursor=issue_cursor(page.next_cursor, partner_id) if page.next_cursor else None,
            has_more=page.has_more,
        )


def parse_types(text: str) -> frozenset[str]:
    wanted = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(wanted - LEAD_EVENT_TYPES)
    if unknown or not wanted:
        known = ", ".join(sorted(LEAD_EVENT_TYPES))
        raise InvalidInput("Unknown event type.", [FieldError("types", f"use some of: {known}")])
    return wanted


def issue_cursor(position: str, partner_id: str) -> str:
    payload = json.dumps({"p": _partner_digest(partner_id), "at": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def read_cursor(token: str, partner_id: str) -> str:
    if not _TOKEN.fullmatch(token):
        raise _invalid("is not one this API gave out")
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        raise _invalid("is not one this API gave out") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("at"), str):
        raise _invalid("is not one this API gave out")
    if payload.get("p") != _partner_digest(partner_id):
        raise _invalid("belongs to another partner's log")
    position: str = payload["at"]
    return position  # its form is the log's to check (a 400 naming `after` too)


def _partner_digest(partner_id: str) -> str:
    return hashlib.sha256(f"events:{partner_id}".encode()).hexdigest()[:16]


def _invalid(why: str) -> InvalidInput:
    return InvalidInput(f"The cursor {why}.", [FieldError("after", f"cursor {why}")])
