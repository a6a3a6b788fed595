"""What the jobs' end-to-end tests share: a partner on the host, the ops route, the queue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import requests
from azure.data.tables import TableServiceClient

from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land

OPERATOR = bearer("Leads.Operator")
SECOND = timedelta(seconds=1)


class Partner:
    def __init__(self, http: requests.Session, api: str, partner_id: str, time_zone: str) -> None:
        self.http, self.api, self.id = http, api, partner_id
        body = {"partnerId": partner_id, "name": "Contoso", "timeZone": time_zone}
        response = http.post(f"{api}/ops/partners", json=body, headers=OPERATOR)
        assert response.status_code == 201, response.text
        self.intake = response.json()["intakeUrl"].replace("http://leads.test/api", api)
        self.reader = bearer("Referrals.Admin", partner=partner_id)

    def deliver(self, email: str, action: str = "PLT") -> dict[str, Any]:
        body: dict[str, Any] = {
            "UserDetails": {"FirstName": "Mia", "LastName": "Schmidt", "Email": email},
            "LeadSource": f"AppSource (SPZA)-{action}|fabrikam.fleet-insights",
            "OfferTitle": "Fleet Insights",
        }
        return self.lead(deliver_and_land(self.http, self.api, self.intake, body))

    def lead(self, lead_id: str) -> dict[str, Any]:
        response = self.http.get(f"{self.api}/leads/{lead_id}", headers=self.reader)
        assert response.status_code == 200, response.text
        lead: dict[str, Any] = response.json()
        return lead


def run_job(
    http: requests.Session,
    api: str,
    job: str,
    as_of: datetime | str,
    partner: Partner | None = None,
) -> dict[str, int]:
    # The tests replay instants days ahead on purpose: past the guard against typos.
    params = {
        "asOf": as_of if isinstance(as_of, str) else as_of.isoformat(),
        "allowFuture": "true",
    }
    if partner is not None:
        params["partnerId"] = partner.id
    response = http.post(f"{api}/ops/jobs/{job}", params=params, headers=OPERATOR)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["job"] == job
    counts: dict[str, int] = report["counts"]
    return counts


def kinds(storage: AppStorage, partner_id: str, kind: str) -> list[dict[str, Any]]:
    return [n for n in storage.notifications_for(partner_id) if n["kind"] == kind]


def hold_for_digest(env: dict[str, str], partner_id: str, day: date, lead_ids: list[str]) -> None:
    """Held rows as the notifier writes them (lead_rows.py, `H|<day>|<leadId>`)."""
    service = TableServiceClient.from_connection_string(env["AzureWebJobsStorage"])
    table = service.get_table_client(f"{env['STORAGE_PREFIX']}Leads")
    for lead_id in lead_ids:
        table.create_entity(
            {
                "PartitionKey": partner_id,
                "RowKey": f"H|{day.isoformat()}|{lead_id}",
                "LeadId": lead_id,
                "Day": day.isoformat(),
            }
        )
