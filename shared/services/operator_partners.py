"""Operators' view of partners: a paged listing with what needs attention, one partner's
detail, and its notification contacts (an empty list refused, as in Settings)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import Field

from shared.domain.errors import (
    ConcurrentModification,
    FieldError,
    InvalidInput,
    NotFound,
    StalePrecondition,
)
from shared.domain.model import ApiModel
from shared.domain.partner import PARTNER_ID_PATTERN, Contact
from shared.domain.principal import OPERATORS, Principal
from shared.domain.recipients import recipients
from shared.services.notification_settings import NO_CONTACT, ProfileContacts, partner_etag
from shared.services.operator_ports import PartnerOverviewStore, PartnerRecord
from shared.services.paging import PagingTokens
from shared.services.ports import Clock, PartnerRepository

_ATTEMPTS = 5
NOBODY_NO_CONTACTS = (
    "New leads would reach nobody: the business profile has no contacts. Add one (Contacts)."
)
NOBODY_ALL_OFF = (
    "New leads would reach nobody: every contact switched new-lead emails off in their own "
    "preferences. Add a contact who receives them."
)


class PartnerQuery(ApiModel):
    page_size: Annotated[int, Field(ge=1, le=100)] = 25
    continuation_token: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class PartnerOverview(ApiModel):
    partner_id: str
    name: str
    time_zone: str
    created_at: datetime
    contacts: int = Field(description="Business-profile contacts.")
    users: int = Field(description="The partner's users the app knows (saved preferences).")
    recipients: int = Field(description="Addresses a new-lead email would go to now.")
    last_lead_at: datetime | None = Field(description="When the latest new lead arrived.")
    intake_key_rotated_at: datetime
    intake_key_age_days: int
    routing_on: bool = Field(description="Whether lead routing assigns new leads to owners.")
    webhooks_failing: int = Field(description="Webhook subscriptions currently failing.")
    failed_notifications: int = Field(description="Failed sends not resent yet.")
    warnings: list[str] = Field(description="What needs the operator's attention.")


class PartnerPage(ApiModel):
    items: list[PartnerOverview]
    continuation_token: str | None


class PartnerUser(ApiModel):
    user_id: str
    sign_in_email: str | None
    email_enabled: bool
    email: str | None


class PartnerDetail(ApiModel):
    overview: PartnerOverview
    contacts: list[Contact]
    users: list[PartnerUser]


class OperatorPartners:
    def __init__(
        self,
        *,
        overview: PartnerOverviewStore,
        partners: PartnerRepository,
        clock: Clock,
        tokens: PagingTokens,
    ) -> None:
        self._overview = overview
        self._partners = partners
        self._clock = clock
        self._tokens = tokens

    def page(self, principal: Principal, query: PartnerQuery) -> PartnerPage:
        principal.require_any(OPERATORS)
        after = None
        if query.continuation_token:
            after = str(self._tokens.read(query.continuation_token, "ops-partners")["after"])
        found = self._overview.page(after, query.page_size)
        token = None
        if found.last_partner_id is not None:
            token = self._tokens.issue("ops-partners", {"after": found.last_partner_id})
        now = self._clock.now()
        return PartnerPage(
            items=[overview(record, now) for record in found.records], continuation_token=token
        )

    def detail(self, principal: Principal, partner_id: str) -> tuple[PartnerDetail, str]:
        principal.require_any(OPERATORS)
        plausible = re.fullmatch(PARTNER_ID_PATTERN, partner_id) is not None
        record = self._overview.one(partner_id) if plausible else None
        if record is None:
            raise NotFound(f"No partner '{partner_id}'.")
        return _detail(record, self._clock.now()), partner_etag(record.partner)

    def replace_contacts(
        self, principal: Principal, partner_id: str, command: ProfileContacts, if_match: str | None
    ) -> tuple[PartnerDetail, str]:
        principal.require_any(OPERATORS)
        if not command.contacts:
            raise InvalidInput(NO_CONTACT, [FieldError(field="contacts", message=NO_CONTACT)])
        for _ in range(_ATTEMPTS):
            # An id that cannot exist is never used as a storage key: the same 404, no read.
            plausible = re.fullmatch(PARTNER_ID_PATTERN, partner_id) is not None
            partner = self._partners.find(partner_id) if plausible else None
            if partner is None:
                raise NotFound(f"No partner '{partner_id}'.")
            if if_match is not None and if_match.strip() not in (partner_etag(partner), "*"):
                raise StalePrecondition("The contacts changed since you read them: reload.")
            try:
                self._partners.replace(partner.model_copy(update={"contacts": command.contacts}))
            except ConcurrentModification:
                if if_match is not None:
                    raise StalePrecondition("The contacts changed meanwhile: reload.") from None
                continue
            return self.detail(principal, partner_id)
        raise ConcurrentModification("The business profile is changing too fast; retry.")


def overview(record: PartnerRecord, now: datetime) -> PartnerOverview:
    partner, summary = record.partner, record.summary
    reached = recipients(partner.contacts, record.users)
    warnings = []
    if not reached:
        warnings.append(NOBODY_NO_CONTACTS if not partner.contacts else NOBODY_ALL_OFF)
    if summary.failing_webhooks:
        warnings.append(f"{summary.failing_webhooks} webhook subscription(s) failing.")
    if record.failed_notifications:
        warnings.append(f"{record.failed_notifications} failed notification(s) to resend.")
    return PartnerOverview(
        partner_id=partner.partner_id,
        name=partner.name,
        time_zone=partner.time_zone,
        created_at=partner.created_at,
        contacts=len(partner.contacts),
        users=len(record.users),
        recipients=len(reached),
        last_lead_at=summary.last_lead_at,
        intake_key_rotated_at=partner.intake_key_rotated_at,
        intake_key_age_days=max(0, (now - partner.intake_key_rotated_at).days),
        routing_on=summary.routing_on,
        webhooks_failing=summary.failing_webhooks,
        failed_notifications=record.failed_notifications,
        warnings=warnings,
    )


def _detail(record: PartnerRecord, now: datetime) -> PartnerDetail:
    users = [
        PartnerUser(
            user_id=user.user_id,
            sign_in_email=user.sign_in_email,
            email_enabled=user.email_enabled,
            email=user.email,
        )
        for user in record.users
    ]
    return PartnerDetail(
        overview=overview(record, now), contacts=list(record.partner.contacts), users=users
    )
