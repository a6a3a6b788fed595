"""The query string of `GET /api/leads` and `/api/leads/export`, validated.

The contract: docs/http-contract.md, "Partner workspace".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    EmailValidity,
    LeadStatus,
    LeadType,
    Outcome,
    PhoneValidity,
    QualityRating,
    Storefront,
)
from shared.domain.model import ApiModel
from shared.domain.search_terms import normalise, searchable
from shared.services.countries import normalise_country
from shared.services.ports import LeadFilter, ListingRange

SortKey = Literal[
    "createdAt", "-createdAt", "respondBy", "-respondBy",
    "customer", "-customer", "estimatedValue", "-estimatedValue",
]  # fmt: skip


def _day_start(value: object) -> object:
    """A bare date means its whole day (UTC): from its first instant..."""
    _refuse_timestamps(value)
    if isinstance(value, str) and len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    return value


def _day_end(value: object) -> object:
    """...to its last."""
    _refuse_timestamps(value)
    if isinstance(value, str) and len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time.max, tzinfo=UTC)
    return value


def _refuse_timestamps(value: object) -> None:
    # pydantic reads a number (`0.5`) as Unix seconds; the API speaks ISO 8601 only, and a
    # number here is far likelier a mistake than an instant of 1970.
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        raise ValueError("must be an ISO 8601 date or instant, e.g. 2026-11-23T06:00:00Z")


def _with_offset(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset (Z or +hh:mm), or give a bare date")
    return value


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# What the OpenAPI document says these take: an instant, or a bare date for its whole UTC day.
_DATE_OR_INSTANT = WithJsonSchema(
    {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}
)
From = Annotated[
    datetime, BeforeValidator(_day_start), AfterValidator(_with_offset), _DATE_OR_INSTANT
]
To = Annotated[datetime, BeforeValidator(_day_end), AfterValidator(_with_offset), _DATE_OR_INSTANT]


class LeadQuery(ApiModel):
    view: Literal["marketplace", "qualified", "favorites"] = "marketplace"
    status: LeadStatus | None = None
    outcome: Outcome | None = None
    call_to_action: CallToAction | None = None
    country: Annotated[str, StringConstraints(max_length=100)] | None = None
    customer: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    source: Storefront | None = None
    lead_type: LeadType | None = None
    quality: QualityRating | None = None
    email_validity: EmailValidity | None = None
    phone_validity: PhoneValidity | None = None
    hot: bool | None = None
    q: Annotated[str, StringConstraints(max_length=200), AfterValidator(searchable)] | None = Field(
        default=None,
        description="Search: a prefix of the customer's company, first or last name, or email,"
        " case- and accent-insensitive. Without `sort`, results come in the order of the"
        " matched name (alphabetical), each lead once.",
    )
    created_from: From | None = None
    created_to: To | None = None
    sort: SortKey | None = Field(
        default=None,
        description="Unset: newest first (with `q`: by the matched name). `respondBy`: the"
        " leads still waiting for an answer first, soonest respond-by first, then every other"
        " lead newest first.",
    )
    page_size: Annotated[int, Field(ge=1, le=200)] = 50
    continuation_token: Annotated[str, StringConstraints(max_length=4096)] | None = None
    include_test: bool = False
    code: str | None = None  # the Functions host's key parameter, when keys are enforced

    def scope(self) -> str:
        """What a continuation token is bound to: every parameter but the paging ones."""
        return self.model_dump_json(exclude={"page_size", "continuation_token", "code"})

    @property
    def order(self) -> SortKey:
        """The sort asked for, else newest first."""
        return self.sort or "-createdAt"

    @property
    def term(self) -> str | None:
        """`q` as the search index holds terms."""
        return normalise(self.q) if self.q else None

    def filters(self, now: datetime, policy: LeadPolicy) -> LeadFilter:
        return LeadFilter(
            status=self.status,
            outcome=self.outcome,
            call_to_action=self.call_to_action,
            country=normalise_country(self.country) if self.country else None,
            company_prefix=self.customer,
            search_term=self.term,
            source=self.source,
            lead_type=self.lead_type,
            quality=self.quality,
            email_validity=self.email_validity,
            phone_validity=self.phone_validity,
            hot=self.hot,
            hot_since=policy.hot_since(now),
            include_test=self.include_test,
            created_from=self.created_from,
            created_to=self.created_to,
        )

    def ranges(self) -> list[ListingRange]:
        """Which listing ranges to read: an outcome or Archived status means archived; only
        Received leads await an answer (and only they can be hot)."""
        if self.outcome is not None or self.status is LeadStatus.ARCHIVED:
            return [] if self.hot else [ListingRange.ARCHIVED]  # no archived lead is hot
        if self.status is LeadStatus.ACCEPTED:
            return [ListingRange.ACTIVE]
        # Awaiting leads stored before their range existed are still in the active one.
        if self.status is not None or self.hot:
            return [ListingRange.AWAITING, ListingRange.ACTIVE]
        return list(ListingRange)
