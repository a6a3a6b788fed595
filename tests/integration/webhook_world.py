"""The webhook components on a real Azurite, a real receiver and a fake event log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient

from shared.adapters.storage_account import StorageAccount
from shared.bootstrap_webhooks import Webhooks
from shared.config import Settings
from shared.domain.delivery import Delivery
from shared.domain.principal import Principal, Role
from shared.domain.webhooks import DeliveryState, WebhookMessage
from shared.services.webhook_models import CreateWebhook, DeliveryQueryParams, DeliveryView
from tests.support.azurite import Azurite
from tests.support.webhook_receiver import WebhookReceiver
from tests.unit.webhook_fakes import FakeFeed

ADMIN = Principal("u1", frozenset({Role.REFERRALS_ADMIN}), partner_id="contoso")


@dataclass
class ShiftedClock:
    """The real time, moved by `offset`: signatures must carry a timestamp receivers accept."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class WebhookWorld:
    webhooks: Webhooks
    feed: FakeFeed
    receiver: WebhookReceiver
    queue: QueueClient
    clock: ShiftedClock
    results: list[DeliveryState | None] = field(default_factory=list)

    @classmethod
    def start(cls, azurite: Azurite, name: str, receiver: WebhookReceiver) -> WebhookWorld:
        settings = Settings.model_validate({
            "AUTH_ISSUER": "i", "AUTH_AUDIENCE": "a", "AUTH_PUBLIC_KEY": "unused",
            "AzureWebJobsStorage": azurite.connection_string, "STORAGE_PREFIX": name,
            "WEBHOOK_DELIVERIES_QUEUE": f"{name}-hooks", "WEBHOOK_TARGETS": "loopback",
            "WEBHOOK_TIMEOUT_SECONDS": "0.5",
        })  # fmt: skip
        feed, clock = FakeFeed(), ShiftedClock()
        webhooks = Webhooks(settings, StorageAccount(settings), clock, feed=feed)
        queue = QueueClient.from_connection_string(
            azurite.connection_string, f"{name}-hooks",
            message_decode_policy=BinaryBase64DecodePolicy(),
        )  # fmt: skip
        return cls(webhooks, feed, receiver, queue, clock)

    def subscribe(self, path: str, behaviour: str = "ok", **fields: object) -> tuple[str, str]:
        """A subscription to the receiver's `path`; its id and secret (the receiver knows it)."""
        url = self.receiver.endpoint(path, behaviour)
        created = self.webhooks.subscriptions.create(ADMIN, CreateWebhook(url=url, **fields))
        self.receiver.endpoints[path].secrets.append(created.secret)
        return created.id, created.secret

    def drain(self) -> int:
        """Run the delivery function on every visible message, as the queue trigger would."""
        handled = 0
        for message in self.queue.receive_messages(messages_per_page=32):
            body = WebhookMessage.model_validate_json(message.content)
            delivery = Delivery.of(message.id, message.dequeue_count, body.redelivery)
            self.results.append(self.webhooks.deliveries.handle(body, delivery))
            self.queue.delete_message(message)
            handled += 1
        return handled

    def log(self, subscription_id: str) -> list[DeliveryView]:
        page = self.webhooks.log.deliveries(ADMIN, subscription_id, DeliveryQueryParams())
        return page.items

    def invisible(self) -> int:
        """Messages on the queue that no receive can see yet (retries waiting their delay)."""
        total = self.queue.get_queue_properties().approximate_message_count or 0
        return total - len(list(self.queue.peek_messages(max_messages=32)))


def running(receiver: WebhookReceiver) -> Iterator[WebhookReceiver]:
    with receiver.running() as live:
        yield live
