"""Webhook subscriptions: add, read, change, delete, rotate the signing secret.

The secret is generated here, answered once (at creation and at each rotation), kept sealed by
the `SecretBox` and never answered or logged again. A rotation keeps the previous secret signing
for `ROTATION_OVERLAP`, so every delivery carries both signatures while receivers switch.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import uuid

from shared.domain.errors import Conflict, FieldError, InvalidInput
from shared.domain.principal import PARTNER_ACTORS, Principal
from shared.domain.webhook_targets import TargetPolicy, url_refusal
from shared.domain.webhooks import ROTATION_OVERLAP, SigningSecrets, Subscription
from shared.services.partner_summary import PartnerSummary, note_failing_webhooks
from shared.services.ports import Clock
from shared.services.webhook_models import (
    MAX_SUBSCRIPTIONS,
    CreateWebhook,
    UpdateWebhook,
    WebhookList,
    WebhookSecret,
    WebhookView,
)
from shared.services.webhook_ports import SecretBox, SubscriptionStore

SECRET_PREFIX = "whsec_"  # noqa: S105  # the format's prefix, no secret


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def view(subscription: Subscription) -> WebhookView:
    until = subscription.secrets.previous_until if subscription.secrets.previous else None
    return WebhookView(
        id=subscription.id,
        url=subscription.url,
        event_types=sorted(subscription.event_types),
        enabled=subscription.enabled,
        format=subscription.format,
        description=subscription.description,
        created_at=subscription.created_at,
        disabled_reason=subscription.disabled_reason,
        previous_secret_until=until,
    )


class WebhookSubscriptions:
    def __init__(
        self,
        *,
        store: SubscriptionStore,
        box: SecretBox,
        clock: Clock,
        policy: TargetPolicy,
        summary: PartnerSummary | None = None,
    ) -> None:
        self._summary = summary  # the operators' view of the partner
        self._store = store
        self._box = box
        self._clock = clock
        self._policy = policy

    def list(self, principal: Principal) -> WebhookList:
        partner_id = principal.require_partner(PARTNER_ACTORS)
        return WebhookList(items=[view(item) for item in self._store.of_partner(partner_id)])

    def get(self, principal: Principal, subscription_id: str) -> WebhookView:
        partner_id = principal.require_partner(PARTNER_ACTORS)
        return view(self._store.get(partner_id, subscription_id))

    def create(self, principal: Principal, command: CreateWebhook) -> WebhookSecret:
        partner_id = principal.require_partner(PARTNER_ACTORS)
        self._check_url(command.url)
        if len(self._store.of_partner(partner_id)) >= MAX_SUBSCRIPTIONS:
            raise Conflict(f"A partner has at most {MAX_SUBSCRIPTIONS} webhook subscriptions.")
        secret = new_secret()
        subscription = self._store.add(
            Subscription(
                partner_id=partner_id,
                id=uuid.uuid4().hex,
                url=command.url,
                event_types=frozenset(command.event_types),
                enabled=command.enabled,
                format=command.format,
                description=command.description,
                created_at=self._clock.now(),
                secrets=SigningSecrets(current=self._box.seal(secret)),
            )
        )
        return WebhookSecret(**view(subscription).model_dump(), secret=secret)

    def update(
        self, principal: Principal, subscription_id: str, patch: UpdateWebhook
    ) -> WebhookView:
        partner_id = principal.require_partner(PARTNER_ACTORS)
        current = self._store.get(partner_id, subscription_id)
        changes: dict[str, object] = {}
        if patch.url is not None:
            self._check_url(patch.url)
            changes["url"] = patch.url
        if patch.event_types is not None:
            changes["event_types"] = frozenset(patch.event_types)
        if patch.format is not None:
            changes["format"] = patch.format
        if "description" in patch.model_fields_set:
            changes["description"] = patch.description
        if patch.enabled is not None:
            changes["enabled"] = patch.enabled
            if patch.enabled:
                changes["disabled_reason"] = None
        saved = self._store.replace(dataclasses.replace(current, **changes))  # type: ignore[arg-type]
        note_failing_webhooks(self._summary, self._store, partner_id)
        return view(saved)

    def delete(self, principal: Principal, subscription_id: str) -> None:
        partner_id = principal.require_partner(PARTNER_ACTORS)
        self._store.get(partner_id, subscription_id)  # 404 when not the caller's
        self._store.delete(partner_id, subscription_id)
        note_failing_webhooks(self._summary, self._store, partner_id)

    def rotate_secret(self, principal: Principal, subscription_id: str) -> WebhookSecret:
        partner_id = principal.require_partner(PARTNER_ACTORS)
        current = self._store.get(partner_id, subscription_id)
        secret = new_secret()
        rotated = SigningSecrets(
            current=self._box.seal(secret),
            previous=current.secrets.current,
            previous_until=self._clock.now() + ROTATION_OVERLAP,
        )
        saved = self._store.replace(dataclasses.replace(current, secrets=rotated))
        return WebhookSecret(**view(saved).model_dump(), secret=secret)

    def _check_url(self, url: str) -> None:
        refusal = url_refusal(url, self._policy)
        if refusal is not None:
            raise InvalidInput("The webhook URL is not allowed.", [FieldError("url", refusal)])
