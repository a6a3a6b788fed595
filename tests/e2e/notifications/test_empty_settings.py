"""An app setting present but empty is not set: a host whose optional settings are all `''`
(what the Bicep template writes when no value is given) runs on their defaults. Without a
SendGrid key, emails land in the blob outbox instead of failing into the poison queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests

from tests.e2e.notifications.conftest import NotifyHost
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.hosts import running_host
from tests.support.sendgrid_capture import SendGridCapture
from tools.outbox import stored_emails

# Every optional setting the Bicep template may leave empty.
EMPTY = (
    "SENDGRID_API_KEY", "EMAIL_FROM", "VENDOR_NOTIFICATION_EMAIL", "PARTNER_UI_BASE_URL",
    "MARKETPLACE_URL", "SENDGRID_API_HOST", "SENDGRID_TIMEOUT_SECONDS", "DIGEST_THRESHOLD",
    "HOT_WINDOW_HOURS", "RESPOND_WINDOW_DAYS", "PAGING_TOKEN_SECRET", "UI_CLIENT_ID",
    "UI_AUTHORITY", "UI_SCOPES", "DEV_SIGN_IN_ENABLED", "DEV_SIGNING_KEY", "AUTH_JWKS_URL",
)  # fmt: skip


@pytest.fixture(scope="module")
def empty_settings_host(
    app_env: dict[str, str],
    sendgrid_capture: SendGridCapture,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[NotifyHost]:
    suffix = uuid.uuid4().hex[:8]
    env = {key: value for key, value in app_env.items() if not key.startswith("AzureWebJobs.")}
    env.update(
        STORAGE_PREFIX=f"m{suffix}",
        NOTIFICATIONS_QUEUE=f"empty-{suffix}",
        AzureFunctionsWebHost__hostid=f"empty-{suffix}",
        **dict.fromkeys(EMPTY, ""),
    )
    workdir = tmp_path_factory.mktemp("empty-settings-host")
    with running_host(env, workdir, fast_queues=True) as process, requests.Session() as http:
        yield NotifyHost(process, env, AppStorage(env), sendgrid_capture, http)


def test_with_an_empty_sendgrid_key_the_email_lands_in_the_blob_outbox(
    empty_settings_host: NotifyHost,
) -> None:
    host, partner = empty_settings_host, "p-" + uuid.uuid4().hex[:10]
    contact = f"sales.{uuid.uuid4().hex[:10]}@contoso.example"
    lead_id = host.deliver(host.register(partner, contact))
    (row,) = host.wait_until_handled(partner, 1)
    assert (row["Status"], row["LeadId"]) == ("Sent", lead_id)
    assert host.poison() == []
    assert host.capture.requests(contact) == []  # nothing went to SendGrid
    emails = stored_emails(host.env["AzureWebJobsStorage"], host.env["STORAGE_PREFIX"])
    (email,) = [email for email in emails if email.get("to") == [contact]]
    assert email["kind"] == "NewLead"
    # The other empty settings took their defaults: 72 hours hot, 14 days to respond.
    reader = bearer("Referrals.Admin", partner=partner)
    lead = host.http.get(f"{host.api}/leads/{lead_id}", headers=reader).json()
    assert lead["hot"] is True
    waited = datetime.fromisoformat(lead["respondBy"]) - datetime.fromisoformat(lead["createdAt"])
    assert waited == timedelta(days=14)
