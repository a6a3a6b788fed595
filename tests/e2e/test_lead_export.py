"""The CSV export as a spreadsheet opens it: through the local host, read back byte for byte."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
import requests

from tests.e2e.test_workspace import Workspace
from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land

UTF8_BOM = b"\xef\xbb\xbf"
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@pytest.fixture
def workspace(http: requests.Session, api: str, partner_id: str) -> Workspace:
    return Workspace(http, api, partner_id)


def _export(ws: Workspace, **params: str) -> bytes:
    response = ws.http.get(f"{ws.api}/leads/export", params=params, headers=ws.headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return response.content


def _deliver_with_message(ws: Workspace, message: str) -> str:
    body: dict[str, Any] = {
        "UserDetails": {"FirstName": "Mia", "Company": "Fabrikam", "Email": "mia@fabrikam.example"},
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet",
        "OfferTitle": "Fleet Insights",
        "Description": message,
    }
    return deliver_and_land(ws.http, ws.api, ws.intake, body)


def test_the_export_starts_with_a_utf8_bom_and_reads_back_with_the_csv_module(
    workspace: Workspace,
) -> None:
    lead_id = workspace.deliver(
        "Müller & Söhne", FirstName="Zoë", LastName="Ångström", Phone="+4930901820"
    )
    body = _export(workspace)
    assert body[:3] == UTF8_BOM
    assert body[3:4] == b'"'  # the BOM once, then the header's first quote
    assert body.count(UTF8_BOM) == 1
    (row,) = csv.DictReader(io.StringIO(body[3:].decode("utf-8"), newline=""))
    assert row["LeadId"] == lead_id
    assert row["CustomerCompany"] == "Müller & Söhne"
    assert (row["FirstName"], row["LastName"]) == ("Zoë", "Ångström")
    assert row["Phone"] == "+4930901820"  # a phone, not a formula: kept as is
    # Excel's date-and-time form, in UTC (README, "Export")
    assert INSTANT.fullmatch(row["LeadCreationDateTime"]), row["LeadCreationDateTime"]
    assert INSTANT.fullmatch(row["RespondBy"]), row["RespondBy"]
    lead = workspace.get(lead_id).json()
    assert row["LeadCreationDateTime"] == lead["createdAt"][:19].replace("T", " ")


def test_the_new_columns_come_last_and_carry_message_contact_sender_and_link(
    workspace: Workspace,
) -> None:
    lead_id = _deliver_with_message(workspace, "Please call about 400 vans")
    header, *_ = csv.reader(io.StringIO(_export(workspace).decode("utf-8-sig"), newline=""))
    assert header[:2] == ["LeadId", "LeadCreationDateTime"]
    assert header[-7:] == [
        "CustomerMessage", "ContactRequested", "SenderName", "SenderEmail", "LeadUrl",
        "OwnerName", "OwnerEmail",
    ]  # fmt: skip
    (row,) = csv.DictReader(io.StringIO(_export(workspace).decode("utf-8-sig"), newline=""))
    assert row["CustomerMessage"] == "Please call about 400 vans"
    assert row["ContactRequested"] == "true"  # a Contact me lead
    assert (row["SenderName"], row["SenderEmail"]) == ("", "")  # marketplace: no staff sender
    # The link the emails use: the app's own UI under PUBLIC_BASE_URL (tests/e2e/conftest.py)
    assert row["LeadUrl"] == f"http://leads.test/api/ui/leads/{lead_id}"
    assert (row["OwnerName"], row["OwnerEmail"]) == ("", "")  # nobody owns it yet


def test_a_referral_names_its_sender(workspace: Workspace) -> None:
    body: dict[str, Any] = {
        "qualification": "SalesQualified",
        "leadType": "Profile",
        "customer": {"firstName": "Ana", "email": "ana@northwind.example", "country": "BR"},
        "notes": "Budget approved",
        "contactRequested": False,
    }
    referred = workspace.http.post(
        f"{workspace.api}/intake/{workspace.partner_id}/referrals",
        json=body,
        headers=bearer("Vendor.Referrer", user="staff-9"),
    )
    assert referred.status_code == 200, referred.text
    text = _export(workspace, view="qualified").decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    assert (row["SenderName"], row["SenderEmail"]) == ("Test staff-9", "staff-9@partner.test")
    assert row["ContactRequested"] == "false"
