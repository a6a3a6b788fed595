"""The intake journal through the local host: acknowledge first, process after, quarantine
rather than lose, and let operators list, read and replay deliveries."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from shared.adapters.table_delivery_journal import TableDeliveryJournal
from shared.domain.intake_journal import JournalEntry, new_delivery_id
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.deliveries import settled_delivery
from tests.support.hosts import running_host

OPERATOR = bearer("Leads.Operator")


def _register(http: requests.Session, api: str, partner_id: str) -> str:
    response = http.post(
        f"{api}/ops/partners", json={"partnerId": partner_id, "name": "Contoso"}, headers=OPERATOR
    )
    assert response.status_code == 201, response.text
    return str(response.json()["intakeUrl"]).replace("http://leads.test/api", api)


def _contact_me(email: str) -> dict[str, Any]:
    return {
        "UserDetails": {"FirstName": "Mia", "Email": email, "Company": "Fabrikam"},
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet-insights",
        "OfferTitle": "Fleet Insights",
    }


@pytest.fixture
def intake_url(http: requests.Session, api: str, partner_id: str) -> str:
    return _register(http, api, partner_id)


def test_a_body_naming_no_customer_is_acknowledged_then_rejected(
    http: requests.Session, api: str, intake_url: str, partner_id: str, storage: AppStorage
) -> None:
    response = http.post(intake_url, json={})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "Received"
    entry = settled_delivery(http, api, response.json()["deliveryId"])
    assert entry["status"] == "Rejected"
    assert "no customer" in entry["reason"]
    assert storage.leads(partner_id) == []


def test_operators_list_newest_first_read_the_raw_body_and_replay(
    http: requests.Session, api: str, intake_url: str, partner_id: str
) -> None:
    raw = json.dumps(_contact_me("ops@fabrikam.example"), indent=3).encode()
    first = http.post(intake_url, data=raw, headers={"Content-Type": "application/json"})
    second = http.post(intake_url, json={})
    ids = [first.json()["deliveryId"], second.json()["deliveryId"]]
    for delivery_id in ids:
        settled_delivery(http, api, delivery_id)

    listed = http.get(f"{api}/ops/deliveries", params={"partnerId": partner_id}, headers=OPERATOR)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [item["deliveryId"] for item in items] == ids[::-1]
    assert all("body" not in item for item in items)
    rejected = http.get(
        f"{api}/ops/deliveries",
        params={"partnerId": partner_id, "status": "Rejected", "pageSize": "1"},
        headers=OPERATOR,
    ).json()
    assert [item["deliveryId"] for item in rejected["items"]] == [ids[1]]

    detail = http.get(f"{api}/ops/deliveries/{ids[0]}", headers=OPERATOR).json()
    assert detail["body"].encode() == raw  # byte for byte, indentation and all
    assert detail["status"] == "Created"

    window = {"partnerId": partner_id, "from": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
    report = http.post(f"{api}/ops/deliveries/replay", json=window, headers=OPERATOR)
    assert report.status_code == 200, report.text
    assert report.json() == {"matched": 2, "queued": 1, "skipped": 1, "failed": 0}
    assert settled_delivery(http, api, ids[1])["status"] == "Rejected"  # the same answer again


def test_operator_routes_need_the_operator_role_and_refuse_bad_input(
    http: requests.Session, api: str
) -> None:
    partner_user = bearer("Referrals.Admin", partner="contoso")
    assert http.get(f"{api}/ops/deliveries", headers=partner_user).status_code == 403
    assert http.get(f"{api}/ops/deliveries").status_code == 401
    assert http.get(f"{api}/ops/deliveries/not-an-id", headers=OPERATOR).status_code == 400
    missing = http.get(f"{api}/ops/deliveries/{'0' * 32}", headers=OPERATOR)
    assert missing.status_code == 404
    naive = http.get(f"{api}/ops/deliveries", params={"from": "2026-11-01T00:00"}, headers=OPERATOR)
    assert naive.status_code == 400
    both = {"deliveryId": "0" * 32, "status": "Quarantined"}
    assert http.post(f"{api}/ops/deliveries/replay", json=both, headers=OPERATOR).status_code == 400


@pytest.fixture(scope="module")
def own_host(
    app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A host with tables of its own, so a test may break its Leads table."""
    suffix = uuid.uuid4().hex[:8]
    env = {
        **app_env,
        "STORAGE_PREFIX": f"q{suffix}",
        "NOTIFICATIONS_QUEUE": f"notify-q{suffix}",
        "DELIVERIES_QUEUE": f"deliveries-q{suffix}",
        "WORK_QUEUE": f"work-q{suffix}",
        "AzureFunctionsWebHost__hostid": f"quarantine-{suffix}",
        # Back-off retries compressed: from 0.5 s, given up after about 7 s.
        "QUEUE_RETRY_BASE_SECONDS": "0.5",
        "QUEUE_RETRY_MAX_SECONDS": "1",
        "QUEUE_RETRY_GIVE_UP_HOURS": "0.002",
    }
    with running_host(env, tmp_path_factory.mktemp("quarantine-host"), fast_queues=True) as host:
        yield f"{host.base_url}/api", env


