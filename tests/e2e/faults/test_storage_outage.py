"""Intake and notifications through a Table storage outage: every fault the proxy makes, then
recovery. A lead is acknowledged (200) only once stored; otherwise the marketplace is told 503
with Retry-After, never 500, and its retry after the outage lands the lead once."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import requests
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from shared.domain.lead_values import Outcome
from shared.domain.work_order import WorkOrder
from shared.services.job_names import EXPIRE_LEADS
from tests.e2e.faults.conftest import Faults, post_lead, register, report, wait_for
from tests.support.auth import bearer
from tests.support.fault_proxy import (
    DROP,
    LOSE_ANSWERS,
    LOSE_WRITE_ANSWERS,
    PASS,
    Answer,
    Fault,
    Slow,
)
from tools.localhost.process import HostProcess

OUTAGE: list[Fault] = [
    DROP,
    Answer(503, retry_after=1),
    Answer(429, retry_after=None),
    LOSE_ANSWERS,
    Answer(500, retry_after=None),
    LOSE_WRITE_ANSWERS,  # the lead is stored, the app never learns it: 503 all the same
]


def test_intake_during_a_table_outage_is_503_and_after_recovery_every_lead_is_once(
    faults: Faults, fault_host: HostProcess
) -> None:
    api = f"{fault_host.base_url}/api"
    partner, contact = "s-" + uuid.uuid4().hex[:10], f"sales.{uuid.uuid4().hex[:8]}@contoso.example"
    intake = register(api, partner, contact)
    answers: dict[str, list[int]] = {}

    def deliver(customer: str) -> int:
        response = post_lead(intake, customer)
        answers.setdefault(customer, []).append(response.status_code)
        if response.status_code == 503:
            assert response.headers["Content-Type"] == "application/problem+json"
            assert int(response.headers["Retry-After"]) >= 1
        return response.status_code

    before = [deliver(f"before-{i}") for i in range(3)]  # their emails meet the outage
    during = []
    for number, fault in enumerate(OUTAGE):
        faults.proxies.table.set(fault)
        during.append(deliver(f"during-{number}"))
    faults.proxies.table.set(Slow(0.05))  # slow but answering: no error, just later
    slow = [deliver("slow")]
    faults.proxies.table.set(PASS)
    # The marketplace retries what was not acknowledged; the relay queues what a lost answer
    # left in the outbox (its queue write never came).
    acknowledged_in_outage = sum(codes[-1] == 200 for codes in answers.values())
    stored_though_503 = len(faults.rows(partner, "L|")) - acknowledged_in_outage
    retried = [deliver(customer) for customer, codes in answers.items() if codes[-1] != 200]
    relay = requests.post(
        f"{api}/ops/jobs/relay-outbox",
        params={"asOf": (datetime.now(UTC) + timedelta(minutes=5)).isoformat()},
        headers=bearer("Leads.Operator"),
        timeout=30,
    )
    assert relay.status_code == 200, relay.text

    assert before == [200] * 3
    assert during == [503] * len(during)  # never a 200 for a lead not stored, never a 500
    assert slow == [200]
    assert retried == [200] * len(retried)
    acknowledged = len(answers)
    lead_rows = faults.rows(partner, "L|")
    sent = wait_for(
        lambda: rows if len(rows := faults.sent(partner, "NewLead")) >= acknowledged else None,
        40,
        f"{acknowledged} new-lead emails",
    )
    per_notification = faults.accepted_by_notification(contact)
    duplicates = sum(count - 1 for count in per_notification.values())
    report(
        "table-outage-intake",
        acknowledged=acknowledged,
        answered503=len(during),
        storedThoughAnswered503=stored_though_503,
        relayed=relay.json()["counts"]["relayed"],
        stored=len(lead_rows),
        notified=len(sent),
        emailsAccepted=sum(per_notification.values()),
        duplicates=duplicates,
    )
    assert len(lead_rows) == acknowledged  # every acknowledged lead exists exactly once
    assert stored_though_503 == 1  # the lost answer to the batch: stored, and said so on retry
    assert len({row["LeadId"] for row in sent}) == acknowledged
    assert sorted(per_notification) == sorted(row["RowKey"].removeprefix("S|") for row in sent)
    assert duplicates == 0


def test_a_work_order_meeting_a_table_outage_is_put_back_and_done_after_recovery(
    faults: Faults, fault_host: HostProcess
) -> None:
    """The timers' work orders too: not five attempts within seconds, then poison."""
    api = f"{fault_host.base_url}/api"
    partner = "w-" + uuid.uuid4().hex[:10]
    intake = register(api, partner)
    assert post_lead(intake, "due").status_code == 200
    order = WorkOrder.for_partners(EXPIRE_LEADS, datetime.now(UTC) + timedelta(days=15), [partner])
    queue = QueueClient.from_connection_string(
        faults.proxies.connection_string,
        faults.env["WORK_QUEUE"],
        message_encode_policy=TextBase64EncodePolicy(),
    )
    with contextlib.suppress(ResourceExistsError):
        queue.create_queue()
    faults.proxies.table.set(DROP)
    queue.send_message(order.model_dump_json(by_alias=True))
    failed = f"Work order {order.id} (expire-leads) failed on attempt"
    wait_for(lambda: fault_host.logs().count(failed) >= 3, 20, "three attempts in the outage")
    faults.proxies.table.set(PASS)
    expired = wait_for(
        lambda: [lead for lead in faults.direct.leads(partner) if lead.outcome == Outcome.EXPIRED],
        20,
        "the lead to expire after recovery",
    )
    attempts = fault_host.logs().count(failed) + 1
    report("table-outage-work-order", attempts=attempts, expired=len(expired))
    assert len(expired) == 1
    assert f"Work order {order.id} (expire-leads) still failing" not in fault_host.logs()
