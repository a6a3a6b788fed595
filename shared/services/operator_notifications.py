"""Operators' failed notifications: list them, and send one again once its cause is fixed (a
contact's address corrected, SendGrid back).

A resend marks the send ledger's Failed row retryable and puts the notification back on the
queue; the notifier then claims it like any retry (a new 24 hours of retries), and its ledger
decides as always, so a resend racing a requeued poison copy still sends one email.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from shared.domain.errors import Conflict, NotFound
from shared.domain.model import ApiModel
from shared.domain.notification import Notification, NotificationKind
from shared.domain.partner import PARTNER_ID_PATTERN
from shared.domain.principal import OPERATORS, Principal
from shared.services.operator_ports import FailedNotification, FailedNotifications
from shared.services.paging import PagingTokens
from shared.services.ports import NotificationPublisher

_ABOUT_ONE_LEAD = {
    NotificationKind.NEW_LEAD,
    NotificationKind.LEAD_EXPIRED,
    NotificationKind.LEAD_DECLINED,
}


class FailedQuery(ApiModel):
    partner_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    page_size: Annotated[int, Field(ge=1, le=200)] = 50
    continuation_token: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class FailedNotificationView(ApiModel):
    partner_id: str
    notification_id: str
    kind: str
    lead_id: str | None
    reason: str = Field(description="Why it failed; never personal data.")
    failed_at: datetime
    retryable: bool = Field(description="false: SendGrid refused it (4xx), true: gave up.")


class FailedNotificationPage(ApiModel):
    items: list[FailedNotificationView]
    continuation_token: str | None


class ResendResult(ApiModel):
    notification_id: str
    queued: bool
    detail: str


class OperatorNotifications:
    def __init__(
        self,
        *,
        failed: FailedNotifications,
        publisher: NotificationPublisher,
        tokens: PagingTokens,
    ) -> None:
        self._failed = failed
        self._publisher = publisher
        self._tokens = tokens

    def page(self, principal: Principal, query: FailedQuery) -> FailedNotificationPage:
        principal.require_any(OPERATORS)
        scope = f"ops-failed:{query.partner_id or ''}"
        after = None
        if query.continuation_token:
            position = self._tokens.read(query.continuation_token, scope)
            after = (str(position["p"]), str(position["n"]))
        found = self._failed.page(query.partner_id, after, query.page_size)
        token = None
        if found.resume is not None:
            token = self._tokens.issue(scope, {"p": found.resume[0], "n": found.resume[1]})
        return FailedNotificationPage(
            items=[_view(item) for item in found.items], continuation_token=token
        )

    def resend(self, principal: Principal, partner_id: str, notification_id: str) -> ResendResult:
        principal.require_any(OPERATORS)
        # Ids that cannot exist are never used as storage keys: the same 404, no read.
        plausible = re.fullmatch(PARTNER_ID_PATTERN, partner_id) and re.fullmatch(
            r"[0-9a-f]{32}", notification_id
        )
        failed = self._failed.get(partner_id, notification_id) if plausible else None
        if failed is None:
            raise NotFound(f"No failed notification '{notification_id}' for '{partner_id}'.")
        notification = failed.notification or self._rebuilt(failed)
        if not self._failed.allow_retry(partner_id, notification_id):
            self._failed.forget(partner_id, notification_id)
            return ResendResult(
                notification_id=notification_id,
                queued=False,
                detail="It is no longer failed (sent or being sent meanwhile): nothing to do.",
            )
        self._publisher.publish([notification])
        self._failed.forget(partner_id, notification_id)
        return ResendResult(
            notification_id=notification_id,
            queued=True,
            detail="Queued: the notifier sends it again (and retries it for 24 hours).",
        )

    def _rebuilt(self, failed: FailedNotification) -> Notification:
        """A notification about one lead, from what its ledger row recorded."""
        basics: dict[str, Any] | None = self._failed.ledger_basics(
            failed.partner_id, failed.notification_id
        )
        kind = basics.get("kind") if basics else None
        if not basics or kind not in _ABOUT_ONE_LEAD or not basics.get("lead_id"):
            raise Conflict(
                "This notification cannot be rebuilt from its ledger row; put its message back "
                "from the notifications poison queue instead."
            )
        return Notification(
            id=failed.notification_id,
            kind=NotificationKind(kind),
            partner_id=failed.partner_id,
            lead_id=basics["lead_id"],
            created_at=basics["created_at"],
        )


def _view(item: FailedNotification) -> FailedNotificationView:
    return FailedNotificationView(
        partner_id=item.partner_id,
        notification_id=item.notification_id,
        kind=item.kind,
        lead_id=item.lead_id,
        reason=item.reason,
        failed_at=item.failed_at,
        retryable=item.retryable,
    )
