"""Failed notifications as an operator fixes them: listed, sent again through the real host and
the real sendgrid library; and a late import's feed entry dated when it was written (a replayed
job's: tests/e2e/test_jobs.py). A poison message put back through the host:
tests/e2e/test_operator.py."""

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
