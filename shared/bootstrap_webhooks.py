"""The webhook part of the composition root: `Container.webhooks` builds it once per worker.

Kept beside bootstrap.py so the container gains one property, not a dozen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from shared.adapters.fernet_secret_box import DEV_WEBHOOK_KEY, FernetSecretBox
from shared.adapters.httpx_webhook_sender import HttpxWebhookSender
from shared.adapters.queue_redeliveries import QueueRedeliveries
from shared.adapters.queue_webhook_deliveries import QueueWebhookDeliveries
from shared.adapters.storage_account import StorageAccount
from shared.adapters.table_webhook_deliveries import TableWebhookDeliveries
from shared.adapters.table_webhook_subscriptions import TableWebhookSubscriptions
from shared.config import Settings
from shared.domain.errors import ConfigurationError
from shared.services.event_ports import EventFeed
from shared.services.partner_summary import PartnerSummary
from shared.services.ports import Clock
from shared.services.webhook_deliveries import WebhookDeliveries
from shared.services.webhook_dispatcher import WebhookDispatcher
from shared.services.webhook_log import WebhookLog
from shared.services.webhook_subscriptions import WebhookSubscriptions

SUBSCRIPTIONS_TABLE = "WebhookSubscriptions"
DELIVERY_LOG_TABLE = "WebhookDeliveries"


@dataclass
class Webhooks:
    settings: Settings
    storage: StorageAccount
    clock: Clock
    feed: EventFeed
    summary: PartnerSummary | None = None  # the operators' view of each partner

    @cached_property
    def store(self) -> TableWebhookSubscriptions:
        return TableWebhookSubscriptions(self.storage.table(SUBSCRIPTIONS_TABLE))

    @cached_property
    def log_store(self) -> TableWebhookDeliveries:
        return TableWebhookDeliveries(self.storage.table(DELIVERY_LOG_TABLE))

    @cached_property
    def queue(self) -> QueueWebhookDeliveries:
        return QueueWebhookDeliveries(self.storage.queue(self.settings.webhook_deliveries_queue))

    @cached_property
    def box(self) -> FernetSecretBox:
        keys = self.settings.webhook_secret_keys
        if keys is None and self.settings.on_platform:
            raise ConfigurationError("set WEBHOOK_SECRET_KEYS to use webhooks")
        return FernetSecretBox(keys.get_secret_value() if keys else DEV_WEBHOOK_KEY)

    @cached_property
    def subscriptions(self) -> WebhookSubscriptions:
        return WebhookSubscriptions(
            store=self.store, box=self.box, clock=self.clock,
            policy=self.settings.webhook_target_policy, summary=self.summary,
        )  # fmt: skip

    @cached_property
    def log(self) -> WebhookLog:
        return WebhookLog(store=self.store, log=self.log_store, queue=self.queue, clock=self.clock)

    @cached_property
    def dispatcher(self) -> WebhookDispatcher:
        return WebhookDispatcher(
            store=self.store, feed=self.feed, queue=self.queue, log=self.log_store,
            clock=self.clock,
        )  # fmt: skip

    @cached_property
    def dry_dispatcher(self) -> WebhookDispatcher:
        """The dispatcher of a dry run: what it would queue, counted, nothing written."""
        return WebhookDispatcher(
            store=self.store, feed=self.feed, queue=self.queue, log=self.log_store,
            clock=self.clock, dry_run=True,
        )  # fmt: skip

    @cached_property
    def sender(self) -> HttpxWebhookSender:
        return HttpxWebhookSender(
            policy=self.settings.webhook_target_policy,
            timeout_seconds=self.settings.webhook_timeout_seconds,
        )

    @cached_property
    def deliveries(self) -> WebhookDeliveries:
        name = self.settings.webhook_deliveries_queue
        redeliveries = QueueRedeliveries(
            self.storage.queue(name), self.storage.queue(f"{name}-poison")
        )
        return WebhookDeliveries(
            store=self.store, log=self.log_store, sender=self.sender, box=self.box,
            redeliveries=redeliveries, clock=self.clock, ui_base_url=self.settings.ui_base_url,
            summary=self.summary,
        )  # fmt: skip
