"""The jobs on their own, in a host of their own: a per-second NCRONTAB timer finds the partners,
the work queue fans the job out, and the notification function emails and writes the feed."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
import requests
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient
from azure.storage.queue import QueueClient

from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.lead import Lead
from tests.support.auth import bearer
from tests.support.hosts import isolated_env, running_host
from tests.support.leads import make_lead
from tools.localhost.process import HostProcess

T = TypeVar("T")
VENDOR = "leads-desk@vendor.example"


@dataclass
class JobsHost:
    process: HostProcess
    leads: TableClient
    env: dict[str, str]

    @property
    def api(self) -> str:
        return f"{self.process.base_url}/api"

    def register(self, http: requests.Session) -> str:
        partner_id = "p-" + uuid.uuid4().hex[:10]
        body: dict[str, Any] = {
            "partnerId": partner_id,
            "name": "Contoso",
            "contacts": [{"name": "Sales", "email": "sales@contoso.example"}],
        }
        response = http.post(
            f"{self.api}/ops/partners", json=body, headers=bearer("Leads.Operator")
        )
        assert response.status_code == 201, response.text
        return partner_id

    def seed(self, lead: Lead) -> Lead:
        return TableLeadRepository(self.leads).add(lead)

    def lead(self, lead: Lead) -> Lead:
        return TableLeadRepository(self.leads).get(lead.partner_id, lead.id)

    def ledger(self, lead: Lead, kind: str) -> list[dict[str, Any]]:
        rows = self.leads.query_entities(
            "PartitionKey eq @p and RowKey ge 'S|' and RowKey lt 'S}'",
            parameters={"p": lead.partner_id},
        )
        return [dict(r) for r in rows if r["LeadId"] == lead.id and r["Kind"] == kind]


@pytest.fixture(scope="module")
def jobs_host(
    app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JobsHost]:
    suffix = uuid.uuid4().hex[:8]
    env = isolated_env(app_env, f"j{suffix}")
    env.update(
        EXPIRE_LEADS_SCHEDULE="* * * * * *",  # every second
        WATCH_QUEUES_SCHEDULE="*/2 * * * * *",
        VENDOR_NOTIFICATION_EMAIL=VENDOR,
    )
    service = TableServiceClient.from_connection_string(env["AzureWebJobsStorage"])
    leads = service.create_table_if_not_exists(f"j{suffix}Leads")
    with running_host(env, tmp_path_factory.mktemp("jobs-host"), fast_queues=True) as process:
        yield JobsHost(process, leads, env)


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_the_timer_expires_a_due_lead_and_the_sender_is_emailed_once(
    jobs_host: JobsHost, http: requests.Session
) -> None:
    partner_id = jobs_host.register(http)
    arrived = datetime.now(UTC) - timedelta(days=15)
    lead = jobs_host.seed(make_lead(partner_id, at=arrived))

    def expired_lead() -> Lead | None:
        found = jobs_host.lead(lead)
        return found if found.outcome == "Expired" else None

    expired = wait_for(expired_lead, "the expiry")
    assert expired.customer.email is None
    sent = wait_for(
        lambda: [r for r in jobs_host.ledger(lead, "LeadExpired") if r["Status"] == "Sent"],
        "the LeadExpired email",
    )
    feed = http.get(
        f"{jobs_host.api}/notifications", headers=bearer("Referrals.Admin", partner=partner_id)
    ).json()["items"]
    assert [(item["kind"], item["leadId"]) for item in feed] == [("LeadExpired", lead.id)]
    time.sleep(2)  # two more timer runs: nothing more happens to this lead
    assert len(jobs_host.ledger(lead, "LeadExpired")) == len(sent) == 1
    assert [h.action for h in jobs_host.lead(lead).history].count("Expired") == 1


def test_an_operator_fans_a_job_out_over_the_work_queue(
    jobs_host: JobsHost, http: requests.Session
) -> None:
    partner_id = jobs_host.register(http)
    arrived = datetime.now(UTC) - timedelta(days=12, minutes=1)  # 47h59m left
    lead = jobs_host.seed(make_lead(partner_id, at=arrived))

    response = http.post(
        f"{jobs_host.api}/ops/jobs/remind-expiring",
        params={"fanOut": "true"},
        headers=bearer("Leads.Operator"),
    )

    assert response.status_code == 202, response.text
    counts = response.json()["counts"]
    assert counts["partners"] >= 1
    assert counts["workOrders"] >= 1
    wait_for(lambda: jobs_host.lead(lead).reminded_at, "the reminder")
    wait_for(
        lambda: [r for r in jobs_host.ledger(lead, "ExpiryReminder") if r["Status"] == "Sent"],
        "the reminder email",
    )
    assert jobs_host.lead(lead).status == "Received"


def test_the_queue_watch_logs_a_poison_queue_holding_messages_on_its_schedule(
    jobs_host: JobsHost,
) -> None:
    """What the poison-queue alert reads: the timer's warning, from the real host."""
    poison = f"{jobs_host.env['WORK_QUEUE']}-poison"
    queue = QueueClient.from_connection_string(jobs_host.env["AzureWebJobsStorage"], poison)
    with contextlib.suppress(ResourceExistsError):
        queue.create_queue()
    queue.send_message("a work order that failed every attempt")
    warning = f"Poison queue {poison} holds 1 messages"
    wait_for(lambda: warning in jobs_host.process.logs(), "the poison warning", timeout=10)
