"""What a lead says, through the local host: closing apart from the deal, each visit's message,
the hot flag on answered leads, and validation messages a person can act on."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from tests.e2e.test_workspace import ACCEPT, Workspace, ws
from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land

__all__ = ["ws"]  # the fixture, used by name


def test_winning_keeps_the_deal_and_shows_the_closing_in_its_history(ws: Workspace) -> None:
    lead_id = ws.deliver()
    ws.act(lead_id, "accept", ACCEPT).raise_for_status()
    won = ws.act(lead_id, "won", {"value": 60000, "notes": "Signed for three years"})
    assert won.status_code == 200, won.text
    lead = won.json()
    assert lead["deal"]["notes"] == ACCEPT["notes"]
    assert lead["deal"]["estimatedValue"] == "25000"
    assert lead["closing"] == {
        "notes": "Signed for three years", "value": "60000", "currency": "EUR",
    }  # fmt: skip
    assert lead["history"][-1]["action"] == "Won"
    assert lead["history"][-1]["detail"] == "Final value 60000 EUR · Signed for three years"


def test_lost_keeps_the_deal_and_records_its_own_notes(ws: Workspace) -> None:
    lead_id = ws.deliver()
    ws.act(lead_id, "accept", ACCEPT).raise_for_status()
    lost = ws.act(lead_id, "lost", {"reason": "BudgetNotAdequate", "notes": "Budget frozen"})
    assert lost.status_code == 200, lost.text
    assert lost.json()["deal"]["notes"] == ACCEPT["notes"]
    assert lost.json()["closing"]["notes"] == "Budget frozen"


def test_a_later_visit_keeps_its_own_message(ws: Workspace) -> None:
    email = f"{uuid.uuid4().hex[:8]}@fabrikam.example"
    visits = [("INS", "We are trying it with 20 users"), ("PLT", "Now we want a call")]
    lead_ids = set()
    for action, message in visits:
        body: dict[str, Any] = {
            "UserDetails": {"FirstName": "Mia", "Company": "Fabrikam", "Email": email},
            "LeadSource": f"AppSource (SPZA)-{action}|fabrikam.fleet",
            "OfferTitle": "Fleet Insights",
            "Description": message,
        }
        lead_ids.add(deliver_and_land(ws.http, ws.api, ws.intake, body))
    assert len(lead_ids) == 1
    lead = ws.get(lead_ids.pop()).json()
    assert [i["description"] for i in lead["interactions"]] == [m for _, m in visits]
    assert lead["description"] == "Now we want a call"


def test_an_accepted_lead_is_no_longer_hot(ws: Workspace) -> None:
    lead_id = ws.deliver()
    received = ws.get(lead_id).json()
    assert (received["hot"], received["needsAnswer"]) == (True, True)
    assert received["hotUntil"] is not None
    accepted = ws.act(lead_id, "accept", ACCEPT).json()
    assert (accepted["hot"], accepted["needsAnswer"], accepted["hotUntil"]) == (False, False, None)
    assert lead_id not in {item["id"] for item in ws.list(hot="true")["items"]}


def test_informational_leads_need_no_answer(ws: Workspace) -> None:
    lead = ws.get(ws.deliver(action="INS")).json()
    assert (lead["needsAnswer"], lead["hot"], lead["status"]) == (False, False, "Received")


def test_accept_refuses_a_close_date_in_the_past_naming_the_field(ws: Workspace) -> None:
    lead_id = ws.deliver()
    yesterday_everywhere = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    refused = ws.act(lead_id, "accept", {**ACCEPT, "estimatedCloseDate": yesterday_everywhere})
    assert refused.status_code == 400
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    errors = refused.json()["errors"]
    assert [e["field"] for e in errors] == ["estimatedCloseDate"]
    assert "in the past" in errors[0]["message"]
    assert ws.get(lead_id).json()["status"] == "Received"  # nothing changed
    today = datetime.now(UTC).date().isoformat()
    assert ws.act(lead_id, "accept", {**ACCEPT, "estimatedCloseDate": today}).status_code == 200


# What pydantic and email-validator say to developers; never what a partner should read.
MACHINE_WORDING = re.compile(
    r"Input should|String should|Value error|pattern|regex|\^\[|value is not a valid email|"
    r"The (part|domain name) after the @-sign|type=|valid decimal",
)


def test_validation_messages_are_written_for_people(ws: Workspace, http: requests.Session) -> None:
    lead_id = ws.deliver()
    bad_accept = {
        "dealName": "", "notes": "n", "estimatedValue": "60.000,00", "currency": "EURO",
        "estimatedCloseDate": "31/12/2026",
        "teamMembers": [{"name": "Jo", "email": "jo@", "phone": "12"}],
    }  # fmt: skip
    responses = [
        ws.act(lead_id, "accept", bad_accept),
        ws.act(lead_id, "decline", {"reason": "Nope"}),
        http.post(
            f"{ws.api}/ops/partners",
            json={"partnerId": "Not A Valid Id!", "name": "X", "contacts": [{"email": "a@b"}]},
            headers=bearer("Leads.Operator"),
        ),
    ]
    for response in responses:
        assert response.status_code == 400, response.text
        for error in response.json()["errors"]:
            assert error["message"], error
            assert not MACHINE_WORDING.search(error["message"]), error
    messages = {e["field"]: e["message"] for e in responses[0].json()["errors"]}
    assert messages["estimatedValue"].startswith("Enter a number")
    assert messages["dealName"] == "This is required."
    assert "2026-12-31" in messages["estimatedCloseDate"]
