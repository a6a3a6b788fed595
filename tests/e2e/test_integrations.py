"""Webhook subscriptions through the local host: the HTTP routes, the queue-triggered delivery,
signatures a real receiver verifies."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from shared.services.event_ports import EVENT_TYPE_PREFIX as PREFIX
from shared.services.event_ports import PING_EVENT_TYPE
from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land
from tests.support.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver().running() as live:
        yield live


def _deliveries(http: requests.Session, base: str, admin: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = http.get(f"{base}/deliveries", headers=admin).json()["items"]
    return items


def test_a_subscription_is_made_pinged_logged_and_deleted_over_http(
    api: str, http: requests.Session, partner_id: str, receiver: WebhookReceiver
) -> None:
    admin = bearer("Referrals.Admin", partner=partner_id)
    url = receiver.endpoint("/crm")
    created = http.post(f"{api}/integrations/webhooks", headers=admin,
                        json={"url": url, "description": "CRM"})  # fmt: skip
    assert created.status_code == 201, created.text
    secret, sub_id = created.json()["secret"], created.json()["id"]
    receiver.endpoints["/crm"].secrets.append(secret)
    listed = http.get(f"{api}/integrations/webhooks", headers=admin)
    assert [item["id"] for item in listed.json()["items"]] == [sub_id]
    assert secret not in listed.text
    base = f"{api}/integrations/webhooks/{sub_id}"
    ping = http.post(f"{base}/ping", headers=admin)
    assert ping.status_code == 202
    (arrived,) = receiver.wait_for("/crm", 1)
    assert arrived.verified_with == [secret]
    assert arrived.event_type == PING_EVENT_TYPE
    deadline = time.monotonic() + 10
    while (
        _deliveries(http, base, admin)[0]["status"] != "Delivered" and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    (logged,) = _deliveries(http, base, admin)
    assert (logged["status"], logged["lastStatusCode"], logged["attempts"]) == ("Delivered", 200, 1)
    assert logged["eventId"] == arrived.event_id == ping.json()["deliveryId"].split("-", 1)[1]
    replay = http.post(f"{base}/deliveries/replay", headers=admin,
                       json={"deliveryId": logged["id"]})  # fmt: skip
    assert replay.json() == {"queued": 1}
    assert len(receiver.wait_for("/crm", 2)) == 2
    assert http.delete(base, headers=admin).status_code == 204
    assert http.get(base, headers=admin).status_code == 404


def test_refusals_are_problems_and_change_nothing(
    api: str, http: requests.Session, partner_id: str
) -> None:
    admin = bearer("BusinessProfile.Admin", partner=partner_id)
    hooks = f"{api}/integrations/webhooks"
    private = http.post(hooks, headers=admin, json={"url": "https://10.0.0.7/hook"})
    assert private.status_code == 400
    assert private.headers["Content-Type"].startswith("application/problem+json")
    assert [error["field"] for error in private.json()["errors"]] == ["url"]
    user = bearer("Referrals.User", partner=partner_id)
    assert http.post(hooks, headers=user, json={"url": "http://127.0.0.1:9/h"}).status_code == 403
    assert http.get(hooks, headers=admin).json() == {"items": []}
    missing = http.post(f"{hooks}/{'0' * 32}/ping", headers=admin)
    assert missing.status_code == 404


def test_lead_changes_reach_the_subscriptions_from_the_event_log_and_a_failing_one_waits(
    api: str, http: requests.Session, partner_id: str, receiver: WebhookReceiver
) -> None:
    operator = bearer("Leads.Operator")
    created = http.post(f"{api}/ops/partners", headers=operator,
                        json={"partnerId": partner_id, "name": "Contoso"})  # fmt: skip
    intake = created.json()["intakeUrl"].replace("http://leads.test/api", api)
    admin = bearer("Referrals.Admin", partner=partner_id)
    secrets = {}
    for path, behaviour, types in (("/all", "ok", []), ("/won", "ok", [PREFIX + "won"]),
                                   ("/down", "fail", [])):  # fmt: skip
        url = receiver.endpoint(path, behaviour)
        made = http.post(f"{api}/integrations/webhooks", headers=admin,
                         json={"url": url, "eventTypes": types}).json()  # fmt: skip
        secrets[path] = made["secret"]
        receiver.endpoints[path].secrets.append(made["secret"])
    body = {"UserDetails": {"FirstName": "Mia", "Company": "Northwind",
                            "Email": f"{uuid.uuid4().hex[:8]}@northwind.example"},
            "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet", "OfferTitle": "Fleet"}  # fmt: skip
    lead_id = deliver_and_land(http, api, intake, body)
    accept = {"dealName": "Fleet", "notes": "Demo", "estimatedCloseDate": "2099-01-01"}
    assert http.post(f"{api}/leads/{lead_id}/accept", json=accept, headers=admin).ok
    assert http.post(f"{api}/leads/{lead_id}/won", json={"notes": "Signed"}, headers=admin).ok
    time.sleep(0.6)  # the host's feed serves events half a second old
    run = http.post(f"{api}/ops/jobs/dispatch-webhooks", headers=operator)
    assert run.json()["counts"]["deliveries"] == 7, run.text  # 3 + 1 + 3
    # A queue is unordered: receivers order by the lead's version.
    everything = sorted(
        receiver.wait_for("/all", 3), key=lambda i: json.loads(i.body)["data"]["version"]
    )
    assert [item.event_type for item in everything] == [
        PREFIX + kind for kind in ("received", "accepted", "won")
    ]
    assert all(item.verified_with == [secrets["/all"]] for item in everything)
    (won,) = receiver.wait_for("/won", 1)
    shown = http.get(f"{api}/leads/{lead_id}", headers=admin).json()
    data = json.loads(won.body)["data"]
    assert data == {k: v for k, v in shown.items() if k not in ("etag", "favorite")} | {
        "version": 3
    }
    assert len(receiver.wait_for("/down", 3)) == 3  # tried once each; retries wait their delay
    again = http.post(f"{api}/ops/jobs/dispatch-webhooks", headers=operator)
    assert again.json()["counts"]["deliveries"] == 0
