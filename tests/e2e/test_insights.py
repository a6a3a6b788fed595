"""Insights through the local host: leads delivered and worked over HTTP, then every figure."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
from azure.data.tables import TableServiceClient

from shared.adapters.table_lead_repository import TableLeadRepository
from tests.e2e.test_workspace import ACCEPT, Workspace
from tests.support.auth import bearer

ANSWERS = ("Accepted", "Declined")


@pytest.fixture
def ws(http: requests.Session, api: str, partner_id: str) -> Workspace:
    return Workspace(http, api, partner_id)


def _expire(app_env: dict[str, str], partner_id: str, lead_id: str) -> None:
    """What the timers' expire-leads job does to a lead past its respond window, done through our
    repository: the job has tests of its own, and the window is 14 days of real time."""
    tables = TableServiceClient.from_connection_string(app_env["AzureWebJobsStorage"])
    repository = TableLeadRepository(tables.get_table_client(f"{app_env['STORAGE_PREFIX']}Leads"))
    lead = repository.get(partner_id, lead_id)
    assert lead.respond_by is not None
    assert lead.expire(lead.respond_by)
    repository.save(lead)


def _insights(ws: Workspace, **params: str) -> requests.Response:
    return ws.http.get(f"{ws.api}/insights", params=params, headers=ws.headers)


def _seconds_to_first_action(lead: dict[str, Any]) -> float:
    arrived = datetime.fromisoformat(lead["createdAt"])
    answered = next(e["at"] for e in lead["history"] if e["action"] in ANSWERS)
    return (datetime.fromisoformat(answered) - arrived).total_seconds()


def _work_the_leads(ws: Workspace, app_env: dict[str, str]) -> list[str]:
    """Nine leads in every state an answer can leave them; returns the ones answered."""
    won_eur, won_usd, lost, declined, spam, expired, waiting, accepted = (
        ws.deliver(f"Customer{n}") for n in range(8)
    )
    ws.deliver("Informational", action="INS")
    ws.deliver(FirstName="MSFT_TEST_1", Email="MSFT_TEST_1@test.com")  # a test lead: left out
    in_usd = {**ACCEPT, "estimatedValue": 1000, "currency": "USD"}
    for lead_id, body in [(won_eur, ACCEPT), (won_usd, in_usd), (lost, ACCEPT), (accepted, ACCEPT)]:
        ws.act(lead_id, "accept", body).raise_for_status()
    ws.act(won_eur, "won", {"value": 31000}).raise_for_status()
    ws.act(won_usd, "won", {"value": 1200}).raise_for_status()
    ws.act(lost, "lost", {"reason": "BudgetNotAdequate"}).raise_for_status()
    ws.act(declined, "decline", {"reason": "TimelineTooShort"}).raise_for_status()
    ws.act(spam, "decline", {"reason": "NotACustomer"}).raise_for_status()
    _expire(app_env, ws.partner_id, expired)
    assert ws.get(waiting).json()["status"] == "Received"
    return [won_eur, won_usd, lost, accepted, declined, spam]


def test_every_figure_over_leads_worked_through_the_api(
    ws: Workspace, app_env: dict[str, str]
) -> None:
    answered = _work_the_leads(ws, app_env)
    response = _insights(ws)
    assert response.status_code == 200, response.text
    figures = response.json()

    assert figures["leads"] == 9
    assert figures["byStatus"] == {"Received": 2, "Accepted": 1, "Archived": 6}
    assert figures["byOutcome"] == {
        "Won": 2, "Lost": 1, "Declined": 2, "Expired": 1, "AgedOut": 0,
    }  # fmt: skip
    assert figures["accepted"] == 4
    assert figures["acceptanceRate"] == pytest.approx(4 / 7)
    waits = [_seconds_to_first_action(ws.get(lead_id).json()) for lead_id in answered]
    assert figures["firstActions"] == 6
    assert figures["medianSecondsToFirstAction"] == pytest.approx(statistics.median(waits))
    assert figures["winRate"] == pytest.approx(2 / 3)
    assert figures["wonValue"] == [
        {"currency": "EUR", "value": "31000", "deals": 1},
        {"currency": "USD", "value": "1200", "deals": 1},
    ]
    declines = {reason: n for reason, n in figures["declineReasons"].items() if n}
    assert declines == {"TimelineTooShort": 1, "NotACustomer": 1}
    assert {reason: n for reason, n in figures["lostReasons"].items() if n} == {
        "BudgetNotAdequate": 1
    }
    assert figures["expired"] == 1
    now = datetime.now(UTC)
    window = datetime.fromisoformat(figures["createdTo"]) - datetime.fromisoformat(
        figures["createdFrom"]
    )
    assert window == timedelta(days=90)
    assert abs(datetime.fromisoformat(figures["createdTo"]) - now) < timedelta(minutes=5)


def test_the_window_selects_leads_by_creation(ws: Workspace) -> None:
    ws.deliver()
    today = date.today()
    covering = _insights(ws, **{"from": str(today - timedelta(days=1)), "to": str(today)})
    assert covering.json()["leads"] == 1
    earlier = str(today - timedelta(days=2))
    assert _insights(ws, **{"from": earlier, "to": earlier}).json()["leads"] == 0
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert _insights(ws, **{"from": since}).json()["leads"] == 1


@pytest.mark.parametrize(
    ("params", "field_name"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-03-01T10:00:00"}, "to"),
    ],
)
def test_bad_windows_are_400(ws: Workspace, params: dict[str, str], field_name: str) -> None:
    response = _insights(ws, **params)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [field_name]


def test_each_partner_sees_only_its_own_and_any_partner_role_may(
    ws: Workspace, http: requests.Session, api: str
) -> None:
    ws.deliver()
    other = Workspace(http, api, f"{ws.partner_id}-other")
    other.act(other.deliver(), "decline", {"reason": "Other"}).raise_for_status()
    mine, theirs = _insights(ws).json(), _insights(other).json()
    assert (mine["leads"], mine["byOutcome"]["Declined"]) == (1, 0)
    assert (theirs["leads"], theirs["byOutcome"]["Declined"]) == (1, 1)
    user = bearer("Referrals.User", partner=ws.partner_id)
    assert http.get(f"{api}/insights", headers=user).json()["leads"] == 1
    assert http.get(f"{api}/insights", headers=bearer("Vendor.Referrer")).status_code == 403
    assert http.get(f"{api}/insights").status_code == 401
