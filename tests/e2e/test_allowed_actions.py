"""`allowedActions` through the local host: every lead the API returns says what its caller may
do, and it agrees with what the API then accepts or refuses."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from shared.domain.team import user_member_id
from tests.e2e.test_workspace import ACCEPT, ADMIN, Workspace
from tests.support.auth import bearer

FAVOURITES = ["favorite", "unfavorite"]
OWNING = ["assign", "take"]  # a Referrals.Admin assigns; anyone selling may take an unowned lead
RESPOND = ["accept", "decline", *FAVOURITES]
WORK_THE_DEAL = ["edit", "addTeamMember", "markWon", "markLost", *FAVOURITES]


@pytest.fixture
def ws(http: requests.Session, api: str, partner_id: str) -> Workspace:
    return Workspace(http, api, partner_id)


def _as(ws: Workspace, headers: dict[str, str], lead_id: str) -> list[str]:
    """The caller's allowedActions, on the lead read alone and as a list item: they must agree."""
    read = ws.http.get(f"{ws.api}/leads/{lead_id}", headers=headers)
    assert read.status_code == 200, read.text
    listed = ws.http.get(f"{ws.api}/leads", headers=headers)
    assert listed.status_code == 200, listed.text
    item = next(lead for lead in listed.json()["items"] if lead["id"] == lead_id)
    assert item["allowedActions"] == read.json()["allowedActions"]
    actions: list[str] = read.json()["allowedActions"]
    return actions


def test_admin_and_user_on_received_accepted_and_archived_leads(ws: Workspace) -> None:
    admin = ws.headers
    user = bearer("Referrals.User", partner=ws.partner_id, user="reader")
    profile_admin = bearer("BusinessProfile.Admin", partner=ws.partner_id, user="profile")
    lead_id = ws.deliver()

    assert _as(ws, admin, lead_id) == RESPOND + OWNING
    assert _as(ws, profile_admin, lead_id) == RESPOND
    assert _as(ws, user, lead_id) == [*FAVOURITES, "take"]

    accepted = ws.act(lead_id, "accept", ACCEPT)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["allowedActions"] == WORK_THE_DEAL + OWNING  # up to date
    assert _as(ws, admin, lead_id) == WORK_THE_DEAL + OWNING
    assert _as(ws, user, lead_id) == [*FAVOURITES, "take"]

    won = ws.act(lead_id, "won", {"value": 31000})
    assert won.status_code == 200, won.text
    assert won.json()["allowedActions"] == FAVOURITES
    assert _as(ws, admin, lead_id) == FAVOURITES
    assert _as(ws, user, lead_id) == FAVOURITES


def test_informational_and_declined_leads_offer_no_lifecycle_step(ws: Workspace) -> None:
    informational = ws.deliver("Informational", action="INS")
    assert _as(ws, ws.headers, informational) == FAVOURITES + OWNING  # owned, never answered
    declined = ws.deliver("Declined")
    answer = ws.act(declined, "decline", {"reason": "NotACustomer"})
    assert answer.json()["allowedActions"] == FAVOURITES


CALLS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "accept": ("POST", "/accept", ACCEPT),
    "decline": ("POST", "/decline", {"reason": "Other"}),
    "edit": ("PATCH", "", {"crmId": "CRM-1"}),
    "addTeamMember": ("POST", "/team", {"name": "Sam"}),
    "markWon": ("POST", "/won", {}),
    "markLost": ("POST", "/lost", {"reason": "Other"}),
    "favorite": ("PUT", "/favorite", None),
    "unfavorite": ("DELETE", "/favorite", None),
    "assign": ("POST", "/assign", {"memberId": None}),
    "take": ("POST", "/assign", {"memberId": user_member_id("caller")}),
}


@pytest.mark.parametrize(("role", "refused_with"), [("Referrals.User", 403), (ADMIN, 409)])
def test_what_is_offered_succeeds_and_the_rest_is_refused(
    ws: Workspace, role: str, refused_with: int
) -> None:
    headers = bearer(role, partner=ws.partner_id, user="caller")
    assert set(CALLS) == set(_as(ws, ws.headers, ws.deliver("Any")) + WORK_THE_DEAL)
    for action, (method, path, body) in CALLS.items():
        lead_id = ws.deliver(f"Company {action}")  # a Received lead for each call
        offered = _as(ws, headers, lead_id)
        response = ws.http.request(
            method, f"{ws.api}/leads/{lead_id}{path}", json=body, headers=headers
        )
        expected = 200 if action in offered else refused_with
        assert response.status_code == expected, (action, response.text)
