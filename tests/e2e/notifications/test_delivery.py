"""Notifications end to end: intake → outbox → queue → the queue function in the local host →
the real `sendgrid` library → the capture server. One test per promise of the notifier."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from shared.domain.notification import Notification, NotificationKind
from tests.e2e.notifications.conftest import UI, NotifyHost, wait_for
from tests.support.auth import bearer
from tests.support.sendgrid_capture import Reply


def _partner() -> str:
    return "n-" + uuid.uuid4().hex[:10]


def test_a_contact_me_lead_is_one_email_in_exactly_the_shape_sendgrid_expects(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    lead_id = notify_host.deliver(notify_host.register(partner, contact))
    (row,) = notify_host.wait_until_handled(partner, 1)
    (request,) = notify_host.capture.requests(contact)
    notification_id = row["RowKey"].removeprefix("S|")
    assert request.body["personalizations"] == [{"to": [{"email": contact}]}]
    assert request.body["from"] == {"email": "leads@partner-leads.example"}
    assert request.body["subject"] == (
        "🔥 Hot lead: Fabrikam wants to be contacted about Fleet Insights"
    )
    assert [part["type"] for part in request.body["content"]] == ["text/plain", "text/html"]
    assert request.body["custom_args"] == {"notificationId": notification_id, "kind": "NewLead"}
    assert f"{UI}/leads/{lead_id}" in request.content("text/plain")
    assert (row["Status"], row["LeadId"], row["Recipients"]) == ("Sent", lead_id, 1)
    assert row["ProviderMessageId"]
    assert notify_host.rows(partner, "O|") == []  # the outbox row went with the ledger update


def test_500_500_then_202_is_exactly_one_email(notify_host: NotifyHost, contact: str) -> None:
    notify_host.capture.script(contact, 500, 500)
    partner = _partner()
    notify_host.deliver(notify_host.register(partner, contact))
    (row,) = notify_host.wait_until_handled(partner, 1)
    assert [r.status for r in notify_host.capture.requests(contact)] == [500, 500, 202]
    assert len(notify_host.capture.accepted(contact)) == 1
    assert (row["Status"], row["Attempts"]) == ("Sent", 3)


def test_429_then_202_is_one_email(notify_host: NotifyHost, contact: str) -> None:
    notify_host.capture.script(contact, 429)
    partner = _partner()
    notify_host.deliver(notify_host.register(partner, contact))
    (row,) = notify_host.wait_until_handled(partner, 1)
    assert [r.status for r in notify_host.capture.requests(contact)] == [429, 202]
    assert row["Status"] == "Sent"


def test_a_slow_sendgrid_times_out_and_the_retry_sends_once(
    notify_host: NotifyHost, contact: str
) -> None:
    notify_host.capture.script(contact, Reply(503, delay=2.5))  # the client gives up after 1 s
    partner = _partner()
    notify_host.deliver(notify_host.register(partner, contact))
    (row,) = notify_host.wait_until_handled(partner, 1)
    assert len(notify_host.capture.accepted(contact)) == 1
    assert row["Status"] == "Sent"


def test_a_duplicated_queue_message_sends_no_second_email(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    lead_id = notify_host.deliver(notify_host.register(partner, contact))
    notify_host.wait_until_handled(partner, 1)
    reminder = Notification.about_lead(
        NotificationKind.EXPIRY_REMINDER, partner_id=partner, lead_id=lead_id, now=datetime.now(UTC)
    ).model_dump_json(by_alias=True)
    queue = notify_host.queue()
    queue.send_message(reminder)
    queue.send_message(reminder)  # both copies are in the same batch: they race
    notify_host.wait_until_handled(partner, 2)
    queue.send_message(reminder)  # and once more, after it was sent
    time.sleep(0.5)
    rows = notify_host.wait_until_handled(partner, 2)
    reminders = [
        r for r in notify_host.capture.accepted(contact) if "Respond by" in r.body["subject"]
    ]
    assert len(reminders) == 1
    assert sorted(row["Status"] for row in rows) == ["Sent", "Sent"]


def test_eleven_simultaneous_leads_are_ten_emails_and_one_held_for_the_digest(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    intake_url = notify_host.register(partner, contact, time_zone="Europe/Berlin")
    with ThreadPoolExecutor(max_workers=11) as pool:
        lead_ids = list(
            pool.map(lambda i: notify_host.deliver(intake_url, company=f"Company {i}"), range(11))
        )
    rows = notify_host.wait_until_handled(partner, 11)
    assert sorted(row["Status"] for row in rows) == ["Held"] + ["Sent"] * 10
    # Ten emails, told apart by their notification: on a loaded machine a send may outlast this
    # host's 1 s SendGrid timeout and be sent again, the one duplicate the app accepts (see
    # test_timeouts_of_requests_sendgrid_accepted_are_the_only_duplicates).
    sent = {
        request.body["custom_args"]["notificationId"]
        for request in notify_host.capture.accepted(contact)
    }
    assert len(sent) == 10
    (held,) = notify_host.rows(partner, "H|")
    assert held["LeadId"] in lead_ids
    (count,) = notify_host.rows(partner, "C|")
    assert count["Count"] == 10
    assert held["RowKey"].startswith(f"H|{held['Day']}|")


def test_a_company_named_with_html_arrives_escaped_in_the_html_part(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    notify_host.deliver(notify_host.register(partner, contact), company="<script>alert(1)</script>")
    notify_host.wait_until_handled(partner, 1)
    (request,) = notify_host.capture.accepted(contact)
    html = request.content("text/html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in request.content("text/plain")


def test_a_refused_address_is_recorded_failed_and_not_retried(
    notify_host: NotifyHost, contact: str
) -> None:
    notify_host.capture.script(contact, 400)
    partner = _partner()
    notify_host.deliver(notify_host.register(partner, contact))
    (row,) = notify_host.wait_until_handled(partner, 1)
    time.sleep(0.5)  # a retry would come within the polling interval
    assert [r.status for r in notify_host.capture.requests(contact)] == [400]
    assert (row["Status"], row["Retryable"], row["Reason"]) == (
        "Failed",
        False,
        "SendGrid refused the email (400).",
    )
    assert not [m for m in notify_host.poison() if m["partnerId"] == partner]


def test_failing_until_the_retries_give_up_ends_in_the_poison_queue_and_failed(
    notify_host: NotifyHost, contact: str
) -> None:
    notify_host.capture.script(contact, *([500] * 100))
    partner = _partner()
    notify_host.deliver(notify_host.register(partner, contact))
    (row,) = notify_host.wait_until_handled(partner, 1)
    (poisoned,) = wait_for(
        lambda: [m for m in notify_host.poison() if m["partnerId"] == partner], 10, "poison"
    )
    assert poisoned["id"] == row["RowKey"].removeprefix("S|")
    assert poisoned["redelivery"] is None  # put back, it starts a new round of retries
    assert (row["Status"], row["Retryable"]) == ("Failed", True)
    assert row["Reason"] == "gave up: SendGrid answered 500; retry later."
    statuses = [r.status for r in notify_host.capture.requests(contact)]
    # Back-off (1 s apart here) until the give-up time (7.2 s here), not 5 attempts at once.
    assert 4 <= len(statuses) <= 9
    assert statuses == [500] * len(statuses)
    assert row["Attempts"] == len(statuses)


def test_the_feed_shows_new_leads_newest_first_without_contact_details(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    intake_url = notify_host.register(partner, contact)
    first = notify_host.deliver(intake_url, company="First")
    notify_host.wait_until_handled(partner, 1)
    second = notify_host.deliver(intake_url, company="Second", Email="second@fabrikam.example")
    notify_host.wait_until_handled(partner, 2)
    headers = bearer("Referrals.User", partner=partner)
    url = f"{notify_host.api}/notifications"
    page = notify_host.http.get(url, params={"pageSize": 1}, headers=headers).json()
    (item,) = page["items"]
    assert (item["leadId"], item["kind"]) == (second, "NewLead")
    assert item["title"] == "New lead: Second · Fleet Insights"
    token = page["continuationToken"]
    rest = notify_host.http.get(url, params={"continuationToken": token}, headers=headers).json()
    assert [i["leadId"] for i in rest["items"]] == [first]
    assert rest["continuationToken"] is None
    assert "second@fabrikam.example" not in str(page)
    tampered = notify_host.http.get(
        url, params={"continuationToken": token[:-2] + "xx"}, headers=headers
    )
    assert tampered.status_code == 400
    other = bearer("Referrals.User", partner=_partner())
    stolen = notify_host.http.get(url, params={"continuationToken": token}, headers=other)
    assert stolen.status_code == 400


def test_personal_data_never_reaches_the_host_log(notify_host: NotifyHost, contact: str) -> None:
    notify_host.capture.script(contact, 500, 400)  # the failure paths log the most
    partner = _partner()
    intake_url = notify_host.register(partner, contact)
    # Letters g-v only: no hex id in the log can contain it by chance.
    secret = uuid.uuid4().hex[:8].translate(str.maketrans("0123456789abcdef", "ghijklmnopqrstuv"))
    digits = str(uuid.uuid4().int)[:6]
    customer = {
        "FirstName": f"Zelda{secret}",
        "LastName": f"Quist{secret}",
        "Email": f"zelda.{secret}@fabrikam.example",
        "Phone": f"+49 30 55{digits}",
    }
    notify_host.deliver(intake_url, company=f"Acme{secret}", **customer)
    (row,) = notify_host.wait_until_handled(partner, 1)
    log = notify_host.process.logs()
    assert row["RowKey"].removeprefix("S|") in log  # the notifier did log about it
    for value in (secret, contact, f"3055{digits}", f"30 55{digits}"):
        assert value not in log
