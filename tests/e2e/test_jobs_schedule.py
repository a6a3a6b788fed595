"""Six-month archiving, reminders and digests on demand through the local host."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import requests

from tests.e2e.jobs_support import SECOND, Partner, hold_for_digest, kinds, run_job
from tests.support.app_storage import AppStorage


@pytest.fixture
def partner(http: requests.Session, api: str, partner_id: str) -> Partner:
    return Partner(http, api, partner_id, "Europe/Berlin")


def test_an_informational_lead_is_archived_after_six_months_without_email(
    http: requests.Session, api: str, partner: Partner, storage: AppStorage
) -> None:
    lead = partner.deliver("info@fabrikam.example", action="INS")
    archive_at = datetime.fromisoformat(lead["archiveAt"])

    job = "archive-informational-leads"
    assert run_job(http, api, job, archive_at - SECOND, partner)["archived"] == 0
    assert partner.lead(lead["id"])["status"] == "Received"
    assert run_job(http, api, job, archive_at, partner) == {
        "partners": 1,
        "archived": 1,
        "skipped": 0,
        "conflicts": 0,
    }

    archived = partner.lead(lead["id"])
    assert (archived["status"], archived["outcome"]) == ("Archived", "AgedOut")
    assert archived["customer"]["email"] is None
    sent = [n["kind"] for n in storage.notifications_for(partner.id) if n["kind"] != "NewLead"]
    assert sent == []


def test_a_reminder_goes_out_once_48_hours_before_expiry(
    http: requests.Session, api: str, partner: Partner, storage: AppStorage
) -> None:
    lead = partner.deliver("soon@fabrikam.example")
    remind_at = datetime.fromisoformat(lead["respondBy"]) - timedelta(hours=48)

    assert run_job(http, api, "remind-expiring", remind_at - SECOND, partner)["reminded"] == 0
    assert run_job(http, api, "remind-expiring", remind_at, partner)["reminded"] == 1
    later = remind_at + timedelta(hours=1)
    assert run_job(http, api, "remind-expiring", later, partner)["reminded"] == 0

    (reminder,) = kinds(storage, partner.id, "ExpiryReminder")
    assert reminder["leadId"] == lead["id"]
    reminded = partner.lead(lead["id"])
    assert (reminded["status"], reminded["history"][-1]["action"]) == ("Received", "Reminded")


def test_digests_go_out_once_the_partners_day_is_over_across_the_dst_change(
    http: requests.Session,
    api: str,
    partner: Partner,
    storage: AppStorage,
    app_env: dict[str, str],
) -> None:
    # Berlin's 25 Oct 2026 (clocks go back) ends at 23:00 UTC; the held rows are the
    # notifier's (lead_rows.py, `H|`), written here as it writes them.
    first = partner.deliver("d1@fabrikam.example")
    second = partner.deliver("d2@fabrikam.example")
    day = date(2026, 10, 25)
    hold_for_digest(app_env, partner.id, day, [second["id"], first["id"]])

    assert run_job(http, api, "send-digests", "2026-10-25T22:59:59Z", partner)["digests"] == 0
    assert kinds(storage, partner.id, "DailyDigest") == []
    sent = run_job(http, api, "send-digests", "2026-10-25T23:00:00Z", partner)
    assert (sent["digests"], sent["leads"]) == (1, 2)
    later = run_job(http, api, "send-digests", "2026-10-27T00:00:00Z", partner)
    assert later["digests"] == 0  # nothing twice

    (digest,) = kinds(storage, partner.id, "DailyDigest")
    assert digest["digestDay"] == "2026-10-25"
    assert digest["leadIds"] == [first["id"], second["id"]]  # the earlier one expires first
    assert not any(row["RowKey"].startswith("H|") for row in storage.rows("Leads", partner.id))


def test_a_partner_with_nothing_held_gets_no_digest(
    http: requests.Session, api: str, partner: Partner, storage: AppStorage
) -> None:
    partner.deliver("quiet@fabrikam.example")
    counts = run_job(http, api, "send-digests", "2030-01-01T00:00:00Z", partner)
    assert counts == {
        "partners": 1,
        "digests": 0,
        "leads": 0,
        "conflicts": 0,
        "notificationsDeferred": 0,
    }
    assert kinds(storage, partner.id, "DailyDigest") == []
