"""The real app under its own local host, whose queue function sends through the real `sendgrid`
library to the capture server. Its host.json retries at once (visibilityTimeout 0), and the
notifier's own back-off is compressed: retries after 1 s (the queue's granularity), given up
after about 7 s."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient, TextBase64EncodePolicy

from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land
from tests.support.hosts import running_host
from tests.support.sendgrid_capture import SendGridCapture
from tools.localhost.process import HostProcess

FINAL = {"Sent", "Skipped", "Held", "Failed"}
# Back-off settings compressed for tests: a second between attempts, about 7 s before giving up.
FAST_RETRIES = {
    "QUEUE_RETRY_BASE_SECONDS": "0.5",
    "QUEUE_RETRY_MAX_SECONDS": "1",
    "QUEUE_RETRY_GIVE_UP_HOURS": "0.002",
}
UI = "https://partners.example/app"


@dataclass
class NotifyHost:
    process: HostProcess
    env: dict[str, str]
    storage: AppStorage
    capture: SendGridCapture
    http: requests.Session

    @property
    def api(self) -> str:
        return f"{self.process.base_url}/api"

    def register(self, partner_id: str, *contacts: str, time_zone: str = "UTC") -> str:
        """A partner with these contact addresses; answers its intake URL on this host."""
        body: dict[str, Any] = {
            "partnerId": partner_id,
            "name": "Contoso Ltd",
            "contacts": [{"name": f"Contact {i}", "email": e} for i, e in enumerate(contacts)],
            "timeZone": time_zone,
        }
        response = self.http.post(
            f"{self.api}/ops/partners", json=body, headers=bearer("Leads.Operator")
        )
        assert response.status_code == 201, response.text
        return str(response.json()["intakeUrl"]).replace("http://leads.test/api", self.api)

    def deliver(self, intake_url: str, *, company: str = "Fabrikam", **user: str) -> str:
        """A Contact-me marketplace lead with a customer of its own; answers the lead id."""
        details = {
            "FirstName": "Mia",
            "LastName": "Schmidt",
            "Email": f"mia.{uuid.uuid4().hex[:10]}@fabrikam.example",
            "Phone": "+49 30 901820",
            "Company": company,
            "Country": "DE",
            **user,
        }
        body: dict[str, Any] = {
            "UserDetails": details,
            "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet-insights",
            "OfferTitle": "Fleet Insights",
        }
        with requests.Session() as session:  # callable from many threads at once
            return deliver_and_land(session, self.api, intake_url, body)

    def rows(self, partner_id: str, prefix: str) -> list[Any]:
        return [r for r in self.storage.rows("Leads", partner_id) if r["RowKey"].startswith(prefix)]

    def ledger(self, partner_id: str) -> list[Any]:
        return self.rows(partner_id, "S|")

    def wait_until_handled(self, partner_id: str, count: int, timeout: float = 20.0) -> list[Any]:
        """The ledger rows once `count` notifications reached a final state, and the queue is
        empty (a failed final attempt is then in the poison queue, not still on its way)."""

        def done() -> list[Any] | None:
            rows = self.ledger(partner_id)
            final = [row for row in rows if row["Status"] in FINAL]
            return rows if len(final) >= count and self.queue_length() == 0 else None

        rows: list[Any] = wait_for(done, timeout, f"{count} handled notifications of {partner_id}")
        return rows

    def queue(self, name: str | None = None) -> QueueClient:
        return QueueClient.from_connection_string(
            self.env["AzureWebJobsStorage"],
            name or self.env["NOTIFICATIONS_QUEUE"],
            message_encode_policy=TextBase64EncodePolicy(),
            message_decode_policy=BinaryBase64DecodePolicy(),
        )

    def queue_length(self, name: str | None = None) -> int:
        try:
            properties = self.queue(name).get_queue_properties()
        except ResourceNotFoundError:
            return 0
        return int(properties.approximate_message_count or 0)

    def poison(self) -> list[dict[str, Any]]:
        client = self.queue(f"{self.env['NOTIFICATIONS_QUEUE']}-poison")
        try:
            return [json.loads(m.content) for m in client.peek_messages(max_messages=32)]
        except ResourceNotFoundError:
            return []


def wait_for(probe: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(scope="session")
def notify_host(
    app_env: dict[str, str],
    sendgrid_capture: SendGridCapture,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[NotifyHost]:
    suffix = uuid.uuid4().hex[:8]
    env = {key: value for key, value in app_env.items() if not key.startswith("AzureWebJobs.")}
    env.update(
        STORAGE_PREFIX=f"n{suffix}",
        NOTIFICATIONS_QUEUE=f"notify-{suffix}",
        DELIVERIES_QUEUE=f"deliveries-n{suffix}",
        SENDGRID_API_KEY="SG.e2e-key",
        SENDGRID_API_HOST=sendgrid_capture.url,
        SENDGRID_TIMEOUT_SECONDS="1",
        SEND_LEASE_SECONDS="4",
        **FAST_RETRIES,
        EMAIL_FROM="leads@partner-leads.example",
        PARTNER_UI_BASE_URL=UI,
        VENDOR_NOTIFICATION_EMAIL="leads-desk@vendor.example",
        AzureFunctionsWebHost__hostid=f"notify-{suffix}",
    )
    workdir = tmp_path_factory.mktemp("notify-host")
    with running_host(env, workdir, fast_queues=True) as process, requests.Session() as http:
        yield NotifyHost(process, env, AppStorage(env), sendgrid_capture, http)


@pytest.fixture
def contact() -> str:
    """A contact address of its own for each test: the capture server scripts by recipient."""
    return f"sales.{uuid.uuid4().hex[:10]}@contoso.example"