def test_a_failure_after_the_journal_write_is_quarantined_and_a_replay_lands_once(
    http: requests.Session, own_host: tuple[str, dict[str, str]], partner_id: str
) -> None:
    api, env = own_host
    storage = AppStorage(env)
    intake_url = _register(http, api, partner_id)
    warm = settled_delivery(http, api, http.post(intake_url, json={}).json()["deliveryId"])
    assert warm["status"] == "Rejected"  # the app has created its tables by now

    tables = TableServiceClient.from_connection_string(env["AzureWebJobsStorage"])
    leads_table = f"{env['STORAGE_PREFIX']}Leads"
    tables.delete_table(leads_table)  # processing now fails after the journal write
    try:
        response = http.post(intake_url, json=_contact_me("mia.q@fabrikam.example"))
        assert response.status_code == 200, response.text
        delivery_id = response.json()["deliveryId"]
        entry = settled_delivery(http, api, delivery_id)
        assert entry["status"] == "Quarantined"
        assert entry["leadId"] is None
        # Storage refuses every write of the lead: retried with back-off until the retries are
        # given up (after about 7 s here: how many tries fit depends on the machine's speed),
        # then quarantined in the journal, never left in a poison queue.
        assert entry["attempts"] >= 2
        assert "mia" not in entry["reason"].lower()
    finally:
        tables.create_table(leads_table)

    for _ in range(2):  # a replay is idempotent: the second finds the delivery landed
        replay = http.post(
            f"{api}/ops/deliveries/replay", json={"deliveryId": delivery_id}, headers=OPERATOR
        )
        assert replay.status_code == 200, replay.text
        settled = settled_delivery(http, api, delivery_id)
    assert replay.json() == {"matched": 1, "queued": 0, "skipped": 1, "failed": 0}
    assert settled["status"] == "Created"
    (lead,) = storage.leads(partner_id)
    assert lead.id == settled["leadId"]
    assert len(storage.notifications_for(partner_id)) == 1


def test_storefront_url_parameters_become_the_campaign_and_tracking_parameters(
    http: requests.Session, api: str, intake_url: str, partner_id: str
) -> None:
    parameters = {"mktcmpid": "spring-2026", "utm_source": "newsletter"}
    body = {**_contact_me("campaign@fabrikam.example"), "Description": json.dumps(parameters)}
    response = http.post(intake_url, json=body)
    lead_id = settled_delivery(http, api, response.json()["deliveryId"])["leadId"]
    lead = http.get(
        f"{api}/leads/{lead_id}", headers=bearer("Referrals.Admin", partner=partner_id)
    ).json()
    assert lead["deal"]["campaignId"] == "spring-2026"
    assert lead["trackingParameters"] == {"utm_source": "newsletter"}
    assert lead["description"] is None


