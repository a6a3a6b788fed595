"""What the integrations API speaks: subscriptions, their secret (once), their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, StringConstraints, field_validator, model_validator

from shared.domain.model import ApiModel
from shared.domain.webhooks import DeliveryState, WebhookFormat
from shared.services.event_ports import LEAD_EVENT_TYPES

Url = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
Description = Annotated[str, StringConstraints(max_length=200)]
MAX_SUBSCRIPTIONS = 10


def _known_types(types: list[str] | None) -> list[str] | None:
    if types is None:
        return None
    unknown = sorted(set(types) - LEAD_EVENT_TYPES)
    if unknown:
        raise ValueError(f"Unknown event types; choose among {', '.join(sorted(LEAD_EVENT_TYPES))}")
    return sorted(set(types))


class CreateWebhook(ApiModel):
    url: Url
    event_types: list[str] = Field(
        default_factory=list, max_length=20, description="Empty: every lead event."
    )
    enabled: bool = True
    format: WebhookFormat = WebhookFormat.STANDARD
    description: Description | None = None

    _types = field_validator("event_types")(_known_types)


class UpdateWebhook(ApiModel):
    """A JSON merge patch: only the fields given change."""

    url: Url | None = None
    event_types: list[str] | None = Field(default=None, max_length=20)
    enabled: bool | None = None
    format: WebhookFormat | None = None
    description: Description | None = None

    _types = field_validator("event_types")(_known_types)


class WebhookView(ApiModel):
    id: str
    url: str
    event_types: list[str]
    enabled: bool
    format: WebhookFormat
    description: str | None
    created_at: datetime
    disabled_reason: str | None = Field(
        default=None, description="Why delivery stopped by itself (the endpoint answered 410)."
    )
    previous_secret_until: datetime | None = Field(
        default=None, description="Until when the secret before the last rotation still signs."
    )


class WebhookList(ApiModel):
    items: list[WebhookView]


class WebhookSecret(WebhookView):
    """A new subscription, or one whose secret was just rotated: the only time it is shown."""

    secret: str = Field(description="whsec_…: verify `webhook-signature` with it. Shown once.")


class DeliveryView(ApiModel):
    id: str = Field(description="The delivery's id within its subscription (newest first).")
    event_id: str = Field(description="The event's id: also the `webhook-id` header.")
    event_type: str
    event_time: datetime
    status: DeliveryState
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    next_try_at: datetime | None


class DeliveryQueryParams(ApiModel):
    page_size: int = Field(default=50, ge=1, le=200)
    continuation_token: str | None = Field(default=None, max_length=2000)


class DeliveryPage(ApiModel):
    items: list[DeliveryView]
    continuation_token: str | None


class ReplayWebhookDeliveries(ApiModel):
    """One delivery by id, or every Failed one since an instant."""

    delivery_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    since: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.delivery_id is None) == (self.since is None):
            raise ValueError("Give either deliveryId or since")
        return self


class ReplayReport(ApiModel):
    queued: int


class PingReceipt(ApiModel):
    delivery_id: str
    status: DeliveryState
