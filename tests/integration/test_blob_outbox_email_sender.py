"""Without a SendGrid key, emails land as JSON blobs in Azurite, and `make outbox` reads them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from shared.adapters.blob_outbox_email_sender import BlobOutboxEmailSender
from shared.adapters.storage_account import StorageAccount
from shared.config import Settings
from shared.services.notification_ports import EmailMessage
from tests.support.azurite import Azurite
from tests.unit.fakes import SteppingClock
from tools.outbox import describe, stored_emails, write_html


def _message(notification_id: str) -> EmailMessage:
    return EmailMessage(
        notification_id=notification_id,
        kind="NewLead",
        to=("ana@fabrikam.test",),
        subject="New lead: Fabrikam · Fleet Insights",
        text="Fabrikam has a new lead.\n",
        html="<p>Fabrikam has a new lead.</p>",
    )


def test_emails_are_stored_in_order_and_printed(
    azurite: Azurite, unique_name: str, tmp_path: Path
) -> None:
    settings = Settings.model_validate(
        {
            "AzureWebJobsStorage": azurite.connection_string,
            "STORAGE_PREFIX": unique_name,
            "AUTH_ISSUER": "https://issuer.test",
            "AUTH_AUDIENCE": "api://test",
            "AUTH_PUBLIC_KEY": "unused",
        }
    )
    clock = SteppingClock()
    sender = BlobOutboxEmailSender(
        container=StorageAccount(settings).container("outbox"), sender="leads@x.test", clock=clock
    )
    first = sender.send(_message("n-1"))
    clock.advance(seconds=1)
    sender.send(_message("n-2"))
    assert first is not None
    assert first.endswith("-n-1.json")
    emails = stored_emails(azurite.connection_string, unique_name)
    assert [email["notificationId"] for email in emails] == ["n-1", "n-2"]
    assert emails[0]["from"] == "leads@x.test"
    assert emails[0]["sentAt"] == (clock.instant - timedelta(seconds=1)).isoformat()
    printed = describe(emails[0])
    assert "To:      ana@fabrikam.test" in printed
    assert "Subject: New lead: Fabrikam · Fleet Insights" in printed
    assert "Fabrikam has a new lead." in printed
    assert "<p>" in describe(emails[0], html=True)
    written = write_html(emails[0], tmp_path / "emails")
    assert written.name == first.removesuffix(".json") + ".html"
    assert written.read_text(encoding="utf-8") == emails[0]["html"]


def test_an_outbox_never_written_is_empty(azurite: Azurite, unique_name: str) -> None:
    assert stored_emails(azurite.connection_string, unique_name) == []
