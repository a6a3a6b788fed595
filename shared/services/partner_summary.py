"""What operators see of a partner without reading its leads, kept where the change happens."""

from __future__ import annotations

from typing import Protocol

from shared.services.webhook_ports import SubscriptionStore


class PartnerSummary(Protocol):
    def set_routing(self, partner_id: str, *, on: bool) -> None: ...

    def set_failing_webhooks(self, partner_id: str, count: int) -> None: ...


def note_failing_webhooks(
    summary: PartnerSummary | None, store: SubscriptionStore, partner_id: str
) -> None:
    """Count the partner's subscriptions that delivery stopped (a 410 disabled them)."""
    if summary is None:
        return
    stopped = sum(1 for item in store.of_partner(partner_id) if item.disabled_reason)
    summary.set_failing_webhooks(partner_id, stopped)
