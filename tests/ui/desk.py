"""A partner's sales desk for the UI tests: its partner record, leads delivered through the real
intake routes, and an admin's API access to check what the UI did."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land


class Desk:
    def __init__(self, http: requests.Session, api: str, partner_id: str) -> None:
        self.http, self.api, self.partner_id = http, api, partner_id
        created = http.post(
            f"{api}/ops/partners",
            json={
                "partnerId": partner_id,
                "name": "Contoso",
                "contacts": [{"name": "Desk", "email": "desk@contoso.example"}],
            },
            headers=bearer("Leads.Operator"),
        )
        assert created.status_code == 201, created.text
        self.intake = created.json()["intakeUrl"].replace("http://leads.test/api", api)
        self.headers = bearer("Referrals.Admin", partner=partner_id, user=f"admin-{partner_id}")

    @classmethod
    @contextmanager
    def open(cls, api: str) -> Iterator[Desk]:
        with requests.Session() as http:
            yield cls(http, api, "p-" + uuid.uuid4().hex[:10])

    def deliver(
        self,
        company: str = "Fabrikam",
        action: str = "PLT",
        *,
        source: str = "AppSource (SPZA)",
        **user: str,
    ) -> str:
        details = {"Email": f"{uuid.uuid4().hex[:8]}@{_domain(company)}.com", **user}
        body: dict[str, Any] = {
            "UserDetails": {"FirstName": "Mia", "LastName": "Jones", "Company": company,
                            "Country": "DE", "Title": "CTO", **details},
            "LeadSource": f"{source}-{action}|fabrikam.fleet",
            "OfferTitle": "Fleet Insights",
            "Description": "Wants a demo for 400 vans",
        }  # fmt: skip
        return deliver_and_land(self.http, self.api, self.intake, body)

    def refer(self, company: str = "Northwind", **extra: Any) -> str:
        body = {
            "qualification": "SalesQualified",
            "leadType": "Profile",
            "customer": {"firstName": "Ana", "lastName": "Silva", "company": company,
                         "email": f"ana@{_domain(company)}.com", "country": "PT"},
            "notes": "Needs 50 seats",
            "contactRequested": True,
            **extra,
        }  # fmt: skip
        response = self.http.post(
            f"{self.api}/intake/{self.partner_id}/referrals",
            json=body,
            headers=bearer("Vendor.Referrer", user="staff-1"),
        )
        assert response.status_code == 200, response.text
        lead_id: str = response.json()["leadId"]
        return lead_id

    def assign(self, lead_id: str, member_id: str | None = None) -> dict[str, Any]:
        """Give the lead an owner as the desk's admin: `member_id`, else the admin themselves."""
        if member_id is None:
            team = self.http.get(f"{self.api}/team", headers=self.headers).json()["items"]
            member_id = next(member["id"] for member in team if member["isMe"])
        response = self.http.post(
            f"{self.api}/leads/{lead_id}/assign", json={"memberId": member_id}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def lead(self, lead_id: str) -> dict[str, Any]:
        response = self.http.get(f"{self.api}/leads/{lead_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def act(self, lead_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(
            f"{self.api}/leads/{lead_id}/{action}", json=body, headers=self.headers
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def _domain(company: str) -> str:
    # Used under .com: a `.example` domain is reserved, and a lead with one is rated Low.
    return "".join(char for char in company.lower() if char.isalnum())
