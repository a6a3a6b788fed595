"""The partner workspace through the local host: list, read, act, favourite, export."""

from __future__ import annotations

import csv
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land

ADMIN = "Referrals.Admin"


class Workspace:
    """One partner with its intake URL and an admin's headers."""

    def __init__(self, http: requests.Session, api: str, partner_id: str) -> None:
        self.http, self.api, self.partner_id = http, api, partner_id
        created = http.post(
            f"{api}/ops/partners",
            json={"partnerId": partner_id, "name": "Contoso"},
            headers=bearer("Leads.Operator"),
        )
        assert created.status_code == 201, created.text
        self.intake = created.json()["intakeUrl"].replace("http://leads.test/api", api)
        self.headers = bearer(ADMIN, partner=partner_id, user=f"admin-{partner_id}")

    def deliver(self, company: str = "Fabrikam", action: str = "PLT", **user: str) -> str:
        details = {"Email": f"{uuid.uuid4().hex[:8]}@{company.lower()}.example", **user}
        body: dict[str, Any] = {
            "UserDetails": {"FirstName": "Mia", "Company": company, "Country": "DE", **details},
            "LeadSource": f"AppSource (SPZA)-{action}|fabrikam.fleet",
            "OfferTitle": "Fleet Insights",
        }
        return deliver_and_land(self.http, self.api, self.intake, body)

    def get(self, lead_id: str) -> requests.Response:
        return self.http.get(f"{self.api}/leads/{lead_id}", headers=self.headers)

    def act(
        self, lead_id: str, action: str, body: dict[str, Any], **headers: str
    ) -> requests.Response:
        return self.http.post(
            f"{self.api}/leads/{lead_id}/{action}", json=body, headers={**self.headers, **headers}
        )

    def list(self, **params: Any) -> dict[str, Any]:
        response = self.http.get(f"{self.api}/leads", params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page


@pytest.fixture
def ws(http: requests.Session, api: str, partner_id: str) -> Workspace:
    return Workspace(http, api, partner_id)


ACCEPT: dict[str, Any] = {
    "dealName": "Fleet rollout",
    "notes": "400 vans, wants a demo",
    "estimatedValue": 25000,
    "currency": "EUR",
    "estimatedCloseDate": "2027-02-01",
    "teamMembers": [{"name": "Jo", "email": "jo@contoso.example", "phone": "+44 20 7946 0958"}],
}


def test_a_lead_reads_with_its_etag_and_hot_flag(ws: Workspace) -> None:
    lead_id = ws.deliver()
    response = ws.get(lead_id)
    assert response.status_code == 200
    lead = response.json()
    assert response.headers["ETag"] == lead["etag"]
    assert lead["hot"] is True
    assert lead["status"] == "Received"
    assert lead["respondBy"] is not None
    assert lead["customer"]["email"].endswith("@fabrikam.example")


def test_accept_validates_then_succeeds_and_is_recorded(ws: Workspace) -> None:
    lead_id = ws.deliver()
    bad = ws.act(
        lead_id, "accept",
        {"estimatedValue": -5, "currency": "XXQ", "teamMembers": [{"name": "Jo", "email": "nope"}]},
    )  # fmt: skip
    assert bad.status_code == 400
    fields = {error["field"] for error in bad.json()["errors"]}
    assert {"dealName", "notes", "estimatedValue", "currency", "teamMembers.0.email"} <= fields
    assert ws.get(lead_id).json()["status"] == "Received"  # changed nothing

    accepted = ws.act(lead_id, "accept", ACCEPT)
    assert accepted.status_code == 200, accepted.text
    lead = accepted.json()
    assert lead["status"] == "Accepted"
    assert lead["deal"]["estimatedValue"] == "25000"
    assert lead["team"][0]["phone"] == "+442079460958"
    assert lead["history"][-1]["action"] == "Accepted"
    assert lead["history"][-1]["actorId"] == f"admin-{ws.partner_id}"
    assert accepted.headers["ETag"] == lead["etag"]


def test_edit_team_and_win(ws: Workspace) -> None:
    lead_id = ws.deliver()
    ws.act(lead_id, "accept", ACCEPT).raise_for_status()
    patched = ws.http.patch(
        f"{ws.api}/leads/{lead_id}",
        json={"crmId": "CRM-7", "estimatedValue": 30000, "campaignId": None},
        headers={**ws.headers, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["deal"]["crmId"] == "CRM-7"
    assert patched.json()["deal"]["name"] == "Fleet rollout"
    cleared = ws.http.patch(f"{ws.api}/leads/{lead_id}", json={"notes": None}, headers=ws.headers)
    assert cleared.status_code == 400
    ws.act(lead_id, "team", {"name": "Sam", "email": "sam@contoso.example"}).raise_for_status()
    won = ws.act(lead_id, "won", {"value": 31000, "notes": "Signed"})
    assert won.status_code == 200
    assert (won.json()["status"], won.json()["outcome"]) == ("Archived", "Won")
    assert [m["name"] for m in won.json()["team"]] == ["Jo", "Sam"]


def test_decline_archives_and_tells_the_customer(ws: Workspace, storage: AppStorage) -> None:
    lead_id = ws.deliver()
    bad = ws.act(lead_id, "decline", {"reason": "NoReason"})
    assert bad.status_code == 400
    declined = ws.act(lead_id, "decline", {"reason": "TimelineTooShort", "notes": "Needs it now"})
    assert declined.status_code == 200
    assert declined.json()["outcome"] == "Declined"
    kinds = [message["kind"] for message in storage.notifications_for(ws.partner_id)]
    assert sorted(kinds) == ["LeadDeclined", "NewLead"]


def test_any_action_on_an_archived_lead_is_409_naming_its_state(ws: Workspace) -> None:
    lead_id = ws.deliver()
    ws.act(lead_id, "decline", {"reason": "NotACustomer"}).raise_for_status()
    for action, body in (("accept", ACCEPT), ("decline", {"reason": "Other"}), ("won", {})):
        response = ws.act(lead_id, action, body)
        assert response.status_code == 409
        assert "Archived (Declined)" in response.json()["detail"]


def test_lost_needs_a_reason_and_only_accepted_leads_can_close(ws: Workspace) -> None:
    lead_id = ws.deliver()
    assert ws.act(lead_id, "lost", {"reason": "BudgetNotAdequate"}).status_code == 409
    ws.act(lead_id, "accept", ACCEPT).raise_for_status()
    assert ws.act(lead_id, "lost", {}).status_code == 400
    lost = ws.act(lead_id, "lost", {"reason": "BudgetNotAdequate", "value": 0})
    assert lost.json()["lost"]["reason"] == "BudgetNotAdequate"


def test_a_stale_if_match_is_412(ws: Workspace) -> None:
    lead_id = ws.deliver()
    etag = ws.get(lead_id).headers["ETag"]
    ws.act(lead_id, "accept", ACCEPT, **{"If-Match": etag}).raise_for_status()
    stale = ws.act(lead_id, "won", {}, **{"If-Match": etag})
    assert stale.status_code == 412


DECLINE: dict[str, Any] = {"reason": "Other"}


def test_fifty_concurrent_accepts_and_declines_give_exactly_one_success(ws: Workspace) -> None:
    lead_id = ws.deliver()

    def attempt(n: int) -> int:
        action, body = ("accept", ACCEPT) if n % 2 else ("decline", DECLINE)
        with requests.Session() as session:
            response = session.post(
                f"{ws.api}/leads/{lead_id}/{action}", json=body, headers=ws.headers
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=25) as pool:
        statuses = list(pool.map(attempt, range(50)))
    assert statuses.count(200) == 1
    assert set(statuses) == {200, 409}
    history = ws.get(lead_id).json()["history"]
    assert [entry["action"] for entry in history].count("Received") == 0
    assert len([e for e in history if e["action"] in ("Accepted", "Declined")]) == 1


def test_twenty_concurrent_edits_without_if_match_all_succeed_on_the_fresh_lead(
    ws: Workspace,
) -> None:
    lead_id = ws.deliver()
    ws.act(lead_id, "accept", ACCEPT).raise_for_status()
    patch_headers = {**ws.headers, "Content-Type": "application/merge-patch+json"}

    def edit(n: int) -> tuple[int, dict[str, Any]]:
        with requests.Session() as session:
            response = session.patch(
                f"{ws.api}/leads/{lead_id}", json={"notes": f"call {n}"}, headers=patch_headers
            )
            return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(edit, range(20)))
    assert [status for status, _ in answers] == [200] * 20, answers
    # Each answer is the lead with its own change applied, on top of every change before it.
    assert [lead["deal"]["notes"] for _, lead in answers] == [f"call {n}" for n in range(20)]
    history = ws.get(lead_id).json()["history"]
    assert [entry["action"] for entry in history].count("Deal edited") == 20


ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("accept", ACCEPT), ("decline", DECLINE), ("team", {"name": "X"}), ("won", {}),
    ("lost", {"reason": "Other"}),
]  # fmt: skip


def test_another_partners_lead_is_404_on_every_route(ws: Workspace, http: requests.Session) -> None:
    lead_id = ws.deliver()
    other = bearer(ADMIN, partner="someone-else")
    base = f"{ws.api}/leads/{lead_id}"
    calls = [
        http.get(base, headers=other),
        http.patch(base, json={"crmId": "x"}, headers=other),
        http.put(f"{base}/favorite", headers=other),
        http.delete(f"{base}/favorite", headers=other),
        *[http.post(f"{base}/{action}", json=body, headers=other) for action, body in ACTIONS],
    ]  # fmt: skip
    assert [response.status_code for response in calls] == [404] * len(calls)
    assert http.get(f"{ws.api}/leads", headers=other).json()["items"] == []
    assert ws.get(lead_id).json()["status"] == "Received"


def test_reading_needs_a_partner_role_and_acting_an_admin_role(ws: Workspace) -> None:
    lead_id = ws.deliver()
    user = bearer("Referrals.User", partner=ws.partner_id)
    assert ws.http.get(f"{ws.api}/leads/{lead_id}", headers=user).status_code == 200
    assert (
        ws.http.post(f"{ws.api}/leads/{lead_id}/accept", json=ACCEPT, headers=user).status_code
        == 403
    )
    staff = bearer("Vendor.Referrer")
    assert ws.http.get(f"{ws.api}/leads", headers=staff).status_code == 403


def test_favourites_are_per_user_and_idempotent(ws: Workspace) -> None:
    first, second = ws.deliver("Alpha"), ws.deliver("Beta")
    for _ in range(2):
        assert ws.http.put(f"{ws.api}/leads/{first}/favorite", headers=ws.headers).json()[
            "favorite"
        ]
    favorites = ws.list(view="favorites")["items"]
    assert [lead["id"] for lead in favorites] == [first]
    listed = {lead["id"]: lead["favorite"] for lead in ws.list()["items"]}
    assert listed == {first: True, second: False}
    colleague = bearer(ADMIN, partner=ws.partner_id, user="colleague")
    assert (
        ws.http.get(f"{ws.api}/leads", params={"view": "favorites"}, headers=colleague).json()[
            "items"
        ]
        == []
    )
    ws.http.delete(f"{ws.api}/leads/{first}/favorite", headers=ws.headers).raise_for_status()
    assert ws.list(view="favorites")["items"] == []


def test_paging_filters_and_tampered_tokens(ws: Workspace) -> None:
    ids = [ws.deliver(f"Company{n}") for n in range(5)]
    informational = ws.deliver("Informational", action="INS")
    seen: list[str] = []
    token = None
    while True:
        page = ws.list(pageSize=2, **({"continuationToken": token} if token else {}))
        seen += [lead["id"] for lead in page["items"]]
        token = page["continuationToken"]
        if token is None:
            break
    assert seen == [informational, *reversed(ids)]  # newest first, each once

    first = ws.list(pageSize=2)
    tampered = first["continuationToken"][:-2] + (
        "AA" if not first["continuationToken"].endswith("AA") else "BB"
    )
    bad = ws.http.get(
        f"{ws.api}/leads", params={"pageSize": 2, "continuationToken": tampered}, headers=ws.headers
    )
    assert bad.status_code == 400
    other_query = ws.http.get(
        f"{ws.api}/leads",
        params={"pageSize": 2, "continuationToken": first["continuationToken"], "quality": "Low"},
        headers=ws.headers,
    )
    assert other_query.status_code == 400

    assert [lead["id"] for lead in ws.list(callToAction="GetItNow")["items"]] == [informational]
    assert {lead["id"] for lead in ws.list(customer="company")["items"]} == set(ids)
    assert [lead["id"] for lead in ws.list(sort="customer", pageSize=1)["items"]] == [ids[0]]
    assert len(ws.list(hot="true")["items"]) == 5
    assert ws.list(status="Archived")["items"] == []
    bad_filter = ws.http.get(f"{ws.api}/leads", params={"status": "Open"}, headers=ws.headers)
    assert bad_filter.status_code == 400
    assert "status" in [error["field"] for error in bad_filter.json()["errors"]]


def test_test_leads_are_hidden_unless_asked_for(ws: Workspace) -> None:
    real = ws.deliver()
    test = ws.deliver(FirstName="MSFT_TEST_1", Email="MSFT_TEST_1@test.com")
    assert [lead["id"] for lead in ws.list()["items"]] == [real]
    assert {lead["id"] for lead in ws.list(includeTest="true")["items"]} == {real, test}


def test_export_is_csv_of_the_filtered_leads_with_formulas_neutralised(ws: Workspace) -> None:
    evil = ws.deliver(
        '=HYPERLINK("http://evil")', FirstName="@SUM(A1)", LastName="+1-2", Email="a@evil.example"
    )
    ws.deliver("Other", action="INS")
    response = ws.http.get(
        f"{ws.api}/leads/export", params={"callToAction": "ContactMe"}, headers=ws.headers
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    # Streamed: sent as it is read, so no length is known up front.
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.headers
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["LeadId"] for row in rows] == [evil]
    row = rows[0]
    assert row["CustomerCompany"] == '\'=HYPERLINK("http://evil")'
    assert row["FirstName"] == "'@SUM(A1)"
    assert row["LastName"] == "'+1-2"
    assert row["EmailValidity"] == "Valid"
    assert row["LeadCreationDateTime"]
    header, line = response.content.decode("utf-8-sig").splitlines()
    # Every cell quoted, so a `;` list separator never splits one (tests/unit/test_lead_export.py)
    assert header.startswith('"LeadId","LeadCreationDateTime","Status","Outcome","LeadType"')
    assert line.startswith(f'"{evil}","')


def test_export_refuses_a_bad_query_before_streaming_anything(ws: Workspace) -> None:
    response = ws.http.get(f"{ws.api}/leads/export", params={"sort": "nope"}, headers=ws.headers)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "sort"
    anonymous = ws.http.get(f"{ws.api}/leads/export")
    assert anonymous.status_code == 401
    assert anonymous.headers["Content-Type"] == "application/problem+json"


def test_export_keeps_the_query_order(ws: Workspace) -> None:
    ids = {company: ws.deliver(company) for company in ("Charlie", "Alpha", "Bravo")}
    response = ws.http.get(
        f"{ws.api}/leads/export", params={"sort": "customer"}, headers=ws.headers
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["LeadId"] for row in rows] == [ids["Alpha"], ids["Bravo"], ids["Charlie"]]
    newest = ws.http.get(f"{ws.api}/leads/export", headers=ws.headers)
    newest_rows = list(csv.DictReader(io.StringIO(newest.content.decode("utf-8-sig"))))
    assert [row["LeadId"] for row in newest_rows] == [ids["Bravo"], ids["Alpha"], ids["Charlie"]]


def test_hot_false_lists_and_exports_the_leads_that_are_not_hot(ws: Workspace) -> None:
    hot = ws.deliver("Hot")
    informational = ws.deliver("Cool", action="INS")
    assert [lead["id"] for lead in ws.list(hot="false")["items"]] == [informational]
    assert [lead["id"] for lead in ws.list(hot="true")["items"]] == [hot]
    exported = ws.http.get(f"{ws.api}/leads/export", params={"hot": "false"}, headers=ws.headers)
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row["LeadId"] for row in rows] == [informational]
