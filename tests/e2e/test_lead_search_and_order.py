"""`sort=respondBy` (waiting leads first, soonest first, then the rest) and `q` (search), through
the local host, with continuation tokens across pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.test_workspace import ACCEPT, Workspace
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer


@pytest.fixture
def workspace(http: requests.Session, api: str, partner_id: str) -> Workspace:
    return Workspace(http, api, partner_id)


def _all_pages(ws: Workspace, **params: Any) -> list[list[str]]:
    """Every page's lead ids, following the continuation tokens."""
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        page = ws.list(**params, **({"continuationToken": token} if token else {}))
        pages.append([lead["id"] for lead in page["items"]])
        token = page["continuationToken"]
        if token is None:
            return pages


def test_respond_by_lists_waiting_leads_soonest_first_then_the_rest_newest_first(
    workspace: Workspace,
) -> None:
    ws = workspace
    first_waiting = ws.deliver("Alpha")  # Contact me: waits for an answer, respondBy soonest
    informational = ws.deliver("Bravo", action="INS")  # no answer needed
    accepted = ws.deliver("Charlie")
    assert ws.act(accepted, "accept", ACCEPT).status_code == 200
    second_waiting = ws.deliver("Delta")
    declined = ws.deliver("Echo")
    decline = ws.act(declined, "decline", {"reason": "NotACustomer"})
    assert decline.status_code == 200, decline.text
    third_waiting = ws.deliver("Foxtrot")
    newest_informational = ws.deliver("Golf", action="INS")

    pages = _all_pages(ws, sort="respondBy", pageSize=2)
    listed = [lead for page in pages for lead in page]
    waiting = [first_waiting, second_waiting, third_waiting]
    # The rest: newest first, active and archived leads merged (the archived decline included).
    rest = [newest_informational, declined, accepted, informational]
    assert listed == waiting + rest
    assert [len(page) for page in pages] == [2, 2, 2, 1]  # one page spans the two phases
    respond_by = [ws.get(lead).json()["respondBy"] for lead in waiting]
    assert respond_by == sorted(respond_by)
    # Filters apply to both phases: Received leads only, then only the marketplace tab's.
    received = _all_pages(ws, sort="respondBy", status="Received", pageSize=50)
    assert received == [[*waiting, newest_informational, informational]]
    assert _all_pages(ws, sort="respondBy", status="Accepted") == [[accepted]]
    assert _all_pages(ws, sort="respondBy", view="qualified") == [[]]


def test_respond_by_export_keeps_the_same_order(workspace: Workspace) -> None:
    ws = workspace
    informational = ws.deliver("Bravo", action="INS")
    waiting = ws.deliver("Alpha")
    response = ws.http.get(
        f"{ws.api}/leads/export", params={"sort": "respondBy"}, headers=ws.headers
    )
    assert response.status_code == 200
    ids = [line.split('","')[0].strip('"') for line in response.text.splitlines()[1:]]
    assert ids == [waiting, informational]


def test_q_finds_a_prefix_of_company_names_or_email_ignoring_case_and_accents(
    workspace: Workspace,
) -> None:
    ws = workspace
    muller = ws.deliver("Müller Logistik", FirstName="Zoë", LastName="Ångström")
    northwind = ws.deliver("Northwind", FirstName="Søren", LastName="Kierkegaard",
                           Email="soren@northwind.example")  # fmt: skip
    both = ws.deliver("Anglo Freight", FirstName="Angela", LastName="Merkel",
                      Email="angela@anglo.example")  # fmt: skip

    def found(q: str, **params: Any) -> list[str]:
        return [lead for page in _all_pages(ws, q=q, **params) for lead in page]

    assert found("MULLER") == [muller]  # company, upper case, no umlaut
    assert found("müll") == [muller]
    assert found("zoe") == [muller]  # first name, accent-insensitive
    assert found("ANGSTR") == [muller]  # last name
    assert found("soren@north") == [northwind]  # email
    assert found("kierke") == [northwind]
    # "ang" starts Ångström, Anglo, Angela and angela@: each lead once, in term order.
    assert found("ang", pageSize=1) == [both, muller]
    assert found("nobody") == []
    assert found("ang", status="Accepted") == []
    customer = ws.list(customer="northw")["items"]  # the company prefix filter still works
    assert [lead["id"] for lead in customer] == [northwind]


def test_q_that_has_nothing_to_search_for_is_a_400_naming_q(workspace: Workspace) -> None:
    response = workspace.http.get(
        f"{workspace.api}/leads", params={"q": " ?/# "}, headers=workspace.headers
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["q"]


def test_an_expired_lead_is_no_longer_found_by_its_contact_details(
    workspace: Workspace, storage: AppStorage
) -> None:
    ws = workspace
    lead_id = ws.deliver("Contoso Rail", FirstName="Hanna", LastName="Berg",
                         Email="hanna@contoso.example")  # fmt: skip
    search_rows = _search_rows(storage, ws.partner_id)
    assert sorted(search_rows) == [
        f"Q|berg|{lead_id}", f"Q|contoso rail|{lead_id}",
        f"Q|hanna@contoso.example|{lead_id}", f"Q|hanna|{lead_id}",
    ]  # fmt: skip
    later = (datetime.now(UTC) + timedelta(days=15)).isoformat()
    expired = ws.http.post(
        f"{ws.api}/ops/jobs/expire-leads",
        params={"asOf": later, "partnerId": ws.partner_id, "allowFuture": "true"},
        headers=bearer("Leads.Operator"),
    )
    assert expired.status_code == 200, expired.text
    assert expired.json()["counts"]["expired"] == 1
    # Names and emails are personal data: their index rows went with the contact details.
    assert _search_rows(storage, ws.partner_id) == [f"Q|contoso rail|{lead_id}"]
    assert [lead for page in _all_pages(ws, q="hanna") for lead in page] == []
    assert [lead for page in _all_pages(ws, q="contoso") for lead in page] == [lead_id]


def _search_rows(storage: AppStorage, partner_id: str) -> list[str]:
    return sorted(
        row["RowKey"] for row in storage.rows("Leads", partner_id) if row["RowKey"].startswith("Q|")
    )
