"""Expiry on demand through the local host: `POST /api/ops/jobs/{job}?asOf=&partnerId=`.

Each test scopes the job to its own partner (`partnerId`), so counts are exact; this host does
not consume the notifications queue (conftest.py), so what was queued can be read back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from shared.domain.lead_values import LeadStatus
from tests.e2e.jobs_support import SECOND, Partner, kinds, run_job
from tests.support.app_storage import AppStorage


@pytest.fixture
def partner(http: requests.Session, api: str, partner_id: str) -> Partner:
    return Partner(http, api, partner_id, "Europe/Berlin")


def test_a_lead_expires_at_respond_by_to_the_second(
    http: requests.Session, api: str, partner: Partner, storage: AppStorage
) -> None:
    lead = partner.deliver("mia@fabrikam.example")
    respond_by = datetime.fromisoformat(lead["respondBy"])
    assert respond_by - datetime.fromisoformat(lead["createdAt"]) == timedelta(days=14)

    nothing = dict.fromkeys(("expired", "skipped", "conflicts", "notificationsDeferred"), 0)
    early = run_job(http, api, "expire-leads", respond_by - SECOND, partner)
    assert early == {"partners": 1, **nothing}
    assert partner.lead(lead["id"])["status"] == LeadStatus.RECEIVED
    assert run_job(http, api, "expire-leads", respond_by, partner)["expired"] == 1
    later = respond_by + timedelta(hours=1)
    assert run_job(http, api, "expire-leads", later, partner) == {"partners": 1, **nothing}

    expired = partner.lead(lead["id"])
    assert (expired["status"], expired["outcome"]) == ("Archived", "Expired")
    # Recorded when the job ran (now), not at the instant it was asked to run as of.
    assert datetime.fromisoformat(expired["closedAt"]) <= datetime.now(UTC)
    assert expired["customer"]["email"] is None
    assert expired["history"][-1]["action"] == "Expired"
    (notified,) = kinds(storage, partner.id, "LeadExpired")
    assert notified["leadId"] == lead["id"]


def test_contact_data_is_gone_from_every_row_once_expired(
    http: requests.Session, api: str, partner: Partner, storage: AppStorage
) -> None:
    lead = partner.deliver("ana.contact@northwind.example")
    assert run_job(http, api, "expire-leads", lead["respondBy"], partner)["expired"] == 1
    rows = storage.rows("Leads", partner.id)
    assert any(row["RowKey"].startswith("Z|") for row in rows)
    assert not any(row["RowKey"].startswith(("U|", "A|", "E|", "R|")) for row in rows)
    assert all("ana.contact" not in str(dict(row)) for row in rows)
    assert all("Schmidt" not in str(dict(row)) for row in rows)
    listed = http.get(f"{api}/leads", params={"status": "Archived"}, headers=partner.reader)
    (item,) = listed.json()["items"]
    assert item["customer"]["email"] is None


def test_a_notification_lost_with_the_queue_goes_once_through_the_relay(
    http: requests.Session,
    api: str,
    host_without_queue: str,
    partner: Partner,
    storage: AppStorage,
) -> None:
    lead = partner.deliver("crash@fabrikam.example")
    respond_by = lead["respondBy"]

    counts = run_job(http, host_without_queue, "expire-leads", respond_by, partner)

    assert (counts["expired"], counts["notificationsDeferred"]) == (1, 1)
    assert partner.lead(lead["id"])["outcome"] == "Expired"
    relay_at = datetime.fromisoformat(respond_by) + timedelta(minutes=3)
    assert run_job(http, api, "relay-outbox", relay_at)["relayed"] >= 1
    assert run_job(http, api, "expire-leads", relay_at, partner)["expired"] == 0
    (notified,) = kinds(storage, partner.id, "LeadExpired")
    assert notified["leadId"] == lead["id"]


def test_a_replay_of_a_future_instant_schedules_and_records_in_real_time(
    http: requests.Session,
    api: str,
    host_without_queue: str,
    partner: Partner,
    storage: AppStorage,
) -> None:
    lead = partner.deliver("replay@fabrikam.example")
    as_of = datetime.fromisoformat(lead["respondBy"]) + timedelta(days=1)  # 15 days ahead
    before = datetime.now(UTC)
    # Interrupted: the lead is expired and its notification owed, but the queue write fails.
    counts = run_job(http, host_without_queue, "expire-leads", as_of, partner)
    after = datetime.now(UTC)
    assert (counts["expired"], counts["notificationsDeferred"]) == (1, 1)

    (owed,) = _outbox(storage, partner)
    assert before <= owed["NextRelayAt"] <= after + timedelta(minutes=2)
    expired = partner.lead(lead["id"])
    assert before <= datetime.fromisoformat(expired["closedAt"]) <= after
    assert before <= datetime.fromisoformat(expired["history"][-1]["at"]) <= after

    # The relay (run as of a future instant too) backs off from now, not from its as-of.
    relayed_at = datetime.now(UTC)
    assert run_job(http, api, "relay-outbox", as_of + timedelta(days=1))["relayed"] >= 1
    (backed_off,) = _outbox(storage, partner)
    assert backed_off["NextRelayAt"] <= datetime.now(UTC) + timedelta(minutes=5)
    assert backed_off["NextRelayAt"] >= relayed_at + timedelta(minutes=5)
    (notified,) = kinds(storage, partner.id, "LeadExpired")
    assert before <= datetime.fromisoformat(notified["createdAt"]) <= after


def _outbox(storage: AppStorage, partner: Partner) -> list[dict[str, Any]]:
    """The outbox rows of the partner's LeadExpired notifications."""
    return [
        row
        for row in storage.rows("Leads", partner.id)
        if row["RowKey"].startswith("O|") and json.loads(row["Message"])["kind"] == "LeadExpired"
    ]


def test_every_job_answers_its_counts(http: requests.Session, api: str) -> None:
    for job in ("expire-leads", "archive-informational-leads", "send-digests", "remind-expiring"):
        counts = run_job(http, api, job, "2020-01-01T00:00:00+01:00")
        assert counts["partners"] >= 0
        assert counts.get("conflicts") == 0
