"""Which change of a lead becomes which event of its partner's log, and the CloudEvent it is.

The aggregate records what happened (`LeadEventKind`, one entry per step); `LOGGED_CHANGES` is
the one table that says which of those the log carries and under which kind. A new kind of
change is logged by recording it on the aggregate and adding its line here (and its kind to
`LEAD_EVENT_KINDS` in event_ports.py): every write of a lead passes the events of its changes
through `LeadEvents.of` into the batch that writes it.

The event's `data` is the lead as `GET /api/leads/{id}` shows it to an admin of the partner at
the change's instant (contact fields null once expired or aged out), without the two fields a
log cannot know: `etag` (storage assigns it when the batch commits) and `favorite` (a user's own
mark). `version` replaces the ETag: it grows by one with every change, so a receiver keeps the
highest it has seen and drops an older event that arrives late.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from shared.domain.lead import Lead, LeadEvent, LeadEventKind
from shared.domain.lead_policy import LeadPolicy
from shared.domain.principal import PARTNER_ACTORS, Principal
from shared.services.event_ports import EVENT_TYPE_PREFIX, LeadChangeEvent
from shared.services.lead_view import present

LOGGED_CHANGES: dict[LeadEventKind, str] = {
    LeadEventKind.RECEIVED: "received",
    LeadEventKind.STAGE_ADDED: "stageAdded",
    LeadEventKind.ACCEPTED: "accepted",
    LeadEventKind.EDITED: "updated",
    LeadEventKind.TEAM_MEMBER_ADDED: "teamChanged",
    LeadEventKind.DECLINED: "declined",
    LeadEventKind.WON: "won",
    LeadEventKind.LOST: "lost",
    LeadEventKind.EXPIRED: "expired",
    LeadEventKind.AGED_OUT: "agedOut",
    LeadEventKind.REMINDED: "reminderDue",
    # BECAME_ACTION_REQUIRED is part of the receipt or stage that caused it, not a change apart.
}

# Not in the data: storage's version (known only once the batch commits) and a user's own mark.
_NOT_LOGGED = {"etag", "favorite"}
_JSON = JSONFormat()


def event_source(partner_id: str) -> str:
    """The CloudEvents `source`: the partner's log (with `id`, unique per event)."""
    return f"/partners/{partner_id}/leads"


class LeadEvents:
    def __init__(
        self, *, policy: LeadPolicy, new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    ) -> None:
        self._policy = policy
        self._new_id = new_id

    def of(self, lead: Lead, changes: Sequence[LeadEvent]) -> list[LeadChangeEvent]:
        """The log events of `changes`, just made to `lead` (as `lead.pull_events()` gives them)."""
        events = []
        for change in changes:
            kind = LOGGED_CHANGES.get(change.kind)
            if kind is not None:
                events.append(self._event(lead, EVENT_TYPE_PREFIX + kind, change.at))
        return events

    def _event(self, lead: Lead, event_type: str, at: datetime) -> LeadChangeEvent:
        event_id = self._new_id()
        attributes: dict[str, Any] = {
            "id": event_id,
            "source": event_source(lead.partner_id),
            "type": event_type,
            "time": at,
            "subject": lead.id,
            "datacontenttype": "application/json",
            "leadversion": lead.version,  # an extension: drop stale events without the data
        }
        cloud_event = json.loads(_JSON.write(CloudEvent(attributes, self._data(lead, at))))
        return LeadChangeEvent(
            event_id=event_id, event_type=event_type, lead_id=lead.id, cloud_event=cloud_event
        )

    def _data(self, lead: Lead, at: datetime) -> dict[str, Any]:
        admin = Principal(user_id="event-log", roles=PARTNER_ACTORS, partner_id=lead.partner_id)
        view = present(lead, now=at, policy=self._policy, favorite=False, viewer=admin)
        data: dict[str, Any] = view.model_dump(mode="json", by_alias=True, exclude=_NOT_LOGGED)
        return data | {"version": lead.version}
