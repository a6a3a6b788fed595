"""Without a SendGrid key (local runs, staging) every email is stored as a JSON blob instead.

Container `<STORAGE_PREFIX>outbox`; blob `<sent-at>-<notificationId>.json`, so names sort by time.
`make outbox` prints them.
"""

from __future__ import annotations

import json

from azure.storage.blob import ContainerClient, ContentSettings

from shared.adapters.storage_errors import translate_storage_errors
from shared.services.notification_ports import EmailMessage
from shared.services.ports import Clock

OUTBOX_CONTAINER = "outbox"


class BlobOutboxEmailSender:
    def __init__(self, *, container: ContainerClient, sender: str, clock: Clock) -> None:
        self._container = container
        self._sender = sender
        self._clock = clock

    def send(self, message: EmailMessage) -> str | None:
        sent_at = self._clock.now()
        name = f"{sent_at:%Y%m%dT%H%M%S%fZ}-{message.notification_id}.json"
        document = {
            "notificationId": message.notification_id,
            "kind": message.kind,
            "from": self._sender,
            "to": list(message.to),
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "sentAt": sent_at.isoformat(),
        }
        with translate_storage_errors(otherwise="The email outbox container did not answer."):
            self._container.upload_blob(
                name,
                json.dumps(document, ensure_ascii=False).encode("utf-8"),
                overwrite=True,
                content_settings=ContentSettings(content_type="application/json"),
            )
        return name
