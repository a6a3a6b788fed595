"""No customer's name, email, phone or company reaches a log record, whatever path the lead
takes: the webhook (and its refusals), a staff referral, an import, the partner's actions and
search, every kind of email (sent, held for the digest, retried, failed), the jobs, and bad
input. Every record of the host and the app is captured, as the worker logs them (root at INFO),
`extra` fields and tracebacks included."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from tests.e2e.telemetry.conftest import OPERATOR, register
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.deliveries import settled_delivery
from tests.support.in_process_host import InProcessHost
from tests.support.sendgrid_capture import SendGridCapture

FIRST, LAST, COMPANY = "Zephyrine", "Quillfeather", "Brightwater Ironworks"
PHONE = "+1 206 555 0199"
DOMAIN = "brightwater-mail.com"
# What must never be logged, case-insensitively, also as it looks inside a URL or E.164.
NEEDLES = (
    FIRST,
    LAST,
    "Brightwater",
    DOMAIN,
    "2065550199",
    "206 555 0199",
    quote("206 555 0199"),
)


def _customer_email(path: str, tag: str) -> str:
    return f"{FIRST.lower()}.{path}.{tag}@{DOMAIN}"


def _marketplace(email: str, action: str = "PLT") -> dict[str, Any]:
    details = {"FirstName": FIRST, "LastName": LAST, "Email": email, "Phone": PHONE}
    return {
        "UserDetails": {**details, "Company": COMPANY, "Country": "US"},
        "LeadSource": f"AppSource (SPZA)-{action}|fabrikam.fleet-insights",
        "OfferTitle": "Fleet Insights",
        "Description": f"Please call {FIRST} {LAST} at {PHONE}",
    }


def _land(http: requests.Session, api: str, intake: str, body: dict[str, Any]) -> str:
    response = http.post(intake, json=body)
    assert response.status_code == 200, response.text
    entry = settled_delivery(http, api, response.json()["deliveryId"])
    assert entry["status"] == "Created", entry
    return str(entry["leadId"])


def _wait_until_drained(env: dict[str, str], timeout: float = 40.0) -> None:
    """Every queue of the app empty (retries waiting count too), twice in a row."""
    names = [env["DELIVERIES_QUEUE"], env["NOTIFICATIONS_QUEUE"], env["WORK_QUEUE"]]

    def length(name: str) -> int:
        client = QueueClient.from_connection_string(env["AzureWebJobsStorage"], name)
        try:
            return int(client.get_queue_properties().approximate_message_count or 0)
        except ResourceNotFoundError:
            return 0

    deadline, empty_in_a_row = time.monotonic() + timeout, 0
    while empty_in_a_row < 2:
        assert time.monotonic() < deadline, "the app's queues did not drain"
        empty_in_a_row = empty_in_a_row + 1 if not any(length(n) for n in names) else 0
        time.sleep(0.3)


def test_no_personal_data_reaches_any_log_record(
    observed: InProcessHost, sendgrid_capture: SendGridCapture
) -> None:
    api, http, tag = observed.api, requests.Session(), uuid.uuid4().hex[:8]
    partner_id = f"t-{tag}"
    contact = f"desk-{tag}@contoso-partner.example"
    intake = register(http, api, partner_id, contact)
    partner_user = bearer("Referrals.Admin", partner=partner_id)
    declined_customer = _customer_email("declined", tag)
    # The decline's email fails once (retried), the expiries' fail for good.
    sendgrid_capture.script(declined_customer, 500, 202)
    sendgrid_capture.script("vendor-desk@vendor.example", 400, 400, 400, 400)

    # The webhook: a lead that is emailed, one held for the digest, and refusals.
    accepted = _land(http, api, intake, _marketplace(_customer_email("accepted", tag)))
    declined = _land(http, api, intake, _marketplace(declined_customer))
    wrong_types = _marketplace(_customer_email("typed", tag))
    wrong_types["UserDetails"]["Email"] = 42
    assert http.post(intake, json=wrong_types).status_code == 400
    wrong_key = intake.split("?")[0] + "?key=not-the-key"
    assert http.post(wrong_key, json=_marketplace(_customer_email("key", tag))).status_code == 401

    # A staff referral, and one whose email is malformed.
    referral: dict[str, Any] = {
        "qualification": "SalesQualified",
        "leadType": "Profile",
        "contactRequested": True,
        "notes": f"{FIRST} asked for a call on {PHONE}",
        "customer": {
            "firstName": FIRST,
            "lastName": LAST,
            "company": COMPANY,
            "email": _customer_email("referral", tag),
            "phone": PHONE,
            "country": "US",
        },
    }
    staff = bearer("Vendor.Referrer", user=f"staff-{tag}")
    referrals = f"{api}/intake/{partner_id}/referrals"
    assert http.post(referrals, json=referral, headers=staff).status_code == 200
    malformed = {**referral, "customer": {**referral["customer"], "email": f"{FIRST}@@{DOMAIN}"}}
    assert http.post(referrals, json=malformed, headers=staff).status_code == 400

    # A Partner Center export, one good row and one bad.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    csv = (
        "First Name,Last Name,Email Address,Phone,Company Name,Country,Lead Source,Action Code,"
        "Offer Title,Description,LeadCreationDateTime\r\n"
        f"{FIRST},{LAST},{_customer_email('import', tag)},{PHONE},{COMPANY},US,AppSource,PLT,"
        f"Fleet Insights,Call {FIRST},{yesterday}\r\n"
        f"{FIRST},{LAST},{_customer_email('bad-row', tag)},{PHONE},{COMPANY},US,AppSource,PLT,"
        "Fleet Insights,,not a date\r\n"
    )
    imported = http.post(
        f"{api}/leads/import",
        data=csv.encode(),
        headers={**partner_user, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == 1

    # Two new leads past the day's threshold wait for the digest: held before anything else.
    storage = AppStorage(observed.env)

    def held() -> int:
        return sum(row["RowKey"].startswith("H|") for row in storage.rows("Leads", partner_id))

    deadline = time.monotonic() + 40
    while held() < 2:
        assert time.monotonic() < deadline, "the leads past the threshold were not held"
        time.sleep(0.1)

    # The partner's actions, search and export; a bad edit.
    lead_url = f"{api}/leads/{accepted}"
    accept = {"dealName": f"{COMPANY} fleet", "notes": f"Call {FIRST} {LAST} on {PHONE}"}
    assert http.post(f"{lead_url}/accept", json=accept, headers=partner_user).status_code == 200
    bad_edit = http.patch(lead_url, json={"estimatedValue": FIRST}, headers=partner_user)
    assert bad_edit.status_code == 400
    decline = {"reason": "Other", "notes": f"{FIRST} {LAST} chose another vendor"}
    answer = http.post(f"{api}/leads/{declined}/decline", json=decline, headers=partner_user)
    assert answer.status_code == 200, answer.text
    found = http.get(f"{api}/leads", params={"q": LAST}, headers=partner_user)
    assert found.status_code == 200, found.text
    assert found.json()["items"], "the search finds the leads"
    assert http.get(f"{api}/leads/export", headers=partner_user).status_code == 200

    # The jobs, as of when each has work: the digest of the held leads, reminders, expiries.
    _wait_until_drained(dict(observed.env))
    now = datetime.now(UTC)
    for job, as_of in (
        ("send-digests", now + timedelta(days=1)),
        ("remind-expiring", now + timedelta(days=13)),
        ("expire-leads", now + timedelta(days=15)),
    ):
        params = {"asOf": as_of.isoformat(), "partnerId": partner_id, "allowFuture": "true"}
        ran = http.post(f"{api}/ops/jobs/{job}", params=params, headers=OPERATOR)
        assert ran.status_code == 200, ran.text
        # Each job's emails go before the next job changes the leads they are about (a digest
        # of leads expired meanwhile would be skipped).
        _wait_until_drained(dict(observed.env))

    # Every path ran: the emails went out (or failed as scripted) and the app logged about them.
    def all_emails() -> bool:
        return (
            len(sendgrid_capture.accepted(contact)) >= 3  # two new leads, the digest
            and bool(sendgrid_capture.accepted(declined_customer))  # after a retry
            and bool(sendgrid_capture.requests("vendor-desk@vendor.example"))  # refused
            and bool(sendgrid_capture.accepted(f"staff-{tag}@partner.test"))  # referral expired
        )

    deadline = time.monotonic() + 40
    while not all_emails():
        sent = [(r.recipients, r.status) for r in sendgrid_capture.requests()]
        assert time.monotonic() < deadline, f"not every email went out: {sent}"
        time.sleep(0.05)
    _wait_until_drained(dict(observed.env))
    events = {getattr(r, "event", None) for r in observed.logs.records}
    assert {"delivery.received", "lead.created", "notification.completed"} <= events
    assert "intake.refused" in events

    leaked = [
        text for text in observed.logs.texts() for needle in NEEDLES if needle.casefold() in text
    ]
    assert not leaked, "\n\n".join(leaked[:5])
