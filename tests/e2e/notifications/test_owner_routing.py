"""Routing through the real host: a routed lead's email goes to its owner only, and assigning
a lead by hand emails the new owner."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.notifications.conftest import NotifyHost
from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tools.token import mint_token


def _signed_in(partner: str, name: str, email: str, role: str) -> dict[str, str]:
    token = mint_token(
        private_key_pem=key_pair().private_pem, issuer=ISSUER, audience=AUDIENCE,
        roles=[role], partner_id=partner, user_id=f"user-{uuid.uuid4().hex[:6]}",
        email=email, name=name,
    )  # fmt: skip
    return {"Authorization": f"Bearer {token}"}


def test_a_routed_lead_emails_its_owner_and_not_the_contacts(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = "o-" + uuid.uuid4().hex[:10]
    intake_url = notify_host.register(partner, contact)
    http, api = notify_host.http, notify_host.api
    sam_email = f"sam.{uuid.uuid4().hex[:8]}@contoso.example"
    kim_email = f"kim.{uuid.uuid4().hex[:8]}@contoso.example"
    sam = _signed_in(partner, "Sam Sales", sam_email, "Referrals.User")
    kim = _signed_in(partner, "Kim Sales", kim_email, "Referrals.User")
    admin = _signed_in(partner, "Ada Admin", "ada@contoso.example", "Referrals.Admin")
    for user in (sam, kim):  # their first requests record them in the Team
        assert http.get(f"{api}/leads", headers=user).status_code == 200
    team = {m["name"]: m for m in http.get(f"{api}/team", headers=admin).json()["items"]}
    assert {"Sam Sales", "Kim Sales", "Ada Admin", "Contact 0"} <= set(team)
    routing: dict[str, Any] = {"enabled": True, "defaultPool": [team["Sam Sales"]["id"]]}
    put = http.put(f"{api}/profile/routing", json=routing, headers=admin)
    assert put.status_code == 200, put.text

    lead_id = notify_host.deliver(intake_url)
    notify_host.wait_until_handled(partner, 1)
    assert len(notify_host.capture.accepted(sam_email)) == 1
    assert notify_host.capture.accepted(contact) == []
    lead = http.get(f"{api}/leads/{lead_id}", headers=sam).json()
    assert lead["owner"]["name"] == "Sam Sales"

    assigned = http.post(
        f"{api}/leads/{lead_id}/assign",
        json={"memberId": team["Kim Sales"]["id"]},
        headers={**admin, "If-Match": lead["etag"]},
    )
    assert assigned.status_code == 200, assigned.text
    notify_host.wait_until_handled(partner, 2)
    (email,) = notify_host.capture.accepted(kim_email)
    assert email.body["subject"].startswith("Assigned to you")
    assert "Ada Admin assigned you a lead" in email.content("text/plain")
    mine = http.get(f"{api}/leads", params={"owner": "me"}, headers=kim).json()["items"]
    assert [item["id"] for item in mine] == [lead_id]
