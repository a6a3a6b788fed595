"""Lead intake through the local host: the marketplace webhook and staff referrals."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from shared.domain.lead_values import CallToAction, Storefront
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.deliveries import LANDED, settled_delivery

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "marketplace"


def _fixtures() -> list[Path]:
    files = sorted(FIXTURES.glob("*.json"))
    assert files, f"marketplace fixtures not found in {FIXTURES}"
    return files


@pytest.fixture
def intake_url(http: requests.Session, api: str, partner_id: str) -> str:
    response = http.post(
        f"{api}/ops/partners",
        json={"partnerId": partner_id, "name": "Contoso"},
        headers=bearer("Leads.Operator"),
    )
    assert response.status_code == 201, response.text
    url: str = response.json()["intakeUrl"]
    return url.replace("http://leads.test/api", api)


def _landed(http: requests.Session, api: str, response: requests.Response) -> dict[str, Any]:
    """The journal entry of an acknowledged delivery, once processing landed it."""
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["status"] == "Received"
    entry = settled_delivery(http, api, receipt["deliveryId"])
    assert entry["status"] in LANDED, entry
    return entry


def _contact_me(email: str = "mia.schmidt@fabrikam.de") -> dict[str, Any]:
    return {
        "UserDetails": {"FirstName": "Mia", "Email": email, "Country": "DE"},
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet-insights",
        "OfferTitle": "Fleet Insights",
    }


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda path: path.stem)
def test_every_marketplace_fixture_lands_once(  # noqa: PLR0917  # fixtures
    http: requests.Session,
    api: str,
    intake_url: str,
    partner_id: str,
    storage: AppStorage,
    fixture: Path,
) -> None:
    body = json.loads(fixture.read_text())
    receipt = _landed(http, api, http.post(intake_url, json=body))
    assert receipt["status"] in {"Created", "Test"}
    (lead,) = storage.leads(partner_id)
    assert lead.id == receipt["leadId"]
    assert lead.history[0].actor == "Marketplace"
    again = _landed(http, api, http.post(intake_url, json=body))
    assert (again["leadId"], again["status"]) == (lead.id, "Duplicate")


def test_the_documented_example_is_parsed_field_by_field(
    http: requests.Session, api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    body = json.loads((FIXTURES / "https-endpoint-example.json").read_text())
    _landed(http, api, http.post(intake_url, json=body))
    (lead,) = storage.leads(partner_id)
    assert lead.source is Storefront.AZURE_MARKETPLACE
    assert lead.call_to_action is CallToAction.GET_IT_NOW
    assert lead.customer.country == "US"
    assert lead.customer.phone == "+16175555555"
    assert lead.customer.email == "someone@contoso.com"
    assert lead.offer is not None
    assert lead.offer.title == "Test Microsoft"
    assert not lead.requires_action
    assert lead.archive_at is not None


def test_contact_me_lead_is_queued_for_notification(
    http: requests.Session, api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    lead_id = _landed(http, api, http.post(intake_url, json=_contact_me()))["leadId"]
    (message,) = storage.notifications_for(partner_id)
    assert message["kind"] == "NewLead"
    assert message["leadId"] == lead_id
    assert "mia" not in json.dumps(message).lower()  # ids only, no personal data


def test_ten_identical_deliveries_at_once_make_one_lead_and_one_notification(
    api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    def deliver(_: int) -> dict[str, Any]:
        with requests.Session() as session:
            return _landed(session, api, session.post(intake_url, json=_contact_me()))

    with ThreadPoolExecutor(max_workers=10) as pool:
        receipts = list(pool.map(deliver, range(10)))
    assert len({receipt["deliveryId"] for receipt in receipts}) == 10  # each one journaled
    assert len({receipt["leadId"] for receipt in receipts}) == 1
    assert sum(receipt["status"] == "Created" for receipt in receipts) == 1
    assert len(storage.leads(partner_id)) == 1
    assert len(storage.notifications_for(partner_id)) == 1


def test_a_later_stage_is_added_to_the_same_lead(
    http: requests.Session, api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    get_it_now = {**_contact_me(), "LeadSource": "AppSource (SPZA)-INS|fabrikam.fleet-insights"}
    first = _landed(http, api, http.post(intake_url, json=get_it_now))
    assert storage.notifications_for(partner_id) == []
    second = _landed(http, api, http.post(intake_url, json=_contact_me()))
    assert (second["leadId"], second["status"]) == (first["leadId"], "StageAdded")
    (lead,) = storage.leads(partner_id)
    assert lead.requires_action
    assert [stage.action_code for stage in lead.interactions] == ["INS", "PLT"]
    assert len(storage.notifications_for(partner_id)) == 1


def test_a_marketplace_test_lead_is_stored_as_test_without_notification(
    http: requests.Session, api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    body = json.loads((FIXTURES / "validate-test-lead.json").read_text())
    body["LeadSource"] = "AppSource (SPZA)-PLT|contoso.test"
    assert _landed(http, api, http.post(intake_url, json=body))["status"] == "Test"
    (lead,) = storage.leads(partner_id)
    assert lead.is_test
    assert storage.notifications_for(partner_id) == []


def test_wrong_missing_key_or_unknown_partner_are_the_same_401_and_store_nothing(
    http: requests.Session, api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    base = f"{api}/intake/{partner_id}/marketplace"
    answers = [
        http.post(f"{base}?key=wrong", json=_contact_me()),
        http.post(base, json=_contact_me()),
        http.post(f"{api}/intake/no-such-partner/marketplace?key=wrong", json=_contact_me()),
        http.post(f"{api}/intake/{'x' * 300}/marketplace?key=wrong", json=_contact_me()),
    ]
    assert {response.status_code for response in answers} == {401}
    assert len({response.json()["detail"] for response in answers}) == 1
    assert storage.leads(partner_id) == []
    journal = http.get(
        f"{api}/ops/deliveries", params={"partnerId": partner_id}, headers=bearer("Leads.Operator")
    )
    assert journal.json()["items"] == []  # nothing journaled either


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"UserDetails": {"Email": 42}}, "UserDetails.Email"),
        ({"UserDetails": "Mia"}, "UserDetails"),
        ({"LeadSource": "x" * 1025}, "LeadSource"),
        ({"Description": "x" * 8001}, "Description"),
    ],
)
def test_bad_fields_are_400_naming_the_field_and_store_nothing(  # noqa: PLR0917  # fixtures
    http: requests.Session,
    intake_url: str,
    partner_id: str,
    storage: AppStorage,
    body: dict[str, Any],
    field: str,
) -> None:
    response = http.post(intake_url, json=body)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]
    assert storage.leads(partner_id) == []


def test_intake_bodies_over_64_kib_are_413(http: requests.Session, intake_url: str) -> None:
    response = http.post(intake_url, json={"Description": "x" * (64 * 1024)})
    assert response.status_code == 413


def test_staff_referral_with_idempotency_key(
    http: requests.Session, api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    url = f"{api}/intake/{partner_id}/referrals"
    body: dict[str, Any] = {
        "qualification": "MarketingQualified",
        "leadType": "Profile",
        "customer": {"firstName": "Ana", "email": "ana@northwind.example", "country": "BR"},
        "notes": "Wants a call this week",
        "contactRequested": True,
        "estimatedValue": 12000,
        "currency": "eur",
    }
    headers = {**bearer("Vendor.Referrer", user="staff-9"), "Idempotency-Key": "ref-1"}
    first = http.post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert http.post(url, json=body, headers=headers).json() == first.json()
    conflict = http.post(url, json={**body, "notes": "changed"}, headers=headers)
    assert conflict.status_code == 409
    (lead,) = storage.leads(partner_id)
    assert lead.sender is not None
    assert lead.sender.user_id == "staff-9"
    assert lead.deal is not None
    assert lead.deal.currency == "EUR"
    partner_user = http.post(url, json=body, headers=bearer("Referrals.Admin", partner=partner_id))
    assert partner_user.status_code == 403


def test_a_profile_inquiry_is_listed_in_the_marketplace_tab_and_a_qualified_lead_is_not(
    http: requests.Session, api: str, intake_url: str, partner_id: str
) -> None:
    url = f"{api}/intake/{partner_id}/referrals"
    staff = bearer("Vendor.Referrer", user="staff-9")
    sent = {}
    for qualification in ("CustomerInquiry", "SalesQualified"):
        body = {
            "qualification": qualification,
            "leadType": "Profile",
            "customer": {"firstName": "Ana", "email": f"{qualification}@northwind.example"},
        }
        response = http.post(url, json=body, headers=staff)
        assert response.status_code == 200, response.text
        sent[qualification] = response.json()["leadId"]
    partner = bearer("Referrals.Admin", partner=partner_id)
    tabs = {
        view: [lead["id"] for lead in http.get(
            f"{api}/leads", params={"view": view}, headers=partner
        ).json()["items"]]
        for view in ("marketplace", "qualified")
    }  # fmt: skip
    assert tabs == {"marketplace": [sent["CustomerInquiry"]], "qualified": [sent["SalesQualified"]]}


def test_a_failed_queue_write_is_delivered_by_the_relay(  # noqa: PLR0917  # fixtures
    http: requests.Session,
    api: str,
    intake_url: str,
    partner_id: str,
    storage: AppStorage,
    host_without_queue: str,
) -> None:
    crippled_url = intake_url.replace(api, host_without_queue)
    response = http.post(crippled_url, json=_contact_me())
    assert response.status_code == 200, response.text  # journaled: the queue is the relay's
    delivery_id = response.json()["deliveryId"]
    assert storage.leads(partner_id) == []

    as_of = (datetime.now(UTC) + timedelta(minutes=3)).isoformat()
    relay = http.post(
        f"{api}/ops/jobs/relay-deliveries", params={"asOf": as_of}, headers=bearer("Leads.Operator")
    )
    assert relay.status_code == 200, relay.text
    assert relay.json()["counts"]["relayed"] >= 1
    entry = settled_delivery(http, api, delivery_id)
    assert entry["status"] == "Created"
    (message,) = storage.notifications_for(partner_id)
    assert message["leadId"] == entry["leadId"]
