"""Who gets the email, set through the API: profile contacts (ETag, admins only) and a user's own
preferences, which the next notification follows."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.notifications.conftest import NotifyHost
from tests.support.auth import AUDIENCE, ISSUER, bearer, key_pair
from tools.token import mint_token


def _partner() -> str:
    return "r-" + uuid.uuid4().hex[:10]


def _signed_in(partner: str, email: str, *roles: str) -> dict[str, str]:
    """A partner user whose token carries `email`, the address that links them to a contact."""
    token = mint_token(
        private_key_pem=key_pair().private_pem, issuer=ISSUER, audience=AUDIENCE,
        roles=list(roles or ["Referrals.User"]), partner_id=partner,
        user_id=f"user-{uuid.uuid4().hex[:6]}", email=email,
    )  # fmt: skip
    return {"Authorization": f"Bearer {token}"}


def test_contacts_are_read_by_any_partner_role_and_replaced_by_profile_admins(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    notify_host.register(partner, contact)
    url, http = f"{notify_host.api}/profile/contacts", notify_host.http
    read = http.get(url, headers=bearer("Referrals.User", partner=partner))
    assert read.status_code == 200, read.text
    assert read.json() == {
        "contacts": [{"name": "Contact 0", "email": contact}], "editable": False,
    }  # fmt: skip
    admin_read = http.get(url, headers=bearer("BusinessProfile.Admin", partner=partner))
    assert admin_read.json()["editable"] is True  # the same rule the PUT enforces
    etag = read.headers["ETag"]
    body = {"contacts": [{"name": "Desk", "email": "desk@contoso.example"}]}
    admin = bearer("BusinessProfile.Admin", partner=partner)
    assert (
        http.put(url, json=body, headers=bearer("Referrals.Admin", partner=partner)).status_code
        == 403
    )
    assert (
        http.put(
            url, json={"contacts": [{"name": "X", "email": "nope"}]}, headers=admin
        ).status_code
        == 400
    )
    emptied = http.put(url, json={"contacts": []}, headers={**admin, "If-Match": etag})
    assert emptied.status_code == 400, emptied.text
    assert emptied.headers["Content-Type"].startswith("application/problem+json")
    assert "nobody would be told about new leads" in emptied.json()["detail"]
    assert [e["field"] for e in emptied.json()["errors"]] == ["contacts"]
    assert http.get(url, headers=admin).headers["ETag"] == etag  # nothing changed
    assert http.put(url, json=body, headers={**admin, "If-Match": '"stale"'}).status_code == 412
    replaced = http.put(url, json=body, headers={**admin, "If-Match": etag})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {**body, "editable": True}
    assert replaced.headers["ETag"] != etag
    assert http.put(url, json=body, headers={**admin, "If-Match": etag}).status_code == 412
    assert http.get(url).status_code == 401
    assert http.get(url, headers=bearer("Vendor.Referrer")).status_code == 403  # fmt: skip


def test_a_users_preferences_override_their_contact_entry(
    notify_host: NotifyHost, contact: str
) -> None:
    partner = _partner()
    intake_url = notify_host.register(partner, contact)
    url, http = f"{notify_host.api}/me/preferences", notify_host.http
    me = _signed_in(partner, contact.upper())
    assert http.get(url, headers=me).json() == {
        "emailEnabled": True, "email": None, "signInEmail": contact.upper(), "isContact": True,
    }  # fmt: skip
    home = f"home.{contact}"
    saved = http.put(url, json={"emailEnabled": True, "email": home}, headers=me)
    assert saved.status_code == 200, saved.text
    assert saved.json()["email"] == home
    notify_host.deliver(intake_url)
    notify_host.wait_until_handled(partner, 1)
    assert len(notify_host.capture.accepted(home)) == 1
    assert notify_host.capture.accepted(contact) == []

    assert http.put(url, json={"emailEnabled": False}, headers=me).status_code == 200
    notify_host.deliver(intake_url, company="Other")
    rows = notify_host.wait_until_handled(partner, 2)
    assert sorted(row["Status"] for row in rows) == ["Sent", "Skipped"]
    assert "no recipient" in [row["Reason"] for row in rows]
    assert len(notify_host.capture.accepted(home)) == 1

    stranger = _signed_in(partner, "eve@contoso.example")
    assert http.get(url, headers=stranger).json()["isContact"] is False
    invalid = http.put(url, json={"emailEnabled": "maybe"}, headers=stranger)
    assert invalid.status_code == 400
    assert [e["field"] for e in invalid.json()["errors"]] == ["emailEnabled"]


def test_a_partner_created_without_contacts_answers_a_warning(notify_host: NotifyHost) -> None:
    http, operator = notify_host.http, bearer("Leads.Operator")
    body = {"partnerId": _partner(), "name": "Nobody Home"}
    created = http.post(f"{notify_host.api}/ops/partners", json=body, headers=operator)
    assert created.status_code == 201, created.text
    (warning,) = created.json()["warnings"]
    assert "nobody receives new-lead emails" in warning.lower()
    with_contact: dict[str, Any] = {
        "partnerId": _partner(), "name": "Staffed",
        "contacts": [{"name": "Desk", "email": "desk@contoso.example"}],
    }  # fmt: skip
    staffed = http.post(f"{notify_host.api}/ops/partners", json=with_contact, headers=operator)
    assert staffed.json()["warnings"] == []
