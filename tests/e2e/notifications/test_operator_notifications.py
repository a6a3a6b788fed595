"""Failed notifications and the notifications poison queue, as an operator fixes them: listed,
sent again through the real host and the real sendgrid library; and a replayed job's feed
entries dated when they were written."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.notifications.conftest import NotifyHost, wait_for
from tests.support.auth import bearer

OPERATOR = bearer("Leads.Operator")


def _partner() -> str:
    return "n-" + uuid.uuid4().hex[:10]


def _failed(host: NotifyHost, partner: str) -> list[dict[str, object]]:
    response = host.http.get(
        f"{host.api}/ops/notifications/failed", params={"partnerId": partner}, headers=OPERATOR
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_a_refused_email_is_listed_and_resent_once_fixed(
    notify_host: NotifyHost, contact: str
) -> None:
    notify_host.capture.script(contact, 400)  # then the default: accepted
    partner = _partner()
    lead_id = notify_host.deliver(notify_host.register(partner, contact))
    (row,) = notify_host.wait_until_handled(partner, 1)
    (failed,) = wait_for(lambda: _failed(notify_host, partner), 5, "the failed listing")
    assert (failed["kind"], failed["leadId"], failed["retryable"]) == ("NewLead", lead_id, False)
    assert failed["notificationId"] == row["RowKey"].removeprefix("S|")
    overview = notify_host.http.get(f"{notify_host.api}/ops/partners/{partner}", headers=OPERATOR)
    assert overview.json()["overview"]["failedNotifications"] == 1

    resend = f"{notify_host.api}/ops/notifications/failed/{partner}/{failed['notificationId']}"
    answer = notify_host.http.post(f"{resend}/resend", headers=OPERATOR)
    assert answer.status_code == 200, answer.text
    assert answer.json()["queued"] is True
    notify_host.capture.wait_for(lambda: len(notify_host.capture.requests(contact)) >= 2)
    sent = wait_for(
        lambda: [r for r in notify_host.ledger(partner) if r["Status"] == "Sent"], 10, "Sent"
    )
    assert len(sent) == 1
    assert [r.status for r in notify_host.capture.requests(contact)] == [400, 202]
    assert _failed(notify_host, partner) == []
    again = notify_host.http.post(f"{resend}/resend", headers=OPERATOR)
    assert again.status_code == 404


def test_a_notification_the_host_poisoned_is_put_back_and_sent(
    notify_host: NotifyHost, contact: str
) -> None:
    notify_host.capture.script(contact, *([500] * 100))
    partner = _partner()
    notify_host.deliver(notify_host.register(partner, contact))
    notify_host.wait_until_handled(partner, 1)
    api = notify_host.api

    def parked() -> list[dict[str, object]]:
        peek = notify_host.http.get(f"{api}/ops/queues/notifications/poison", headers=OPERATOR)
        return [m for m in peek.json()["items"] if partner in str(m["body"])]

    (message,) = wait_for(parked, 10, "the poisoned notification")
    queues = notify_host.http.get(f"{api}/ops/queues", headers=OPERATOR).json()["items"]
    assert {q["name"]: q["poison"] for q in queues}["notifications"] >= 1
    (failed,) = _failed(notify_host, partner)
    assert failed["retryable"] is True  # the retries gave up

    notify_host.capture.recover(contact)  # SendGrid is back
    moved = notify_host.http.post(
        f"{api}/ops/queues/notifications/poison/requeue",
        json={"messageId": message["messageId"]},
        headers=OPERATOR,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["requeued"] == 1
    wait_for(lambda: notify_host.capture.accepted(contact), 10, "the email accepted")
    sent = wait_for(
        lambda: [r for r in notify_host.ledger(partner) if r["Status"] == "Sent"], 10, "Sent"
    )
    assert len(sent) == 1
    assert parked() == []


def test_a_replayed_days_feed_entries_are_dated_when_written(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    lead_id = notify_host.deliver(notify_host.register(partner, contact))
    notify_host.wait_until_handled(partner, 1)
    as_of = datetime.now(UTC) + timedelta(days=15)  # past respondBy: expired, the feed told
    replay = notify_host.http.post(
        f"{notify_host.api}/ops/jobs/expire-leads",
        params={"asOf": as_of.isoformat(), "partnerId": partner, "allowFuture": "true"},
        headers=OPERATOR,
    )
    assert replay.json()["counts"]["expired"] == 1
    notify_host.wait_until_handled(partner, 2)
    written_by = datetime.now(UTC)
    reader = bearer("Referrals.User", partner=partner)
    feed = notify_host.http.get(f"{notify_host.api}/notifications", headers=reader).json()
    kinds = [item["kind"] for item in feed["items"]]
    assert kinds == ["LeadExpired", "NewLead"]
    assert all(datetime.fromisoformat(i["createdAt"]) <= written_by for i in feed["items"])
    lead = notify_host.http.get(
        f"{notify_host.api}/leads/{lead_id}", headers=bearer("Referrals.Admin", partner=partner)
    ).json()
    assert all(datetime.fromisoformat(entry["at"]) <= written_by for entry in lead["history"])


def test_a_lead_imported_days_late_is_announced_at_the_top_of_the_feed(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    notify_host.register(partner, contact)
    before = datetime.now(UTC)
    csv = (
        "First Name,Email Address,Company Name,Lead Source,Action Code,Offer Title,"
        "LeadCreationDateTime\n"
        "Mia,mia.late@fabrikam.example,Fabrikam,AzureMarketplace,PLT,Fleet Insights,"
        f"{(before - timedelta(days=9)).isoformat()}\n"
    )
    imported = notify_host.http.post(
        f"{notify_host.api}/leads/import",
        params={"partnerId": partner},
        data=csv.encode(),
        headers={**OPERATOR, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    reader = bearer("Referrals.User", partner=partner)
    leads = f"{notify_host.api}/leads"
    wait_for(lambda: notify_host.http.get(leads, headers=reader).json()["items"], 10, "the lead")
    notify_host.wait_until_handled(partner, 1)
    (item,) = notify_host.http.get(f"{notify_host.api}/notifications", headers=reader).json()[
        "items"
    ]
    # The lead arrived nine days ago; its feed entry is dated when it was written.
    assert datetime.fromisoformat(item["createdAt"]) >= before
