"""A partner with leads in every state, made through the API, so the contract fuzzer reaches real
code paths (a lead to read, accept, edit, close) rather than only 404s."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests

from tests.support.auth import bearer

OPERATOR = "Leads.Operator"
ADMIN = "Referrals.Admin"
REFERRER = "Vendor.Referrer"


@dataclass(frozen=True)
class Seed:
    partner_id: str
    intake_key: str
    lead_ids: tuple[str, ...]
    subscription_ids: tuple[str, ...] = ()


def _ok(response: requests.Response) -> dict[str, Any]:
    assert response.status_code < 300, f"{response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def _marketplace(company: str, action: str) -> dict[str, Any]:
    return {
        "UserDetails": {
            "FirstName": "Mia",
            "LastName": "Schmidt",
            "Email": f"{uuid.uuid4().hex[:8]}@{company.lower()}.example",
            "Company": company,
            "Country": "DE",
            "Phone": "+4930901820",
        },
        "LeadSource": f"AppSource (SPZA)-{action}|fabrikam.fleet",
        "OfferTitle": "Fleet Insights",
    }


_ACCEPT: dict[str, Any] = {
    "dealName": "Fleet rollout",
    "notes": "400 vans",
    "estimatedValue": 25000,
    "currency": "EUR",
    "estimatedCloseDate": "2027-02-01",
}


def seed_partner(http: requests.Session, api: str, partner_id: str) -> Seed:
    """The partner, its contacts, marketplace and referred leads: some Received, one Accepted,
    one Won, one Declined, a favourite, and so feed entries too."""
    created = _ok(
        http.post(
            f"{api}/ops/partners",
            json={
                "partnerId": partner_id,
                "name": "Contoso",
                "contacts": [{"name": "Ana", "email": "ana@contoso.example"}],
            },
            headers=bearer(OPERATOR),
        )
    )
    intake_url: str = created["intakeUrl"]
    key = intake_url.split("key=", 1)[1]
    admin = bearer(ADMIN, partner=partner_id, user="admin-1")
    companies = ("Fabrikam", "Northwind", "Tailspin", "Woodgrove", "Litware")
    for company in companies:
        action = "INS" if company == "Northwind" else "PLT"
        _ok(
            http.post(
                f"{api}/intake/{partner_id}/marketplace",
                params={"key": key},
                json=_marketplace(company, action),
            )
        )
    lead_ids = _landed(http, api, admin, len(companies))
    referral: dict[str, Any] = {
        "qualification": "SalesQualified",
        "leadType": "Offer",
        "customer": {"firstName": "Ola", "lastName": "Berg", "email": "ola@adatum.example"},
        "notes": "wants a call",
        "contactRequested": True,
        "offer": {"id": "fabrikam.fleet", "title": "Fleet Insights"},
    }
    referred = _ok(
        http.post(
            f"{api}/intake/{partner_id}/referrals",
            json=referral,
            headers=bearer(REFERRER, user="staff-1"),
        )
    )
    lead_ids.append(referred["leadId"])
    accepted, won, declined = lead_ids[2], lead_ids[3], lead_ids[4]
    for lead_id in (accepted, won):
        _ok(http.post(f"{api}/leads/{lead_id}/accept", json=_ACCEPT, headers=admin))
    _ok(http.post(f"{api}/leads/{won}/won", json={"value": 30000}, headers=admin))
    _ok(http.post(f"{api}/leads/{declined}/decline", json={"reason": "Other"}, headers=admin))
    _ok(http.put(f"{api}/leads/{lead_ids[0]}/favorite", headers=admin))
    # A webhook subscription, so the fuzz reaches its routes past the lookup; port 9 (discard)
    # on loopback: a ping or a delivery fails at once and nothing leaves the machine.
    fuzz_hook = {"url": "http://127.0.0.1:9/hook", "description": "fuzz"}
    hook = _ok(http.post(f"{api}/integrations/webhooks", headers=admin, json=fuzz_hook))
    return Seed(partner_id=partner_id, intake_key=key, lead_ids=tuple(lead_ids),
                subscription_ids=(hook["id"],))  # fmt: skip


def _landed(http: requests.Session, api: str, admin: dict[str, str], count: int) -> list[str]:
    """The ids of the partner's marketplace leads, oldest first, once all `count` are listed:
    an accepted delivery may land a moment after its answer."""
    deadline = time.monotonic() + 30
    while True:
        page = _ok(http.get(f"{api}/leads", params={"pageSize": count}, headers=admin))
        if len(page["items"]) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(page["items"]) == count, page
    return [lead["id"] for lead in reversed(page["items"])]
