"""Operations routes through the local host: partners, intake keys, jobs, health, OpenAPI."""

from __future__ import annotations

import contextlib

import requests
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueClient
from openapi_spec_validator import validate

from tests.support.auth import bearer

OPERATOR = ("Leads.Operator",)
APP_QUEUES = ("NOTIFICATIONS_QUEUE", "DELIVERIES_QUEUE", "WORK_QUEUE")


def _create(http: requests.Session, api: str, partner_id: str) -> requests.Response:
    return http.post(
        f"{api}/ops/partners",
        json={
            "partnerId": partner_id,
            "name": "Contoso Ltd",
            "contacts": [{"name": "Sales", "email": "sales@contoso.example"}],
            "timeZone": "Europe/Berlin",
        },
        headers=bearer(*OPERATOR),
    )


def test_health_reports_each_dependency_with_its_latency(http: requests.Session, api: str) -> None:
    response = http.get(f"{api}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["queues"] is None  # depths only for operators, with deep=true
    states = {name: (check["status"], check["required"]) for name, check in body["checks"].items()}
    assert states == {
        "tables": ("ok", True),
        "queues": ("ok", True),
        "blobs": ("ok", True),
        "sendgrid": ("notConfigured", False),  # emails go to the blob outbox here
    }
    assert all(0 <= check["latencyMs"] < 1500 for check in body["checks"].values())


def test_deep_health_counts_every_app_queue_and_its_poison_queue(
    http: requests.Session, api: str, app_env: dict[str, str]
) -> None:
    work = app_env["WORK_QUEUE"]

    def poisoned() -> int:
        response = http.get(f"{api}/health", params={"deep": "true"}, headers=bearer(*OPERATOR))
        assert response.status_code == 200, response.text
        depths = {q["queue"]: q for q in response.json()["queues"]}
        assert set(depths) >= {app_env[name] for name in APP_QUEUES}
        return int(depths[work]["poisonMessages"])

    before = poisoned()
    poison = QueueClient.from_connection_string(app_env["AzureWebJobsStorage"], f"{work}-poison")
    with contextlib.suppress(ResourceExistsError):
        poison.create_queue()
    poison.send_message("a work order that failed every attempt")
    poison.send_message("and another")
    assert poisoned() == before + 2


def test_deep_health_is_for_operators_only(http: requests.Session, api: str) -> None:
    deep = f"{api}/health?deep=true"
    anonymous = http.get(deep)
    partner = http.get(deep, headers=bearer("Referrals.Admin", partner="contoso"))
    assert (anonymous.status_code, partner.status_code) == (401, 403)
    assert anonymous.headers["Content-Type"] == "application/problem+json"
    assert "queues" not in partner.text
    assert http.get(f"{api}/health?deep=yes").status_code == 400


def test_operator_registers_partner_and_key_is_stored_only_as_hash(
    http: requests.Session, api: str, partner_id: str, app_env: dict[str, str]
) -> None:
    response = _create(http, api, partner_id)

    assert response.status_code == 201
    body = response.json()
    key = body["intakeKey"]
    assert len(key) >= 40
    assert body["intakeUrl"] == (f"http://leads.test/api/intake/{partner_id}/marketplace?key={key}")
    service = TableServiceClient.from_connection_string(app_env["AzureWebJobsStorage"])
    stored = [
        entity
        for table in service.list_tables()
        for entity in service.get_table_client(table.name).list_entities()
    ]
    assert any(entity["PartitionKey"] == partner_id for entity in stored)
    assert all(key not in str(dict(entity)) for entity in stored)


def test_registering_an_existing_partner_conflicts(
    http: requests.Session, api: str, partner_id: str
) -> None:
    assert _create(http, api, partner_id).status_code == 201
    again = _create(http, api, partner_id)
    assert again.status_code == 409
    assert again.headers["Content-Type"].startswith("application/problem+json")


def test_rotation_issues_a_new_key(http: requests.Session, api: str, partner_id: str) -> None:
    first = _create(http, api, partner_id).json()["intakeKey"]
    rotated = http.post(f"{api}/ops/partners/{partner_id}/intake-key", headers=bearer(*OPERATOR))
    assert rotated.status_code == 200
    assert rotated.json()["intakeKey"] != first


def test_rotating_an_unknown_partner_is_404(http: requests.Session, api: str) -> None:
    response = http.post(f"{api}/ops/partners/nobody-here/intake-key", headers=bearer(*OPERATOR))
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_invalid_registration_names_each_bad_field(http: requests.Session, api: str) -> None:
    response = http.post(
        f"{api}/ops/partners",
        json={"partnerId": "Bad Id!", "name": "", "timeZone": "Mars/Olympus", "extra": 1},
        headers=bearer(*OPERATOR),
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"partnerId", "name", "timeZone", "extra"}


def test_unknown_job_is_404_listing_none(http: requests.Session, api: str) -> None:
    response = http.post(f"{api}/ops/jobs/no-such-job", headers=bearer(*OPERATOR))
    assert response.status_code == 404
    assert "no-such-job" in response.json()["detail"]


def test_job_as_of_must_be_an_instant_with_offset(http: requests.Session, api: str) -> None:
    for bad in ("yesterday", "2026-11-23T06:00:00"):
        response = http.post(f"{api}/ops/jobs/any", params={"asOf": bad}, headers=bearer(*OPERATOR))
        assert response.status_code == 400, bad


def test_openapi_document_is_valid_3_1(http: requests.Session, api: str) -> None:
    response = http.get(f"{api}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    validate(document)
