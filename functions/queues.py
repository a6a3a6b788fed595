"""Queue triggers: parse the message, hand it to one use case, let failures raise to retry."""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import container
from functions.invocation_telemetry import queue_invocation
from functions.queue_kit import queue_content
from shared.domain.delivery import Delivery
from shared.domain.notification import Notification

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.queue_trigger(
    arg_name="msg", queue_name="%NOTIFICATIONS_QUEUE%", connection="AzureWebJobsStorage"
)
def process_notification(msg: func.QueueMessage) -> None:
    """Send what one notification owes. A failure that may pass is retried by the notifier (a
    copy of the message, put back for later); raising makes the host retry it at once.

    A message that is not a notification raises too, and after maxDequeueCount attempts lands
    in `<queue>-poison`: kept for inspection, and re-queued as is once a fix is deployed (the
    likely cause is a newer publisher than this consumer, mid-deployment). Neither the body
    nor pydantic's message (it quotes the input) is logged: it may hold personal data.
    """
    with queue_invocation("process_notification", msg) as span:
        notification = queue_content(msg, Notification, "is not a notification")
        span.set_attributes(
            {
                "leads.partner_id": notification.partner_id,
                "leads.notification_id": notification.id,
                "leads.notification_kind": notification.kind.value,
            }
        )
        delivery = Delivery.of(msg.id, msg.dequeue_count, notification.redelivery)
        container().notifier.handle(notification, delivery)