IMPORT_CSV = (
    "\ufeffFirst Name,Email Address,Company Name,Lead Source,Action Code,Offer Title,"
    "Description,LeadCreationDateTime,Unknown Column\r\n"
    'Mia,mia.import@fabrikam.example,Fabrikam,AzureMarketplace,PLT,Fleet,"two\r\nlines",'
    "2026-10-01T08:30:00Z,x\r\n"
    "Mia,mia.import@fabrikam.example,Fabrikam,AzureMarketplace,PLT,Fleet,,"
    "2026-10-01T09:00:00Z,x\r\n"
    "Bad,bad@fabrikam.example,,AzureMarketplace,PLT,Fleet,,not a date,\r\n"
)


def test_a_partner_center_export_is_imported_through_the_journal(
    http: requests.Session, api: str, partner_id: str, storage: AppStorage
) -> None:
    _register(http, api, partner_id)
    admin = bearer("Referrals.Admin", partner=partner_id)
    url = f"{api}/leads/import"
    csv_type = {"Content-Type": "text/csv"}
    response = http.post(url, data=IMPORT_CSV.encode(), headers={**admin, **csv_type})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["imported"], report["duplicates"]) == (3, 1, 1)
    assert report["rejected"] == [
        {"line": 5, "reason": "LeadCreationDateTime is missing or not a date and time"}
    ]
    listed = http.get(
        f"{api}/ops/deliveries", params={"partnerId": partner_id}, headers=OPERATOR
    ).json()["items"]
    (entry,) = listed
    assert entry["source"] == "Import"
    assert settled_delivery(http, api, entry["deliveryId"])["status"] == "Created"
    (lead,) = storage.leads(partner_id)
    assert lead.created_at == datetime(2026, 10, 1, 8, 30, tzinfo=UTC)

    as_json = http.post(url, data=b"{}", headers={**admin, "Content-Type": "application/json"})
    assert as_json.status_code == 415
    assert http.post(url, data=IMPORT_CSV.encode(), headers=csv_type).status_code == 401
    huge = http.post(url, data=b"x" * (20 * 1024 * 1024 + 1), headers={**admin, **csv_type})
    assert huge.status_code == 413
    assert huge.headers["Content-Type"].startswith("application/problem+json")


def test_an_unreadable_journaled_body_is_quarantined_at_once(
    http: requests.Session, own_host: tuple[str, dict[str, str]], partner_id: str
) -> None:
    """A row the door would never write (e.g. restored by hand): our rules refuse it, so it is
    quarantined on the first attempt rather than retried."""
    api, env = own_host
    _register(http, api, partner_id)
    now = datetime.now(UTC)
    received_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    entry = JournalEntry(
        delivery_id=new_delivery_id(received_at),
        partner_id=partner_id,
        received_at=received_at,
        sha256="0" * 64,
        body=b"\xff not json",
    )
    tables = TableServiceClient.from_connection_string(env["AzureWebJobsStorage"])
    # The app creates its journal table on its first delivery, which this host may not have had.
    journal_table = tables.create_table_if_not_exists(f"{env['STORAGE_PREFIX']}Deliveries")
    journal = TableDeliveryJournal(journal_table)
    journal.record(entry, relay_at=received_at)
    queue = QueueClient.from_connection_string(
        env["AzureWebJobsStorage"],
        env["DELIVERIES_QUEUE"],
        message_encode_policy=TextBase64EncodePolicy(),
    )
    with contextlib.suppress(ResourceExistsError):  # as the table: made on first use
        queue.create_queue()
    queue.send_message(json.dumps({"deliveryId": entry.delivery_id, "partnerId": partner_id}))
    settled = settled_delivery(http, api, entry.delivery_id)
    assert settled["status"] == "Quarantined"
    assert settled["attempts"] == 1
    assert settled["reason"] == "InvalidInput: The journaled body is not UTF-8 JSON."
