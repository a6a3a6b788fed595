"""Email through SendGrid's v3 Mail Send API, with the `sendgrid` library.

The library runs on urllib (`python_http_client`) with no default timeout, raises an
`HTTPError` subclass for every status >= 400, and lets timeouts and connection failures through
as `OSError`s. Which of those a retry can fix decides between `DependencyUnavailable` (the queue
retries) and `DeliveryRejected` (recorded as failed, never retried). Of the failures a retry may
fix, those after the request was sent (no answer in time, the connection dropped while waiting)
are `DeliveryUncertain`: SendGrid may have accepted the email.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import timedelta
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient

from shared.adapters.retry_after import retry_after
from shared.domain.errors import DeliveryRejected, DeliveryUncertain, DependencyUnavailable
from shared.services.notification_ports import EmailMessage

logger = logging.getLogger(__name__)
# A bad key or an unverified sender is our configuration, not the recipient: worth retrying
# once fixed. 408 is a timeout. Every 5xx and 429 are transient too.
_RETRYABLE_CLIENT_ERRORS = frozenset({401, 403, 408, 429})
_FIELD = re.compile(r"[A-Za-z0-9_.]{1,80}")  # a JSON path of SendGrid's, nothing else


class SendGridEmailSender:
    def __init__(self, *, api_key: str, host: str, sender: str, timeout_seconds: float) -> None:
        self._client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        # Copied into every request the client builds (`Client._build_client` passes it on).
        self._client.client.timeout = timeout_seconds
        self._sender = sender
        # The library logs whole request bodies at DEBUG: addresses must never reach a log.
        logging.getLogger("python_http_client").setLevel(logging.INFO)

    def send(self, message: EmailMessage) -> str | None:
        try:
            response = self._client.send(mail_body(message, sender=self._sender))
        except HTTPError as error:
            status = int(error.status_code)
            if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
                raise DependencyUnavailable(
                    f"SendGrid answered {status}; retry later.", retry_after=_asked_wait(error)
                ) from None
            fields = _refused_fields(error)
            raise DeliveryRejected(
                f"SendGrid refused the email ({status}{': ' + fields if fields else ''})."
            ) from None
        except URLError as error:  # urllib wraps what fails before the request is sent whole
            name = type(error.reason).__name__
            raise DependencyUnavailable(f"SendGrid did not answer ({name}).") from None
        except (OSError, HTTPException) as error:  # sent, then no answer in time or a drop
            name = type(error).__name__
            raise DeliveryUncertain(f"SendGrid did not answer ({name}).") from None
        message_id = response.headers.get("X-Message-Id") if response.headers else None
        return str(message_id) if message_id else None


def _refused_fields(error: HTTPError) -> str:
    """The fields SendGrid's 4xx names (`personalizations.0.to.0.email`: a bad recipient;
    `from`: our sender), so an operator knows what to fix. Only the field paths: its messages
    are left out, in case one quotes what was sent (an address)."""
    try:
        errors = json.loads(error.body or b"{}").get("errors") or []
    except (ValueError, AttributeError):
        return ""
    fields = [e.get("field") for e in errors if isinstance(e, dict)]
    return ", ".join(dict.fromkeys(f for f in fields if isinstance(f, str) and _FIELD.fullmatch(f)))


def _asked_wait(error: HTTPError) -> timedelta | None:
    """`Retry-After` if SendGrid sent one; for a 429, else the end of the rate-limit window
    (`X-RateLimit-Reset`, epoch seconds), which is what SendGrid documents for 429s."""
    headers = dict(error.headers.items()) if error.headers else {}
    asked = retry_after(headers)
    if asked is not None or int(error.status_code) != 429:
        return asked
    reset = next((v for k, v in headers.items() if k.lower() == "x-ratelimit-reset"), None)
    if reset is None or not str(reset).strip().isdigit():
        return None
    return max(timedelta(seconds=int(reset) - time.time()), timedelta(0))


def mail_body(message: EmailMessage, *, sender: str) -> dict[str, Any]:
    """The v3 JSON: one personalization per recipient, so nobody sees the others' addresses."""
    return {
        "personalizations": [{"to": [{"email": address}]} for address in message.to],
        "from": {"email": sender},
        "subject": message.subject,
        "content": [
            {"type": "text/plain", "value": message.text},
            {"type": "text/html", "value": message.html},
        ],
        # Echoed in SendGrid's activity and event webhooks: find a send by our ledger's id.
        "custom_args": {"notificationId": message.notification_id, "kind": message.kind},
        "categories": [message.kind],
    }
