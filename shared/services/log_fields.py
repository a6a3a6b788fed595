"""The structured fields of a log record (`extra=`): what happened and to which ids.

Exporters turn `extra` into searchable dimensions (Application Insights' customDimensions), so
on-call can filter by partner, lead, delivery or notification. Only ids and closed vocabularies
go here, never customer names, emails or phones.
"""

from __future__ import annotations


def log_fields(
    event: str,
    *,
    partner_id: str | None = None,
    lead_id: str | None = None,
    delivery_id: str | None = None,
    notification_id: str | None = None,
    **other: str | int | None,
) -> dict[str, str | int]:
    named = {
        "partner_id": partner_id,
        "lead_id": lead_id,
        "delivery_id": delivery_id,
        "notification_id": notification_id,
        **other,
    }
    return {"event": event, **{key: value for key, value in named.items() if value is not None}}
