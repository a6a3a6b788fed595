"""The real `sendgrid` library against the local capture server: the exact JSON SendGrid would
receive, and which failures the queue retries."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from shared.adapters.sendgrid_email_sender import SendGridEmailSender
from shared.domain.errors import DeliveryRejected, DeliveryUncertain, DependencyUnavailable
from shared.services.notification_ports import EmailMessage
from tests.support.azurite import free_port
from tests.support.sendgrid_capture import Reply, SendGridCapture

TIMEOUT = 0.5


@pytest.fixture
def recipient() -> str:
    return f"ana.{uuid.uuid4().hex[:8]}@fabrikam.test"


@pytest.fixture
def sender(sendgrid_capture: SendGridCapture) -> SendGridEmailSender:
    return SendGridEmailSender(
        api_key="SG.test-key",
        host=sendgrid_capture.url,
        sender="leads@partner-leads.test",
        timeout_seconds=TIMEOUT,
    )


def _message(*to: str) -> EmailMessage:
    return EmailMessage(
        notification_id="n-123",
        kind="NewLead",
        to=to,
        subject="New lead: Contoso · Fleet Insights",
        text="Contoso has a new lead.\n",
        html="<p>Contoso has a new lead.</p>",
    )


def test_the_request_is_exactly_what_sendgrid_expects(
    sender: SendGridEmailSender, sendgrid_capture: SendGridCapture, recipient: str
) -> None:
    other = f"second.{recipient}"
    message_id = sender.send(_message(recipient, other))
    (request,) = sendgrid_capture.requests(recipient)
    assert request.body == {
        "personalizations": [{"to": [{"email": recipient}]}, {"to": [{"email": other}]}],
        "from": {"email": "leads@partner-leads.test"},
        "subject": "New lead: Contoso · Fleet Insights",
        "content": [
            {"type": "text/plain", "value": "Contoso has a new lead.\n"},
            {"type": "text/html", "value": "<p>Contoso has a new lead.</p>"},
        ],
        "custom_args": {"notificationId": "n-123", "kind": "NewLead"},
        "categories": ["NewLead"],
    }
    assert request.headers["Authorization"] == "Bearer SG.test-key"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("sendgrid/")
    assert message_id
    assert len(message_id) == 32


@pytest.mark.parametrize("status", [429, 500, 502, 503, 401, 403])
def test_throttling_outages_and_our_configuration_are_retried(
    sender: SendGridEmailSender, sendgrid_capture: SendGridCapture, recipient: str, status: int
) -> None:
    sendgrid_capture.script(recipient, status)
    with pytest.raises(DependencyUnavailable, match=str(status)):
        sender.send(_message(recipient))
    assert sender.send(_message(recipient))  # the script is used up: 202
    assert [r.status for r in sendgrid_capture.requests(recipient)] == [status, 202]


@pytest.mark.parametrize("status", [400, 413])
def test_a_refused_request_is_rejected_for_good(
    sender: SendGridEmailSender, sendgrid_capture: SendGridCapture, recipient: str, status: int
) -> None:
    sendgrid_capture.script(recipient, status)
    with pytest.raises(DeliveryRejected, match=str(status)) as raised:
        sender.send(_message(recipient))
    assert recipient not in str(raised.value)  # errors never carry the address


def test_a_bad_address_is_refused_by_the_server_itself(
    sender: SendGridEmailSender, sendgrid_capture: SendGridCapture
) -> None:
    with pytest.raises(DeliveryRejected, match="400") as raised:
        sender.send(_message("not-an-address"))
    # What to fix, for the operator reading the failed notification: the recipient's address.
    assert str(raised.value) == "SendGrid refused the email (400: personalizations.0.to.0.email)."
    assert "not-an-address" not in str(raised.value)


def test_a_slow_answer_times_out_as_transient_and_uncertain(
    sender: SendGridEmailSender, sendgrid_capture: SendGridCapture, recipient: str
) -> None:
    sendgrid_capture.script(recipient, Reply(202, delay=TIMEOUT * 4))
    started = time.monotonic()
    # The request went out whole: SendGrid may accept it after we stopped waiting.
    with pytest.raises(DeliveryUncertain, match="did not answer"):
        sender.send(_message(recipient))
    assert time.monotonic() - started < TIMEOUT * 3  # the client gave up; it did not wait


def test_nothing_listening_is_transient_and_certainly_not_sent(recipient: str) -> None:
    sender = SendGridEmailSender(
        api_key="SG.k", host=f"http://127.0.0.1:{free_port()}", sender="a@b.test", timeout_seconds=1
    )
    with pytest.raises(DependencyUnavailable, match="did not answer") as raised:
        sender.send(_message(recipient))
    assert not isinstance(raised.value, DeliveryUncertain)


def test_the_wait_sendgrid_asks_for_is_kept(
    sender: SendGridEmailSender, sendgrid_capture: SendGridCapture, recipient: str
) -> None:
    sendgrid_capture.script(recipient, Reply(503, retry_after=7), 429)
    with pytest.raises(DependencyUnavailable) as unavailable:
        sender.send(_message(recipient))
    assert unavailable.value.retry_after == timedelta(seconds=7)
    # A 429 without Retry-After: until X-RateLimit-Reset (the capture says 1 s from now).
    with pytest.raises(DependencyUnavailable) as throttled:
        sender.send(_message(recipient))
    assert throttled.value.retry_after is not None
    assert timedelta(0) <= throttled.value.retry_after <= timedelta(seconds=2)
